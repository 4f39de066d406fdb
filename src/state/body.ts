import { BUILTIN_BODY_MODEL, surfaceCoverage, bodyFrame, bodyModelMesh, modelSkeleton, posedMesh, type BodyMesh, type BodyModel, type BodyShape, type BodyTrack, type Placement, type RestSkeleton } from '../body';
import * as persist from './persist';
import type { Slot } from '../media';
import { proxy } from '../media';
import { computeApi, releaseResultUrl, resultUrl } from './services';
import { useEditor, type EditorState } from './store';

export type BodyStatus = 'idle' | 'running' | 'done' | 'failed';

/** The fitted 3D body of one clip. */
export interface BodyState {
  status: BodyStatus;
  clipId: string | null;
  track: BodyTrack | null;
  error: string | null;
}

/** Where the motion body stands in the reference scene. Offsets in metres on the ground plane. */
export interface PlacementSettings {
  mode: Placement;
  offsetX: number;
  offsetZ: number;
  scale: number;
  ground: number;
}

/** The body model fits use: the built-in body or the user's SMPL file. */
export interface BodyModelState {
  model: BodyModel;
  status: 'ready' | 'loading' | 'failed';
  /** What went wrong with the last file, with what to do. */
  error: string | null;
  /** Whether the choice is stored for the next visit yet (a reload before that brings back the old choice). */
  saved: boolean;
}

export const builtinBodyModel = (saved = true): BodyModelState => ({ model: BUILTIN_BODY_MODEL, status: 'ready', error: null, saved });

export const idleBody = (): BodyState => ({ status: 'idle', clipId: null, track: null, error: null });
export const defaultPlacement = (): PlacementSettings => ({ mode: 'anchor', offsetX: 0, offsetZ: 0, scale: 1, ground: 0 });

// Not bound at module load: this module and the store import each other.
const get = () => useEditor.getState();
const set = (update: (s: EditorState) => Partial<EditorState>) => useEditor.setState(update);

/** Fits the body of the clip in `slot` from its pose track, then retargets. */
export async function fitSlotBody(slot: Slot): Promise<void> {
  const { pose } = get();
  const track = pose[slot].track;
  const clipId = pose[slot].clipId;
  if (!track || !clipId) return;
  set((s) => ({ body: { ...s.body, [slot]: { status: 'running', clipId, track: null, error: null } } }));
  try {
    const model = get().bodyModel.model;
    const body = await computeApi().fitBody(track, model.kind === 'builtin' ? undefined : model);
    // A newer fit runs when the clip or the body model changed meanwhile.
    if (get().body[slot].clipId !== clipId || get().bodyModel.model.id !== model.id) return;
    set((s) => ({ body: { ...s.body, [slot]: { status: 'done', clipId, track: body, error: null } } }));
    void retargetBodies();
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    set((s) => ({ body: { ...s.body, [slot]: { status: 'failed', clipId, track: null, error: `The 3D body could not be fitted: ${message}` } } }));
  }
}

export function forgetBody(slot: Slot): void {
  set((s) => ({ body: { ...s.body, [slot]: idleBody() }, retargeted: null, coverage: null }));
}

let retargetRun = 0;
/** Puts the motion body on the reference body and camera with the current placement. */
export async function retargetBodies(): Promise<void> {
  const { body, placement } = get();
  const motion = body.motion.track;
  const reference = body.reference.track;
  const run = ++retargetRun;
  if (!motion || !reference) {
    set(() => ({ retargeted: null, coverage: null }));
    return;
  }
  try {
    const retargeted = await computeApi().retarget(motion, reference, {
      placement: placement.mode,
      offset: { x: placement.offsetX, z: placement.offsetZ },
      scale: placement.scale,
      groundOffset: placement.ground,
    });
    if (run === retargetRun) set(() => ({ retargeted, coverage: surfaceCoverage(reference, retargeted) }));
  } catch {
    if (run === retargetRun) set(() => ({ retargeted: null, coverage: null }));
  }
}

export function setPlacement(patch: Partial<PlacementSettings>): void {
  set((s) => ({ placement: { ...s.placement, ...patch } }));
  void retargetBodies();
}

/** Refits both clips' bodies (after the body model changed). */
function refitBodies(): void {
  for (const slot of ['reference', 'motion'] as const) if (get().pose[slot].track) void fitSlotBody(slot);
}

/**
 * Uses the user's own SMPL model file (.npz) for fitting and display, keeps it for the next visit
 * and refits both clips. A bad file leaves the current model in place and explains what is wrong.
 */
export async function loadBodyModel(file: File, options: { keep?: boolean } = {}): Promise<boolean> {
  set((s) => ({ bodyModel: { ...s.bodyModel, status: 'loading', error: null } }));
  try {
    const model = await computeApi().loadBodyModel(await file.arrayBuffer(), file.name);
    const keep = options.keep !== false;
    set(() => ({ bodyModel: { model, status: 'ready', error: null, saved: !keep } }));
    if (keep) await keepChoice(file);
    refitBodies();
    return true;
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    set((s) => ({ bodyModel: { ...s.bodyModel, status: 'failed', error: message } }));
    return false;
  }
}

/** Back to the built-in body: forgets the kept file and refits both clips. */
export async function resetBodyModel(): Promise<void> {
  const wasBuiltin = get().bodyModel.model.kind === 'builtin';
  set(() => ({ bodyModel: builtinBodyModel(false) }));
  await keepChoice(null);
  if (!wasBuiltin) refitBodies();
}

/** Stores the body model choice for the next visit; `saved` turns true only if it is still the choice shown. */
async function keepChoice(file: File | null): Promise<void> {
  const stored = await persist.keepBodyModelFile(file).then(
    () => true,
    () => false,
  );
  const shown = get().bodyModel;
  const same = file ? shown.model.name === file.name : shown.model.kind === 'builtin';
  if (stored && same) set((s) => ({ bodyModel: { ...s.bodyModel, saved: true } }));
}

/** Loads the body model file kept from the last session, if any (before clips are analysed). */
export async function restoreBodyModel(): Promise<void> {
  const file = await persist.restoreBodyModelFile().catch(() => null);
  if (file) await loadBodyModel(file, { keep: false });
}

/** Meshes per body model and shape: topology is shared, positions depend on the shape. */
const meshes = new Map<string, { mesh: BodyMesh; skel: RestSkeleton }>();
function meshFor(shape: BodyShape, model: BodyModel | undefined) {
  const key = `${model?.id ?? 'builtin'} ${JSON.stringify(shape)}`;
  let entry = meshes.get(key);
  if (!entry) {
    entry = { mesh: bodyModelMesh(shape, model), skel: modelSkeleton(shape, model) };
    if (meshes.size > 4) meshes.clear();
    meshes.set(key, entry);
  }
  return entry;
}

/** A body track's mesh posed at frame `i`, in its camera's space (metres, y down, z forward). */
export function posedBody(track: BodyTrack, i: number): { positions: Float32Array; normals: Float32Array; indices: Uint32Array } {
  const { mesh, skel } = meshFor(track.shape, track.model);
  const f = bodyFrame(track, Math.min(Math.max(0, i), track.frameCount - 1));
  const posed = posedMesh(mesh, skel, f.rotations, f.root);
  return { ...posed, indices: mesh.indices };
}

export type GuidanceKind = 'depth' | 'normal' | 'parts' | 'skeleton';

/** A guidance video export, as the UI shows it. */
export interface GuidanceExportState {
  kind: GuidanceKind | null;
  status: 'idle' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  url: string | null;
  fileName: string | null;
  frameCount: number;
  error: string | null;
}

export const idleGuidanceExport = (): GuidanceExportState => ({ kind: null, status: 'idle', done: 0, total: 0, url: null, fileName: null, frameCount: 0, error: null });

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/**
 * Renders one guidance map (depth, normal, parts or skeleton) of the retargeted body for every
 * output frame, with the reference camera, into an MP4 for other tools.
 */
export async function exportGuidance(kind: GuidanceKind, frames: number[], fps: number): Promise<void> {
  const { retargeted, guidanceExport } = get();
  if (!retargeted || guidanceExport.status === 'running') return;
  if (guidanceExport.url) releaseResultUrl(guidanceExport.url);
  const scale = Math.min(1, 720 / retargeted.camera.height);
  const width = even(retargeted.camera.width * scale);
  const height = even(retargeted.camera.height * scale);
  set(() => ({ guidanceExport: { ...idleGuidanceExport(), kind, status: 'running', total: frames.length } }));
  try {
    const out = await computeApi().exportGuidance(
      { kind, body: retargeted, frames, width, height, fps },
      proxy((done: number, total: number) => set((s) => ({ guidanceExport: { ...s.guidanceExport, done, total } }))),
    );
    const url = resultUrl(out.file);
    set((s) => ({ guidanceExport: { ...s.guidanceExport, status: 'done', url, fileName: `motionpaste-guidance-${kind}.mp4`, frameCount: out.frameCount } }));
  } catch (e) {
    set((s) => ({ guidanceExport: { ...s.guidanceExport, status: 'failed', error: `The ${kind} map could not be exported: ${(e as Error)?.message ?? e}` } }));
  }
}
