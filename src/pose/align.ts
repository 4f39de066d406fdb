import { toWholeBody, WHOLEBODY_KEYPOINTS } from './layouts';
import { trackFrame, type PoseTrack } from './track';

/**
 * 2D alignment of the motion clip's skeleton onto the reference person (MimicMotion's pose
 * alignment, simplified to one uniform scale and an offset for the whole clip): the motion person
 * is scaled to the reference person's height and placed where the reference person stands; from
 * there the motion's own trajectory (scaled) carries over. Pixels: motion clip in, reference clip out.
 */
export interface Similarity2D {
  scale: number;
  tx: number;
  ty: number;
}

// OpenPose-18 indices.
const NECK = 1;
const R_HIP = 8;
const L_HIP = 11;
const R_ANKLE = 10;
const L_ANKLE = 13;
const MIN_SCORE = 0.3;

const median = (v: number[]) => {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

interface BodyStats {
  /** Neck to ankle-midpoint (or 2.1 × neck to hip-midpoint), pixels. */
  height: number;
  /** Hip midpoint x, pixels. */
  x: number;
  /** Ankle midpoint y (or the height-based estimate of it), pixels. */
  feetY: number;
}

function stats(op: Float32Array): BodyStats | null {
  const p = (i: number) => (op[i * 3 + 2]! >= MIN_SCORE ? { x: op[i * 3]!, y: op[i * 3 + 1]! } : null);
  const neck = p(NECK);
  const hips = [p(R_HIP), p(L_HIP)].filter((v): v is { x: number; y: number } => v !== null);
  const ankles = [p(R_ANKLE), p(L_ANKLE)].filter((v): v is { x: number; y: number } => v !== null);
  if (!neck || hips.length === 0) return null;
  const hip = { x: hips.reduce((s, h) => s + h.x, 0) / hips.length, y: hips.reduce((s, h) => s + h.y, 0) / hips.length };
  // Without feet the torso length stands in: neck-to-ankle is about 2.1 torso lengths in adults.
  const torso = Math.hypot(hip.x - neck.x, hip.y - neck.y);
  if (ankles.length === 2) {
    const feetY = (ankles[0]!.y + ankles[1]!.y) / 2;
    return { height: Math.max(feetY - neck.y, torso), x: hip.x, feetY };
  }
  return { height: 2.1 * torso, x: hip.x, feetY: neck.y + 2.1 * torso };
}

/** Per-frame body stats of a track, over frames where the person was found. */
function trackStats(track: PoseTrack, frames: Iterable<number>): BodyStats[] {
  const out: BodyStats[] = [];
  const op = new Float32Array(WHOLEBODY_KEYPOINTS * 3);
  for (const i of frames) {
    if (i < 0 || i >= track.frameCount || !track.found[i]) continue;
    const s = stats(toWholeBody(trackFrame(track, i), op).subarray(0, 18 * 3));
    if (s) out.push(s);
  }
  return out;
}

/**
 * The transform that puts the motion person onto the reference person: scale from the median
 * body heights, x from the hip positions and y from the feet, both at the start of each range.
 * Returns the identity when either clip has no usable pose.
 */
export function alignMotionToReference(
  motion: PoseTrack,
  reference: PoseTrack,
  motionFrames: number[],
  referenceFrames: number[],
): Similarity2D {
  const m = trackStats(motion, motionFrames);
  const r = trackStats(reference, referenceFrames);
  if (m.length === 0 || r.length === 0) return { scale: 1, tx: 0, ty: 0 };
  const scale = median(r.map((s) => s.height)) / median(m.map((s) => s.height));
  // Anchor on the first few usable frames so the motion's own trajectory carries over from there.
  const head = (v: BodyStats[]) => v.slice(0, Math.min(v.length, 5));
  const mx = median(head(m).map((s) => s.x));
  const my = median(head(m).map((s) => s.feetY));
  const rx = median(head(r).map((s) => s.x));
  const ry = median(head(r).map((s) => s.feetY));
  return { scale, tx: rx - scale * mx, ty: ry - scale * my };
}

/** Applies a similarity to (x, y, score) triples, in place on a copy. */
export function applySimilarity(keypoints: Float32Array, t: Similarity2D): Float32Array {
  const out = keypoints.slice();
  for (let i = 0; i < out.length; i += 3) {
    out[i] = t.scale * out[i]! + t.tx;
    out[i + 1] = t.scale * out[i + 1]! + t.ty;
  }
  return out;
}

/** Composes `outer ∘ inner`. */
export function composeSimilarity(outer: Similarity2D, inner: Similarity2D): Similarity2D {
  return { scale: outer.scale * inner.scale, tx: outer.scale * inner.tx + outer.tx, ty: outer.scale * inner.ty + outer.ty };
}

/**
 * The crop of a `width`×`height` frame that fills an output of aspect `aspect` (w/h), centred
 * on `centreX` where possible, and the similarity from frame pixels to output pixels of size
 * outW×outH.
 */
export function coverCrop(width: number, height: number, outW: number, outH: number, centreX = width / 2): { crop: { x: number; y: number; w: number; h: number }; toOutput: Similarity2D } {
  const aspect = outW / outH;
  let w = width;
  let h = width / aspect;
  if (h > height) {
    h = height;
    w = height * aspect;
  }
  const x = Math.min(Math.max(0, centreX - w / 2), width - w);
  const y = (height - h) / 2;
  const scale = outW / w;
  return { crop: { x, y, w, h }, toOutput: { scale, tx: -x * scale, ty: -y * scale } };
}
