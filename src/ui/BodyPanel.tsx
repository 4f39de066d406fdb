import { useMemo, useRef } from 'react';
import {
  exportGuidance,
  framesAt,
  loadBodyModel,
  resetBodyModel,
  outputMotionFrames,
  posedBody,
  setPlacement,
  timelineFps,
  useEditor,
  type BodyState,
  type GuidanceKind,
  type PlacementSettings,
} from '../state';
import { BodyViewer, type ViewerBody } from './BodyViewer';

const REFERENCE_COLOR = '#6b8cff';
const MOTION_COLOR = '#ff9a3c';

function FitStatus({ label, body }: { label: string; body: BodyState }) {
  if (body.status === 'running') return <span>{label}: fitting the 3D body…</span>;
  if (body.status === 'failed') return <span className="bad">{body.error}</span>;
  if (body.status !== 'done' || !body.track) return <span className="muted">{label}: waiting for pose</span>;
  const errors = Array.from(body.track.reprojectionErrorPx).filter((e) => Number.isFinite(e)).sort((a, b) => a - b);
  const median = errors.length ? errors[errors.length >> 1]! : NaN;
  return (
    <span>
      {label}: fitted, {body.track.shape.height.toFixed(2)} m tall, median reprojection {median.toFixed(1)} px
    </span>
  );
}

/** Which body model fits use, "Use my SMPL model file…" (input or drop) and the way back to the built-in body. */
function BodyModelPicker() {
  const state = useEditor((s) => s.bodyModel);
  const input = useRef<HTMLInputElement>(null);
  const pick = (file: File | undefined) => {
    if (file) void loadBodyModel(file);
  };
  const { model } = state;
  return (
    <div
      className="body-model"
      data-testid="body-model"
      data-saved={state.saved}
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        pick(e.dataTransfer.files[0]);
      }}
    >
      <span>
        Body model: <b data-testid="body-model-name">{model.name}</b>
        {model.smpl && (
          <span className="muted">
            {' '}
            (SMPL, {model.smpl.vertexCount} vertices, {model.smpl.betaCount} shape directions{model.smpl.hadPosedirs ? '; pose correctives not applied' : ''}; texture uses simple per-part UVs)
          </span>
        )}
      </span>
      <button type="button" data-testid="body-model-choose" disabled={state.status === 'loading'} onClick={() => input.current?.click()} title="An SMPL model you hold a licence for, as .npz (see docs/body-model.md). It stays on this device.">
        Use my SMPL model file…
      </button>
      <input
        ref={input}
        type="file"
        accept=".npz,.pkl"
        hidden
        data-testid="body-model-input"
        onChange={(e) => {
          pick(e.target.files?.[0]);
          e.target.value = '';
        }}
      />
      {model.kind !== 'builtin' && (
        <button type="button" data-testid="body-model-reset" onClick={() => void resetBodyModel()}>
          Reset to the built-in body
        </button>
      )}
      {state.status === 'loading' && <span className="muted">Reading the model file…</span>}
      {state.status === 'failed' && state.error && (
        <span className="error" role="alert" data-testid="body-model-error">
          {state.error}
        </span>
      )}
    </div>
  );
}

/** The 3D view of the fitted reference body and the retargeted motion body, placement and guidance export. */
export function BodyPanel() {
  const refBody = useEditor((s) => s.body.reference);
  const motBody = useEditor((s) => s.body.motion);
  const retargeted = useEditor((s) => s.retargeted);
  const placement = useEditor((s) => s.placement);
  const refFrame = useEditor((s) => framesAt(s).reference);
  const motFrame = useEditor((s) => framesAt(s).motion);
  const exporting = useEditor((s) => s.guidanceExport);
  const anyClip = useEditor((s) => Boolean(s.clips.reference.info || s.clips.motion.info));

  const bodies = useMemo(() => {
    const out: ViewerBody[] = [];
    if (refBody.track && refFrame !== undefined) out.push({ key: 'reference', color: REFERENCE_COLOR, ...posedBody(refBody.track, refFrame) });
    if (retargeted && motFrame !== undefined) out.push({ key: 'motion', color: MOTION_COLOR, ...posedBody(retargeted, motFrame) });
    return out;
  }, [refBody.track, retargeted, refFrame, motFrame]);

  // A new fit (another clip, or another person followed in one) frames the view again, and so
  // does a body joining the view (the motion body arrives after its fit, once retargeted).
  const shown = bodies.map((b) => b.key).join(',');
  const frameKey = useMemo(() => ({}), [refBody.track, motBody.track, shown]);

  if (!anyClip) return null;
  const startExport = (kind: GuidanceKind) => {
    const s = useEditor.getState();
    void exportGuidance(kind, outputMotionFrames(s), timelineFps(s));
  };
  return (
    <section className="body-panel" data-testid="body-panel" data-bodies={bodies.map((b) => b.key).join(',')}>
      <header>
        <h2>3D body</h2>
        <span className="legend">
          <i style={{ background: REFERENCE_COLOR }} /> reference <i style={{ background: MOTION_COLOR }} /> motion on the reference body
        </span>
      </header>
      <BodyModelPicker />
      <div className="body-status muted" data-testid="body-status">
        <FitStatus label="Reference" body={refBody} /> · <FitStatus label="Motion" body={motBody} />
      </div>
      <div className="viewer-wrap">
        <BodyViewer bodies={bodies} groundY={null} frameKey={frameKey} />
        {bodies.length === 0 && (
          <p className="viewer-empty muted">
            The fitted bodies appear here once pose analysis has found a person: the reference body in blue, the motion on the
            reference body in orange. Drag to orbit, scroll to zoom.
          </p>
        )}
      </div>
      <div className="placement">
        <label title="Where the motion body stands">
          Placement
          <select value={placement.mode} data-testid="placement-mode" onChange={(e) => setPlacement({ mode: e.target.value as PlacementSettings['mode'] })}>
            <option value="anchor">stay where the reference person is</option>
            <option value="follow">follow the motion clip's path</option>
            <option value="scene">where the motion person is (same camera and scene)</option>
          </select>
        </label>
        <label>
          Left/right
          <input type="range" min={-2} max={2} step={0.05} value={placement.offsetX} data-testid="placement-offset-x" onChange={(e) => setPlacement({ offsetX: Number(e.target.value) })} />
        </label>
        <label>
          Nearer/farther
          <input type="range" min={-2} max={2} step={0.05} value={placement.offsetZ} data-testid="placement-offset-z" onChange={(e) => setPlacement({ offsetZ: Number(e.target.value) })} />
        </label>
        <label>
          Size
          <input type="range" min={0.6} max={1.4} step={0.01} value={placement.scale} onChange={(e) => setPlacement({ scale: Number(e.target.value) })} />
        </label>
        <label>
          Ground
          <input type="range" min={-0.3} max={0.3} step={0.01} value={placement.ground} onChange={(e) => setPlacement({ ground: Number(e.target.value) })} />
        </label>
      </div>
      <div className="guidance-export">
        <span>Guidance maps for other tools:</span>
        {(['depth', 'normal', 'parts', 'skeleton'] as const).map((kind) => (
          <button
            key={kind}
            type="button"
            data-testid={`export-${kind}`}
            disabled={!retargeted || exporting.status === 'running'}
            title={retargeted ? `Render the ${kind} map of every output frame as an MP4` : 'Needs both bodies fitted'}
            onClick={() => startExport(kind)}
          >
            {kind}
          </button>
        ))}
        {exporting.status === 'running' && (
          <span data-testid="guidance-progress">
            Rendering {exporting.kind} map… {exporting.done}/{exporting.total} <progress value={exporting.done} max={Math.max(1, exporting.total)} />
          </span>
        )}
        {exporting.status === 'done' && exporting.url && (
          <a className="button" href={exporting.url} download={exporting.fileName ?? 'guidance.mp4'} data-testid="guidance-download">
            Download {exporting.kind} MP4 ({exporting.frameCount} frames)
          </a>
        )}
        {exporting.status === 'failed' && (
          <span className="error" role="alert">
            {exporting.error}
          </span>
        )}
      </div>
    </section>
  );
}
