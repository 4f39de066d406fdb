/**
 * Retargeting a motion clip's body track onto the reference person, in the reference camera.
 *
 * - Shape transfer: the output uses the reference's shape (times `scale`); joint rotations are
 *   copied from the motion, so bone lengths are the reference's and the pose the motion's.
 * - Up alignment: each clip's "up" is the median of the pelvis's up axis over its fitted frames
 *   (camera -y when the body is rarely upright); the motion's root rotation and
 *   trajectory are turned by the shortest rotation taking the motion's up onto the reference's, so
 *   a different camera tilt does not make the body lean. Facing relative to the camera is kept.
 * - Ground: a plane perpendicular to up, at the 10th percentile over frames of the lowest foot
 *   point (heels, toe tips, soles) of the reference (plus `groundOffset`).
 * - Placement on the ground plane, relative to the anchor (the reference person's pelvis at
 *   `anchorFrame`, projected onto the ground):
 *     'anchor' (default): the motion's travel over the ground (relative to its first frame, scaled
 *       by the leg-length ratio reference / motion) minus its centred 1-second moving average, so
 *       steps and sway within a second carry over but the body does not leave the reference spot;
 *     'follow': the whole travel (location and depth changes) carries over, scaled the same way;
 *     'scene': for two clips from one camera and scene (two takes, or the halves of one clip): the
 *       body goes where the motion person is in the motion's frame, at the same place and size in
 *       pixels (frame sizes normalised), its feet where the motion's feet are; no ground snapping.
 *   Then `offset` (metres along the ground: x towards the camera's right, z away from the camera).
 * - Height: per frame the body is moved along up so that its lowest foot point is on the ground
 *   when the motion's own lowest foot point is within `contactThreshold` of the motion's floor
 *   (planted), and above it by the motion's (scaled) elevation beyond that threshold otherwise
 *   (jumps); it never goes below the ground. The motion's floor is a plane fitted through its
 *   planted feet (`floorElevation`), so that the fitted feet drifting with depth do not read as a jump.
 */
import { skeletonOf } from './body-model';
import { BodyArgumentError } from './errors';
import { type Quat, type Vec3, add, cross, dot, median, normalize, qFromTo, qMul, qRotate, quatAt, scale, sub, vec3At } from './math';
import { BP_IDX as B, markerOffsets, posedMarkers } from './markers';
import { type RestSkeleton, endSite, legLength, restSkeleton, validateShape } from './shape';
import { J } from './skeleton';
import { forwardKinematics, posePoint } from './skinning';
import { BODY_TRACK_VERSION, type BodyTrack } from './types';

/**
 * Where the retargeted body goes: at the reference person (default), along the motion's travel,
 * or where the motion person is in its own frame (clips from the same camera and scene).
 */
export type Placement = 'anchor' | 'follow' | 'scene';

/** Options of `retargetMotion`; every field is optional. */
export interface RetargetOptions {
  /** Default 'anchor'. */
  placement?: Placement;
  /** Reference frame whose person position is the anchor. Default: its first fitted frame. */
  anchorFrame?: number;
  /** Shift on the ground plane, metres: x towards the camera's right, z away from the camera. Default 0. */
  offset?: { x: number; z: number };
  /** Size relative to the reference person (body and travel). Default 1. */
  scale?: number;
  /** Raises (+) or lowers (-) the ground relative to the estimated one, metres. Default 0. */
  groundOffset?: number;
  /** Motion foot elevation still counted as contact, metres (motion scale). Default 0.04. */
  contactThreshold?: number;
  /** Moving-average window of the anchor placement, frames. Default 31 (about 1 s). */
  anchorWindow?: number;
}

/** A track's ground plane in its camera space: points p with dot(p, up) = height lie on it. */
export interface GroundPlane {
  /** Unit up direction, camera space. */
  up: Vec3;
  /** Height of the plane along `up`, metres. */
  height: number;
}

const frameRot = (t: BodyTrack, i: number) => t.rotations.subarray(i * 96, (i + 1) * 96);
const frameRoot = (t: BodyTrack, i: number) => t.roots.subarray(i * 3, i * 3 + 3);
const fittedFrames = (t: BodyTrack) => Array.from({ length: t.frameCount }, (_, i) => i).filter((i) => !t.filled[i]);

/** Foot points of a posed body (heels, toe tips, soles), for ground contact. */
export function footPoints(skel: RestSkeleton, rotations: Float32Array, root: ArrayLike<number>): Vec3[] {
  const posed = forwardKinematics(skel, rotations, root);
  const m = posedMarkers(markerOffsets(skel), posed.rotations, posed.positions);
  const soles = [posePoint(skel, posed, J.left_ankle, endSite(skel, 'left_sole')), posePoint(skel, posed, J.right_ankle, endSite(skel, 'right_sole'))];
  return [vec3At(m, B.leftHeel), vec3At(m, B.rightHeel), vec3At(m, B.leftToe), vec3At(m, B.rightToe), ...soles];
}

/** Lowest height along `up` of a posed body's foot points. */
export function lowestFoot(skel: RestSkeleton, rotations: Float32Array, root: ArrayLike<number>, up: Vec3): number {
  return Math.min(...footPoints(skel, rotations, root).map((p) => dot(p, up)));
}

/**
 * The up direction of a track: the median over fitted frames of the pelvis's up axis (body -y)
 * in camera space, or camera -y when fewer than half the frames lie within 30° of that median
 * (a mostly non-upright clip says little about the floor).
 */
export function upDirection(track: BodyTrack): Vec3 {
  const dirs = fittedFrames(track).map((i) => qRotate(quatAt(track.rotations, i * 24), [0, -1, 0]));
  const fallback: Vec3 = [0, -1, 0];
  if (dirs.length === 0) return fallback;
  const m = normalize([median(dirs.map((d) => d[0])), median(dirs.map((d) => d[1])), median(dirs.map((d) => d[2]))], fallback);
  const agreeing = dirs.filter((d) => dot(d, m) > Math.cos((30 * Math.PI) / 180)).length;
  return agreeing >= dirs.length / 2 ? m : fallback;
}

/** The ground plane of a track (see the module comment). */
export function groundPlane(track: BodyTrack, up: Vec3 = upDirection(track)): GroundPlane {
  const skel = restSkeleton(track.shape, skeletonOf(track.model));
  const lows = fittedFrames(track)
    .map((i) => lowestFoot(skel, frameRot(track, i), frameRoot(track, i), up))
    .sort((a, b) => a - b);
  if (lows.length === 0) return { up, height: 0 };
  return { up, height: lows[Math.floor(0.1 * (lows.length - 1))]! };
}

/**
 * Per frame, how high the person's lowest foot is above their floor. Monocular depth errors and
 * an up that misses the floor's tilt (a pitched camera the fit put into the path but not into the
 * pelvis) make the feet's height along `up` drift as the person walks towards or away from the
 * camera, which would read as a jump. So the floor is fitted as a plane through the lowest foot
 * points: height along `up` against position on the ground, least squares refitted on the lower
 * 60 % of the residuals (the planted feet, not the steps and jumps), its tilt shrunk towards none
 * while the person stays within about `spread` metres. Heights are then taken along the plane's
 * normal, from its level: the 10th percentile over the fitted frames, as in `groundPlane`.
 */
export function floorElevation(track: BodyTrack, up: Vec3, spread = 0.3): Float64Array {
  const skel = restSkeleton(track.shape, skeletonOf(track.model));
  const n = track.frameCount;
  const feet = Array.from({ length: n }, (_, i) => footPoints(skel, frameRot(track, i), frameRoot(track, i)));
  const fitted = fittedFrames(track);
  if (fitted.length === 0) return new Float64Array(n);
  const gx = normalize(sub([1, 0, 0], scale(up, up[0])), [1, 0, 0]);
  const gz = normalize(cross(up, gx), [0, 0, 1]);
  const lowest = (i: number, dir: Vec3) => feet[i]!.reduce((a, b) => (dot(b, dir) < dot(a, dir) ? b : a));
  const points = fitted.map((i) => {
    const p = lowest(i, up);
    return { h: dot(p, up), u: dot(p, gx), v: dot(p, gz) };
  });
  let use = points;
  let b = 0;
  let c = 0;
  for (let iteration = 0; iteration < 4; iteration++) {
    const m = use.length;
    const mu = use.reduce((s, p) => s + p.u, 0) / m;
    const mv = use.reduce((s, p) => s + p.v, 0) / m;
    const mh = use.reduce((s, p) => s + p.h, 0) / m;
    let suu = m * spread * spread;
    let svv = suu;
    let suv = 0;
    let suh = 0;
    let svh = 0;
    for (const p of use) {
      suu += (p.u - mu) ** 2;
      suv += (p.u - mu) * (p.v - mv);
      svv += (p.v - mv) ** 2;
      suh += (p.u - mu) * (p.h - mh);
      svh += (p.v - mv) * (p.h - mh);
    }
    const det = suu * svv - suv * suv;
    b = (svv * suh - suv * svh) / det;
    c = (suu * svh - suv * suh) / det;
    const residual = (p: (typeof points)[number]) => p.h - b * p.u - c * p.v;
    use = [...points].sort((x, y) => residual(x) - residual(y)).slice(0, Math.max(3, Math.ceil(0.6 * points.length)));
  }
  // Height above the plane h = b u + c v + level is measured along its normal.
  const normal = normalize(sub(sub(up, scale(gx, b)), scale(gz, c)), up);
  const heights = Float64Array.from({ length: n }, (_, i) => dot(lowest(i, normal), normal));
  const levels = fitted.map((i) => heights[i]!).sort((x, y) => x - y);
  const level = levels[Math.floor(0.1 * (levels.length - 1))]!;
  return heights.map((h) => h - level);
}

/** Centred moving average with clamped ends. */
function movingAverage(values: readonly number[], window: number): number[] {
  const h = Math.max(0, Math.floor(window / 2));
  const n = values.length;
  return values.map((_, i) => {
    let s = 0;
    for (let k = -h; k <= h; k++) s += values[Math.min(n - 1, Math.max(0, i + k))]!;
    return s / (2 * h + 1);
  });
}

/**
 * Retargets `motion` onto `reference`'s body and camera. The result has the motion's frame count,
 * the reference's shape (times `scale`) and camera; `confidence` and `filled` come from the motion,
 * `reprojectionErrorPx` is NaN.
 */
export function retargetMotion(motion: BodyTrack, reference: BodyTrack, options: RetargetOptions = {}): BodyTrack {
  const s = options.scale ?? 1;
  if (!(s > 0)) throw new BodyArgumentError('options.scale, when provided, must be a positive number.');
  const refFitted = fittedFrames(reference);
  const anchorFrame = options.anchorFrame ?? refFitted[0] ?? 0;
  if (!(anchorFrame >= 0 && anchorFrame < reference.frameCount)) throw new BodyArgumentError(`options.anchorFrame must be a frame of the reference (0..${reference.frameCount - 1}).`);

  const shape = validateShape({ ...reference.shape, height: reference.shape.height * s });
  const outSkel = restSkeleton(shape, skeletonOf(reference.model));
  const motionSkel = restSkeleton(motion.shape, skeletonOf(motion.model));
  // Travel scales with leg length (stride), so a shorter person covers proportionally less ground.
  const k = legLength(outSkel) / legLength(motionSkel);

  const upRef = upDirection(reference);
  const upMot = upDirection(motion);
  const ground = groundPlane(reference, upRef);
  const groundHeight = ground.height + (options.groundOffset ?? 0);
  const motionElevation = floorElevation(motion, upMot);
  const align: Quat = qFromTo(upMot, upRef);

  // Ground-plane axes of the reference camera: x towards the camera's right, z away from it.
  const gx = normalize(sub([1, 0, 0], scale(upRef, upRef[0])), [1, 0, 0]);
  const gz = normalize(cross(upRef, gx), [0, 0, 1]);
  const flat = (p: Vec3) => sub(p, scale(upRef, dot(p, upRef)));

  const anchorRoot = flat(vec3At(reference.roots, anchorFrame));
  const n = motion.frameCount;
  // The motion's travel relative to its first frame, turned into the reference's frame, on its ground.
  const start = vec3At(motion.roots, 0);
  const travel = Array.from({ length: n }, (_, i) => flat(qRotate(align, scale(sub(vec3At(motion.roots, i), start), k))));
  let placed = travel;
  if ((options.placement ?? 'anchor') === 'anchor') {
    const w = options.anchorWindow ?? 31;
    const avg = [0, 1, 2].map((c) => movingAverage(travel.map((t) => t[c]!), w));
    placed = travel.map((t, i) => sub(t, [avg[0]![i]!, avg[1]![i]!, avg[2]![i]!]));
  }
  const offset = add(scale(gx, options.offset?.x ?? 0), scale(gz, options.offset?.z ?? 0));

  const rotations = motion.rotations.slice();
  const roots = new Float32Array(n * 3);
  const threshold = options.contactThreshold ?? 0.04;
  // Same pixel place and size: x and y scale with the body, depth also with focal and frame width.
  const sceneDepth = k * (reference.camera.focal / motion.camera.focal) * (motion.camera.width / reference.camera.width);
  for (let i = 0; i < n; i++) {
    const rot = rotations.subarray(i * 96, (i + 1) * 96);
    if (options.placement === 'scene') {
      const p = vec3At(motion.roots, i);
      roots.set(add([k * p[0]!, k * p[1]!, sceneDepth * p[2]!], offset), i * 3);
      continue;
    }
    rot.set(qMul(align, quatAt(rot, 0)), 0);
    const horizontal = add(add(anchorRoot, placed[i]!), offset);
    const elevation = motionElevation[i]!;
    const target = groundHeight + k * Math.max(0, elevation - threshold);
    const low = lowestFoot(outSkel, rot, horizontal, upRef);
    roots.set(add(horizontal, scale(upRef, target - low)), i * 3);
  }
  return {
    version: BODY_TRACK_VERSION,
    frameCount: n,
    shape,
    ...(reference.model ? { model: reference.model } : {}),
    camera: { ...reference.camera },
    rotations,
    roots,
    confidence: motion.confidence.slice(),
    filled: motion.filled.slice(),
    reprojectionErrorPx: new Float32Array(n).fill(NaN),
  };
}

