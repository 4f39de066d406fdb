import { bodyFrame, bodyModelMesh, modelSkeleton, posedMesh, type BodyMesh, type BodyModel, type BodyShape, type BodyTrack, type RestSkeleton } from '../body';
import { proxy } from '../media';
import type { PlacementSettings } from '../project';
import { builtinBodyModel, get, idleGuidanceExport, set, type GuidanceKind } from './editor';
import * as persist from './persist';
import { computeApi, releaseResultUrl, resultUrl } from './services';

/** Moves the motion body in the reference scene; the core retargets. */
export function setPlacement(patch: Partial<PlacementSettings>): void {
  set((s) => ({ placement: { ...s.placement, ...patch } }));
  void computeApi().setPlacement(get().placement);
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
    return true;
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    set((s) => ({ bodyModel: { ...s.bodyModel, status: 'failed', error: message } }));
    return false;
  }
}

/** Back to the built-in body: forgets the kept file and refits both clips. */
export async function resetBodyModel(): Promise<void> {
  set(() => ({ bodyModel: builtinBodyModel(false) }));
  void computeApi().resetBodyModel();
  await keepChoice(null);
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
      { kind, frames, width, height, fps },
      proxy((done: number, total: number) => set((s) => ({ guidanceExport: { ...s.guidanceExport, done, total } }))),
    );
    const url = resultUrl(out.file);
    set((s) => ({ guidanceExport: { ...s.guidanceExport, status: 'done', url, fileName: `motionpaste-guidance-${kind}.mp4`, frameCount: out.frameCount } }));
  } catch (e) {
    set((s) => ({ guidanceExport: { ...s.guidanceExport, status: 'failed', error: `The ${kind} map could not be exported: ${(e as Error)?.message ?? e}` } }));
  }
}
