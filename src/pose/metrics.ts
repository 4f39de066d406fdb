/**
 * Keypoint accuracy metrics over (x, y, score) triples in pixels.
 *
 * PCK@α: the share of ground-truth keypoints whose prediction lies within α × a reference length
 * of the ground truth. Here the reference length is the person's **torso diameter**, the distance
 * from the left shoulder to the right hip, as in Human3.6M / MPII-style PCK; when either of those
 * two ground-truth keypoints is missing, it is the longer side of the person's box (for COCO the
 * annotated bbox). State which one a number used when reporting it.
 *
 * Only ground-truth keypoints with score ≥ `minGtScore` count ("visible"); for COCO pass the
 * visibility flag v as the score (v = 1 labelled but occluded, v = 2 visible). A prediction is
 * used wherever it is, whatever its own score: a keypoint the model misses counts as wrong.
 */

export interface PckResult {
  /** Keypoints within the threshold. */
  correct: number;
  /** Keypoints that counted. */
  total: number;
  /** correct / total; NaN when nothing counted. */
  value: number;
}

export interface ErrorResult {
  /** Sum of Euclidean errors, in pixels. */
  sum: number;
  count: number;
  /** sum / count, in pixels; NaN when nothing counted. */
  mean: number;
}

function checkPair(pred: Float32Array, gt: Float32Array): number {
  if (pred.length !== gt.length || gt.length % 3 !== 0) {
    throw new RangeError(`pred and gt must be (x, y, score) triples of the same length; got ${pred.length} and ${gt.length}.`);
  }
  return gt.length / 3;
}

/** Distance between point `i` of `a` and `b`, in pixels. */
function dist(a: Float32Array, b: Float32Array, i: number): number {
  return Math.hypot(a[i * 3]! - b[i * 3]!, a[i * 3 + 1]! - b[i * 3 + 1]!);
}

/** PCK@`alpha` of `refLength` (pixels) over the keypoints of `gt` with score ≥ `minGtScore`. */
export function pck(pred: Float32Array, gt: Float32Array, refLength: number, alpha = 0.2, minGtScore = 1): PckResult {
  const n = checkPair(pred, gt);
  if (!(refLength > 0)) throw new RangeError(`refLength must be a positive length in pixels; got ${refLength}.`);
  const threshold = alpha * refLength;
  let correct = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(gt[i * 3 + 2]! >= minGtScore)) continue;
    total++;
    if (dist(pred, gt, i) <= threshold) correct++;
  }
  return { correct, total, value: total ? correct / total : NaN };
}

/** Mean Euclidean keypoint error in pixels over the keypoints of `gt` with score ≥ `minGtScore`. */
export function meanKeypointError(pred: Float32Array, gt: Float32Array, minGtScore = 1): ErrorResult {
  const n = checkPair(pred, gt);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!(gt[i * 3 + 2]! >= minGtScore)) continue;
    sum += dist(pred, gt, i);
    count++;
  }
  return { sum, count, mean: count ? sum / count : NaN };
}

/** Sums PCK results (micro-average over all keypoints). */
export function sumPck(results: readonly PckResult[]): PckResult {
  const correct = results.reduce((s, r) => s + r.correct, 0);
  const total = results.reduce((s, r) => s + r.total, 0);
  return { correct, total, value: total ? correct / total : NaN };
}

/** Indices of the left shoulder and right hip per layout. */
export const TORSO_POINTS = {
  coco17: [5, 12],
  openpose18: [5, 8],
} as const;

/**
 * Torso diameter (left shoulder to right hip) of ground-truth triples in `layout`, in pixels; null
 * when either keypoint has score < `minGtScore`.
 */
export function torsoDiameter(gt: Float32Array, layout: keyof typeof TORSO_POINTS, minGtScore = 1): number | null {
  const [a, b] = TORSO_POINTS[layout];
  if (!(gt[a * 3 + 2]! >= minGtScore && gt[b * 3 + 2]! >= minGtScore)) return null;
  const d = Math.hypot(gt[a * 3]! - gt[b * 3]!, gt[a * 3 + 1]! - gt[b * 3 + 1]!);
  return d > 0 ? d : null;
}

/**
 * The PCK reference length for a ground-truth person: the torso diameter when both its keypoints
 * count, else the longer side of `box` (pixels).
 */
export function pckReferenceLength(gt: Float32Array, layout: keyof typeof TORSO_POINTS, box: { w: number; h: number }, minGtScore = 1): { length: number; source: 'torso' | 'box' } {
  const torso = torsoDiameter(gt, layout, minGtScore);
  return torso !== null ? { length: torso, source: 'torso' } : { length: Math.max(box.w, box.h), source: 'box' };
}
