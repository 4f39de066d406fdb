/**
 * Fitting a body track to a clip's pose track.
 *
 * 1. Confidence per frame: pose presence times the mean visibility of the 12 limb and torso
 *    keypoints; frames below `minConfidence` (or not found) are not fitted. Frames whose left and
 *    right labels the pose model swapped are swapped back (sides.ts).
 * 2. One shape for the clip from the median segment lengths of the confident frames' world keypoints.
 * 3. Per confident frame, rotations from the world keypoints (initialPose + refinePose).
 * 4. One focal length for the clip: the candidate whose per-frame least-squares root translations
 *    give the smallest reprojection error over up to 24 confident frames (a mild prior favours a
 *    53° field of view where the error hardly changes); principal point at the frame centre.
 * 5. Per confident frame, rotations and root refined against world and image keypoints together.
 * 6. Unfitted frames interpolated from their neighbours (held at the ends); then a 3-tap filter
 *    on rotations and root (temporal.ts; Champ's 5 taps lag fast limbs twice as far). The unsmoothed fit is kept too (`perFrame`).
 * 7. Reprojection error of the smoothed body per frame.
 * 8. With `girthFromMasks`, girth from the person masks (estimate-girth.ts) when no shape was given.
 *    Off by default: on the h36m clip it saturates at +1 (64² soft masks and clothes widen the
 *    silhouette; not yet checked against a known real girth).
 */
import type { PoseTrack } from '../pose';
import { type BodyModel, skeletonOf } from './body-model';
import { focalCandidates, meanReprojectionError, solveRootTranslation } from './camera';
import { estimateGirth, poseMaskSampler } from './estimate-girth';
import { estimateShape } from './estimate-shape';
import { BodyArgumentError, NoBodyError } from './errors';
import { type FitModel, type FrameObservation, fitModel, initialPose, refinePose } from './fit-frame';
import { type Vec3, median } from './math';
import { BLAZEPOSE_MARKERS, MARKER_COUNT, BP_IDX as B, posedMarkers, torsoLength } from './markers';
import { type BodyShape, validateShape } from './shape';
import { forwardKinematics } from './skinning';
import { repairSides } from './sides';
import { fillGaps, LIGHT_SMOOTHING_TAPS, SMOOTHING_TAPS, smoothFrames } from './temporal';
import { BODY_TRACK_VERSION, type BodyCamera, type BodyTrack, centredCamera, defaultFocal } from './types';

/** The parts of a PoseTrack the fit reads. */
export type PoseTrackInput = Pick<PoseTrack, 'frameCount' | 'width' | 'height' | 'found' | 'score' | 'keypoints' | 'world'> & Partial<Pick<PoseTrack, 'maskSize' | 'masks' | 'rois'>>;

/** Keypoints whose reprojection is measured and whose visibility makes a frame's confidence: shoulders, elbows, wrists, hips, knees, ankles. */
export const CORE_KEYPOINTS: readonly number[] = [
  B.leftShoulder, B.rightShoulder, B.leftElbow, B.rightElbow, B.leftWrist, B.rightWrist,
  B.leftHip, B.rightHip, B.leftKnee, B.rightKnee, B.leftAnkle, B.rightAnkle,
];

/**
 * Default weight of the world keypoints' depth component in the camera-aware refinement. BlazePose's
 * metric depth is its least reliable output (on the h36m T-pose frames its wrists sit 15-30° in
 * front of straight arms while the image shows forearms at full length); with less weight on it,
 * foreshortening in the 2D keypoints decides how far a limb points towards the camera.
 */
export const WORLD_DEPTH_WEIGHT = 0.2;

/** Options of `fitBodyTrack`; every field is optional. */
export interface FitOptions {
  /** Frames whose confidence is below this are filled from their neighbours. Default 0.35. */
  minConfidence?: number;
  /** Known focal length in pixels; estimated from the clip when absent. */
  focal?: number;
  /** Known body shape; estimated from the clip when absent. */
  shape?: BodyShape;
  /** Body model to fit (its skeleton); default the built-in body. The track records it. */
  model?: BodyModel;
  /** Estimate girth from the pose track's person masks (needs masks). Default false. */
  girthFromMasks?: boolean;
  /** Temporal smoothing: a 3-tap filter (default), Champ's 5-tap filter, or none. */
  smoothing?: 'taps3' | 'taps5' | 'none';
  /** Weight of the image keypoints against the world keypoints. Default 1. */
  weight2d?: number;
  /** Weight of the world keypoints' depth (camera z) against their x and y once the camera is known. Default WORLD_DEPTH_WEIGHT. */
  worldDepthWeight?: number;
  /** Called after each fitted frame with (frames done, frames to fit). */
  onProgress?: (done: number, total: number) => void;
}

/** Per-frame confidence in [0, 1]: pose presence times the mean visibility of CORE_KEYPOINTS (0 when not found). */
export function frameConfidence(pose: PoseTrackInput, i: number): number {
  if (!pose.found[i]) return 0;
  let v = 0;
  for (const k of CORE_KEYPOINTS) v += Math.min(1, Math.max(0, pose.keypoints[(i * MARKER_COUNT + k) * 4 + 3]!));
  return Math.min(1, Math.max(0, pose.score[i]!)) * (v / CORE_KEYPOINTS.length);
}

/** Frames below this confidence (see frameConfidence) are not fitted by default. */
export const MIN_FIT_CONFIDENCE = 0.35;

/**
 * The pose track with its left and right labels made consistent over time on the frames confident
 * enough to fit (see sides.ts): what the fit reads, and what overlays and guidance should show, so
 * that they agree with the body. Image and world keypoints and the hands swap together.
 */
export function consistentSides<T extends PoseTrackInput & Partial<Pick<PoseTrack, 'hands' | 'handScore'>>>(track: T, minConfidence = MIN_FIT_CONFIDENCE): T {
  return repairSides(track, Array.from({ length: track.frameCount }, (_, i) => i).filter((i) => frameConfidence(track, i) >= minConfidence));
}

function observation(pose: PoseTrackInput, i: number): FrameObservation {
  const image = pose.keypoints.subarray(i * MARKER_COUNT * 4, (i + 1) * MARKER_COUNT * 4);
  const visibility = new Float32Array(MARKER_COUNT);
  for (let k = 0; k < MARKER_COUNT; k++) visibility[k] = image[k * 4 + 3]!;
  return { world: pose.world.subarray(i * MARKER_COUNT * 3, (i + 1) * MARKER_COUNT * 3), visibility, image };
}

/** Camera-space markers of a pose (33 x 3). */
function cameraMarkers(model: FitModel, local: Float32Array, root: ArrayLike<number>): Float32Array {
  const posed = forwardKinematics(model.skel, local, root);
  return posedMarkers(model.markers, posed.rotations, posed.positions);
}

/** Least-squares root for fixed rotations (null when undetermined). */
function rootFor(model: FitModel, camera: BodyCamera, local: Float32Array, obs: FrameObservation): Vec3 | null {
  const rel = cameraMarkers(model, local, [0, 0, 0]);
  const w = BLAZEPOSE_MARKERS.map((m, k) => m.weight * Math.max(0, obs.visibility[k]!));
  return obs.image ? solveRootTranslation(camera, rel, obs.image, w) : null;
}

/** Picks the focal length (pixels) that best explains the 2D keypoints given the 3D poses. */
export function estimateFocal(model: FitModel, width: number, height: number, poses: ReadonlyArray<{ local: Float32Array; obs: FrameObservation }>): number {
  const f0 = defaultFocal(width, height);
  const candidates = focalCandidates(width, height);
  const scores = candidates.map((focal) => {
    const camera = centredCamera(width, height, focal);
    const errors = poses.map(({ local, obs }) => {
      const root = rootFor(model, camera, local, obs);
      return root ? meanReprojectionError(camera, cameraMarkers(model, local, root), obs.image!, CORE_KEYPOINTS) : NaN;
    });
    const e = median(errors);
    // The error is nearly flat in f for bodies far from the camera: lean towards the default there.
    return Number.isFinite(e) ? e * (1 + 0.06 * Math.log2(focal / f0) ** 2) : Infinity;
  });
  let best = 0;
  scores.forEach((s, i) => (s < scores[best]! ? (best = i) : 0));
  if (!Number.isFinite(scores[best]!)) return f0;
  // Parabola through the best candidate and its neighbours, in log f.
  if (best > 0 && best < candidates.length - 1) {
    const [a, b, c] = [scores[best - 1]!, scores[best]!, scores[best + 1]!];
    const denom = a - 2 * b + c;
    if (denom > 0) {
      const offset = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom));
      return candidates[best]! * 2 ** (0.25 * offset);
    }
  }
  return candidates[best]!;
}

/**
 * Fits a body per frame to a pose track (display pixels and BlazePose world keypoints).
 * Throws NoBodyError when no frame is confident enough.
 */
export function fitBodyTrack(labelled: PoseTrackInput, options: FitOptions = {}): BodyTrack {
  const n = labelled.frameCount;
  if (labelled.keypoints.length < n * MARKER_COUNT * 4 || labelled.world.length < n * MARKER_COUNT * 3 || labelled.found.length < n) {
    throw new BodyArgumentError(`The pose track's arrays are shorter than its ${n} frames (keypoints ${labelled.keypoints.length}, world ${labelled.world.length}).`);
  }
  if (options.focal !== undefined && !(options.focal > 0)) throw new BodyArgumentError('options.focal, when provided, must be a positive number of pixels.');
  const minConfidence = options.minConfidence ?? MIN_FIT_CONFIDENCE;
  const confidence = new Float32Array(n);
  const good = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    confidence[i] = frameConfidence(labelled, i);
    good[i] = confidence[i]! >= minConfidence ? 1 : 0;
  }
  const goodFrames = Array.from({ length: n }, (_, i) => i).filter((i) => good[i]);
  if (goodFrames.length === 0) throw new NoBodyError();
  // The same repair as consistentSides(labelled, minConfidence), on the frames already measured.
  const pose = repairSides(labelled, goodFrames);

  const visibility = new Float32Array(n * MARKER_COUNT);
  for (let i = 0; i < n * MARKER_COUNT; i++) visibility[i] = pose.keypoints[i * 4 + 3]!;
  const template = skeletonOf(options.model);
  const shape = options.shape ? validateShape(options.shape) : estimateShape(pose.world.subarray(0, n * 99), visibility, Array.from(good, Boolean), undefined, template).shape;
  const model = fitModel(shape, template);

  const obs = new Map<number, FrameObservation>();
  const local3d = new Map<number, Float32Array>();
  for (const i of goodFrames) {
    const o = observation(pose, i);
    obs.set(i, o);
    local3d.set(i, refinePose(model, o, initialPose(model, o), [0, 0, 0], { iterations: 6 }).local);
  }

  const sample = goodFrames.filter((_, k) => k % Math.max(1, Math.floor(goodFrames.length / 24)) === 0).slice(0, 24);
  const focal = options.focal ?? estimateFocal(model, pose.width, pose.height, sample.map((i) => ({ local: local3d.get(i)!, obs: obs.get(i)! })));
  const camera = centredCamera(pose.width, pose.height, focal);

  const rotations = new Float32Array(n * 96);
  const roots = new Float32Array(n * 3);
  goodFrames.forEach((i, done) => {
    const o = obs.get(i)!;
    const start = local3d.get(i)!;
    const root0 = rootFor(model, camera, start, o);
    if (root0) {
      const r = refinePose(model, o, start, root0, { camera, weight2d: options.weight2d ?? 1, worldDepthWeight: options.worldDepthWeight ?? WORLD_DEPTH_WEIGHT });
      rotations.set(r.local, i * 96);
      roots.set(r.root, i * 3);
    } else {
      good[i] = 0;
    }
    options.onProgress?.(done + 1, goodFrames.length);
  });
  if (!fillGaps(good, rotations, 24, roots, 1)) throw new NoBodyError();
  const taps = { taps3: LIGHT_SMOOTHING_TAPS, taps5: SMOOTHING_TAPS, none: null }[options.smoothing ?? 'taps3'];
  const smoothed = taps ? smoothFrames(n, rotations, 24, roots, 1, taps) : { quats: rotations, vecs: roots };

  const track: BodyTrack = {
    version: BODY_TRACK_VERSION,
    frameCount: n,
    shape,
    ...(options.model && options.model.kind !== 'builtin' ? { model: options.model } : {}),
    camera,
    rotations: smoothed.quats,
    roots: smoothed.vecs,
    confidence,
    filled: Uint8Array.from(good, (g) => 1 - g),
    reprojectionErrorPx: new Float32Array(n).fill(NaN),
    ...(smoothed.quats !== rotations ? { perFrame: { rotations, roots } } : {}),
  };
  const sampler = options.girthFromMasks && !options.shape && pose.masks && pose.rois && pose.maskSize ? poseMaskSampler({ frameCount: n, maskSize: pose.maskSize, masks: pose.masks, rois: pose.rois }) : null;
  if (sampler) {
    const { girth } = estimateGirth(track, sampler);
    if (Number.isFinite(girth)) track.shape = { ...track.shape, girth };
  }
  for (const i of goodFrames) {
    if (!good[i]) continue;
    const m = cameraMarkers(model, track.rotations.subarray(i * 96, (i + 1) * 96), track.roots.subarray(i * 3, i * 3 + 3));
    track.reprojectionErrorPx[i] = meanReprojectionError(camera, m, obs.get(i)!.image!, CORE_KEYPOINTS);
  }
  return track;
}

/**
 * Reprojection errors of a body track against a pose track: for every fitted frame and every
 * CORE_KEYPOINTS keypoint with visibility >= `minVisibility`, the pixel distance between the
 * projected body marker and the keypoint, divided by the frame's torso height (distance between
 * the shoulder and hip midpoints of the 2D keypoints).
 */
export function reprojectionFractions(body: BodyTrack, labelled: PoseTrackInput, minVisibility = 0.5): number[] {
  const fitted = Array.from({ length: body.frameCount }, (_, i) => i).filter((i) => !body.filled[i]);
  const pose = repairSides(labelled, fitted);
  const model = fitModel(body.shape, skeletonOf(body.model));
  const out: number[] = [];
  for (let i = 0; i < body.frameCount; i++) {
    if (body.filled[i]) continue;
    const kp = pose.keypoints.subarray(i * 132, (i + 1) * 132);
    const torso = torsoLength(kp, 0, 4);
    if (!(torso > 1)) continue;
    const m = cameraMarkers(model, body.rotations.subarray(i * 96, (i + 1) * 96), body.roots.subarray(i * 3, i * 3 + 3));
    for (const k of CORE_KEYPOINTS) {
      if (kp[k * 4 + 3]! < minVisibility) continue;
      const e = meanReprojectionError(body.camera, m, kp, [k], minVisibility);
      if (Number.isFinite(e)) out.push(e / torso);
    }
  }
  return out;
}
