/**
 * One body shape per clip from BlazePose's metric world keypoints: segment lengths measured per
 * confident frame, their median over the clip, then the shape whose rest markers measure the same.
 */
import { type Vec3, dist3, median, mid, vec3At } from './math';
import { BP_IDX as B, markerOffsets, posedMarkers } from './markers';
import { type BodyShape, BUILTIN_SKELETON, NEUTRAL_SHAPE, type RestSkeleton, type SkeletonTemplate, restSkeleton, validateShape } from './shape';
import { forwardKinematics, restRotations } from './skinning';

/** Segment lengths the shape is estimated from, metres. */
export interface BodyMeasures {
  /** Hip to knee to ankle (mean of both sides). */
  legs: number;
  /** Shoulder to elbow to wrist. */
  arms: number;
  /** Hip midpoint to shoulder midpoint. */
  torso: number;
  /** Shoulder midpoint to ear midpoint. */
  neckHead: number;
  /** Between the shoulder keypoints. */
  shoulders: number;
  /** Between the hip keypoints. */
  hips: number;
}

export type MeasureName = keyof BodyMeasures;
const NAMES: readonly MeasureName[] = ['legs', 'arms', 'torso', 'neckHead', 'shoulders', 'hips'];

/**
 * Measures one frame of 33 (x, y, z) keypoints (metres). A length is NaN when one of its points has
 * visibility below `minVisibility` (`visibility` may be null: all visible).
 */
export function measureKeypoints(points: ArrayLike<number>, visibility: ArrayLike<number> | null, minVisibility = 0.5): BodyMeasures {
  const p = (i: number): Vec3 => vec3At(points, i);
  const ok = (...ids: number[]) => !visibility || ids.every((i) => visibility[i]! >= minVisibility);
  const chain = (a: number, b: number, c: number) => (ok(a, b, c) ? dist3(p(a), p(b)) + dist3(p(b), p(c)) : NaN);
  const both = (l: number, r: number) => (Number.isNaN(l) ? r : Number.isNaN(r) ? l : (l + r) / 2);
  const hipMid = mid(p(B.leftHip), p(B.rightHip));
  const shoulderMid = mid(p(B.leftShoulder), p(B.rightShoulder));
  return {
    legs: both(chain(B.leftHip, B.leftKnee, B.leftAnkle), chain(B.rightHip, B.rightKnee, B.rightAnkle)),
    arms: both(chain(B.leftShoulder, B.leftElbow, B.leftWrist), chain(B.rightShoulder, B.rightElbow, B.rightWrist)),
    torso: ok(B.leftHip, B.rightHip, B.leftShoulder, B.rightShoulder) ? dist3(hipMid, shoulderMid) : NaN,
    neckHead: ok(B.leftShoulder, B.rightShoulder, B.leftEar, B.rightEar) ? dist3(shoulderMid, mid(p(B.leftEar), p(B.rightEar))) : NaN,
    shoulders: ok(B.leftShoulder, B.rightShoulder) ? dist3(p(B.leftShoulder), p(B.rightShoulder)) : NaN,
    hips: ok(B.leftHip, B.rightHip) ? dist3(p(B.leftHip), p(B.rightHip)) : NaN,
  };
}

/** The measures of a rest skeleton's markers. */
export function measureSkeleton(skel: RestSkeleton): BodyMeasures {
  const posed = forwardKinematics(skel, restRotations(), [0, 0, 0]);
  return measureKeypoints(posedMarkers(markerOffsets(skel), posed.rotations, posed.positions), null);
}

/** Per-measure median over frames (NaN values skipped; NaN when a measure was never seen). */
export function medianMeasures(frames: readonly BodyMeasures[]): BodyMeasures {
  const out = {} as BodyMeasures;
  for (const n of NAMES) out[n] = median(frames.map((f) => f[n]));
  return out;
}

/**
 * The shape whose rest markers have the given measures (missing ones stay neutral). Fixed-point
 * iteration: each ratio scales its own measure; the common factor of legs, arms and torso is moved
 * into the height so the ratios stay near 1. `girth` is kept from `base` (keypoints do not show it).
 */
export function shapeFromMeasures(target: Readonly<BodyMeasures>, base: Readonly<BodyShape> = NEUTRAL_SHAPE, template: Readonly<SkeletonTemplate> = BUILTIN_SKELETON): BodyShape {
  let shape = validateShape({ ...base, legs: 1, arms: 1, torso: 1, neckHead: 1, shoulders: 1, hips: 1 });
  const update = (normalise: boolean) => {
    const m = measureSkeleton(restSkeleton(shape, template));
    const next = { ...shape };
    for (const n of NAMES) if (Number.isFinite(target[n]) && target[n] > 0) next[n] *= target[n] / m[n];
    if (normalise) {
      const c = Math.cbrt(next.legs * next.arms * next.torso);
      for (const n of NAMES) next[n] /= c;
      next.height *= c;
    }
    shape = validateShape(next);
  };
  for (let it = 0; it < 12; it++) update(it < 8);
  return shape;
}

/**
 * Estimates one shape from many frames of world keypoints.
 * @param world frameCount x 33 x 3, metres.
 * @param visibility frameCount x 33 in [0, 1], or null (all visible).
 * @param use frames to take (e.g. confident ones); all when null.
 */
export function estimateShape(
  world: Float32Array,
  visibility: Float32Array | null,
  use: ArrayLike<boolean> | null = null,
  base: Readonly<BodyShape> = NEUTRAL_SHAPE,
  template: Readonly<SkeletonTemplate> = BUILTIN_SKELETON,
): { shape: BodyShape; measures: BodyMeasures } {
  const frames: BodyMeasures[] = [];
  const count = world.length / 99;
  for (let i = 0; i < count; i++) {
    if (use && !use[i]) continue;
    frames.push(measureKeypoints(world.subarray(i * 99, (i + 1) * 99), visibility ? visibility.subarray(i * 33, (i + 1) * 33) : null));
  }
  const measures = medianMeasures(frames);
  return { shape: shapeFromMeasures(measures, base, template), measures };
}
