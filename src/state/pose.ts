import { proxy } from '../media';
import { consistentSides } from '../body';
import type { PoseModelId, PoseTrack } from '../pose';
import { etaSeconds } from './eta';
import { readPose, writePose } from './pose-cache';
import { computeApi } from './services';
import { fitSlotBody } from './body';
import type { Slot } from '../media';
import { useEditor, type EditorState } from './store';

export type PoseStatus = 'idle' | 'queued' | 'running' | 'done' | 'failed';

/** Pose analysis of one clip, as the UI sees it. */
export interface PoseState {
  status: PoseStatus;
  /** Id of the clip this state belongs to. */
  clipId: string | null;
  done: number;
  total: number;
  etaS: number | null;
  ep: 'webgpu' | 'wasm' | null;
  error: string | null;
  track: PoseTrack | null;
  fromCache: boolean;
  follow: { frame: number; x: number; y: number } | null;
}

export const idlePose = (): PoseState => ({
  status: 'idle',
  clipId: null,
  done: 0,
  total: 0,
  etaS: null,
  ep: null,
  error: null,
  track: null,
  fromCache: false,
  follow: null,
});

export const POSE_MODEL: PoseModelId = 'blazepose-full';

// Not bound at module load: this module and the store import each other.
const get = () => useEditor.getState();
const set = (update: (s: EditorState) => Partial<EditorState>) => useEditor.setState(update);

function patchPose(slot: Slot, clipId: string, patch: Partial<PoseState>): void {
  set((s) => (s.pose[slot].clipId === clipId ? { pose: { ...s.pose, [slot]: { ...s.pose[slot], ...patch } } } : s));
}

/** Analyses run one at a time, in the order asked. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Starts pose analysis for the clip now in `slot` (from the cache when this file was analysed
 * before). `follow` re-runs it following the person at a clicked point.
 */
export function analyzeSlot(slot: Slot, follow: PoseState['follow'] = null): Promise<void> {
  const info = get().clips[slot].info;
  if (!info) return Promise.resolve();
  const clipId = info.id;
  set((s) => ({ pose: { ...s.pose, [slot]: { ...idlePose(), clipId, status: 'queued', total: info.frameCount, follow } } }));
  const run = async () => {
    if (get().pose[slot].clipId !== clipId) return; // replaced while queued
    patchPose(slot, clipId, { status: 'running' });
    if (!follow) {
      const cached = await readPose(info.key, POSE_MODEL);
      if (cached && cached.track.frameCount === info.frameCount) {
        patchPose(slot, clipId, { status: 'done', track: consistentSides(cached.track), follow: cached.follow, fromCache: true, ep: cached.track.ep, done: info.frameCount });
        void fitSlotBody(slot);
        return;
      }
    }
    const startedAt = performance.now();
    try {
      const track = await computeApi().analyze(
        { id: clipId, frameCount: info.frameCount, timestamps: info.timestamps, width: info.width, height: info.height },
        { model: POSE_MODEL, follow, hands: true, ep: 'auto' },
        proxy((p: { done: number; total: number; ep: 'webgpu' | 'wasm' }) =>
          patchPose(slot, clipId, {
            done: p.done,
            total: p.total,
            ep: p.ep,
            etaS: etaSeconds(p.done / p.total, (performance.now() - startedAt) / 1000),
          }),
        ),
      );
      // Stored as the pose model gave it; shown and fitted with left and right consistent over time.
      patchPose(slot, clipId, { status: 'done', track: consistentSides(track), ep: track.ep, etaS: 0 });
      void fitSlotBody(slot);
      await writePose(info.key, POSE_MODEL, { track, follow });
    } catch (e) {
      const err = e as { name?: string; message?: string };
      if (err?.name === 'AnalysisCanceled') return;
      patchPose(slot, clipId, { status: 'failed', error: `Pose analysis failed: ${err?.message ?? String(e)}` });
    }
  };
  const next = queue.then(run);
  queue = next.catch(() => undefined);
  return next;
}

/** Stops the analysis of the clip that was in `slot` (it is being replaced or removed). */
export function forgetPose(slot: Slot): void {
  const { clipId, status } = get().pose[slot];
  if (clipId && status === 'running') void computeApi().cancelAnalysis(clipId);
  set((s) => ({ pose: { ...s.pose, [slot]: idlePose() } }));
}

/** Follow the person at (x, y), display pixels of frame `frame`, instead of the one followed now. */
export function followPerson(slot: Slot, frame: number, x: number, y: number): Promise<void> {
  const { clipId, status } = get().pose[slot];
  if (clipId && status === 'running') void computeApi().cancelAnalysis(clipId);
  return analyzeSlot(slot, { frame, x, y });
}
