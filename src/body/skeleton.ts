/**
 * The SMPL-topology skeleton: 24 joints (names, order and parents as SMPL), the rest geometry of a
 * neutral adult (our own anthropometric numbers, not SMPL's), and joint limits for fitting.
 *
 * Body space (used by the whole module): metres, right-handed, **x = the body's left, y = down,
 * z = the body's back**, origin at the pelvis joint in the rest pose. With the identity root
 * rotation a body placed in front of an OpenCV-like camera (x right, y down, z forward) stands
 * upright and faces the camera, so camera space and body space share axes; BlazePose's world
 * keypoints (x right, y down, z away from the camera, origin between the hips) use the same axes.
 *
 * Rest pose: T-pose (arms horizontal along ±x, palms down, legs straight, feet forward), every
 * joint's local rotation the identity, so each joint's rest frame is aligned with body space.
 * A joint's local rotation rotates the bones below it about the joint, expressed in its parent's
 * frame: global(j) = global(parent) * local(j), position(j) = position(parent) + global(parent) * offset(j).
 */
import { DEG, type Quat, type Vec3, clamp, qFromRotVec, qMul, qNormalize, qConj, qToRotVec } from './math';

/** SMPL joint names, in SMPL order. */
export const JOINT_NAMES = [
  'pelvis',
  'left_hip',
  'right_hip',
  'spine1',
  'left_knee',
  'right_knee',
  'spine2',
  'left_ankle',
  'right_ankle',
  'spine3',
  'left_foot',
  'right_foot',
  'neck',
  'left_collar',
  'right_collar',
  'head',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hand',
  'right_hand',
] as const;

export type JointName = (typeof JOINT_NAMES)[number];
/** Number of joints (SMPL's 24). */
export const JOINT_COUNT = 24;

/** Index of a joint by name. */
export const J = Object.fromEntries(JOINT_NAMES.map((n, i) => [n, i])) as Record<JointName, number>;

/** Parent of each joint (-1 for the pelvis, the root); parents come before their children. */
export const PARENTS: readonly number[] = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21];

/** The joint on the other side of the body (itself for the spine, neck and head). */
export const MIRROR: readonly number[] = [0, 2, 1, 3, 5, 4, 6, 8, 7, 9, 11, 10, 12, 14, 13, 15, 17, 16, 19, 18, 21, 20, 23, 22];

/**
 * Converts intuitive "anatomical" coordinates (x = left, y = up, z = front; metres) to body space
 * (x = left, y = down, z = back). Used to write the neutral numbers readably.
 */
export const fromUpFront = (x: number, up: number, front: number): Vec3 => [x, -up, -front];

/**
 * How a rest vector scales with the body shape (see shape.ts): which length ratio applies to
 * which component.
 */
export type ScaleTag = 'hip' | 'spine' | 'collar' | 'shoulder' | 'arm' | 'leg' | 'foot' | 'head';

/**
 * Neutral rest positions of the joints for a 1.70 m adult standing on y_up = 0, in anatomical
 * coordinates (x left, y up, z front). Proportions follow common anthropometric tables (stature
 * fractions): hip joint 0.53 H, knee 0.29 H, ankle 0.05 H, shoulder 0.82 H.
 */
const NEUTRAL_UP_FRONT: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0.975, 0], // pelvis (SMPL's pelvis sits above the hip joints)
  [0.085, 0.905, -0.005], // left hip
  [-0.085, 0.905, -0.005], // right hip
  [0, 1.085, -0.02], // spine1 (lumbar)
  [0.09, 0.49, 0.005], // left knee
  [-0.09, 0.49, 0.005], // right knee
  [0, 1.215, -0.01], // spine2 (lower thorax)
  [0.09, 0.08, -0.03], // left ankle
  [-0.09, 0.08, -0.03], // right ankle
  [0, 1.27, -0.005], // spine3 (upper thorax)
  [0.1, 0.025, 0.1], // left foot (ball of the foot)
  [-0.1, 0.025, 0.1], // right foot
  [0, 1.465, -0.025], // neck (base of the neck)
  [0.075, 1.38, -0.01], // left collar
  [-0.075, 1.38, -0.01], // right collar
  [0, 1.555, 0], // head (skull base, between the ears)
  [0.18, 1.4, -0.02], // left shoulder
  [-0.18, 1.4, -0.02], // right shoulder
  [0.46, 1.4, -0.025], // left elbow
  [-0.46, 1.4, -0.025], // right elbow
  [0.71, 1.4, -0.02], // left wrist
  [-0.71, 1.4, -0.02], // right wrist
  [0.795, 1.395, -0.02], // left hand (knuckles)
  [-0.795, 1.395, -0.02], // right hand
];

/** Scale tag of each joint's offset from its parent. */
export const OFFSET_TAGS: readonly ScaleTag[] = [
  'spine', 'hip', 'hip', 'spine', 'leg', 'leg', 'spine', 'leg', 'leg', 'spine', 'foot', 'foot',
  'spine', 'collar', 'collar', 'head', 'shoulder', 'shoulder', 'arm', 'arm', 'arm', 'arm', 'arm', 'arm',
];

/** Neutral offsets of each joint from its parent, body space, metres (pelvis: its rest position above the floor's origin is not used; 0). */
export const NEUTRAL_OFFSETS: Float32Array = (() => {
  const out = new Float32Array(JOINT_COUNT * 3);
  for (let j = 1; j < JOINT_COUNT; j++) {
    const p = NEUTRAL_UP_FRONT[j]!;
    const q = NEUTRAL_UP_FRONT[PARENTS[j]!]!;
    out.set(fromUpFront(p[0] - q[0], p[1] - q[1], p[2] - q[2]), j * 3);
  }
  return out;
})();

/** Height of the neutral pelvis joint above the floor, metres. */
export const NEUTRAL_PELVIS_HEIGHT = NEUTRAL_UP_FRONT[0]![1];

/**
 * End sites: points beyond the leaf joints that the mesh and the shape need (crown, finger tips,
 * toe tips, heels, soles). `joint` is the joint they move with; offsets are body space at rest.
 */
export interface EndSite {
  joint: number;
  offset: Vec3;
  tag: ScaleTag;
}

/** Names of the end sites, in `NEUTRAL_END_SITES` / `RestSkeleton.endSites` order. */
export const END_SITE_NAMES = ['crown', 'left_fingertip', 'right_fingertip', 'left_toe', 'right_toe', 'left_heel', 'right_heel', 'left_sole', 'right_sole'] as const;
export type EndSiteName = (typeof END_SITE_NAMES)[number];

const side = (left: EndSite): [EndSite, EndSite] => [left, { joint: MIRROR[left.joint]!, offset: [-left.offset[0], left.offset[1], left.offset[2]], tag: left.tag }];

/** Neutral end sites, in the order of END_SITE_NAMES. */
export const NEUTRAL_END_SITES: readonly EndSite[] = [
  { joint: J.head, offset: fromUpFront(0, 0.145, -0.01), tag: 'head' },
  ...side({ joint: J.left_hand, offset: fromUpFront(0.1, -0.005, 0), tag: 'arm' }),
  // Toe tip, heel and sole hang off the ankle so that they do not depend on the toe joint.
  ...side({ joint: J.left_ankle, offset: fromUpFront(0.015, -0.07, 0.205), tag: 'foot' }),
  ...side({ joint: J.left_ankle, offset: fromUpFront(0, -0.06, -0.065), tag: 'foot' }),
  ...side({ joint: J.left_ankle, offset: fromUpFront(0, -0.08, 0), tag: 'foot' }),
];

/**
 * Joint limits as swing-twist boxes. A local rotation q is split into q = swing * twist, with the
 * twist about the body-space axis `twistAxis` (the rest direction of the bone the joint drives) and
 * the swing about an axis perpendicular to it. `min`/`max` are per body-space axis, radians: for the
 * twist axis they bound the twist angle; for the two others they bound that component of the swing's
 * rotation vector (a box in swing space). Expressed in the parent's frame.
 */
export interface JointLimit {
  twistAxis: 0 | 1 | 2;
  min: Vec3;
  max: Vec3;
}

const lim = (twistAxis: 0 | 1 | 2, x: [number, number], y: [number, number], z: [number, number]): JointLimit => ({
  twistAxis,
  min: [x[0] * DEG, y[0] * DEG, z[0] * DEG],
  max: [x[1] * DEG, y[1] * DEG, z[1] * DEG],
});

/** Mirror of a limit across the sagittal plane: rotation vectors (rx, ry, rz) become (rx, -ry, -rz). */
const mirrorLimit = (l: JointLimit): JointLimit => ({
  twistAxis: l.twistAxis,
  min: [l.min[0], -l.max[1], -l.max[2]],
  max: [l.max[0], -l.min[1], -l.min[2]],
});

const FREE = lim(1, [-180, 180], [-180, 180], [-180, 180]);

/**
 * Limits for the left side and the midline, in degrees, body axes (x left, y down, z back).
 * Signs: +x swings a downward bone backwards (knee flexion; hip flexion is -x); for the left arm
 * (along +x) -z raises it, +z lowers it, +y swings it forwards (elbow flexion is +y); for the foot
 * (along -z) -x lifts the toes (dorsiflexion).
 */
const LEFT_AND_MID: Partial<Record<number, JointLimit>> = {
  [J.pelvis]: FREE,
  [J.left_hip]: lim(1, [-125, 30], [-40, 40], [-50, 25]),
  [J.spine1]: lim(1, [-20, 45], [-15, 15], [-20, 20]),
  [J.left_knee]: lim(1, [0, 150], [-15, 15], [-5, 5]),
  [J.spine2]: lim(1, [-15, 30], [-20, 20], [-15, 15]),
  [J.left_ankle]: lim(2, [-30, 50], [-25, 25], [-25, 25]),
  [J.spine3]: lim(1, [-10, 20], [-20, 20], [-10, 10]),
  [J.left_foot]: lim(2, [-40, 20], [-5, 5], [-5, 5]),
  [J.neck]: lim(1, [-40, 50], [-50, 50], [-35, 35]),
  [J.left_collar]: lim(0, [-10, 10], [-15, 25], [-30, 10]),
  [J.head]: lim(1, [-40, 40], [-50, 50], [-30, 30]),
  [J.left_shoulder]: lim(0, [-90, 90], [-45, 130], [-95, 95]),
  [J.left_elbow]: lim(0, [-80, 80], [0, 150], [-5, 5]),
  [J.left_wrist]: lim(0, [-40, 40], [-35, 20], [-70, 80]),
  [J.left_hand]: lim(0, [-5, 5], [-5, 5], [-10, 90]),
};

/** Limits of all 24 joints (index = joint). */
export const JOINT_LIMITS: readonly JointLimit[] = Array.from({ length: JOINT_COUNT }, (_, j) => {
  const own = LEFT_AND_MID[j];
  if (own) return own;
  return mirrorLimit(LEFT_AND_MID[MIRROR[j]!]!);
});

/** Splits q = swing * twist, with the twist about the unit body axis `axis`. Returns [swing, twist]. */
export function swingTwist(q: Readonly<Quat>, axis: 0 | 1 | 2): [Quat, Quat] {
  const v = q[axis]!;
  const twist: Quat = [0, 0, 0, q[3]];
  twist[axis] = v;
  const t = Math.hypot(v, q[3]) > 1e-9 ? qNormalize(twist) : ([0, 0, 0, 1] as Quat);
  return [qMul(q, qConj(t)), t];
}

/** Twist angle (radians, in (-pi, pi]) of a twist quaternion about `axis`. */
const twistAngle = (t: Readonly<Quat>, axis: 0 | 1 | 2): number => {
  const a = 2 * Math.atan2(t[axis]!, t[3]);
  return a > Math.PI ? a - 2 * Math.PI : a < -Math.PI ? a + 2 * Math.PI : a;
};

/** The swing-twist components of a local rotation: rotation-vector components, radians, per body axis (the twist axis holds the twist angle). */
export function limitComponents(q: Readonly<Quat>, limit: JointLimit): Vec3 {
  const [swing, twist] = swingTwist(q, limit.twistAxis);
  const s = qToRotVec(swing);
  s[limit.twistAxis] = twistAngle(twist, limit.twistAxis);
  return s;
}

/** Local rotation from swing-twist components (inverse of `limitComponents`). */
export function fromLimitComponents(c: Readonly<Vec3>, twistAxis: 0 | 1 | 2): Quat {
  const s: Vec3 = [c[0], c[1], c[2]];
  const axis: Vec3 = [0, 0, 0];
  axis[twistAxis] = 1;
  const angle = s[twistAxis];
  s[twistAxis] = 0;
  return qMul(qFromRotVec(s), qFromRotVec([axis[0] * angle, axis[1] * angle, axis[2] * angle]));
}

/** Clamps a local rotation to its joint's limits (swing and twist boxes). */
export function clampToLimit(q: Readonly<Quat>, limit: JointLimit): Quat {
  const c = limitComponents(q, limit);
  const clamped: Vec3 = [clamp(c[0], limit.min[0], limit.max[0]), clamp(c[1], limit.min[1], limit.max[1]), clamp(c[2], limit.min[2], limit.max[2])];
  if (clamped[0] === c[0] && clamped[1] === c[1] && clamped[2] === c[2]) return [q[0], q[1], q[2], q[3]];
  return fromLimitComponents(clamped, limit.twistAxis);
}

/** Children of each joint. */
export const CHILDREN: readonly number[][] = Array.from({ length: JOINT_COUNT }, (_, j) => PARENTS.flatMap((p, c) => (p === j ? [c] : [])));

/** True when `a` is `j` or one of its descendants. */
export function isDescendant(a: number, j: number): boolean {
  for (let k = a; k >= 0; k = PARENTS[k]!) if (k === j) return true;
  return false;
}
