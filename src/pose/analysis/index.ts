/**
 * Clip analysis: the pose tracker run over a clip's frames with models on the GPU. A module of its
 * own (inside pose) because it loads onnxruntime-web; src/pose stays free of GPU code, and the
 * compute worker imports this.
 */
import { fetchModel, hasModel, type GpuRoot } from '../../gpu';
import { AnalysisCanceled } from '../errors';
import { createOrtModel, type OrtModel } from '../../gpu/ort';
import { FACE_MESH_IO, OBJECT_DETECTOR_IO } from '../models';
import { detectObjects, heldObjects, keypointBoxOf, ObjectSchedule, objectRegionAround } from '../objects';
import { PEOPLE_LOOK_SECONDS, peopleColours, peopleIn } from '../people';
import { PoseTracker } from '../tracker';
import { emptyTrack, writeFrame, writeObjects, writePeople, type PoseTrack } from '../track';
import type { ModelRunner, RgbaImage } from '../types';

/** Which BlazePose landmark model to run. */
export type PoseModelId = 'blazepose-lite' | 'blazepose-full' | 'blazepose-heavy';

export interface AnalysisOptions {
  model: PoseModelId;
  /** Follow the person at this point (display pixels) of this frame instead of the most prominent one. */
  follow?: { frame: number; x: number; y: number } | null;
  hands: boolean;
  ep: 'auto' | 'webgpu' | 'wasm';
}

export interface AnalysisClip {
  id: string;
  frameCount: number;
  timestamps: number[];
  width: number;
  height: number;
}

export interface AnalysisProgress {
  done: number;
  total: number;
  ep: 'webgpu' | 'wasm';
}

export { AnalysisCanceled };

const MASK_SIZE = 64;
/** Landmark outputs we read back; the 64x64 heatmaps stay on the device. */
const LANDMARK_FETCHES = ['Identity_1:0', 'Identity_2:0', 'Identity_3:0', 'Identity_4:0'];
/** Face mesh outputs we read back: the mesh and the face flag (not the contours). */
const FACE_FETCHES = [FACE_MESH_IO.mesh, FACE_MESH_IO.flag];

interface LoadedModels {
  key: string;
  ep: 'webgpu' | 'wasm';
  detector: OrtModel;
  landmarks: OrtModel;
  hand: OrtModel;
  /** The face mesh; null on installs from before it was converted (the track then has no face). */
  face: OrtModel | null;
  /** The object detector; null on installs from before it shipped (the track then has no objects). */
  objects: OrtModel | null;
}

/** Loaded sessions by model and provider; kept for the worker's life (a few tens of MB each). */
const loaded = new Map<string, Promise<LoadedModels>>();

function loadModels(root: GpuRoot, model: PoseModelId, ep: AnalysisOptions['ep']): Promise<LoadedModels> {
  const key = `${model}:${ep}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  const loading = (async () => {
    // A software WebGPU adapter (SwiftShader) is far slower than onnxruntime's own CPU kernels:
    // 'auto' runs on the CPU there. fp16 only where the adapter computes in f16 natively.
    const provider = ep === 'auto' && (!root.device || root.caps.isFallback) ? 'wasm' : ep;
    const variant = provider !== 'wasm' && root.caps.shaderF16 ? 'fp16' : 'fp32';
    const load = async (id: string) => createOrtModel(root, (await fetchModel(id, variant)).bytes, provider);
    const optional = async (id: string) => ((await hasModel(id, variant)) ? load(id) : null);
    const [detector, landmarks, hand, face, objects] = await Promise.all([
      load('blazepose-detector'),
      load(model),
      load('handlandmark-full'),
      optional(FACE_MESH_IO.id),
      optional(OBJECT_DETECTOR_IO.id),
    ]);
    return { key, ep: landmarks.ep, detector, landmarks, hand, face, objects };
  })();
  loaded.set(key, loading);
  loading.catch(() => loaded.delete(key));
  return loading;
}

const runner = (model: OrtModel, fetches?: string[]): ModelRunner => (inputs) => model.run(inputs, fetches);

/** The detector looks at a square this many times the person's keypoint box: held things reach past the hands. */
const OBJECT_REGION_SCALE = 1.6;

/**
 * Runs pose over every frame of a clip, in order (forward from the followed frame, then backward
 * from it when following a clicked person), and returns the whole track.
 */
export async function analyzeClip(
  root: GpuRoot,
  clip: AnalysisClip,
  readFrame: (index: number) => Promise<RgbaImage>,
  options: AnalysisOptions,
  onProgress: (p: AnalysisProgress) => void,
  isCanceled: () => boolean,
): Promise<PoseTrack> {
  const started = performance.now();
  const models = await loadModels(root, options.model, options.ep);
  const track = emptyTrack(clip.frameCount, clip.width, clip.height, MASK_SIZE, options.model, models.ep);
  const makeTracker = () =>
    new PoseTracker(
      {
        detector: runner(models.detector),
        landmarks: runner(models.landmarks, LANDMARK_FETCHES),
        hand: options.hands ? runner(models.hand) : undefined,
        face: models.face ? runner(models.face, FACE_FETCHES) : undefined,
      },
      { hands: options.hands, maskSize: MASK_SIZE },
    );

  // Following a clicked person: forward from the clicked frame, then backward from the frame after
  // it. The backward pass re-reads the clicked frame, so a person the detector misses there is
  // still picked up by tracking from the next frame.
  const start = options.follow ? Math.min(Math.max(0, options.follow.frame), clip.frameCount - 1) : 0;
  const passes: number[][] = [Array.from({ length: clip.frameCount - start }, (_, k) => start + k)];
  if (options.follow && clip.frameCount > 1) {
    const seed = Math.min(start + 1, clip.frameCount - 1);
    passes.push(Array.from({ length: seed + 1 }, (_, k) => seed - k));
  }

  const schedule = new ObjectSchedule(clip.timestamps);
  const objectRunner = models.objects ? runner(models.objects) : null;
  // Everyone in the shot: the whole frame, at the first frame of every PEOPLE_LOOK_SECONDS of clip
  // time (people.ts); the same frames whichever person is followed and wherever the passes start.
  const slotOf = (i: number) => Math.floor((clip.timestamps[i]! - clip.timestamps[0]!) / PEOPLE_LOOK_SECONDS);
  const lookForPeople = async (i: number, frame: RgbaImage, scale: number) => {
    if (!objectRunner || track.peopleSampled[i] || (i > 0 && slotOf(i) === slotOf(i - 1))) return;
    const people = peopleIn(await detectObjects(objectRunner, frame), frame.height);
    writePeople(track, i, people.map((p) => ({ ...p, colours: peopleColours(frame, p.box) })), scale);
  };
  let done = 0;
  const total = passes.reduce((n, p) => n + p.length, 0);
  for (const [pass, order] of passes.entries()) {
    const tracker = makeTracker();
    for (let n = 0; n < order.length; n++) {
      if (isCanceled()) throw new AnalysisCanceled();
      const i = order[n]!;
      const frame = await readFrame(i);
      const scale = clip.width / frame.width;
      if (n === 0 && options.follow) tracker.follow({ x: options.follow.x / scale, y: options.follow.y / scale });
      // Time runs backwards in the second pass; the smoothing filter needs increasing time.
      const t = Math.abs(clip.timestamps[i]! - clip.timestamps[order[0]!]!);
      const result = await tracker.process(frame, t);
      // The second pass only fills frames the first one did not reach or did not find.
      const write = pass === 0 || (i <= start && (i < start || !track.found[i]));
      if (write) writeFrame(track, i, result, scale);
      // What the person holds, around the person, when the schedule says (objects.ts `ObjectSchedule`).
      if (write && objectRunner && result.found && schedule.due(i)) {
        const region = objectRegionAround(keypointBoxOf(result.keypoints), OBJECT_REGION_SCALE);
        const held = heldObjects(await detectObjects(objectRunner, frame, region), result.keypoints);
        schedule.saw(i, held.length);
        writeObjects(track, i, held, scale);
      }
      if (write) await lookForPeople(i, frame, scale);
      done++;
      onProgress({ done, total, ep: models.ep });
    }
  }
  track.seconds = (performance.now() - started) / 1000;
  return track;
}
