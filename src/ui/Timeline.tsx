import { useEffect, useRef } from 'react';
import {
  formatSeconds,
  framesAt,
  seek,
  setMapping,
  setOffset,
  setOverlay,
  step,
  timelineDuration,
  timelineFps,
  togglePlay,
  useEditor,
  type Slot,
  type TimeMapping,
} from '../state';

function Icon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
      <path d={d} fill="currentColor" />
    </svg>
  );
}

/** Thumbnails of one clip across its whole length, with its trimmed range and current frame marked. */
function ThumbStrip({ slot }: { slot: Slot }) {
  const clip = useEditor((s) => s.clips[slot]);
  const frame = useEditor((s) => framesAt(s)[slot]);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    const thumbs = clip.thumbnails;
    if (!canvas || thumbs.length === 0) return;
    // Tile the strip at its on-screen size with undistorted thumbnails, each showing the moment
    // of the clip under it.
    const draw = () => {
      const width = Math.max(1, Math.round(canvas.clientWidth * devicePixelRatio));
      const height = Math.max(1, Math.round(canvas.clientHeight * devicePixelRatio));
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d')!;
      const tileW = (thumbs[0]!.width * height) / thumbs[0]!.height;
      const tiles = Math.ceil(width / tileW);
      for (let i = 0; i < tiles; i++) {
        const t = thumbs[Math.min(thumbs.length - 1, Math.floor(((i + 0.5) / tiles) * thumbs.length))]!;
        g.drawImage(t, i * tileW, 0, tileW, height);
      }
    };
    draw();
    const observer = new ResizeObserver(draw);
    observer.observe(canvas);
    return () => observer.disconnect();
  }, [clip.thumbnails]);
  const track = useEditor((s) => s.pose[slot].track);
  const confidenceRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = confidenceRef.current;
    if (!canvas || !track) return;
    // One column per frame: green for a confident pose, through amber to red, grey where no person.
    canvas.width = track.frameCount;
    canvas.height = 1;
    const g = canvas.getContext('2d')!;
    for (let i = 0; i < track.frameCount; i++) {
      const score = track.found[i] ? track.score[i]! : -1;
      g.fillStyle = score < 0 ? '#555' : `hsl(${Math.round(120 * Math.max(0, (score - 0.5) / 0.5))}, 80%, 45%)`;
      g.fillRect(i, 0, 1, 1);
    }
  }, [track]);
  const info = clip.info;
  if (!info) return null;
  const pct = (t: number) => `${(100 * t) / info.durationS}%`;
  const playhead = frame !== undefined ? info.timestamps[frame]! : 0;
  return (
    <div className="strip" data-testid={`strip-${slot}`} title={`${slot} clip`}>
      <span className="strip-label">{slot === 'reference' ? 'Reference' : 'Motion'}</span>
      <div className="strip-track">
        <canvas ref={canvasRef} />
        {track && <canvas ref={confidenceRef} className="confidence" data-testid={`confidence-${slot}`} title="Pose confidence per frame (grey: no person)" />}
        <div className="trim-shade" style={{ left: 0, width: pct(clip.trim.inS) }} />
        <div className="trim-shade" style={{ left: pct(clip.trim.outS), right: 0 }} />
        <div className="playhead" style={{ left: pct(playhead) }} />
      </div>
    </div>
  );
}

/** The shared timeline: both strips, the scrubber, transport, offset and time mapping. */
export function Timeline() {
  const time = useEditor((s) => s.time);
  const playing = useEditor((s) => s.playing);
  const duration = useEditor(timelineDuration);
  const fps = useEditor(timelineFps);
  const both = useEditor((s) => Boolean(s.clips.reference.info && s.clips.motion.info));
  const any = useEditor((s) => Boolean(s.clips.reference.info || s.clips.motion.info));
  const offsetS = useEditor((s) => s.offsetS);
  const mapping = useEditor((s) => s.mapping);
  const overlays = useEditor((s) => s.overlays);
  const frameNumber = Math.round(time * fps);
  const frameCount = Math.max(1, Math.round(duration * fps));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) {
        if (!(target instanceof HTMLInputElement && target.type === 'range')) return;
      }
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        e.preventDefault();
        step(e.key === 'ArrowRight' ? 1 : -1);
      } else if (e.key === ' ' && target?.tagName !== 'BUTTON') {
        e.preventDefault();
        togglePlay();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!any) return null;
  return (
    <section className="timeline" data-testid="timeline">
      <ThumbStrip slot="reference" />
      <ThumbStrip slot="motion" />
      <div className="transport">
        <button type="button" onClick={() => step(-1)} aria-label="Previous frame" title="Previous frame (←)">
          <Icon d="M6 5h2v14H6zM20 5v14L9 12z" />
        </button>
        <button type="button" onClick={togglePlay} data-testid="play" aria-label={playing ? 'Pause' : 'Play'} title="Play/pause (space)">
          <Icon d={playing ? 'M6 5h4v14H6zM14 5h4v14h-4z' : 'M7 5v14l12-7z'} />
        </button>
        <button type="button" onClick={() => step(1)} aria-label="Next frame" title="Next frame (→)">
          <Icon d="M16 5h2v14h-2zM4 5v14l11-7z" />
        </button>
        <input
          type="range"
          className="scrubber"
          data-testid="scrubber"
          aria-label="Timeline position"
          min={0}
          max={Math.max(0, frameCount - 1)}
          step={1}
          value={Math.min(frameNumber, frameCount - 1)}
          onChange={(e) => seek(Number(e.target.value) / fps)}
        />
        <span className="clock" data-testid="clock">
          {formatSeconds(time)} / {formatSeconds(duration)} · frame {frameNumber + 1}/{frameCount}
        </span>
      </div>
      <div className="timeline-options">
        <span className="toggles" title="What to draw over the videos">
          Show
          {(['skeleton', 'hands', 'face', 'mask', 'body'] as const).map((name) => (
            <label key={name}>
              <input type="checkbox" checked={overlays[name]} data-testid={`overlay-${name}`} onChange={(e) => setOverlay(name, e.target.checked)} />
              {name}
            </label>
          ))}
        </span>
      </div>
      {both && (
        <div className="timeline-options">
          <label title="Shift the reference clip against the motion clip">
            Reference offset
            <input
              type="number"
              step={1 / fps}
              value={Number(offsetS.toFixed(3))}
              data-testid="offset"
              onChange={(e) => setOffset(Number(e.target.value))}
            />
            s
          </label>
          <label title="What the reference shows when the motion runs longer than it">
            When the reference ends
            <select value={mapping} onChange={(e) => setMapping(e.target.value as TimeMapping)} data-testid="mapping">
              <option value="hold">hold its last frame</option>
              <option value="loop">loop it</option>
              <option value="ping-pong">play it back and forth</option>
            </select>
          </label>
        </div>
      )}
    </section>
  );
}
