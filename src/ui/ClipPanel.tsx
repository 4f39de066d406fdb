import { useRef, useState, type DragEvent } from 'react';
import {
  dismissError,
  formatClock,
  formatSeconds,
  framesAt,
  loadClip,
  removeClip,
  setTrim,
  useEditor,
  type ClipInfo,
  type Slot,
} from '../state';
import { FramePane } from './FramePane';
import { PoseStatus } from './PoseStatus';

const LABELS: Record<Slot, { title: string; hint: string }> = {
  reference: { title: 'Reference', hint: 'the person and scene to keep' },
  motion: { title: 'Motion', hint: 'the movement to copy' },
};

function formatBytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MB` : `${Math.ceil(n / 1024)} kB`;
}

const ROTATION_LABEL: Record<ClipInfo['rotation'], string> = {
  0: 'none',
  90: '90° clockwise',
  180: '180°',
  270: '90° counter-clockwise',
};

function ClipFacts({ info }: { info: ClipInfo }) {
  const facts: [string, string][] = [
    ['Duration', `${info.durationS.toFixed(2)} s`],
    ['Frame rate', `${Number(info.fps.toFixed(3))} fps${info.variableFrameRate ? ' (variable)' : ''}`],
    ['Frames', String(info.frameCount)],
    ['Resolution', `${info.width}×${info.height}`],
    ['Codec', info.codec],
    ['Rotation', ROTATION_LABEL[info.rotation]],
    ['Audio', info.audio ? `${info.audio.codec}, ${info.audio.channels} ch` : 'none'],
    ['Size', formatBytes(info.sizeBytes)],
  ];
  return (
    <dl className="facts" data-testid="clip-facts">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd data-fact={k.toLowerCase().replace(' ', '-')}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function TrimControls({ slot, info }: { slot: Slot; info: ClipInfo }) {
  const trim = useEditor((s) => s.clips[slot].trim);
  const frameIndex = useEditor((s) => framesAt(s)[slot]);
  const step = 1 / info.fps;
  const current = frameIndex !== undefined ? info.timestamps[frameIndex]! : 0;
  return (
    <div className="trim">
      <label>
        In
        <input
          type="number"
          min={0}
          max={info.durationS}
          step={step}
          value={Number(trim.inS.toFixed(3))}
          data-testid={`trim-in-${slot}`}
          onChange={(e) => setTrim(slot, { ...trim, inS: Number(e.target.value) })}
        />
      </label>
      <button type="button" title="Start the clip at the frame shown" onClick={() => setTrim(slot, { ...trim, inS: current })}>
        Set in
      </button>
      <label>
        Out
        <input
          type="number"
          min={0}
          max={info.durationS}
          step={step}
          value={Number(trim.outS.toFixed(3))}
          data-testid={`trim-out-${slot}`}
          onChange={(e) => setTrim(slot, { ...trim, outS: Number(e.target.value) })}
        />
      </label>
      <button
        type="button"
        title="End the clip after the frame shown"
        onClick={() => setTrim(slot, { ...trim, outS: current + step })}
      >
        Set out
      </button>
      <span className="muted">{formatSeconds(trim.outS - trim.inS)} used</span>
    </div>
  );
}

/** One input: a drop zone when empty, the current frame and facts when loaded. */
export function ClipPanel({ slot }: { slot: Slot }) {
  const clip = useEditor((s) => s.clips[slot]);
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragOver, setDragOver] = useState(false);
  const { title, hint } = LABELS[slot];

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragOver(false);
    const file = e.dataTransfer.files[0];
    if (file) void loadClip(slot, file);
  };

  return (
    <section
      className={`clip ${dragOver ? 'drag-over' : ''}`}
      data-testid={`clip-${slot}`}
      data-status={clip.status}
      data-info={clip.info ? JSON.stringify({ ...clip.info, timestamps: undefined }) : undefined}
      onDragOver={(e) => {
        e.preventDefault();
        setDragOver(true);
      }}
      onDragLeave={() => setDragOver(false)}
      onDrop={onDrop}
    >
      <header>
        <h2>{title}</h2>
        <span className="muted">{hint}</span>
        {clip.info && (
          <span className="clip-actions">
            <button type="button" onClick={() => inputRef.current?.click()}>
              Replace…
            </button>
            <button type="button" onClick={() => void removeClip(slot)} aria-label={`Remove ${title.toLowerCase()} clip`}>
              ✕
            </button>
          </span>
        )}
      </header>
      <input
        ref={inputRef}
        type="file"
        accept="video/*,.mp4,.mov,.m4v,.webm,.mkv,.avi"
        hidden
        data-testid={`file-${slot}`}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void loadClip(slot, file);
          e.target.value = '';
        }}
      />
      {clip.error && (
        <div className="error" role="alert" data-testid={`error-${slot}`}>
          <span>{clip.error}</span>
          <button type="button" onClick={() => dismissError(slot)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {clip.status === 'loading' && (
        <div className="loading" data-testid={`loading-${slot}`}>
          {clip.convertProgress === null ? (
            <span>Opening {clip.loadingName}…</span>
          ) : (
            <>
              <span>
                Converting {clip.loadingName} (this browser cannot decode it directly)… {Math.round(clip.convertProgress * 100)}%
                {clip.convertEtaS !== null ? ` · about ${formatClock(clip.convertEtaS)} left` : ''}
              </span>
              <progress value={clip.convertProgress} max={1} />
            </>
          )}
        </div>
      )}
      {clip.info ? (
        <>
          <FramePane slot={slot} width={clip.info.width} height={clip.info.height} />
          <PoseStatus slot={slot} />
          <ClipFacts info={clip.info} />
          <TrimControls slot={slot} info={clip.info} />
        </>
      ) : (
        clip.status !== 'loading' && (
          <button type="button" className="dropzone" data-testid={`dropzone-${slot}`} onClick={() => inputRef.current?.click()}>
            <strong>Drop the {title.toLowerCase()} video here</strong>
            <span>{hint}</span>
            <span className="muted">or click to choose a file · MP4, MOV, WebM, AVI · up to 4K and 2 GB</span>
          </button>
        )
      )}
    </section>
  );
}
