/**
 * Global camera motion between two frames of a clip, for handheld footage: a 3×3 matrix that maps
 * pixels of one frame onto another, estimated from the background only (the person's region is
 * left out).
 *
 * Algorithm (coarse to fine over a grey-level pyramid):
 * 1. Pyramid: luma, then 2×2 box averages; a level pixel is "valid" when none of the full-resolution
 *    pixels under it belongs to the person (alpha > 0).
 * 2. Coarsest level (longer side ≤ 128 px): exhaustive search of the integer translation that
 *    minimises the mean absolute difference over pixels valid in both frames (global brightness
 *    removed), refined to sub-pixel by a parabola.
 * 3. Each finer level down to `finestMaxSide`: textured blocks of the source frame (Shi–Tomasi
 *    score) are matched around the position the current estimate predicts, by the sum of absolute
 *    differences of mean-removed blocks (robust to exposure changes), with a parabolic sub-pixel
 *    peak; the motion model is fitted to the matches with RANSAC and refitted on its inliers.
 *    With the homography model, a similarity is fitted too and kept unless the homography explains
 *    clearly more (matches bunched in a few places make a homography extrapolate badly).
 * 4. Static cameras come out exactly as the identity: when the matches the model explains barely
 *    move (median displacement ≤ `identityTolerance`).
 *
 * GPU notes: the pyramid (per pixel), the coarse translation search (one invocation per shift,
 * a reduction over pixels) and the block matching (one workgroup per block, one invocation per
 * candidate offset) are all WGSL-shaped; RANSAC over a few hundred matches stays on the CPU.
 */
import {
  apply3,
  cornerDistance3,
  fitHomography,
  fitSimilarity,
  fitTranslation,
  identity3,
  translation3,
  type Correspondences,
  type Mat3,
} from './mat3';

/** The motion model fitted between two frames. */
export type MotionModel = 'translation' | 'similarity' | 'homography';

export interface MotionOptions {
  /** Default 'homography' (a rotating or zooming camera; planar scenes); 'similarity' is stiffer. */
  model?: MotionModel;
  /** Largest camera shift to search, as a fraction of the frame's longer side. Default 0.12. */
  maxShift?: number;
  /** Median match displacement, in pixels, below which a near-identity motion snaps to the identity. Default 0.25. */
  identityTolerance?: number;
  /** RANSAC hypotheses per level. Default 200. */
  iterations?: number;
  /** Finest level matched: the first whose longer side is ≤ this many pixels. Default 800. */
  finestMaxSide?: number;
  /**
   * A prediction of the motion (e.g. chained from neighbouring frames): replaces the coarse
   * translation search; block matching starts from it.
   */
  initial?: Mat3;
}

/** One pyramid level: luma (0-255) and a validity flag per pixel. */
export interface MotionLevel {
  width: number;
  height: number;
  /** Frame pixels per level pixel (2^level). */
  scale: number;
  gray: Float32Array;
  /** 1 where the pixel is background in the frame (no person under it). */
  valid: Uint8Array;
}

/** What `estimateMotion` needs of one frame; build it once per frame with `motionFrame`. */
export interface MotionFrame {
  width: number;
  height: number;
  /** Levels from the finest kept (index 0) to the coarsest. */
  levels: MotionLevel[];
}

export interface MotionEstimate {
  /** Maps pixels of the `from` frame to pixels of the `to` frame (continuous pixel coordinates). */
  matrix: Mat3;
  /** In [0, 1]: share of matches that agree, scaled down when there are few. 0 when the estimate fell back to the coarse translation or the identity. */
  confidence: number;
  /** Block matches at the finest level, and how many the model explains. */
  matches: number;
  inliers: number;
  /** Median distance of the inliers to the model, in frame pixels. */
  residual: number;
  /** True when the estimate was snapped to the identity (a static camera). */
  identity: boolean;
  /**
   * True when the background has too little texture to measure motion (a plain studio wall): the
   * matrix is then the identity, and a small camera motion would not show on such a background.
   */
  flat: boolean;
}

const COARSEST_MAX_SIDE = 128;
/** Fewer textured background blocks than this at every level: the frame is "flat". */
const MIN_TEXTURED_BLOCKS = 12;
const BLOCK = 11;
const HALF = 5;

/**
 * Builds the pyramid of an RGBA frame for motion estimation. `alpha` (width × height, person alpha
 * from `personMask`, 0 = background) marks the pixels to ignore; null when there is no person.
 */
export function motionFrame(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, alpha: Uint8Array | null, options: Pick<MotionOptions, 'finestMaxSide'> = {}): MotionFrame {
  if (rgba.length !== width * height * 4) throw new RangeError(`rgba must hold width x height x 4 = ${width * height * 4} bytes; got ${rgba.length}.`);
  if (alpha && alpha.length !== width * height) throw new RangeError(`alpha must hold width x height = ${width * height} bytes; got ${alpha.length}.`);
  const finestMaxSide = options.finestMaxSide ?? 800;
  // Level 0: luma and validity (per pixel).
  let level: MotionLevel = { width, height, scale: 1, gray: new Float32Array(width * height), valid: new Uint8Array(width * height) };
  for (let p = 0, o = 0; p < width * height; p++, o += 4) {
    level.gray[p] = 0.299 * rgba[o]! + 0.587 * rgba[o + 1]! + 0.114 * rgba[o + 2]!;
    level.valid[p] = alpha && alpha[p]! > 0 ? 0 : 1;
  }
  const levels: MotionLevel[] = [];
  for (;;) {
    if (Math.max(level.width, level.height) <= finestMaxSide || levels.length > 0) levels.push(level);
    if (Math.max(level.width, level.height) <= COARSEST_MAX_SIDE || level.width < 16 || level.height < 16) break;
    level = downsample(level);
  }
  return { width, height, levels };
}

/** 2×2 box average; a pixel is valid when its four children are. Per-pixel pass. */
function downsample(src: MotionLevel): MotionLevel {
  const w = src.width >> 1;
  const h = src.height >> 1;
  const gray = new Float32Array(w * h);
  const valid = new Uint8Array(w * h);
  const sw = src.width;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = 2 * y * sw + 2 * x;
      gray[y * w + x] = 0.25 * (src.gray[a]! + src.gray[a + 1]! + src.gray[a + sw]! + src.gray[a + sw + 1]!);
      valid[y * w + x] = src.valid[a]! & src.valid[a + 1]! & src.valid[a + sw]! & src.valid[a + sw + 1]!;
    }
  }
  return { width: w, height: h, scale: src.scale * 2, gray, valid };
}

/** Small deterministic PRNG (xorshift32), so that estimates are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * The camera motion from frame `from` to frame `to`: `matrix` maps a pixel of `from` to where the
 * same scene point is in `to`. Both frames must have the same size.
 */
export function estimateMotion(to: MotionFrame, from: MotionFrame, options: MotionOptions = {}): MotionEstimate {
  if (to.width !== from.width || to.height !== from.height || to.levels.length !== from.levels.length) {
    throw new RangeError(`Both frames must have the same size; got ${from.width}x${from.height} and ${to.width}x${to.height}.`);
  }
  const model = options.model ?? 'homography';
  const maxShift = options.maxShift ?? 0.12;
  const identityTolerance = options.identityTolerance ?? 0.25;
  const iterations = options.iterations ?? 200;
  const { width, height } = to;
  const top = to.levels.length - 1;

  // 2. Coarse translation (or the caller's prediction).
  const lt = to.levels[top]!;
  const lf = from.levels[top]!;
  let matrix: Mat3;
  if (options.initial) {
    matrix = Float64Array.from(options.initial);
  } else {
    const radius = Math.max(2, Math.ceil((maxShift * Math.max(width, height)) / lt.scale));
    const shift = coarseTranslation(lt, lf, radius);
    matrix = shift ? translation3(shift.dx * lt.scale, shift.dy * lt.scale) : identity3();
  }
  const fallback: MotionEstimate = { matrix, confidence: 0, matches: 0, inliers: 0, residual: NaN, identity: false, flat: false };

  // 3. Block matching and RANSAC, level by level.
  let last: { c: Correspondences; inliers: Int32Array; residual: number } | null = null;
  const random = rng(0x5eed);
  let textured = 0;
  for (let l = Math.max(0, top - 1); l >= 0; l--) {
    const a = to.levels[l]!;
    const b = from.levels[l]!;
    const search = l === top - 1 || top === 0 ? 4 : 2;
    const { c, blocks } = matchBlocks(a, b, matrix, search);
    textured = Math.max(textured, blocks);
    const minimal = model === 'translation' ? 1 : model === 'similarity' ? 2 : 4;
    if (c.count < Math.max(6, 2 * minimal)) continue;
    const threshold = Math.max(0.75, 1.0 * a.scale);
    let fit = ransac(c, model, threshold, iterations, random, width, height);
    if (fit && model === 'homography') {
      // A homography fitted to matches bunched in a few places extrapolates badly: keep it only
      // when it explains clearly more than a similarity does.
      const sim = ransac(c, 'similarity', threshold, iterations, random, width, height);
      if (sim && !(fit.inliers.length > 1.05 * sim.inliers.length || fit.residual < 0.8 * sim.residual)) fit = sim;
    }
    if (!fit) continue;
    matrix = fit.matrix;
    last = { c, inliers: fit.inliers, residual: fit.residual };
  }
  if (!last && textured < MIN_TEXTURED_BLOCKS) return { ...fallback, matrix: identity3(), flat: true };
  if (!last) {
    fallback.matrix = matrix;
    return maybeIdentity(fallback, null, width, height, identityTolerance);
  }
  const confidence = (last.inliers.length / last.c.count) * Math.min(1, last.inliers.length / 24);
  const estimate: MotionEstimate = { matrix, confidence, matches: last.c.count, inliers: last.inliers.length, residual: last.residual, identity: false, flat: false };
  return maybeIdentity(estimate, last, width, height, identityTolerance);
}

/**
 * Snaps a near-identity estimate to the exact identity (step 4): when the matches the model
 * explains barely move (median displacement ≤ `tolerance`, 80th percentile ≤ 2 × `tolerance`), or,
 * without matches, when the estimate moves no frame corner by more than `tolerance`.
 */
function maybeIdentity(
  e: MotionEstimate,
  last: { c: Correspondences; inliers: Int32Array } | null,
  width: number,
  height: number,
  tolerance: number,
): MotionEstimate {
  const id = identity3();
  if (last) {
    const d: number[] = [];
    for (const i of last.inliers) d.push(Math.hypot(last.c.to[2 * i]! - last.c.from[2 * i]!, last.c.to[2 * i + 1]! - last.c.from[2 * i + 1]!));
    d.sort((a, b) => a - b);
    if (median(d) > tolerance || d[Math.floor(0.8 * (d.length - 1))]! > 2 * tolerance) return e;
  } else if (cornerDistance3(e.matrix, id, width, height) > tolerance) {
    return e;
  }
  return { ...e, matrix: id, identity: true };
}

function median(v: number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

/**
 * Integer shift (dx, dy) of `from` onto `to` (to(x + dx) ≈ from(x)) minimising the mean absolute
 * difference over pixels valid in both, with brightness means removed; sub-pixel by parabola.
 * Null when the frames do not overlap enough.
 */
function coarseTranslation(to: MotionLevel, from: MotionLevel, radius: number): { dx: number; dy: number } | null {
  const { width: w, height: h } = to;
  const meanOf = (l: MotionLevel) => {
    let s = 0;
    let n = 0;
    for (let p = 0; p < w * h; p++) {
      if (l.valid[p]) {
        s += l.gray[p]!;
        n++;
      }
    }
    return n ? s / n : 0;
  };
  const offset = meanOf(to) - meanOf(from);
  const side = 2 * radius + 1;
  const cost = new Float64Array(side * side).fill(Infinity);
  const minOverlap = 0.25 * w * h;
  let best = -1;
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      let s = 0;
      let n = 0;
      const y0 = Math.max(0, -dy);
      const y1 = Math.min(h, h - dy);
      const x0 = Math.max(0, -dx);
      const x1 = Math.min(w, w - dx);
      for (let y = y0; y < y1; y++) {
        const rf = y * w;
        const rt = (y + dy) * w + dx;
        for (let x = x0; x < x1; x++) {
          if (from.valid[rf + x]! & to.valid[rt + x]!) {
            s += Math.abs(to.gray[rt + x]! - from.gray[rf + x]! - offset);
            n++;
          }
        }
      }
      if (n < minOverlap) continue;
      const k = (dy + radius) * side + dx + radius;
      cost[k] = s / n;
      if (best < 0 || cost[k]! < cost[best]!) best = k;
    }
  }
  if (best < 0) return null;
  const bx = best % side;
  const by = (best / side) | 0;
  return {
    dx: bx - radius + parabola(cost[by * side + bx - 1], cost[best]!, cost[by * side + bx + 1], bx > 0 && bx < side - 1),
    dy: by - radius + parabola(cost[(by - 1) * side + bx], cost[best]!, cost[(by + 1) * side + bx], by > 0 && by < side - 1),
  };
}

/** Sub-pixel offset in [-0.5, 0.5] of the minimum of a parabola through three costs. */
function parabola(a: number | undefined, b: number, c: number | undefined, ok: boolean): number {
  if (!ok || a === undefined || c === undefined || !Number.isFinite(a) || !Number.isFinite(c)) return 0;
  const d = a - 2 * b + c;
  if (d <= 1e-12) return 0;
  return Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / d));
}

/** Summed-area table (w+1)×(h+1) of `v`. */
function integral(v: ArrayLike<number>, w: number, h: number): Float64Array {
  const s = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += v[y * w + x]!;
      s[(y + 1) * (w + 1) + x + 1] = s[y * (w + 1) + x + 1]! + row;
    }
  }
  return s;
}

function boxSum(s: Float64Array, w: number, x0: number, y0: number, x1: number, y1: number): number {
  const W = w + 1;
  return s[y1 * W + x1]! - s[y0 * W + x1]! - s[y1 * W + x0]! + s[y0 * W + x0]!;
}

/**
 * Matches textured, fully valid blocks of `from` into `to` around the position `predict` gives,
 * within ±`search` level pixels. Returns correspondences in frame pixels, and how many textured
 * blocks there were.
 */
function matchBlocks(to: MotionLevel, from: MotionLevel, predict: Mat3, search: number): { c: Correspondences; blocks: number } {
  const { width: w, height: h, scale } = to;
  const invalidTo = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) invalidTo[p] = 1 - to.valid[p]!;
  const sumTo = integral(to.gray, w, h);
  const badTo = integral(invalidTo, w, h);
  const invalidFrom = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) invalidFrom[p] = 1 - from.valid[p]!;
  const badFrom = integral(invalidFrom, w, h);

  // Candidate blocks on a grid, scored by the smaller eigenvalue of the structure tensor.
  const step = Math.max(BLOCK, Math.floor(Math.sqrt((w * h) / 300)));
  const cand: Array<{ x: number; y: number; score: number }> = [];
  for (let y = HALF + 1; y + HALF + 1 < h; y += step) {
    for (let x = HALF + 1; x + HALF + 1 < w; x += step) {
      if (boxSum(badFrom, w, x - HALF - 1, y - HALF - 1, x + HALF + 2, y + HALF + 2) > 0) continue;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let v = -HALF; v <= HALF; v++) {
        const r = (y + v) * w + x;
        for (let u = -HALF; u <= HALF; u++) {
          const gx = from.gray[r + u + 1]! - from.gray[r + u - 1]!;
          const gy = from.gray[r + u + w]! - from.gray[r + u - w]!;
          sxx += gx * gx;
          syy += gy * gy;
          sxy += gx * gy;
        }
      }
      const tr = 0.5 * (sxx + syy);
      const score = (tr - Math.sqrt(Math.max(0, tr * tr - (sxx * syy - sxy * sxy)))) / (BLOCK * BLOCK);
      // Gradient variance of a few grey levels: flat walls and sky carry no motion.
      if (score > 4) cand.push({ x, y, score });
    }
  }
  cand.sort((p, q) => q.score - p.score);
  const keep = cand.slice(0, 400);

  const from2: number[] = [];
  const to2: number[] = [];
  const tpl = new Float32Array(BLOCK * BLOCK);
  const side = 2 * search + 1;
  const costs = new Float64Array(side * side);
  const q = new Float64Array(2);
  const area = BLOCK * BLOCK;
  for (const { x, y } of keep) {
    // Template, mean removed.
    let mean = 0;
    for (let v = -HALF; v <= HALF; v++) for (let u = -HALF; u <= HALF; u++) mean += from.gray[(y + v) * w + x + u]!;
    mean /= area;
    for (let v = -HALF, k = 0; v <= HALF; v++) for (let u = -HALF; u <= HALF; u++, k++) tpl[k] = from.gray[(y + v) * w + x + u]! - mean;
    // Predicted centre in `to` (level pixels).
    apply3(predict, (x + 0.5) * scale, (y + 0.5) * scale, q);
    const px = Math.round(q[0]! / scale - 0.5);
    const py = Math.round(q[1]! / scale - 0.5);
    let best = -1;
    costs.fill(Infinity);
    for (let dy = -search; dy <= search; dy++) {
      const cy = py + dy;
      if (cy - HALF < 0 || cy + HALF >= h) continue;
      for (let dx = -search; dx <= search; dx++) {
        const cx = px + dx;
        if (cx - HALF < 0 || cx + HALF >= w) continue;
        if (boxSum(badTo, w, cx - HALF, cy - HALF, cx + HALF + 1, cy + HALF + 1) > 0) continue;
        const m = boxSum(sumTo, w, cx - HALF, cy - HALF, cx + HALF + 1, cy + HALF + 1) / area;
        let s = 0;
        for (let v = -HALF, k = 0; v <= HALF; v++) {
          const r = (cy + v) * w + cx;
          for (let u = -HALF; u <= HALF; u++, k++) s += Math.abs(to.gray[r + u]! - m - tpl[k]!);
        }
        const i = (dy + search) * side + dx + search;
        costs[i] = s;
        if (best < 0 || s < costs[best]!) best = i;
      }
    }
    if (best < 0) continue;
    const bx = best % side;
    const by = (best / side) | 0;
    // A minimum on the search border may lie outside it: drop the block.
    if (bx === 0 || by === 0 || bx === side - 1 || by === side - 1) continue;
    const fx = parabola(costs[best - 1], costs[best]!, costs[best + 1], true);
    const fy = parabola(costs[best - side], costs[best]!, costs[best + side], true);
    from2.push((x + 0.5) * scale, (y + 0.5) * scale);
    to2.push((px + bx - search + fx + 0.5) * scale, (py + by - search + fy + 0.5) * scale);
  }
  return { c: { from: Float64Array.from(from2), to: Float64Array.from(to2), count: from2.length / 2 }, blocks: cand.length };
}

function fitModel(c: Correspondences, model: MotionModel, idx?: ArrayLike<number>): Mat3 | null {
  if (model === 'translation') return fitTranslation(c, idx);
  if (model === 'similarity') return fitSimilarity(c, idx);
  return fitHomography(c, idx);
}

/** A fitted homography that folds or stretches the frame implausibly for one camera step. */
function implausible(m: Mat3, width: number, height: number): boolean {
  const det = m[0]! * m[4]! - m[1]! * m[3]!;
  if (!(det > 0.5 && det < 2)) return true;
  // Perspective terms: w may change by at most 20 % across the frame.
  const span = Math.abs(m[6]! * width) + Math.abs(m[7]! * height);
  return !(span < 0.2);
}

/**
 * RANSAC: minimal-sample hypotheses, the one with the most matches within `threshold` pixels wins,
 * then least squares on its inliers (twice). Null when nothing fits.
 */
function ransac(
  c: Correspondences,
  model: MotionModel,
  threshold: number,
  iterations: number,
  random: () => number,
  width: number,
  height: number,
): { matrix: Mat3; inliers: Int32Array; residual: number } | null {
  const minimal = model === 'translation' ? 1 : model === 'similarity' ? 2 : 4;
  const n = c.count;
  const p = new Float64Array(2);
  const inliersOf = (m: Mat3): Int32Array => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      apply3(m, c.from[2 * i]!, c.from[2 * i + 1]!, p);
      if (Math.hypot(p[0]! - c.to[2 * i]!, p[1]! - c.to[2 * i + 1]!) <= threshold) out.push(i);
    }
    return Int32Array.from(out);
  };
  const minSpread = 0.05 * Math.max(width, height);
  let best: Int32Array | null = null;
  const sample = new Int32Array(minimal);
  for (let it = 0; it < iterations; it++) {
    for (let k = 0; k < minimal; k++) {
      let i: number;
      let tries = 0;
      do {
        i = Math.floor(random() * n);
        tries++;
      } while (tries < 20 && (sample.subarray(0, k).includes(i) || tooClose(c, sample, k, i, minSpread)));
      sample[k] = i;
    }
    const m = fitModel(c, model, sample);
    if (!m || (model === 'homography' && implausible(m, width, height))) continue;
    const inl = inliersOf(m);
    if (!best || inl.length > best.length) best = inl;
    if (best.length === n) break;
  }
  if (!best || best.length < minimal) return null;
  let matrix: Mat3 | null = null;
  let inliers = best;
  for (let round = 0; round < 2; round++) {
    let m = fitModel(c, model, inliers);
    if (m && model === 'homography' && implausible(m, width, height)) m = fitSimilarity(c, inliers);
    if (!m) break;
    const next = inliersOf(m);
    if (next.length < minimal) break;
    matrix = m;
    inliers = next;
  }
  if (!matrix) return null;
  const d: number[] = [];
  for (const i of inliers) {
    apply3(matrix, c.from[2 * i]!, c.from[2 * i + 1]!, p);
    d.push(Math.hypot(p[0]! - c.to[2 * i]!, p[1]! - c.to[2 * i + 1]!));
  }
  return { matrix, inliers, residual: median(d) };
}

function tooClose(c: Correspondences, sample: Int32Array, k: number, i: number, minSpread: number): boolean {
  for (let j = 0; j < k; j++) {
    const s = sample[j]!;
    if (Math.hypot(c.from[2 * s]! - c.from[2 * i]!, c.from[2 * s + 1]! - c.from[2 * i + 1]!) < minSpread) return true;
  }
  return false;
}

