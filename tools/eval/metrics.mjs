// Pure metric functions of the evaluation harness (EVALUATION.md). No I/O: images are packed RGB
// (rgb24, row-major, 3 bytes a pixel) as ffmpeg decodes them; boxes are {x0, y0, x1, y1} in pixels
// with x1/y1 exclusive; keypoints are flat (x, y, visibility) triples in pixels.

/** PSNR of identical images is infinite; averages and the report cap it here (dB). */
export const PSNR_CAP = 100;

/** COCO-17 keypoints from BlazePose-33, in COCO order (mirrors COCO17_FROM_BLAZEPOSE in src/pose/layouts.ts). */
export const COCO17_FROM_BLAZEPOSE = [0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28];

/** Indices (COCO-17) of the left shoulder and the right hip: the torso diameter, as src/pose/metrics.ts. */
export const COCO_TORSO = [5, 12];

const clampBox = (box, w, h) => {
  const x0 = Math.max(0, Math.min(w, Math.floor(box.x0)));
  const y0 = Math.max(0, Math.min(h, Math.floor(box.y0)));
  const x1 = Math.max(x0, Math.min(w, Math.ceil(box.x1)));
  const y1 = Math.max(y0, Math.min(h, Math.ceil(box.y1)));
  return { x0, y0, x1, y1 };
};

function checkImages(a, b, w, h) {
  if (a.length !== w * h * 3 || b.length !== w * h * 3) {
    throw new RangeError(`images must be ${w}x${h} rgb24 (${w * h * 3} bytes); got ${a.length} and ${b.length}`);
  }
}

/**
 * Sums of squared and absolute differences over the RGB channels of the pixels selected by `box`
 * (default: the whole frame) and, when given, `mask` (1 = counts; w*h bytes).
 */
function diffSums(a, b, w, h, { box, mask } = {}) {
  checkImages(a, b, w, h);
  const r = box ? clampBox(box, w, h) : { x0: 0, y0: 0, x1: w, y1: h };
  let sq = 0;
  let abs = 0;
  let n = 0;
  for (let y = r.y0; y < r.y1; y++) {
    for (let x = r.x0; x < r.x1; x++) {
      const p = y * w + x;
      if (mask && !mask[p]) continue;
      for (let c = 0; c < 3; c++) {
        const d = a[p * 3 + c] - b[p * 3 + c];
        sq += d * d;
        abs += d < 0 ? -d : d;
      }
      n += 3;
    }
  }
  return { sq, abs, n };
}

/** Mean squared error over RGB in 8-bit units; NaN when no pixel counts. */
export function mse(a, b, w, h, region = {}) {
  const { sq, n } = diffSums(a, b, w, h, region);
  return n ? sq / n : NaN;
}

/** PSNR (dB) over RGB with peak 255; Infinity for identical pixels, NaN when no pixel counts. */
export function psnr(a, b, w, h, region = {}) {
  const m = mse(a, b, w, h, region);
  if (Number.isNaN(m)) return NaN;
  return m === 0 ? Infinity : 10 * Math.log10((255 * 255) / m);
}

/** Mean absolute error over RGB, with pixel values scaled to [0, 1]; NaN when no pixel counts. */
export function l1(a, b, w, h, region = {}) {
  const { abs, n } = diffSums(a, b, w, h, region);
  return n ? abs / n / 255 : NaN;
}

/** Luma (BT.601: 0.299 R + 0.587 G + 0.114 B) of an rgb24 image, as Float32Array in [0, 255]. */
export function luma(rgb, w, h) {
  const y = new Float32Array(w * h);
  for (let p = 0; p < w * h; p++) y[p] = 0.299 * rgb[p * 3] + 0.587 * rgb[p * 3 + 1] + 0.114 * rgb[p * 3 + 2];
  return y;
}

/** Normalised 1D Gaussian of `size` taps. */
function gaussian(size, sigma) {
  const k = new Float64Array(size);
  const c = (size - 1) / 2;
  let s = 0;
  for (let i = 0; i < size; i++) s += k[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) k[i] /= s;
  return k;
}

/** 'Valid' separable filtering of a w x h plane: (w-size+1) x (h-size+1). */
function filterValid(src, w, h, k) {
  const size = k.length;
  const ow = w - size + 1;
  const oh = h - size + 1;
  const tmp = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < size; i++) s += k[i] * src[y * w + x + i];
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < size; i++) s += k[i] * tmp[(y + i) * ow + x];
      out[y * ow + x] = s;
    }
  }
  return out;
}

/**
 * The SSIM map of two luma planes (Wang, Bovik, Sheikh & Simoncelli 2004): an 11x11 Gaussian
 * window with sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255, over every window that lies wholly inside
 * the image ('valid'). Entry (x, y) of the map is the window centred on pixel (x + r, y + r),
 * r = `radius`. Images smaller than the window use a window as large as the image's shorter side.
 */
export function ssimMap(a, b, w, h, { window = 11, sigma = 1.5, L = 255 } = {}) {
  if (a.length !== w * h || b.length !== w * h) throw new RangeError(`luma planes must be ${w}x${h}`);
  let size = Math.min(window, w, h);
  if (size % 2 === 0) size -= 1;
  const k = gaussian(size, sigma);
  const c1 = (0.01 * L) ** 2;
  const c2 = (0.03 * L) ** 2;
  const n = w * h;
  const aa = new Float64Array(n);
  const bb = new Float64Array(n);
  const ab = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    aa[i] = a[i] * a[i];
    bb[i] = b[i] * b[i];
    ab[i] = a[i] * b[i];
  }
  const muA = filterValid(a, w, h, k);
  const muB = filterValid(b, w, h, k);
  const sAA = filterValid(aa, w, h, k);
  const sBB = filterValid(bb, w, h, k);
  const sAB = filterValid(ab, w, h, k);
  const map = new Float64Array(muA.length);
  for (let i = 0; i < map.length; i++) {
    const ma = muA[i];
    const mb = muB[i];
    const va = sAA[i] - ma * ma;
    const vb = sBB[i] - mb * mb;
    const cov = sAB[i] - ma * mb;
    map[i] = ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
  }
  return { map, width: w - size + 1, height: h - size + 1, radius: (size - 1) / 2 };
}

/** Mean SSIM of two luma planes, over the windows centred inside `box` when given; NaN when none. */
export function ssim(a, b, w, h, { box, ...options } = {}) {
  return meanSsim(ssimMap(a, b, w, h, options), box);
}

/** Mean of an ssimMap result over the windows centred inside `box` (image pixels), or all of it. */
export function meanSsim({ map, width, height, radius }, box) {
  let x0 = 0;
  let y0 = 0;
  let x1 = width;
  let y1 = height;
  if (box) {
    x0 = Math.max(0, Math.floor(box.x0) - radius);
    y0 = Math.max(0, Math.floor(box.y0) - radius);
    x1 = Math.min(width, Math.ceil(box.x1) - radius);
    y1 = Math.min(height, Math.ceil(box.y1) - radius);
  }
  let s = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    s += map[y * width + x];
    n++;
  }
  return n ? s / n : NaN;
}

/**
 * The box of the keypoints with visibility > `minVis` (flat x, y, v triples), padded on every side
 * by `pad` times its width/height and clamped to the w x h frame; null when fewer than 2 count.
 */
export function poseBox(kps, w, h, { minVis = 0.5, pad = 0.1 } = {}) {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let n = 0;
  for (let i = 0; i + 2 < kps.length; i += 3) {
    if (!(kps[i + 2] > minVis)) continue;
    x0 = Math.min(x0, kps[i]);
    x1 = Math.max(x1, kps[i]);
    y0 = Math.min(y0, kps[i + 1]);
    y1 = Math.max(y1, kps[i + 1]);
    n++;
  }
  if (n < 2) return null;
  const px = (x1 - x0) * pad;
  const py = (y1 - y0) * pad;
  const box = clampBox({ x0: x0 - px, y0: y0 - py, x1: x1 + px, y1: y1 + py }, w, h);
  return box.x1 > box.x0 && box.y1 > box.y0 ? box : null;
}

/** Smallest box holding both (either may be null). */
export function unionBox(a, b) {
  if (!a) return b ?? null;
  if (!b) return a;
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

/** A w*h mask (1 = counts) of the pixels outside every box in `boxes` (nulls are skipped). */
export function outsideBoxesMask(w, h, boxes) {
  const mask = new Uint8Array(w * h).fill(1);
  for (const b of boxes) {
    if (!b) continue;
    const r = clampBox(b, w, h);
    for (let y = r.y0; y < r.y1; y++) mask.fill(0, y * w + r.x0, y * w + r.x1);
  }
  return mask;
}

/**
 * COCO-17 (x, y, v) triples of frame `frame` of a BlazePose track (33 x (x, y, z, visibility)
 * per frame), scaled by (sx, sy) into another frame size.
 */
export function cocoFromTrack(keypoints, frame, sx = 1, sy = 1) {
  return cocoFromTriples(triplesFromTrack(keypoints, frame, sx, sy));
}

/** The 17 COCO points of a BlazePose pose given as 33 (x, y, v) triples. */
export function cocoFromTriples(triples) {
  const out = new Float64Array(17 * 3);
  COCO17_FROM_BLAZEPOSE.forEach((j, i) => out.set([triples[j * 3], triples[j * 3 + 1], triples[j * 3 + 2]], i * 3));
  return out;
}

/** COCO left and right hip. */
const COCO_HIPS = [11, 12];

/**
 * `gt` (COCO-17 triples) moved so that its mid-hip lies on `pred`'s: the comparison of a pose
 * with no common frame (another person in another video), whatever the placement. `pred` null
 * leaves `gt` as it is.
 */
export function rootAligned(gt, pred) {
  if (!pred) return gt;
  const [a, b] = COCO_HIPS;
  const dx = (pred[a * 3] + pred[b * 3] - gt[a * 3] - gt[b * 3]) / 2;
  const dy = (pred[a * 3 + 1] + pred[b * 3 + 1] - gt[a * 3 + 1] - gt[b * 3 + 1]) / 2;
  const out = Float64Array.from(gt);
  for (let i = 0; i * 3 < out.length; i++) {
    out[i * 3] += dx;
    out[i * 3 + 1] += dy;
  }
  return out;
}

/** All 33 BlazePose keypoints of frame `frame` as (x, y, v) triples, scaled by (sx, sy). */
export function triplesFromTrack(keypoints, frame, sx = 1, sy = 1) {
  const out = new Float64Array(33 * 3);
  for (let j = 0; j < 33; j++) {
    const o = (frame * 33 + j) * 4;
    out[j * 3] = keypoints[o] * sx;
    out[j * 3 + 1] = keypoints[o + 1] * sy;
    out[j * 3 + 2] = keypoints[o + 3];
  }
  return out;
}

/** BlazePose shoulders and hips: their mean is where a user would click to pick the person. */
const TORSO_33 = [11, 12, 23, 24];

/**
 * The centre of the torso of a BlazePose frame (33 x, y, v triples): the mean of the shoulders and
 * hips with visibility > minVis; null when fewer than two are seen.
 */
export function torsoCentre(kps, minVis = 0.5) {
  const seen = TORSO_33.filter((j) => kps[j * 3 + 2] > minVis);
  if (seen.length < 2) return null;
  return { x: seen.reduce((s, j) => s + kps[j * 3], 0) / seen.length, y: seen.reduce((s, j) => s + kps[j * 3 + 1], 0) / seen.length };
}

/** Torso diameter (left shoulder to right hip, COCO-17 triples) when both have visibility > minVis, else null. */
export function torsoSize(gt, minVis = 0.5) {
  const [a, b] = COCO_TORSO;
  if (!(gt[a * 3 + 2] > minVis && gt[b * 3 + 2] > minVis)) return null;
  const d = Math.hypot(gt[a * 3] - gt[b * 3], gt[a * 3 + 1] - gt[b * 3 + 1]);
  return d > 0 ? d : null;
}

/**
 * Pose agreement of one frame: over the ground-truth keypoints with visibility > `minVis`, how many
 * predictions lie within alpha x `refLength` (for each alpha), and the sum of their distances.
 * `pred` null (no person found) counts every keypoint as wrong and adds nothing to the distance sum.
 */
export function poseAgreement(pred, gt, refLength, { alphas = [0.1, 0.2], minVis = 0.5 } = {}) {
  if (pred && pred.length !== gt.length) throw new RangeError('pred and gt must have the same layout');
  const correct = alphas.map(() => 0);
  let total = 0;
  let distSum = 0;
  let distCount = 0;
  for (let i = 0; i * 3 < gt.length; i++) {
    if (!(gt[i * 3 + 2] > minVis)) continue;
    total++;
    if (!pred) continue;
    const d = Math.hypot(pred[i * 3] - gt[i * 3], pred[i * 3 + 1] - gt[i * 3 + 1]);
    distSum += d;
    distCount++;
    alphas.forEach((a, k) => {
      if (d <= a * refLength) correct[k]++;
    });
  }
  return { total, correct, distSum, distCount };
}

/** Sums poseAgreement results: PCK per alpha (micro-average) and the mean distance in pixels. */
export function sumAgreement(results, alphas = [0.1, 0.2]) {
  const total = results.reduce((s, r) => s + r.total, 0);
  const correct = alphas.map((_, k) => results.reduce((s, r) => s + r.correct[k], 0));
  const distSum = results.reduce((s, r) => s + r.distSum, 0);
  const distCount = results.reduce((s, r) => s + r.distCount, 0);
  return {
    keypoints: total,
    pck: Object.fromEntries(alphas.map((a, k) => [String(a), total ? correct[k] / total : NaN])),
    meanErrorPx: distCount ? distSum / distCount : NaN,
    matched: distCount,
  };
}

/**
 * Mean absolute difference between consecutive frames (RGB, 8-bit units) inside `boxes[k]`, the
 * region for the pair (k, k+1); a null box skips that pair. NaN when no pair counts.
 */
export function temporalDifference(frames, w, h, boxes = null) {
  let s = 0;
  let n = 0;
  for (let k = 0; k + 1 < frames.length; k++) {
    const box = boxes ? boxes[k] : undefined;
    if (boxes && !box) continue;
    const { abs, n: m } = diffSums(frames[k], frames[k + 1], w, h, { box });
    s += abs;
    n += m;
  }
  return n ? s / n : NaN;
}

/**
 * Temporal stability: the consecutive-frame difference of `frames` over that of `truth` (same
 * regions); 1.0 = as stable as the real video, above 1 = more flicker. NaN when undefined.
 */
export function temporalStability(frames, truth, w, h, boxes = null, truthBoxes = boxes) {
  const a = temporalDifference(frames, w, h, boxes);
  const b = temporalDifference(truth, w, h, truthBoxes);
  return b > 0 ? a / b : NaN;
}

/** Mean of the finite numbers in `values` after capping at `cap`; NaN when none. */
export function mean(values, cap = Infinity) {
  let s = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isNaN(v) || v === undefined || v === null) continue;
    s += Math.min(v, cap);
    n++;
  }
  return n ? s / n : NaN;
}

/** The index of the frame shown at time t: the last timestamp <= t (src/media/timeline.ts frameIndexAt). */
export function frameIndexAt(timestamps, t) {
  const n = timestamps.length;
  if (n === 0) return -1;
  const target = t + 1e-6;
  if (target < timestamps[0]) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (timestamps[mid] <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
