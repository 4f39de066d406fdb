/**
 * Synthetic poses and keypoints: named poses, random plausible poses within the joint limits, and
 * the BlazePose-33 keypoints a posed body would give (through the same markers the fit uses).
 * A test helper (*-testing.ts): tests anywhere may import it, the app never (not through index.ts).
 * No randomness outside the seeded generator.
 */
import { DEG, type Quat, type Vec3, dist3, mid, qFromRotVec, qMul, vec3At } from './math';
import { MARKER_COUNT, BP_IDX as B, posedMarkers } from './markers';
import { FITTED_JOINTS, type FitModel } from './fit-frame';
import { J, JOINT_LIMITS, fromLimitComponents } from './skeleton';
import { type PosedSkeleton, forwardKinematics, restRotations } from './skinning';
import type { PoseTrackInput } from './fit';
import { lowestFoot } from './retarget';
import { type BodyCamera, project } from './types';

/** Deterministic uniform random numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box-Muller). */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Swing-twist components per joint, degrees about body x, y, z (see JointLimit). */
export type PoseSpec = Partial<Record<number, Vec3>>;

/** Local rotations (24 x 4) from swing-twist components in degrees and a root orientation. */
export function poseFromSpec(spec: PoseSpec, root: Quat = [0, 0, 0, 1]): Float32Array {
  const local = restRotations();
  for (const [key, deg] of Object.entries(spec)) {
    const j = Number(key);
    local.set(fromLimitComponents([deg![0] * DEG, deg![1] * DEG, deg![2] * DEG], JOINT_LIMITS[j]!.twistAxis), j * 4);
  }
  local.set(root, 0);
  return local;
}

const rotY = (deg: number): Quat => qFromRotVec([0, deg * DEG, 0]);
const rotX = (deg: number): Quat => qFromRotVec([deg * DEG, 0, 0]);
const rotZ = (deg: number): Quat => qFromRotVec([0, 0, deg * DEG]);

/** Left-side components mirrored to the right: (x, y, z) -> (x, -y, -z). */
const both = (left: number, right: number, v: Vec3, w: Vec3 = [v[0], -v[1], -v[2]]): PoseSpec => ({ [left]: v, [right]: w });

const WALK: PoseSpec = {
  [J.left_hip]: [-25, 5, -3],
  [J.right_hip]: [15, -5, 3],
  [J.left_knee]: [15, 0, 0],
  [J.right_knee]: [45, 0, 0],
  [J.left_ankle]: [-5, 0, 0],
  [J.right_ankle]: [15, 0, 0],
  [J.left_shoulder]: [10, -20, 70],
  [J.right_shoulder]: [10, -20, -70],
  [J.left_elbow]: [0, 20, 0],
  [J.right_elbow]: [0, -35, 0],
  [J.spine2]: [5, 5, 0],
};

/** Named test poses: upright, turned, squatting, non-upright. */
export const NAMED_POSES: Readonly<Record<string, () => Float32Array>> = {
  tpose: () => poseFromSpec({}),
  walking: () => poseFromSpec(WALK),
  squat: () =>
    poseFromSpec({
      ...both(J.left_hip, J.right_hip, [-100, 10, -15]),
      ...both(J.left_knee, J.right_knee, [115, 0, 0]),
      ...both(J.left_ankle, J.right_ankle, [-20, 0, 0]),
      [J.spine1]: [25, 0, 0],
      [J.spine2]: [10, 0, 0],
      ...both(J.left_shoulder, J.right_shoulder, [0, 75, 15]),
      ...both(J.left_elbow, J.right_elbow, [0, 30, 0]),
    }),
  armsOverhead: () =>
    poseFromSpec({
      ...both(J.left_collar, J.right_collar, [0, 0, -20]),
      ...both(J.left_shoulder, J.right_shoulder, [30, 10, -75]),
      ...both(J.left_elbow, J.right_elbow, [0, 15, 0]),
      [J.neck]: [-15, 0, 0],
    }),
  turned90: () => poseFromSpec(WALK, rotY(90)),
  turned180: () => poseFromSpec({ ...WALK, [J.head]: [0, 30, 0] }, rotY(180)),
  lying: () =>
    poseFromSpec(
      { ...both(J.left_knee, J.right_knee, [40, 0, 0]), ...both(J.left_hip, J.right_hip, [-30, 0, -10]), ...both(J.left_shoulder, J.right_shoulder, [0, 20, 60]) },
      qMul(rotZ(90), rotX(-70)),
    ),
  handstand: () =>
    poseFromSpec(
      { ...both(J.left_shoulder, J.right_shoulder, [20, 10, -80]), ...both(J.left_hip, J.right_hip, [-10, 0, -20]), [J.neck]: [-20, 0, 0] },
      rotZ(180),
    ),
};

/**
 * A random plausible pose: every fitted joint's swing-twist components uniform within `spread`
 * (0..1) of its limits (twists within half that), toes and fingers at rest; the root turned by a
 * uniform heading and tilted by up to `tiltDeg`.
 */
export function randomPose(rand: () => number, spread = 0.6, tiltDeg = 15): Float32Array {
  const spec: PoseSpec = {};
  for (const j of FITTED_JOINTS) {
    if (j === J.pelvis) continue;
    const l = JOINT_LIMITS[j]!;
    spec[j] = [0, 1, 2].map((c) => {
      const s = c === l.twistAxis ? spread / 2 : spread;
      return (l.min[c]! * s + (l.max[c]! - l.min[c]!) * s * rand()) / DEG;
    }) as Vec3;
  }
  const tilt = (rand() * 2 - 1) * tiltDeg;
  const root = qMul(rotY(rand() * 360 - 180), qMul(rotX(tilt), rotZ((rand() * 2 - 1) * tiltDeg)));
  return poseFromSpec(spec, root);
}

/** What BlazePose would report for a posed body: world and image keypoints. */
export interface SyntheticKeypoints {
  /** 33 x 3 world keypoints, metres, origin between the hips. */
  world: Float32Array;
  /** 33 x 4 image keypoints (x, y, z, visibility), pixels. */
  image: Float32Array;
  /** 33 visibilities (all 1). */
  visibility: Float32Array;
  /** 33 x 3 camera-space markers without noise, metres. */
  markers: Float32Array;
}

/**
 * Keypoints of `local` posed with its pelvis at `root` (camera space), with Gaussian noise of
 * `noiseM` metres on the world keypoints and `noisePx` pixels on the image keypoints.
 */
export function syntheticKeypoints(model: FitModel, local: Float32Array, root: Vec3, camera: BodyCamera, rand: () => number, noiseM = 0.005, noisePx = 1.5): SyntheticKeypoints {
  const posed = forwardKinematics(model.skel, local, root);
  const markers = posedMarkers(model.markers, posed.rotations, posed.positions);
  const hip = mid(vec3At(markers, B.leftHip), vec3At(markers, B.rightHip));
  const world = new Float32Array(MARKER_COUNT * 3);
  const image = new Float32Array(MARKER_COUNT * 4);
  for (let k = 0; k < MARKER_COUNT; k++) {
    for (let c = 0; c < 3; c++) world[k * 3 + c] = markers[k * 3 + c]! - hip[c]! + noiseM * gaussian(rand);
    const [u, v] = project(camera, vec3At(markers, k));
    image.set([u + noisePx * gaussian(rand), v + noisePx * gaussian(rand), 0, 1], k * 4);
  }
  return { world, image, visibility: new Float32Array(MARKER_COUNT).fill(1), markers };
}

/**
 * A walking cycle of `frameCount` frames (period `period` frames), facing the camera, walking
 * towards it by `stride` metres per frame, with its pelvis placed so that the lowest foot point
 * (heels, toe tips, soles) touches the floor at camera-space height `floorY` (y down). Local rotations (frameCount x 96)
 * and roots (frameCount x 3).
 */
export function walkingClip(model: FitModel, frameCount: number, options: { period?: number; stride?: number; floorY?: number; startZ?: number; yawDeg?: number } = {}): { rotations: Float32Array; roots: Float32Array } {
  const period = options.period ?? 30;
  const rotations = new Float32Array(frameCount * 96);
  const roots = new Float32Array(frameCount * 3);
  for (let i = 0; i < frameCount; i++) {
    const phase = (2 * Math.PI * i) / period;
    const s = Math.sin(phase);
    const kneeL = 5 + 45 * Math.max(0, Math.sin(phase + 1.2));
    const kneeR = 5 + 45 * Math.max(0, Math.sin(phase + 1.2 + Math.PI));
    const local = poseFromSpec(
      {
        [J.left_hip]: [-22 * s, 0, -2],
        [J.right_hip]: [22 * s, 0, 2],
        [J.left_knee]: [kneeL, 0, 0],
        [J.right_knee]: [kneeR, 0, 0],
        [J.left_ankle]: [8 * s, 0, 0],
        [J.right_ankle]: [-8 * s, 0, 0],
        [J.left_shoulder]: [0, 20 * s, 70],
        [J.right_shoulder]: [0, 20 * s, -70],
        [J.left_elbow]: [0, 20, 0],
        [J.right_elbow]: [0, -20, 0],
        [J.spine2]: [0, 4 * s, 0],
      },
      rotY(options.yawDeg ?? 0),
    );
    rotations.set(local, i * 96);
    // Lowest foot point (heels, toes, soles) with the pelvis at the origin; up is -y.
    const low = lowestFoot(model.skel, local, [0, 0, 0], [0, -1, 0]);
    roots.set([0, (options.floorY ?? 1) + low, (options.startZ ?? 5) - (options.stride ?? 0.04) * i], i * 3);
  }
  return { rotations, roots };
}

/** What `fitBodyTrack` reads of a pose track, built from synthetic frames (all found, score 1). */
export function syntheticPoseTrack(model: FitModel, rotations: Float32Array, roots: Float32Array, camera: BodyCamera, rand: () => number, noiseM = 0.005, noisePx = 1.5): PoseTrackInput {
  const frameCount = roots.length / 3;
  const keypoints = new Float32Array(frameCount * 33 * 4);
  const world = new Float32Array(frameCount * 33 * 3);
  for (let i = 0; i < frameCount; i++) {
    const kp = syntheticKeypoints(model, rotations.subarray(i * 96, (i + 1) * 96), vec3At(roots, i), camera, rand, noiseM, noisePx);
    keypoints.set(kp.image, i * 132);
    world.set(kp.world, i * 99);
  }
  return { frameCount, width: camera.width, height: camera.height, found: new Uint8Array(frameCount).fill(1), score: new Float32Array(frameCount).fill(1), keypoints, world };
}

/** Mean distance of the 24 joints of two posed skeletons, each taken relative to its mid-hip (metres): the fit tests' joint error. */
export function hipCentredJointError(a: PosedSkeleton, b: PosedSkeleton): number {
  const ha = mid(vec3At(a.positions, J.left_hip), vec3At(a.positions, J.right_hip));
  const hb = mid(vec3At(b.positions, J.left_hip), vec3At(b.positions, J.right_hip));
  let sum = 0;
  for (let j = 0; j < 24; j++) {
    const pa = vec3At(a.positions, j);
    const pb = vec3At(b.positions, j);
    sum += dist3([pa[0] - ha[0], pa[1] - ha[1], pa[2] - ha[2]], [pb[0] - hb[0], pb[1] - hb[1], pb[2] - hb[2]]);
  }
  return sum / 24;
}
