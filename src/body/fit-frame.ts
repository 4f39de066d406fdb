/**
 * Fitting one frame: joint rotations (within limits) to BlazePose's 33 metric world keypoints, and
 * optionally the root position to the 2D keypoints through a pinhole camera.
 *
 * 1. `initialPose`: analytic. The pelvis from the hip line and the hip-to-shoulder direction; the
 *    spine's twist and bend spread evenly over spine1-3 to match the shoulder line; each limb's
 *    upper bone swung onto its keypoint direction with the twist that puts the elbow / knee hinge
 *    in the plane of the limb (or, for a straight leg, that points the foot as observed); hinges
 *    swung onto the next keypoint; hands, feet and head from two-vector frames (index-pinky,
 *    heel-toe-ankle, ears-nose). Everything clamped to the joint limits.
 * 2. `refinePose`: a few Levenberg-Marquardt steps on all fitted joints (and the root when 2D
 *    keypoints are used), with small priors keeping unobservable rotations (spine split, collars,
 *    limb twist) near rest; after every step the rotations are clamped to the limits.
 *
 * Observations are in camera-aligned axes (x right, y down, z forward); world keypoints are
 * relative to the midpoint of the hips, metres.
 */
import {
  type Quat,
  type Vec3,
  cross,
  mid,
  norm,
  qAlignFrames,
  qConj,
  qFromRotVec,
  qFromTo,
  qMul,
  qRotate,
  qSlerp,
  qToRotVec,
  quatAt,
  scale,
  smoothstep,
  solveSpd,
  sub,
  vec3At,
} from './math';
import { BLAZEPOSE_MARKERS, BP_IDX as B, MARKER_COUNT, markerOffsets, posedMarkers } from './markers';
import { type RestSkeleton, restSkeleton, type BodyShape, BUILTIN_SKELETON, type SkeletonTemplate } from './shape';
import { J, JOINT_COUNT, JOINT_LIMITS, PARENTS, clampToLimit, isDescendant } from './skeleton';
import { type PosedSkeleton, forwardKinematics, restRotations } from './skinning';
import type { BodyCamera } from './types';

/** A shape prepared for fitting. */
export interface FitModel {
  skel: RestSkeleton;
  /** 33 x 3 marker offsets in their joints' frames. */
  markers: Float32Array;
  /** 33 x 3 marker positions at rest (pelvis at the origin). */
  restMarkers: Float32Array;
}

/** Prepares a shape for fitting: its rest skeleton (on `template`, default the built-in body's) and BlazePose markers. */
export function fitModel(shape: Readonly<BodyShape>, template: Readonly<SkeletonTemplate> = BUILTIN_SKELETON): FitModel {
  const skel = restSkeleton(shape, template);
  const markers = markerOffsets(skel);
  const rest = forwardKinematics(skel, restRotations(), [0, 0, 0]);
  return { skel, markers, restMarkers: posedMarkers(markers, rest.rotations, rest.positions) };
}

/** One frame's keypoints. */
export interface FrameObservation {
  /** 33 x 3 world keypoints, metres, origin between the hips, camera-aligned axes. */
  world: ArrayLike<number>;
  /** 33 keypoint visibilities in [0, 1]. */
  visibility: ArrayLike<number>;
  /** 33 x 4 image keypoints (x, y, z, visibility) in pixels, as in PoseTrack; needed for the 2D term. */
  image?: ArrayLike<number> | null;
}

/** Joints whose rotations are fitted (the toes and finger joints stay at rest: no keypoint sees them). */
export const FITTED_JOINTS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
const PARAM_OF = new Int16Array(JOINT_COUNT).fill(-1);
FITTED_JOINTS.forEach((j, i) => (PARAM_OF[j] = i * 3));
const ROT_PARAMS = FITTED_JOINTS.length * 3;

/** Fitted joints that move each marker (the marker's joint and its ancestors). */
const MARKER_CHAINS: readonly number[][] = BLAZEPOSE_MARKERS.map((m) => FITTED_JOINTS.filter((j) => isDescendant(m.joint, j)));

/**
 * Prior weights per joint on the rotation vector of its local rotation (x, y, z components), in
 * metres of keypoint error per radian: they only decide what the keypoints leave open.
 */
const PRIOR: readonly Vec3[] = (() => {
  const p: Vec3[] = Array.from({ length: JOINT_COUNT }, () => [0, 0, 0] as Vec3);
  const set = (joints: number[], v: Vec3) => joints.forEach((j) => (p[j] = v));
  set([J.spine1, J.spine2, J.spine3], [0.05, 0.05, 0.05]);
  set([J.neck], [0.03, 0.03, 0.03]);
  set([J.head], [0.01, 0.01, 0.01]);
  set([J.left_collar, J.right_collar], [0.08, 0.08, 0.08]);
  set([J.left_hip, J.right_hip], [0, 0.01, 0]);
  set([J.left_shoulder, J.right_shoulder], [0.01, 0, 0]);
  // Hinges: only flexion is free; their other swing and the knee's twist stay near zero, else they
  // soak up the limb's twist.
  set([J.left_elbow, J.right_elbow], [0.01, 0, 0.3]);
  set([J.left_knee, J.right_knee], [0, 0.3, 0.3]);
  set([J.left_wrist, J.right_wrist], [0.005, 0.005, 0.005]);
  set([J.left_ankle, J.right_ankle], [0.005, 0.005, 0.005]);
  return p;
})();

const fk = (m: FitModel, local: Float32Array, root: ArrayLike<number> = [0, 0, 0]): PosedSkeleton => forwardKinematics(m.skel, local, root);
const setLocal = (local: Float32Array, j: number, q: Quat) => local.set(clampToLimit(q, JOINT_LIMITS[j]!), j * 4);
/** Makes joint j's global rotation `g` (given its parent's current global rotation). */
const setGlobal = (local: Float32Array, posed: PosedSkeleton, j: number, g: Quat) => setLocal(local, j, qMul(qConj(quatAt(posed.rotations, PARENTS[j]!)), g));
/** Rotates joint j's subtree by the global rotation d about joint j. */
const rotateSubtree = (local: Float32Array, posed: PosedSkeleton, j: number, d: Quat) => setGlobal(local, posed, j, qMul(d, quatAt(posed.rotations, j)));

const kp = (a: ArrayLike<number>, i: number): Vec3 => vec3At(a, i);

/** Analytic initial local rotations (24 x 4) from the world keypoints. */
export function initialPose(model: FitModel, obs: FrameObservation): Float32Array {
  const W = obs.world;
  const R = model.restMarkers;
  const local = restRotations();
  const hipLine = (a: ArrayLike<number>) => sub(kp(a, B.leftHip), kp(a, B.rightHip));
  const torsoUp = (a: ArrayLike<number>) => sub(mid(kp(a, B.leftShoulder), kp(a, B.rightShoulder)), mid(kp(a, B.leftHip), kp(a, B.rightHip)));
  const pelvis = qAlignFrames(hipLine(R), torsoUp(R), hipLine(W), torsoUp(W));
  if (pelvis) local.set(pelvis, 0);

  // Spine: the remaining twist / bend between the predicted and observed shoulder frames, in thirds.
  let posed = fk(model, local);
  const predicted = posedMarkers(model.markers, posed.rotations, posed.positions);
  const shoulderLine = (a: ArrayLike<number>) => sub(kp(a, B.leftShoulder), kp(a, B.rightShoulder));
  const torsoDelta = qAlignFrames(shoulderLine(predicted), torsoUp(predicted), shoulderLine(W), torsoUp(W));
  if (torsoDelta) {
    const third = qFromRotVec(scale(qToRotVec(torsoDelta), 1 / 3));
    for (const j of [J.spine1, J.spine2, J.spine3]) {
      rotateSubtree(local, posed, j, third);
      posed = fk(model, local);
    }
  }

  for (const left of [true, false]) {
    const s = left ? { sh: J.left_shoulder, el: J.left_elbow, wr: J.left_wrist, hip: J.left_hip, kn: J.left_knee, an: J.left_ankle } : { sh: J.right_shoulder, el: J.right_elbow, wr: J.right_wrist, hip: J.right_hip, kn: J.right_knee, an: J.right_ankle };
    const k = left
      ? { sh: B.leftShoulder, el: B.leftElbow, wr: B.leftWrist, idx: B.leftIndex, pky: B.leftPinky, hip: B.leftHip, kn: B.leftKnee, an: B.leftAnkle, heel: B.leftHeel, toe: B.leftToe }
      : { sh: B.rightShoulder, el: B.rightElbow, wr: B.rightWrist, idx: B.rightIndex, pky: B.rightPinky, hip: B.rightHip, kn: B.rightKnee, an: B.rightAnkle, heel: B.rightHeel, toe: B.rightToe };

    // Arm: the elbow hinge (flexion about +y for the left arm, -y for the right) in the arm's plane.
    posed = fk(model, local);
    const upper = sub(kp(W, k.el), kp(W, k.sh));
    const fore = sub(kp(W, k.wr), kp(W, k.el));
    limbRoot(local, posed, s.sh, vec3At(model.skel.offsets, s.el), upper, fore, [0, left ? 1 : -1, 0], null);
    posed = fk(model, local);
    swingTo(local, posed, s.el, vec3At(model.skel.offsets, s.wr), fore);
    // Hand from index/pinky knuckles; half of its twist (pronation) goes to the forearm.
    posed = fk(model, local);
    const handMid = (a: ArrayLike<number>) => sub(mid(kp(a, k.idx), kp(a, k.pky)), kp(a, k.wr));
    const across = (a: ArrayLike<number>) => sub(kp(a, k.idx), kp(a, k.pky));
    const hand = qAlignFrames(handMid(R), across(R), handMid(W), across(W));
    if (hand) {
      const wristLocal = qMul(qConj(quatAt(posed.rotations, s.el)), hand);
      const twist = twistAboutX(wristLocal);
      const forearmTwist = qFromRotVec([twist / 2, 0, 0]);
      setLocal(local, s.el, qMul(quatAt(local, s.el), forearmTwist));
      posed = fk(model, local);
      setGlobal(local, posed, s.wr, hand);
    }

    // Leg: the knee hinge (+x) in the leg's plane; a straight leg takes its twist from the foot.
    posed = fk(model, local);
    const thigh = sub(kp(W, k.kn), kp(W, k.hip));
    const shin = sub(kp(W, k.an), kp(W, k.kn));
    const footFwd = (a: ArrayLike<number>) => sub(kp(a, k.toe), kp(a, k.heel));
    limbRoot(local, posed, s.hip, vec3At(model.skel.offsets, s.kn), thigh, shin, [1, 0, 0], { rest: footFwd(R), obs: footFwd(W) });
    posed = fk(model, local);
    swingTo(local, posed, s.kn, vec3At(model.skel.offsets, s.an), shin);
    posed = fk(model, local);
    const footUp = (a: ArrayLike<number>) => sub(kp(a, k.an), kp(a, k.heel));
    const foot = qAlignFrames(footFwd(R), footUp(R), footFwd(W), footUp(W));
    if (foot) setGlobal(local, posed, s.an, foot);
  }

  // Head from the ears and the nose; the neck takes half of the turn.
  posed = fk(model, local);
  const ears = (a: ArrayLike<number>) => sub(kp(a, B.leftEar), kp(a, B.rightEar));
  const face = (a: ArrayLike<number>) => sub(kp(a, B.nose), mid(kp(a, B.leftEar), kp(a, B.rightEar)));
  const head = qAlignFrames(ears(R), face(R), ears(W), face(W));
  if (head) {
    const change = qMul(head, qConj(quatAt(posed.rotations, J.head)));
    rotateSubtree(local, posed, J.neck, qFromRotVec(scale(qToRotVec(change), 0.5)));
    posed = fk(model, local);
    setGlobal(local, posed, J.head, head);
  }
  return local;
}

/** Twist angle about x (the forearm's axis), radians in (-pi, pi], of a local rotation. */
function twistAboutX(q: Quat): number {
  const t = Math.hypot(q[0], q[3]) > 1e-9 ? 2 * Math.atan2(q[0], q[3]) : 0;
  return t > Math.PI ? t - 2 * Math.PI : t < -Math.PI ? t + 2 * Math.PI : t;
}

/** Swings joint j so that its child bone (rest offset `bone`) points along `target`. */
function swingTo(local: Float32Array, posed: PosedSkeleton, j: number, bone: Vec3, target: Vec3): void {
  if (norm(target) < 1e-6) return;
  const g = quatAt(posed.rotations, j);
  setGlobal(local, posed, j, qMul(qFromTo(qRotate(g, bone), target), g));
}

/**
 * Orients the root joint of a two-bone limb: the first bone along `upper`, twisted so the hinge of
 * the middle joint (rest axis `hinge`, positive flexion) is normal to the plane of `upper` and
 * `lower`. When the limb is nearly straight the twist is undefined: then it comes from the
 * `straight` direction pair (rest, observed) if given, or the twist is left as it was.
 */
function limbRoot(local: Float32Array, posed: PosedSkeleton, j: number, bone: Vec3, upper: Vec3, lower: Vec3, hinge: Vec3, straight: { rest: Vec3; obs: Vec3 } | null): void {
  if (norm(upper) < 1e-6) return;
  const g = quatAt(posed.rotations, j);
  // Global rotations map rest (body-space) directions to observed ones.
  const swing = qMul(qFromTo(qRotate(g, bone), upper), g);
  const fallback = (straight && qAlignFrames(bone, straight.rest, upper, straight.obs)) || swing;
  const n = cross(upper, lower);
  const bend = norm(n) / Math.max(1e-9, norm(upper) * norm(lower));
  const hinged = bend > 1e-3 ? qAlignFrames(bone, hinge, upper, n) : null;
  const t = hinged ? smoothstep(0.1, 0.35, bend) : 0;
  setGlobal(local, posed, j, hinged && t > 0 ? qSlerp(fallback, hinged, t) : fallback);
}

/** Options of `refinePose`. */
export interface RefineOptions {
  /** Camera for the 2D term; without it only the world keypoints are fitted and the root is kept. */
  camera?: BodyCamera | null;
  /** Weight of the 2D term (residuals in metres at the body's depth). Default 1. */
  weight2d?: number;
  /** Weight of the world-keypoint term. Default 1. */
  weight3d?: number;
  /** Levenberg-Marquardt iterations. Default 8. */
  iterations?: number;
  /**
   * Weight of the world keypoints' depth component (camera z) relative to x and y, in [0, 1]; only
   * used with a camera (the 2D term then constrains depth through foreshortening). Default 1.
   */
  worldDepthWeight?: number;
}

/** Keypoint weight from its marker's trust and visibility (occluded keypoints still say something). */
const markerWeight = (k: number, vis: number) => BLAZEPOSE_MARKERS[k]!.weight * (0.1 + 0.9 * Math.min(1, Math.max(0, vis)));

interface Problem {
  model: FitModel;
  obs: FrameObservation;
  camera: BodyCamera | null;
  w2: number;
  w3: number;
  /** Square root of the world term's depth weight. */
  depthScale: number;
  params: number;
}

/** Sum of weighted squared residuals, and (when A, b are given) the Gauss-Newton normal equations. */
function evaluate(p: Problem, local: Float32Array, root: Vec3, A: Float64Array | null, b: Float64Array | null): number {
  const posed = fk(p.model, local, root);
  const m = posedMarkers(p.model.markers, posed.rotations, posed.positions);
  const n = p.params;
  let cost = 0;
  const cols: number[] = [];
  const vals = new Float64Array(3 * 64);
  const hip = mid(kp(m, B.leftHip), kp(m, B.rightHip));
  // Columns of the Jacobian of marker position wrt the rotation parameters of joint j.
  const block = (mk: Vec3, j: number, out: Float64Array, o: number, sign: number) => {
    const d = sub(mk, vec3At(posed.positions, j));
    const pq = j === 0 ? ([0, 0, 0, 1] as Quat) : quatAt(posed.rotations, PARENTS[j]!);
    for (let c = 0; c < 3; c++) {
      const axis: Vec3 = [0, 0, 0];
      axis[c] = 1;
      const col = cross(qRotate(pq, axis), d);
      for (let r = 0; r < 3; r++) out[o + r * 64 + c]! += sign * col[r]!;
    }
  };
  const accumulate = (rows: number, res: number[], weight: number) => {
    for (let r = 0; r < rows; r++) cost += weight * res[r]! * res[r]!;
    if (!A || !b) return;
    for (let a = 0; a < cols.length; a++) {
      const ca = cols[a]!;
      for (let r = 0; r < rows; r++) b[ca]! -= weight * vals[r * 64 + a]! * res[r]!;
      for (let c = 0; c < cols.length; c++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += vals[r * 64 + a]! * vals[r * 64 + c]!;
        A[ca * n + cols[c]!]! += weight * s;
      }
    }
  };
  // Fills cols / vals (3 rows) with the Jacobian of marker k, minus the hip midpoint's when `centred`.
  const jacobian = (k: number, centred: boolean, withRoot: boolean) => {
    cols.length = 0;
    vals.fill(0);
    const mk = kp(m, k);
    const chain = MARKER_CHAINS[k]!;
    for (const j of chain) {
      const c0 = cols.length;
      cols.push(PARAM_OF[j]!, PARAM_OF[j]! + 1, PARAM_OF[j]! + 2);
      block(mk, j, vals, c0, 1);
      if (centred && j === 0) {
        block(kp(m, B.leftHip), 0, vals, c0, -0.5);
        block(kp(m, B.rightHip), 0, vals, c0, -0.5);
      }
    }
    if (withRoot) {
      const c0 = cols.length;
      cols.push(ROT_PARAMS, ROT_PARAMS + 1, ROT_PARAMS + 2);
      for (let r = 0; r < 3; r++) vals[r * 64 + c0 + r] = 1;
    }
  };
  const vis = p.obs.visibility;
  for (let k = 0; k < MARKER_COUNT; k++) {
    const w = markerWeight(k, vis[k]!);
    if (w <= 0) continue;
    if (p.w3 > 0) {
      const r = sub(sub(kp(m, k), hip), kp(p.obs.world, k));
      if (A) jacobian(k, true, false);
      if (p.depthScale !== 1) {
        r[2] *= p.depthScale;
        if (A) for (let a = 0; a < cols.length; a++) vals[128 + a] = vals[128 + a]! * p.depthScale;
      }
      accumulate(3, r, w * p.w3);
    }
    const img = p.obs.image;
    if (p.camera && img && p.w2 > 0) {
      const mk = kp(m, k);
      // Distance of the marker from the keypoint's viewing ray, measured across the ray at the
      // marker's depth: (X - ux Z, Y - uy Z) with (ux, uy) the normalised image point. It equals the
      // pixel error times Z / f and is linear in the marker position.
      const ux = (img[k * 4]! - p.camera.cx) / p.camera.focal;
      const uy = (img[k * 4 + 1]! - p.camera.cy) / p.camera.focal;
      if (A) {
        jacobian(k, false, true);
        for (let a = 0; a < cols.length; a++) {
          const jz = vals[128 + a]!;
          vals[a] = vals[a]! - ux * jz;
          vals[64 + a] = vals[64 + a]! - uy * jz;
        }
      }
      const wi = BLAZEPOSE_MARKERS[k]!.weight * Math.min(1, Math.max(0.05, img[k * 4 + 3]!));
      accumulate(2, [mk[0] - ux * mk[2], mk[1] - uy * mk[2]], wi * p.w2);
    }
  }
  // Priors on the local rotation vectors.
  for (const j of FITTED_JOINTS) {
    const pr = PRIOR[j]!;
    if (pr[0] === 0 && pr[1] === 0 && pr[2] === 0) continue;
    const rv = qToRotVec(quatAt(local, j));
    for (let c = 0; c < 3; c++) {
      if (pr[c] === 0) continue;
      const w = pr[c]! * pr[c]!;
      cost += w * rv[c]! * rv[c]!;
      if (A && b) {
        const i = PARAM_OF[j]! + c;
        A[i * n + i]! += w;
        b[i]! -= w * rv[c]!;
      }
    }
  }
  return cost;
}

/** Applies a parameter step: rotation increments in the parent's frame, then limits; root += step. */
function applyStep(local: Float32Array, root: Vec3, step: Float64Array, withRoot: boolean): [Float32Array, Vec3] {
  const next = local.slice();
  for (const j of FITTED_JOINTS) {
    const o = PARAM_OF[j]!;
    setLocal(next, j, qMul(qFromRotVec([step[o]!, step[o + 1]!, step[o + 2]!]), quatAt(local, j)));
  }
  const r: Vec3 = withRoot ? [root[0] + step[ROT_PARAMS]!, root[1] + step[ROT_PARAMS + 1]!, root[2] + step[ROT_PARAMS + 2]!] : [root[0], root[1], root[2]];
  return [next, r];
}

/**
 * Refines local rotations (24 x 4) and the root position (camera space, metres) with
 * Levenberg-Marquardt. Returns new arrays and the final cost.
 */
export function refinePose(model: FitModel, obs: FrameObservation, local: Float32Array, root: Vec3, options: RefineOptions = {}): { local: Float32Array; root: Vec3; cost: number } {
  const camera = options.camera && obs.image ? options.camera : null;
  const withRoot = camera !== null;
  const params = ROT_PARAMS + (withRoot ? 3 : 0);
  const depthScale = camera ? Math.sqrt(Math.min(1, Math.max(0, options.worldDepthWeight ?? 1))) : 1;
  const p: Problem = { model, obs, camera, w2: options.weight2d ?? 1, w3: options.weight3d ?? 1, depthScale, params };
  let cur: Float32Array = local.slice();
  let r: Vec3 = [root[0], root[1], root[2]];
  let lambda = 1e-3;
  const A = new Float64Array(params * params);
  const b = new Float64Array(params);
  let cost = evaluate(p, cur, r, null, null);
  for (let it = 0; it < (options.iterations ?? 8); it++) {
    A.fill(0);
    b.fill(0);
    evaluate(p, cur, r, A, b);
    let improved = false;
    for (let attempt = 0; attempt < 5 && !improved; attempt++) {
      const M = A.slice();
      for (let i = 0; i < params; i++) M[i * params + i]! += lambda * (A[i * params + i]! + 1e-6) + 1e-9;
      const step = b.slice();
      if (!solveSpd(M, step, params)) {
        lambda *= 10;
        continue;
      }
      const [nextLocal, nextRoot] = applyStep(cur, r, step, withRoot);
      const c = evaluate(p, nextLocal, nextRoot, null, null);
      if (c < cost) {
        improved = true;
        const gain = (cost - c) / Math.max(cost, 1e-12);
        cur = nextLocal;
        r = nextRoot;
        cost = c;
        lambda = Math.max(1e-7, lambda / 3);
        if (gain < 1e-4) return { local: cur, root: r, cost };
      } else {
        lambda *= 5;
      }
    }
    if (!improved) break;
  }
  return { local: cur, root: r, cost };
}

/** Hip-centred marker positions of a pose (33 x 3), as world keypoints would show them. */
export function worldMarkers(model: FitModel, local: Float32Array): Float32Array {
  const posed = fk(model, local);
  const m = posedMarkers(model.markers, posed.rotations, posed.positions);
  const hip = mid(kp(m, B.leftHip), kp(m, B.rightHip));
  for (let k = 0; k < MARKER_COUNT; k++) for (let c = 0; c < 3; c++) m[k * 3 + c]! -= hip[c]!;
  return m;
}
