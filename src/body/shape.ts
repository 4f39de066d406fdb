/**
 * Body shape: stature, proportions and girth, and the rest skeleton they produce.
 *
 * A shape scales the neutral skeleton (skeleton.ts) in two steps: the length ratios stretch the
 * offsets of their body parts, then one uniform factor brings the stature (sole to crown) to
 * `height`. So a ratio changes proportions, never the stature. Girth only thickens the mesh.
 */
import { type Vec3, add, norm, sub, vec3At } from './math';
import { END_SITE_NAMES, JOINT_COUNT, NEUTRAL_END_SITES, NEUTRAL_OFFSETS, OFFSET_TAGS, PARENTS, type EndSite, type EndSiteName, type ScaleTag, J } from './skeleton';

/**
 * The neutral rest geometry a shape scales: each joint's offset from its parent and the end sites,
 * body space, metres. The built-in body's comes from skeleton.ts; a loaded SMPL model brings its
 * own (see body-model.ts). Shapes are always relative to their template's neutral.
 */
export interface SkeletonTemplate {
  /** 24 x 3 neutral offsets of each joint from its parent (pelvis: 0). */
  offsets: Float32Array;
  /** Neutral end sites, in END_SITE_NAMES order. */
  endSites: readonly EndSite[];
}

/** The built-in body's skeleton template. */
export const BUILTIN_SKELETON: Readonly<SkeletonTemplate> = Object.freeze({ offsets: NEUTRAL_OFFSETS, endSites: NEUTRAL_END_SITES });

/** Body shape parameters. All ratios are 1 for the neutral body. */
export interface BodyShape {
  /** Stature, sole to crown in the rest pose, metres. Neutral 1.70. */
  height: number;
  /** Leg length (hip to ankle) relative to the neutral proportions. */
  legs: number;
  /** Arm length (shoulder to finger tips). */
  arms: number;
  /** Trunk length (hips to shoulders, vertical). */
  torso: number;
  /** Neck length and head size. */
  neckHead: number;
  /** Shoulder width (between the shoulder joints). */
  shoulders: number;
  /** Hip width (between the hip joints). */
  hips: number;
  /** Thickness: -1 thin, 0 neutral, +1 heavy (mesh only). */
  girth: number;
}

/** The neutral adult: 1.70 m, all ratios 1, girth 0. */
export const NEUTRAL_SHAPE: Readonly<BodyShape> = Object.freeze({ height: 1.7, legs: 1, arms: 1, torso: 1, neckHead: 1, shoulders: 1, hips: 1, girth: 0 });

/** Accepted range of each shape parameter; `validateShape` clamps into it. */
export const SHAPE_RANGES: Readonly<Record<keyof BodyShape, readonly [number, number]>> = {
  height: [0.5, 2.5],
  legs: [0.7, 1.4],
  arms: [0.7, 1.4],
  torso: [0.7, 1.4],
  neckHead: [0.6, 1.6],
  shoulders: [0.6, 1.6],
  hips: [0.6, 1.8],
  girth: [-1, 1],
};

/** A copy of `shape` with every parameter clamped into SHAPE_RANGES (NaN becomes neutral). */
export function validateShape(shape: Readonly<BodyShape>): BodyShape {
  const out = { ...NEUTRAL_SHAPE };
  for (const key of Object.keys(SHAPE_RANGES) as Array<keyof BodyShape>) {
    const [lo, hi] = SHAPE_RANGES[key];
    const v = shape[key];
    out[key] = Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : NEUTRAL_SHAPE[key];
  }
  return out;
}

/** The rest skeleton of one shape. All vectors in body space (x left, y down, z back), metres. */
export interface RestSkeleton {
  shape: BodyShape;
  /** The neutral geometry the shape scales. */
  template: Readonly<SkeletonTemplate>;
  /** 24 x 3 offset of each joint from its parent (pelvis: 0). */
  offsets: Float32Array;
  /** 24 x 3 rest joint positions, pelvis at the origin. */
  joints: Float32Array;
  /** End sites (crown, finger tips, toes, heels, soles): offsets from their joint, in END_SITE_NAMES order. */
  endSites: ReadonlyArray<{ joint: number; offset: Vec3 }>;
  /** Rest positions of the end sites, pelvis at the origin. */
  endPositions: Float32Array;
  /** Uniform factor applied after the ratios (1 for the neutral body). */
  scale: number;
  /** Height of the pelvis joint above the soles at rest, metres. */
  pelvisHeight: number;
}

/** Applies the ratios of `shape` to a rest vector with the given tag (before the uniform scale). */
export function scaleByTag(v: Readonly<Vec3>, tag: ScaleTag, s: Readonly<BodyShape>): Vec3 {
  switch (tag) {
    case 'hip':
      return [v[0] * s.hips, v[1] * s.torso, v[2]];
    case 'spine':
      return [v[0], v[1] * s.torso, v[2] * s.torso];
    case 'collar':
      return [v[0] * s.shoulders, v[1] * s.torso, v[2]];
    case 'shoulder':
      return [v[0] * s.shoulders, v[1], v[2]];
    case 'arm':
      return [v[0] * s.arms, v[1] * s.arms, v[2] * s.arms];
    case 'leg':
      return [v[0] * s.legs, v[1] * s.legs, v[2] * s.legs];
    case 'foot':
      return [v[0], v[1], v[2]];
    case 'head':
      return [v[0] * s.neckHead, v[1] * s.neckHead, v[2] * s.neckHead];
  }
}

/** Joint positions from offsets (pelvis at the origin). */
function restPositions(offsets: Float32Array): Float32Array {
  const out = new Float32Array(JOINT_COUNT * 3);
  for (let j = 1; j < JOINT_COUNT; j++) {
    const p = PARENTS[j]! * 3;
    for (let k = 0; k < 3; k++) out[j * 3 + k] = out[p + k]! + offsets[j * 3 + k]!;
  }
  return out;
}

const SOLE_L = END_SITE_NAMES.indexOf('left_sole');
const SOLE_R = END_SITE_NAMES.indexOf('right_sole');
const CROWN = END_SITE_NAMES.indexOf('crown');

/** Builds the rest skeleton of a shape (clamped into SHAPE_RANGES) on a template (default: the built-in body's). */
export function restSkeleton(shapeIn: Readonly<BodyShape> = NEUTRAL_SHAPE, template: Readonly<SkeletonTemplate> = BUILTIN_SKELETON): RestSkeleton {
  const shape = validateShape(shapeIn);
  const offsets = new Float32Array(JOINT_COUNT * 3);
  for (let j = 1; j < JOINT_COUNT; j++) offsets.set(scaleByTag(vec3At(template.offsets, j), OFFSET_TAGS[j]!, shape), j * 3);
  const ends = template.endSites.map((e) => ({ joint: e.joint, offset: scaleByTag(e.offset, e.tag, shape) }));
  // Stature before the uniform scale: crown to the lower sole (y is down).
  const joints0 = restPositions(offsets);
  const endY = (i: number) => joints0[ends[i]!.joint * 3 + 1]! + ends[i]!.offset[1];
  const stature = Math.max(endY(SOLE_L), endY(SOLE_R)) - endY(CROWN);
  const scale = shape.height / stature;
  for (let i = 0; i < offsets.length; i++) offsets[i]! *= scale;
  const endSites = ends.map((e) => ({ joint: e.joint, offset: [e.offset[0] * scale, e.offset[1] * scale, e.offset[2] * scale] as Vec3 }));
  const joints = restPositions(offsets);
  const endPositions = new Float32Array(endSites.length * 3);
  endSites.forEach((e, i) => endPositions.set(add(vec3At(joints, e.joint), e.offset), i * 3));
  const pelvisHeight = Math.max(endPositions[SOLE_L * 3 + 1]!, endPositions[SOLE_R * 3 + 1]!);
  return { shape, template, offsets, joints, endSites, endPositions, scale, pelvisHeight };
}

/** Rest position of a named end site. */
export function endSite(skel: RestSkeleton, name: EndSiteName): Vec3 {
  return vec3At(skel.endPositions, END_SITE_NAMES.indexOf(name));
}

/** Length of the bone from joint `j`'s parent to `j`, metres. */
export const boneLength = (skel: RestSkeleton, j: number): number => norm(vec3At(skel.offsets, j));

/** Leg length (hip to knee to ankle, mean of both sides), metres; the scale used to retarget root motion. */
export function legLength(skel: RestSkeleton): number {
  return (boneLength(skel, J.left_knee) + boneLength(skel, J.left_ankle) + boneLength(skel, J.right_knee) + boneLength(skel, J.right_ankle)) / 2;
}

/** Distance between two rest joints, metres. */
export const jointDistance = (skel: RestSkeleton, a: number, b: number): number => norm(sub(vec3At(skel.joints, a), vec3At(skel.joints, b)));
