/**
 * The procedural body mesh: our own geometry, nothing taken from SMPL.
 *
 * The body is seven swept generalized cylinders built in the rest pose (T-pose), each closed at
 * both ends by rounded caps: trunk + neck + head as one tube along the spine, an arm + hand tube per
 * side (shoulder to finger tips, flattened at the hand), a leg tube per side (inside the pelvis down
 * to the ankle) and a foot tube per side (heel to toes). Within a tube, cross-sections are
 * superellipses whose half-widths and centre offsets follow a smooth monotone spline through
 * anatomical keys, so elbows, knees, the neck and the head blend smoothly; limbs and feet enter the
 * trunk / legs with overlapping ends (the joins are hidden inside, not welded).
 *
 * Topology, UVs, skinning weights and parts are computed once on the neutral body and shared by
 * every shape (the tubes are warped through the joints, so a vertex keeps its place between them):
 * a texture made for one shape maps onto any other. Weights are smooth partitions of unity along
 * each tube's bones (a smoothstep across every joint), plus collar, shoulder and hip blends on the
 * trunk; at most 4 influences per vertex.
 */
import { type Vec3, add, clamp, cross, dot, norm, normalize, scale, smoothstep, sub, vec3At } from './math';
import { type BodyShape, NEUTRAL_SHAPE, type RestSkeleton, endSite, restSkeleton } from './shape';
import { J, fromUpFront } from './skeleton';

/** A skinned triangle mesh in body space (x left, y down, z back; metres; rest pose, pelvis at the origin). */
export interface BodyMesh {
  /** n x 3 rest positions. */
  positions: Float32Array;
  /** n x 3 unit normals, outward. */
  normals: Float32Array;
  /** n x 2 texture coordinates in [0, 1]², one non-overlapping chart per tube (see `chartOf`). */
  uvs: Float32Array;
  /** Triangles, counter-clockwise seen from outside (right-hand rule gives the outward normal). */
  indices: Uint32Array;
  /** n x 4 joint indices (0..23). */
  skinIndices: Uint16Array;
  /** n x 4 weights, each row sums to 1, sorted by weight (largest first). */
  skinWeights: Float32Array;
  /** n dominant joint (0..23): the semantic part label of Champ's part map. */
  parts: Uint8Array;
  /** n tube index (see `TUBE_NAMES`). */
  tubes: Uint8Array;
  vertexCount: number;
  triangleCount: number;
}

/** The mesh's tubes, in vertex order (`BodyMesh.tubes` indexes this). */
export const TUBE_NAMES = ['trunk', 'left_arm', 'right_arm', 'left_leg', 'right_leg', 'left_foot', 'right_foot'] as const;
export type TubeName = (typeof TUBE_NAMES)[number];

/** Mesh resolution: segments around and rings along each tube. */
interface Resolution {
  segments: number;
  bodyRings: number;
  capRings: [number, number];
}

const RESOLUTION: Record<TubeName, Resolution> = {
  trunk: { segments: 48, bodyRings: 72, capRings: [6, 8] },
  left_arm: { segments: 24, bodyRings: 56, capRings: [4, 5] },
  right_arm: { segments: 24, bodyRings: 56, capRings: [4, 5] },
  left_leg: { segments: 28, bodyRings: 60, capRings: [4, 4] },
  right_leg: { segments: 28, bodyRings: 60, capRings: [4, 4] },
  left_foot: { segments: 24, bodyRings: 18, capRings: [4, 4] },
  right_foot: { segments: 24, bodyRings: 18, capRings: [4, 4] },
};

/**
 * One cross-section key, for the neutral body. `at`: position along the tube as an anatomical
 * coordinate (trunk: height above the floor; arm: distance from the midline; leg: height; foot:
 * distance in front of the ankle), metres. `a`, `b`: half-widths along the section's two axes
 * (trunk: left-right, front-back; arm: up-down, front-back; leg: left-right, front-back; foot:
 * left-right, up-down). `off`: centre offset as (outward, up, front), metres. `girth`: how much
 * the girth parameter thickens this section (0..1). `width`: which width ratio scales `a`.
 */
interface Key {
  at: number;
  a: number;
  b: number;
  off?: [number, number, number];
  girth: number;
  width?: 'hips' | 'shoulders';
}

const k = (at: number, a: number, b: number, girth: number, off?: [number, number, number], width?: 'hips' | 'shoulders'): Key => ({ at, a, b, girth, off, width });

/** Trunk, neck and head; `at` = height above the floor. */
const TRUNK_KEYS: Key[] = [
  k(0.86, 0.12, 0.09, 0.3, [0, 0, -0.01], 'hips'),
  k(0.9, 0.165, 0.11, 0.3, [0, 0, -0.015], 'hips'),
  k(0.96, 0.17, 0.115, 0.3, [0, 0, -0.01], 'hips'),
  k(1.03, 0.155, 0.1, 0.35, [0, 0, 0], 'hips'),
  k(1.1, 0.14, 0.095, 0.4, [0, 0, 0.005]),
  k(1.2, 0.15, 0.105, 0.3, [0, 0, 0.015]),
  k(1.28, 0.16, 0.11, 0.25, [0, 0, 0.02], 'shoulders'),
  k(1.35, 0.17, 0.1, 0.2, [0, 0, 0.01], 'shoulders'),
  k(1.41, 0.155, 0.075, 0.2, [0, 0, -0.01], 'shoulders'),
  k(1.45, 0.09, 0.06, 0.2, [0, 0, -0.015]),
  k(1.48, 0.055, 0.055, 0.2, [0, 0, -0.01]),
  k(1.52, 0.058, 0.06, 0.15, [0, 0, 0]),
  k(1.55, 0.07, 0.085, 0.05, [0, 0, 0.015]),
  k(1.6, 0.078, 0.1, 0.05, [0, 0, 0.015]),
  k(1.645, 0.072, 0.092, 0.05, [0, 0, 0.01]),
];
const TRUNK_RANGE: [number, number, number, number] = [0.8, 1.7, 0.06, 0.055]; // start, end, start cap, end cap

/** Arm and hand; `at` = distance from the midline. */
const ARM_KEYS: Key[] = [
  k(0.15, 0.055, 0.055, 0.25),
  k(0.18, 0.058, 0.058, 0.25),
  k(0.25, 0.052, 0.05, 0.25),
  k(0.34, 0.045, 0.045, 0.25),
  k(0.46, 0.037, 0.038, 0.2),
  k(0.54, 0.04, 0.042, 0.2),
  k(0.67, 0.03, 0.036, 0.15),
  k(0.71, 0.022, 0.032, 0.1),
  k(0.75, 0.018, 0.042, 0.08),
  k(0.795, 0.015, 0.044, 0.08),
  k(0.85, 0.011, 0.038, 0.05),
  k(0.87, 0.01, 0.034, 0.05),
];
const ARM_RANGE: [number, number, number, number] = [0.11, 0.895, 0.04, 0.025];

/** Leg; `at` = height above the floor (the tube runs downwards). */
const LEG_KEYS: Key[] = [
  k(0.93, 0.085, 0.09, 0.3),
  k(0.9, 0.088, 0.095, 0.3, [0, 0, -0.01]),
  k(0.8, 0.083, 0.088, 0.3),
  k(0.7, 0.075, 0.078, 0.3),
  k(0.58, 0.059, 0.062, 0.25),
  k(0.49, 0.05, 0.052, 0.2),
  k(0.4, 0.05, 0.055, 0.2, [0, 0, -0.01]),
  k(0.3, 0.045, 0.05, 0.2, [0, 0, -0.005]),
  k(0.18, 0.032, 0.034, 0.1),
  k(0.1, 0.03, 0.032, 0.08),
];
const LEG_RANGE: [number, number, number, number] = [0.98, 0.065, 0.05, 0.035];

/** Foot; `at` = distance in front of the ankle; `b` is the half-height; offsets relative to the ankle. */
const FOOT_KEYS: Key[] = [
  k(-0.045, 0.03, 0.04, 0.08, [0, -0.04, 0]),
  k(0, 0.035, 0.05, 0.08, [0, -0.03, 0]),
  k(0.07, 0.042, 0.04, 0.08, [0, -0.04, 0]),
  k(0.13, 0.047, 0.025, 0.08, [0, -0.055, 0]),
  k(0.17, 0.045, 0.018, 0.08, [0, -0.062, 0]),
];
const FOOT_RANGE: [number, number, number, number] = [-0.075, 0.2, 0.03, 0.03];

/** Monotone cubic (Fritsch-Carlson) interpolation through (xs, ys), clamped at the ends. */
function pchip(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let i = 0;
  while (x > xs[i + 1]!) i++;
  const slope = (j: number) => (ys[j + 1]! - ys[j]!) / (xs[j + 1]! - xs[j]!);
  const tangent = (j: number) => {
    if (j === 0) return slope(0);
    if (j === n - 1) return slope(n - 2);
    const d0 = slope(j - 1);
    const d1 = slope(j);
    if (d0 * d1 <= 0) return 0;
    const w0 = 2 * (xs[j + 1]! - xs[j]!) + (xs[j]! - xs[j - 1]!);
    const w1 = (xs[j + 1]! - xs[j]!) + 2 * (xs[j]! - xs[j - 1]!);
    return (w0 + w1) / (w0 / d0 + w1 / d1);
  };
  const h = xs[i + 1]! - xs[i]!;
  const t = (x - xs[i]!) / h;
  const t2 = t * t;
  const t3 = t2 * t;
  return (2 * t3 - 3 * t2 + 1) * ys[i]! + (t3 - 2 * t2 + t) * h * tangent(i) + (-2 * t3 + 3 * t2) * ys[i + 1]! + (t3 - t2) * h * tangent(i + 1);
}

/** Piecewise-linear map through increasing (from, to) pairs, extrapolated with slope `outside`. */
function warp(pairs: ReadonlyArray<readonly [number, number]>, x: number, outside: number): number {
  const n = pairs.length;
  if (x <= pairs[0]![0]) return pairs[0]![1] + (x - pairs[0]![0]) * outside;
  if (x >= pairs[n - 1]![0]) return pairs[n - 1]![1] + (x - pairs[n - 1]![0]) * outside;
  let i = 0;
  while (x > pairs[i + 1]![0]) i++;
  const [x0, y0] = pairs[i]!;
  const [x1, y1] = pairs[i + 1]!;
  return y0 + ((x - x0) / (x1 - x0)) * (y1 - y0);
}

/** Point of a polyline (body space) whose projection on `axis` is `s`, extended along `axis` past the ends. */
function alongPolyline(points: readonly Vec3[], axis: Vec3, s: number): Vec3 {
  const proj = points.map((p) => dot(p, axis));
  if (s <= proj[0]!) return add(points[0]!, scale(axis, s - proj[0]!));
  const last = points.length - 1;
  if (s >= proj[last]!) return add(points[last]!, scale(axis, s - proj[last]!));
  let i = 0;
  while (s > proj[i + 1]!) i++;
  const t = (s - proj[i]!) / (proj[i + 1]! - proj[i]!);
  return add(points[i]!, scale(sub(points[i + 1]!, points[i]!), t));
}

/** Weights of a chain of bones along a tube: bone i spans boundaries [i-1, i]; smoothstep blends of half-width h across each boundary. */
function chainWeights(joints: readonly number[], bounds: readonly number[], halfWidths: readonly number[], s: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  // sigma_i rises 0 -> 1 across boundary i; bone i's weight is sigma_{i-1} - sigma_i, with
  // sigma_{-1} = 1 and sigma_n = 0, so the weights sum to 1 everywhere.
  let before = 1;
  for (let i = 0; i < joints.length; i++) {
    const sigma = i < bounds.length ? smoothstep(bounds[i]! - halfWidths[i]!, bounds[i]! + halfWidths[i]!, s) : 0;
    const w = before - sigma;
    if (w > 1e-6) out.push([joints[i]!, w]);
    before = sigma;
  }
  return out;
}

/** A tube resolved for one shape: everything in body space. */
interface ResolvedTube {
  name: TubeName;
  /** Unit direction of increasing s. */
  axis: Vec3;
  /** Section axes: U, and V = axis x U. */
  u: Vec3;
  v: Vec3;
  s0: number;
  s1: number;
  cap0: number;
  cap1: number;
  /** Superellipse exponent (2: ellipse). */
  exponent: (s: number) => number;
  /** Half-widths along U, V and the section centre at s. */
  section: (s: number) => { a: number; b: number; centre: Vec3 };
  /** Angle of the UV seam (u = 0), radians from U towards V. */
  seam: number;
  weights: (s: number, p: Vec3) => Array<[number, number]>;
}

interface TubeContext {
  skel: RestSkeleton;
  neutral: RestSkeleton;
  shape: BodyShape;
}

/** Section keys scaled for the shape, as arrays over neutral `at`. */
function shapedKeys(keys: readonly Key[], ctx: TubeContext, sign: number) {
  const s = ctx.skel.scale;
  const g = ctx.shape.girth;
  const widthRatio = (key: Key) => (key.width === 'hips' ? ctx.shape.hips : key.width === 'shoulders' ? ctx.shape.shoulders : 1);
  return {
    at: keys.map((key) => key.at),
    a: keys.map((key) => key.a * s * (1 + 0.45 * g * key.girth) * widthRatio(key)),
    b: keys.map((key) => key.b * s * (1 + 0.45 * g * key.girth)),
    off: keys.map((key) => (key.off ? scale(fromUpFront(sign * key.off[0], key.off[1], key.off[2]), s) : ([0, 0, 0] as Vec3))),
  };
}

function makeSection(keys: readonly Key[], ctx: TubeContext, sign: number, toNeutral: (s: number) => number, centreLine: (s: number) => Vec3, u: Vec3, v: Vec3) {
  const sk = shapedKeys(keys, ctx, sign);
  return (s: number) => {
    const at = toNeutral(s);
    const off: Vec3 = [0, 1, 2].map((c) => pchip(sk.at, sk.off.map((o) => o[c]!), at)) as Vec3;
    const c = centreLine(s);
    // Only the in-section part of the offset moves the centre; along the axis it would shift rings.
    return { a: pchip(sk.at, sk.a, at), b: pchip(sk.at, sk.b, at), centre: add(c, add(scale(u, dot(off, u)), scale(v, dot(off, v)))) };
  };
}

const y = (skel: RestSkeleton, j: number) => skel.joints[j * 3 + 1]!;
const heightOf = (skel: RestSkeleton, yBody: number) => skel.pelvisHeight - yBody;

function trunkTube(ctx: TubeContext): ResolvedTube {
  const { skel, neutral } = ctx;
  const axis: Vec3 = [0, -1, 0];
  const u: Vec3 = [1, 0, 0];
  const v = cross(axis, u);
  // s = height above the floor; landmarks map neutral heights to this shape's.
  const marks = [J.left_hip, J.pelvis, J.spine1, J.spine2, J.spine3, J.left_shoulder, J.neck, J.head];
  const pairs: Array<[number, number]> = [[0, 0], ...marks.map((j) => [heightOf(neutral, y(neutral, j)), heightOf(skel, y(skel, j))] as [number, number])];
  pairs.push([heightOf(neutral, endSite(neutral, 'crown')[1]), heightOf(skel, endSite(skel, 'crown')[1])]);
  const inverse = pairs.map(([a, b]) => [b, a] as [number, number]);
  const toShaped = (h: number) => warp(pairs, h, skel.scale);
  const toNeutral = (h: number) => warp(inverse, h, 1 / skel.scale);
  const centreLine = (h: number): Vec3 => [0, skel.pelvisHeight - h, 0];
  const [r0, r1, c0, c1] = TRUNK_RANGE;
  const level = (j: number) => heightOf(skel, y(skel, j));
  const sc = skel.scale;
  const chain = [J.pelvis, J.spine1, J.spine2, J.spine3, J.neck, J.head];
  const bounds = [level(J.spine1), level(J.spine2), level(J.spine3), level(J.neck), level(J.head)];
  const widths = [0.05, 0.05, 0.04, 0.035, 0.03].map((w) => w * sc);
  const shoulderX = Math.abs(skel.joints[J.left_shoulder * 3]!);
  const hipX = Math.abs(skel.joints[J.left_hip * 3]!);
  const hipLevel = level(J.left_hip);
  const pelvisLevel = level(J.pelvis);
  return {
    name: 'trunk',
    axis,
    u,
    v,
    s0: toShaped(r0),
    s1: toShaped(r1),
    cap0: c0 * sc,
    cap1: c1 * sc,
    exponent: (h) => (h < level(J.neck) ? 2.3 : 2),
    section: makeSection(TRUNK_KEYS, ctx, 1, toNeutral, centreLine, u, v),
    seam: Math.PI / 2, // the back
    weights: (h, p) => {
      const w = chainWeights(chain, bounds, widths, h);
      const x = p[0];
      const sideSign = x >= 0 ? 0 : 1;
      // Shoulder region follows the collar (and the shoulder at the far end) so raised arms pull the deltoid.
      const band = smoothstep(level(J.spine3) - 0.08 * sc, level(J.spine3), h) * (1 - smoothstep(level(J.neck), level(J.neck) + 0.04 * sc, h));
      const collar = band * smoothstep(0.3 * shoulderX, 0.75 * shoulderX, Math.abs(x));
      const shoulder = 0.5 * band * smoothstep(0.75 * shoulderX, 1.0 * shoulderX, Math.abs(x));
      // Buttocks and groin follow the thighs in part.
      const hip = 0.6 * (1 - smoothstep(hipLevel, pelvisLevel, h)) * smoothstep(0, 0.7 * hipX, Math.abs(x));
      return mixIn(mixIn(mixIn(w, [J.left_collar, J.right_collar][sideSign]!, collar), [J.left_shoulder, J.right_shoulder][sideSign]!, shoulder), [J.left_hip, J.right_hip][sideSign]!, hip);
    },
  };
}

/** (1 - t) * weights + t * (joint with weight 1). */
function mixIn(w: Array<[number, number]>, joint: number, t: number): Array<[number, number]> {
  if (t <= 0) return w;
  const out = w.map(([j, x]) => [j, x * (1 - t)] as [number, number]);
  const hit = out.find(([j]) => j === joint);
  if (hit) hit[1] += t;
  else out.push([joint, t]);
  return out;
}

function armTube(ctx: TubeContext, left: boolean): ResolvedTube {
  const { skel, neutral } = ctx;
  const sign = left ? 1 : -1;
  const axis: Vec3 = [sign, 0, 0];
  const u: Vec3 = [0, -1, 0];
  const v = cross(axis, u);
  const chainJoints = left ? [J.left_shoulder, J.left_elbow, J.left_wrist, J.left_hand] : [J.right_shoulder, J.right_elbow, J.right_wrist, J.right_hand];
  const tip = left ? 'left_fingertip' : 'right_fingertip';
  const dist = (sk: RestSkeleton, j: number) => sign * sk.joints[j * 3]!;
  const pairs: Array<[number, number]> = [[0, 0], ...chainJoints.map((j) => [dist(neutral, j), dist(skel, j)] as [number, number])];
  pairs.push([sign * endSite(neutral, tip)[0], sign * endSite(skel, tip)[0]]);
  const inverse = pairs.map(([a, b]) => [b, a] as [number, number]);
  const poly = [...chainJoints.map((j) => vec3At(skel.joints, j)), endSite(skel, tip)];
  const sc = skel.scale;
  const [r0, r1, c0, c1] = ARM_RANGE;
  const bounds = chainJoints.map((j) => dist(skel, j));
  const widths = [0.05, 0.04, 0.025, 0.02].map((w) => w * sc);
  const chain = [left ? J.left_collar : J.right_collar, ...chainJoints];
  const handStart = dist(skel, chainJoints[2]!);
  return {
    name: left ? 'left_arm' : 'right_arm',
    axis,
    u,
    v,
    s0: warp(pairs, r0, sc),
    s1: warp(pairs, r1, sc),
    cap0: c0 * sc,
    cap1: c1 * sc,
    exponent: (s) => 2 + 0.6 * smoothstep(handStart, handStart + 0.04 * sc, s),
    section: makeSection(ARM_KEYS, ctx, sign, (s) => warp(inverse, s, 1 / sc), (s) => alongPolyline(poly, axis, s), u, v),
    seam: Math.PI, // underside
    weights: (s) => chainWeights(chain, bounds, widths, s),
  };
}

function legTube(ctx: TubeContext, left: boolean): ResolvedTube {
  const { skel, neutral } = ctx;
  const sign = left ? 1 : -1;
  const axis: Vec3 = [0, 1, 0];
  const u: Vec3 = [1, 0, 0];
  const v = cross(axis, u);
  const chainJoints = left ? [J.left_hip, J.left_knee, J.left_ankle] : [J.right_hip, J.right_knee, J.right_ankle];
  // s = body y (down); keys are heights above the floor.
  const sole = left ? 'left_sole' : 'right_sole';
  const pairs: Array<[number, number]> = [[endSite(neutral, sole)[1], endSite(skel, sole)[1]], ...[...chainJoints].reverse().map((j) => [y(neutral, j), y(skel, j)] as [number, number]), [0, 0]];
  pairs.sort((a, b) => a[0] - b[0]);
  const inverse = pairs.map(([a, b]) => [b, a] as [number, number]);
  const sc = skel.scale;
  const poly = chainJoints.map((j) => vec3At(skel.joints, j));
  const [r0, r1, c0, c1] = LEG_RANGE;
  const toBody = (h: number) => neutral.pelvisHeight - h;
  const bounds = chainJoints.map((j) => y(skel, j));
  const widths = [0.06, 0.05, 0.03].map((w) => w * sc);
  const keys = LEG_KEYS.map((key) => ({ ...key, at: toBody(key.at) }));
  return {
    name: left ? 'left_leg' : 'right_leg',
    axis,
    u,
    v,
    s0: warp(pairs, toBody(r0), sc),
    s1: warp(pairs, toBody(r1), sc),
    cap0: c0 * sc,
    cap1: c1 * sc,
    exponent: () => 2,
    section: makeSection(keys, ctx, sign, (s) => warp(inverse, s, 1 / sc), (s) => alongPolyline(poly, axis, s), u, v),
    seam: left ? Math.PI : 0, // inner side
    weights: (s) => chainWeights([J.pelvis, ...chainJoints], bounds, widths, s),
  };
}

function footTube(ctx: TubeContext, left: boolean): ResolvedTube {
  const { skel, neutral } = ctx;
  const axis: Vec3 = [0, 0, -1];
  const u: Vec3 = [1, 0, 0];
  const v = cross(axis, u);
  const ankle = left ? J.left_ankle : J.right_ankle;
  const foot = left ? J.left_foot : J.right_foot;
  const sc = skel.scale;
  // s = distance in front of the ankle.
  const front = (sk: RestSkeleton, p: Vec3) => -(p[2] - sk.joints[ankle * 3 + 2]!);
  const heel = left ? 'left_heel' : 'right_heel';
  const toe = left ? 'left_toe' : 'right_toe';
  const pairs: Array<[number, number]> = [
    [front(neutral, endSite(neutral, heel)), front(skel, endSite(skel, heel))],
    [0, 0],
    [front(neutral, vec3At(neutral.joints, foot)), front(skel, vec3At(skel.joints, foot))],
    [front(neutral, endSite(neutral, toe)), front(skel, endSite(skel, toe))],
  ];
  const inverse = pairs.map(([a, b]) => [b, a] as [number, number]);
  const a0 = vec3At(skel.joints, ankle);
  const f0 = vec3At(skel.joints, foot);
  // The foot's centre line runs from the ankle towards the ball of the foot, at the ankle's height.
  const poly: Vec3[] = [a0, [f0[0], a0[1], f0[2]]];
  const [r0, r1, c0, c1] = FOOT_RANGE;
  const footS = front(skel, f0);
  return {
    name: left ? 'left_foot' : 'right_foot',
    axis,
    u,
    v,
    s0: dot(a0, axis) + warp(pairs, r0, sc),
    s1: dot(a0, axis) + warp(pairs, r1, sc),
    cap0: c0 * sc,
    cap1: c1 * sc,
    exponent: () => 2.6,
    section: makeSection(FOOT_KEYS, ctx, left ? 1 : -1, (s) => warp(inverse, s - dot(a0, axis), 1 / sc), (s) => alongPolyline(poly, axis, s), u, v),
    seam: -Math.PI / 2, // the sole
    weights: (s) => chainWeights([ankle, foot], [dot(a0, axis) + footS], [0.02 * sc], s),
  };
}

/** Signed power keeping the sign: superellipse coordinate. */
const spow = (x: number, e: number) => Math.sign(x) * Math.abs(x) ** e;

interface TubeGeometry {
  positions: number[];
  /** Per vertex: s along the tube (for weights). */
  along: number[];
  /** Per vertex: (around in [0,1], along in [0,1]) chart coordinates. */
  chart: number[];
  indices: number[];
  /** Groups of vertex indices (local) that share a position: seams and poles. */
  twins: number[][];
  /** Mean circumference and meridian length, metres (chart size). */
  size: [number, number];
}

/** Sweeps one tube: rings of `segments + 1` vertices (seam duplicated) and a pole vertex per segment at each end. */
function sweep(t: ResolvedTube, res: Resolution): TubeGeometry {
  const { segments, bodyRings, capRings } = res;
  const rings: Array<{ s: number; at: number; radius: number }> = [];
  for (let i = 1; i < capRings[0]; i++) {
    const phi = (i / capRings[0]) * (Math.PI / 2);
    rings.push({ s: t.s0 + t.cap0 * (1 - Math.cos(phi)), at: t.s0 + t.cap0, radius: Math.sin(phi) });
  }
  for (let i = 0; i < bodyRings; i++) {
    const s = t.s0 + t.cap0 + ((t.s1 - t.cap1 - t.s0 - t.cap0) * i) / (bodyRings - 1);
    rings.push({ s, at: s, radius: 1 });
  }
  for (let i = capRings[1] - 1; i >= 1; i--) {
    const phi = (i / capRings[1]) * (Math.PI / 2);
    rings.push({ s: t.s1 - t.cap1 * (1 - Math.cos(phi)), at: t.s1 - t.cap1, radius: Math.sin(phi) });
  }
  const positions: number[] = [];
  const along: number[] = [];
  const chart: number[] = [];
  const indices: number[] = [];
  const twins: number[][] = [];
  const ringPoints: Vec3[][] = rings.map((r) => {
    const sec = t.section(r.at);
    const e = 2 / t.exponent(r.at);
    // Caps keep the section of the ring where they start, moved along the axis and shrunk.
    const c = add(sec.centre, scale(t.axis, r.s - r.at));
    return Array.from({ length: segments + 1 }, (_, j) => {
      const th = t.seam + (2 * Math.PI * j) / segments;
      return add(c, add(scale(t.u, sec.a * r.radius * spow(Math.cos(th), e)), scale(t.v, sec.b * r.radius * spow(Math.sin(th), e))));
    });
  });
  const pole0 = add(t.section(t.s0 + t.cap0).centre, scale(t.axis, -t.cap0));
  const pole1 = add(t.section(t.s1 - t.cap1).centre, scale(t.axis, t.cap1));
  // Meridian length through the rings (for v) and circumference (chart width).
  const meridian = [0];
  let prev = pole0;
  const mids = ringPoints.map((pts) => pts[Math.floor(segments / 4)]!);
  for (const p of mids) {
    meridian.push(meridian.at(-1)! + norm(sub(p, prev)));
    prev = p;
  }
  meridian.push(meridian.at(-1)! + norm(sub(pole1, prev)));
  const total = meridian.at(-1)!;
  let circumference = 0;
  for (const pts of ringPoints) {
    let c = 0;
    for (let j = 0; j < segments; j++) c += norm(sub(pts[j + 1]!, pts[j]!));
    circumference = Math.max(circumference, c);
  }
  const poleStart = positions.length / 3;
  for (let j = 0; j < segments; j++) {
    positions.push(...pole0);
    along.push(t.s0);
    chart.push((j + 0.5) / segments, 0);
  }
  const ringStart = positions.length / 3;
  ringPoints.forEach((pts, i) => {
    pts.forEach((p, j) => {
      positions.push(...p);
      along.push(rings[i]!.s);
      chart.push(j / segments, meridian[i + 1]! / total);
    });
  });
  const poleEnd = positions.length / 3;
  for (let j = 0; j < segments; j++) {
    positions.push(...pole1);
    along.push(t.s1);
    chart.push((j + 0.5) / segments, 1);
  }
  const ring = (i: number, j: number) => ringStart + i * (segments + 1) + j;
  for (let j = 0; j < segments; j++) indices.push(poleStart + j, ring(0, j + 1), ring(0, j));
  for (let i = 0; i + 1 < rings.length; i++) {
    for (let j = 0; j < segments; j++) {
      indices.push(ring(i, j), ring(i, j + 1), ring(i + 1, j));
      indices.push(ring(i, j + 1), ring(i + 1, j + 1), ring(i + 1, j));
    }
  }
  const last = rings.length - 1;
  for (let j = 0; j < segments; j++) indices.push(ring(last, j), ring(last, j + 1), poleEnd + j);
  twins.push(Array.from({ length: segments }, (_, j) => poleStart + j));
  twins.push(Array.from({ length: segments }, (_, j) => poleEnd + j));
  for (let i = 0; i < rings.length; i++) twins.push([ring(i, 0), ring(i, segments)]);
  return { positions, along, chart, indices, twins, size: [circumference, total] };
}

/** A chart's rectangle in the texture: origin and size in [0, 1]². */
export interface Chart {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Packs rectangles (metres) into the unit square as shelves of decreasing height, at the largest
 * uniform texel density that fits with `pad` between charts.
 */
export function packCharts(sizes: ReadonlyArray<readonly [number, number]>, pad = 0.004): Chart[] {
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b]![1] - sizes[a]![1]);
  const tryPack = (density: number): Chart[] | null => {
    const out: Chart[] = new Array(sizes.length);
    let x = pad;
    let y = pad;
    let shelf = 0;
    for (const i of order) {
      const w = sizes[i]![0] * density;
      const h = sizes[i]![1] * density;
      if (x + w + pad > 1) {
        x = pad;
        y += shelf + pad;
        shelf = 0;
      }
      if (x + w + pad > 1 || y + h + pad > 1) return null;
      out[i] = { x, y, w, h };
      x += w + pad;
      shelf = Math.max(shelf, h);
    }
    return out;
  };
  let lo = 0;
  let hi = 10;
  for (let it = 0; it < 40; it++) {
    const m = (lo + hi) / 2;
    if (tryPack(m)) lo = m;
    else hi = m;
  }
  return tryPack(lo)!;
}

function resolveTubes(ctx: TubeContext): ResolvedTube[] {
  return [trunkTube(ctx), armTube(ctx, true), armTube(ctx, false), legTube(ctx, true), legTube(ctx, false), footTube(ctx, true), footTube(ctx, false)];
}

/** What every shape shares, computed once on the neutral body: UV layout, skinning and parts. */
interface Template {
  charts: Chart[];
  uvs: Float32Array;
  skinIndices: Uint16Array;
  skinWeights: Float32Array;
  parts: Uint8Array;
  tubes: Uint8Array;
}

let template: Template | null = null;

function neutralTemplate(): Template {
  if (template) return template;
  const neutral = restSkeleton(NEUTRAL_SHAPE);
  const tubes = resolveTubes({ skel: neutral, neutral, shape: neutral.shape });
  const geos = tubes.map((t) => sweep(t, RESOLUTION[t.name]));
  const charts = packCharts(geos.map((g) => g.size));
  const n = geos.reduce((sum, g) => sum + g.positions.length / 3, 0);
  const out: Template = { charts, uvs: new Float32Array(n * 2), skinIndices: new Uint16Array(n * 4), skinWeights: new Float32Array(n * 4), parts: new Uint8Array(n), tubes: new Uint8Array(n) };
  let base = 0;
  geos.forEach((g, ti) => {
    const c = charts[ti]!;
    for (let i = 0; i < g.positions.length / 3; i++) {
      const v = base + i;
      // Clamped inside the chart so bilinear sampling never reads a neighbour.
      out.uvs[v * 2] = c.x + clamp(g.chart[i * 2]!, 0, 1) * c.w;
      out.uvs[v * 2 + 1] = c.y + clamp(g.chart[i * 2 + 1]!, 0, 1) * c.h;
      const w = topFour(tubes[ti]!.weights(g.along[i]!, vec3At(g.positions, i)));
      w.forEach(([j, x], slot) => {
        out.skinIndices[v * 4 + slot] = j;
        out.skinWeights[v * 4 + slot] = x;
      });
      out.parts[v] = w[0]![0];
      out.tubes[v] = ti;
    }
    base += g.positions.length / 3;
  });
  template = out;
  return out;
}

/** UV charts of the tubes (in TUBE_NAMES order), laid out once from the neutral body so every shape shares them. */
export function uvCharts(): Chart[] {
  return neutralTemplate().charts.map((c) => ({ ...c }));
}

/** Keeps the 4 largest weights and renormalises them to sum to 1. */
function topFour(w: Array<[number, number]>): Array<[number, number]> {
  const merged = new Map<number, number>();
  for (const [j, x] of w) merged.set(j, (merged.get(j) ?? 0) + x);
  const top = [...merged.entries()].filter(([, x]) => x > 0).sort((a, b) => b[1] - a[1]).slice(0, 4);
  const sum = top.reduce((s, [, x]) => s + x, 0);
  return top.map(([j, x]) => [j, x / sum]);
}

/**
 * Builds the body mesh for a shape (default: neutral), in the rest pose, body space, pelvis at the
 * origin. About 12.6k vertices and 25k triangles; the same topology for every shape.
 */
export function buildBodyMesh(shape: Readonly<BodyShape> = NEUTRAL_SHAPE): BodyMesh {
  const skel = restSkeleton(shape);
  const neutral = restSkeleton(NEUTRAL_SHAPE);
  const geos = resolveTubes({ skel, neutral, shape: skel.shape }).map((t) => sweep(t, RESOLUTION[t.name]));
  const t = neutralTemplate();
  const n = t.parts.length;
  const positions = new Float32Array(n * 3);
  const indices = new Uint32Array(geos.reduce((sum, g) => sum + g.indices.length, 0));
  const twins: number[][] = [];
  let base = 0;
  let ib = 0;
  for (const g of geos) {
    positions.set(g.positions, base * 3);
    for (const idx of g.indices) indices[ib++] = idx + base;
    for (const group of g.twins) twins.push(group.map((i) => i + base));
    base += g.positions.length / 3;
  }
  return {
    positions,
    normals: vertexNormals(positions, indices, twins),
    uvs: t.uvs.slice(),
    indices,
    skinIndices: t.skinIndices.slice(),
    skinWeights: t.skinWeights.slice(),
    parts: t.parts.slice(),
    tubes: t.tubes.slice(),
    vertexCount: n,
    triangleCount: indices.length / 3,
  };
}

/** Area-weighted vertex normals; vertices in one `twins` group (seams, poles) share theirs. */
export function vertexNormals(positions: Float32Array, indices: Uint32Array, twins: readonly number[][] = []): Float32Array {
  const acc = new Float64Array(positions.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = vec3At(positions, indices[t]!);
    const b = vec3At(positions, indices[t + 1]!);
    const c = vec3At(positions, indices[t + 2]!);
    const f = cross(sub(b, a), sub(c, a)); // length = 2 * area
    for (let k = 0; k < 3; k++) for (let d = 0; d < 3; d++) acc[indices[t + k]! * 3 + d]! += f[d]!;
  }
  for (const group of twins) {
    const s: Vec3 = [0, 0, 0];
    for (const i of group) for (let d = 0; d < 3; d++) s[d]! += acc[i * 3 + d]!;
    for (const i of group) for (let d = 0; d < 3; d++) acc[i * 3 + d] = s[d]!;
  }
  const out = new Float32Array(positions.length);
  for (let i = 0; i < positions.length / 3; i++) out.set(normalize([acc[i * 3]!, acc[i * 3 + 1]!, acc[i * 3 + 2]!], [0, 1, 0]), i * 3);
  return out;
}

/** The tube a vertex belongs to, by name. */
export const tubeName = (mesh: BodyMesh, vertex: number): TubeName => TUBE_NAMES[mesh.tubes[vertex]!]!;
