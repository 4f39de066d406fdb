import {
  cancelGenerate,
  discardResumable,
  effectiveAudio,
  formatClock,
  generateBlocker,
  generate,
  setAudio,
  setEngine,
  setMaxHeight,
  setPlacement,
  setRefine,
  useEditor,
  type AudioChoice,
  type EngineChoice,
} from '../state';
import { useEffect, useRef } from 'react';
import { PackPanel } from './PackPanel';

const SIDE_WORDS = { left: 'at the left', right: 'at the right', top: 'at the top', bottom: 'at the bottom' } as const;
/** The placement offsets' range (the 3D panel's Left/right and Nearer/farther sliders), metres. */
const OFFSET_LIMIT = 2;

/** Says when the motion body leaves the reference frame, and offers the move that keeps it in. */
function FramingWarning() {
  const framing = useEditor((s) => s.framing);
  const placement = useEditor((s) => s.placement);
  if (!framing || framing.framesOutside === 0 || !framing.side) return null;
  const { fix } = framing;
  const x = Math.round(((placement.offsetX + (fix?.x ?? 0)) * 100)) / 100;
  const z = Math.round(((placement.offsetZ + (fix?.z ?? 0)) * 100)) / 100;
  const fits = fix !== null && Math.abs(x) <= OFFSET_LIMIT && Math.abs(z) <= OFFSET_LIMIT;
  const moves = fix
    ? [fix.x !== 0 ? `${Math.abs(fix.x).toFixed(2)} m ${fix.x < 0 ? 'left' : 'right'}` : '', fix.z !== 0 ? `${Math.abs(fix.z).toFixed(2)} m ${fix.z > 0 ? 'farther' : 'nearer'}` : '']
        .filter(Boolean)
        .join(' and ')
    : '';
  return (
    <p className="warning" data-testid="framing-warning" data-frames-outside={framing.framesOutside}>
      The new body leaves the frame {SIDE_WORDS[framing.side]} in {framing.framesOutside} of the motion's {framing.frameCount} frames
      {fits ? '. ' : ': a smaller Size or another Placement in the 3D panel keeps it in.'}
      {fits && (
        <button type="button" data-testid="framing-fix" onClick={() => setPlacement({ offsetX: x, offsetZ: z })}>
          Move it {moves} to keep it in the frame
        </button>
      )}
    </p>
  );
}

/** The latest finished frame of a running engine. */
function LivePreview() {
  const preview = useEditor((s) => s.render.preview);
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || !preview) return;
    canvas.width = preview.frame.width;
    canvas.height = preview.frame.height;
    canvas.getContext('2d')!.drawImage(preview.frame, 0, 0);
    canvas.dataset.frame = String(preview.index);
  }, [preview]);
  if (!preview) return null;
  return (
    <figure className="live-preview">
      <canvas ref={ref} data-testid="live-preview" />
      <figcaption className="muted">frame {preview.index + 1} as it was finished</figcaption>
    </figure>
  );
}

const PHASE_LABEL = { render: 'Rendering frames', encode: 'Finishing the MP4', convert: 'Converting' } as const;

/** How a reference turned through `arc` (degrees, 0 = facing the camera) stands to the camera, in words. */
function facingWords([from, to]: [number, number]): string {
  const middle = Math.abs((((from + to) / 2 + 540) % 360) - 180);
  return middle >= 135 ? 'their back to the camera' : middle <= 45 ? 'facing the camera' : 'side-on';
}

/** Output settings, the Generate button, and progress with ETA and Cancel. */
export function GeneratePanel() {
  const render = useEditor((s) => s.render);
  const maxHeight = useEditor((s) => s.maxHeight);
  const ref = useEditor((s) => s.clips.reference.info);
  const mot = useEditor((s) => s.clips.motion.info);
  const running = render.status === 'running';
  const p = render.progress;
  // What the output will carry: a clip without sound falls back to the other clip's (see effectiveAudio).
  const audio = useEditor(effectiveAudio);
  const engine = useEditor((s) => s.engine);
  const coverage = useEditor((s) => s.coverage);
  const faceNeverSeen = coverage !== null && !coverage.faceSeen && coverage.faceShown > 0;
  const resumable = useEditor((s) => (s.engine === 'builtin' ? s.render.resumable : null));
  const refine = useEditor((s) => s.refine);
  const refining = engine === 'diffusion' && refine.enabled;
  const blocker = useEditor(generateBlocker);

  return (
    <section className="generate" data-testid="generate-panel">
      <div className="generate-options">
        <label>
          Engine
          <select value={engine} onChange={(e) => setEngine(e.target.value as EngineChoice)} data-testid="engine">
            <option value="builtin">builtin (3D copy &amp; paste)</option>
            <option value="preview">side by side (preview)</option>
            <option value="diffusion">diffusion (model pack)</option>
          </select>
        </label>
        <label>
          Audio from
          <select value={audio} onChange={(e) => setAudio(e.target.value as AudioChoice)} data-testid="audio-choice">
            <option value="motion" disabled={!mot?.audio}>
              motion clip{mot && !mot.audio ? ' (has none)' : ''}
            </option>
            <option value="reference" disabled={!ref?.audio}>
              reference clip{ref && !ref.audio ? ' (has none)' : ''}
            </option>
            <option value="none">no audio</option>
          </select>
        </label>
        <label>
          Output height
          <select value={maxHeight} onChange={(e) => setMaxHeight(Number(e.target.value))} data-testid="max-height">
            {[360, 480, 720, 1080].map((h) => (
              <option key={h} value={h}>
                up to {h} px
              </option>
            ))}
          </select>
        </label>
        {engine === 'diffusion' && (
          <label title="Start from the builtin engine's render, noised to this strength, and denoise it: keeps the reference background. 1 = from pure noise.">
            <input type="checkbox" checked={refine.enabled} onChange={(e) => setRefine({ enabled: e.target.checked })} data-testid="refine" />
            Refine builtin render
          </label>
        )}
        {refining && (
          <label>
            strength
            <input
              type="range"
              min={0.05}
              max={1}
              step={0.05}
              value={refine.strength}
              onChange={(e) => setRefine({ strength: Number(e.target.value) })}
              data-testid="refine-strength"
            />
            <output data-testid="refine-strength-value">{refine.strength.toFixed(2)}</output>
          </label>
        )}
        <button
          type="button"
          className="primary"
          data-testid="generate"
          disabled={blocker !== null || running}
          onClick={() => void generate()}
          title={blocker ?? (resumable ? `Go on from frame ${resumable.framesDone + 1}` : 'Render the trimmed range')}
        >
          {resumable && !running ? 'Resume' : 'Generate'}
        </button>
        {blocker && !running && <span className="muted">{blocker}</span>}
      </div>
      {resumable && !running && !blocker && (
        <p className="resume-note" data-testid="resume-note">
          An earlier run of this job stopped after {resumable.framesDone} of {resumable.frameCount} frames; they are kept, and Resume goes on from
          frame {resumable.framesDone + 1}.{' '}
          <button type="button" className="link" onClick={() => void discardResumable()} data-testid="start-over">
            Start over
          </button>
        </p>
      )}
      {engine === 'builtin' && coverage && (coverage.framesMostlyUnseen > 0 || faceNeverSeen) && (
        <p className="warning" data-testid="coverage-warning">
          The reference shows this person only from one side ({facingWords(coverage.referenceRange)}, turned {Math.round(coverage.referenceRange[0])}° to{' '}
          {Math.round(coverage.referenceRange[1])}° from facing the camera)
          {coverage.framesMostlyUnseen > 0 && (
            <>
              , but in {Math.round(coverage.framesMostlyUnseen * 100)} % of the output's frames the motion turns them so that up to{' '}
              {Math.round(coverage.worstUnseen * 100)} % of what shows was never seen. The builtin engine gives those parts the colour it saw on the
              same body part, without their detail
            </>
          )}
          {faceNeverSeen && (
            <span data-testid="face-unseen">
              {coverage.framesMostlyUnseen > 0 ? '; the' : ', and the'} face is never seen, so where the motion turns it to the camera (
              {Math.round(coverage.faceShown * 100)} % of the frames) the builtin engine draws a plain, generic face (its skin from the hands where they are bare)
            </span>
          )}
          . A reference clip in which the person turns around avoids it.
        </p>
      )}
      <FramingWarning />
      {engine === 'diffusion' && <PackPanel />}
      {running && (
        <div className="progress" data-testid="render-progress">
          <progress value={p?.fraction ?? 0} max={1} />
          <span data-testid="render-status">
            {p?.label ?? PHASE_LABEL[p?.phase ?? 'render']}
            {p?.done !== undefined && !p.label ? ` · frame ${p.done}/${p.total}` : ''} · {Math.round((p?.fraction ?? 0) * 100)}%
            {render.etaS !== null ? ` · about ${formatClock(render.etaS)} left` : ''}
          </span>
          <button type="button" onClick={cancelGenerate} data-testid="cancel">
            Cancel
          </button>
        </div>
      )}
      {running && <LivePreview />}
      {render.status === 'canceled' && <p className="muted" data-testid="render-canceled">Generation canceled.</p>}
      {render.status === 'failed' && (
        <p className="error" role="alert" data-testid="render-error">
          {render.error}
        </p>
      )}
    </section>
  );
}
