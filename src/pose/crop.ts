/**
 * Crops: the affine between a region of interest and an N×N model input, the CPU warp that fills
 * a model's NCHW input from an RGBA frame, and projection of crop-space outputs back to the frame.
 *
 * Coordinates are continuous pixels: pixel (i, j) covers [i, i+1) × [j, j+1), so its centre is
 * (i + 0.5, j + 0.5). A crop of N×N pixels spans [0, N]²; its centre (N/2, N/2) is the ROI centre
 * and its up direction (0, -1) is the ROI's up, rotated clockwise by `roi.rotation` in the frame.
 */
import { accumulateBilinear, bilinearLerp } from '../image';
import type { RgbaImage, Roi } from './types';

/** 2-D affine map: (x, y) → (a·x + b·y + tx, c·x + d·y + ty). */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  tx: number;
  ty: number;
}

export interface Point {
  x: number;
  y: number;
}

export function applyAffine(m: Affine, x: number, y: number): Point {
  return { x: m.a * x + m.b * y + m.tx, y: m.c * x + m.d * y + m.ty };
}

export function invertAffine(m: Affine): Affine {
  const det = m.a * m.d - m.b * m.c;
  if (det === 0 || !Number.isFinite(det)) throw new RangeError('The affine map is singular and cannot be inverted.');
  const a = m.d / det;
  const b = -m.b / det;
  const c = -m.c / det;
  const d = m.a / det;
  return { a, b, c, d, tx: -(a * m.tx + b * m.ty), ty: -(c * m.tx + d * m.ty) };
}

/** `outer ∘ inner`: applies `inner` first. */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  return {
    a: outer.a * inner.a + outer.b * inner.c,
    b: outer.a * inner.b + outer.b * inner.d,
    c: outer.c * inner.a + outer.d * inner.c,
    d: outer.c * inner.b + outer.d * inner.d,
    tx: outer.a * inner.tx + outer.b * inner.ty + outer.tx,
    ty: outer.c * inner.tx + outer.d * inner.ty + outer.ty,
  };
}

/** Crop pixels of an N×N crop of `roi` → source pixels. */
export function cropToSource(roi: Roi, n: number): Affine {
  const k = roi.size / n;
  const cos = Math.cos(roi.rotation) * k;
  const sin = Math.sin(roi.rotation) * k;
  // p = centre + R(rotation) · (q - n/2) · size/n, with R clockwise in y-down space.
  const h = n / 2;
  return { a: cos, b: -sin, c: sin, d: cos, tx: roi.cx - (cos - sin) * h, ty: roi.cy - (sin + cos) * h };
}

/** Source pixels → crop pixels of an N×N crop of `roi`. */
export function sourceToCrop(roi: Roi, n: number): Affine {
  return invertAffine(cropToSource(roi, n));
}

/**
 * The ROI whose square crop is the letterbox of a `width`×`height` frame: centred, side = the
 * longer side, upright. Its crop pads the shorter side equally on both ends.
 */
export function letterboxRoi(width: number, height: number): Roi {
  return { cx: width / 2, cy: height / 2, size: Math.max(width, height), rotation: 0 };
}

/** True when `p` (source pixels) lies inside the rotated square `roi`. */
export function roiContains(roi: Roi, p: Point): boolean {
  const dx = p.x - roi.cx;
  const dy = p.y - roi.cy;
  const cos = Math.cos(roi.rotation);
  const sin = Math.sin(roi.rotation);
  // Rotate back into the ROI's own axes.
  const u = cos * dx + sin * dy;
  const v = -sin * dx + cos * dy;
  return Math.abs(u) <= roi.size / 2 && Math.abs(v) <= roi.size / 2;
}

/** How samples outside the frame are filled: black (`'zero'`) or the nearest edge pixel. */
export type Border = 'zero' | 'replicate';

export interface WarpOptions {
  /** Values that pixel bytes 0 and 255 map to, e.g. [0, 1] or [-1, 1]. */
  range: readonly [number, number];
  /** Default `'zero'` (black, i.e. `range[0]`). */
  border?: Border;
  /**
   * When the crop shrinks the frame by f ≥ 2, sample from f×f block averages of the frame
   * (floor(f)), so that downscaling does not alias. Default true.
   */
  antialias?: boolean;
  /** Reused output buffer of 3·N·N floats. */
  out?: Float32Array;
}

export function checkImage(image: RgbaImage): void {
  const { width, height, data } = image;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new RangeError(`The image size must be positive integers; got ${width}x${height}.`);
  }
  if (data.length !== width * height * 4) {
    throw new RangeError(`The image data must hold width x height x 4 = ${width * height * 4} bytes (RGBA); got ${data.length}.`);
  }
}

/**
 * Fills an NCHW float tensor [1, 3, n, n] (RGB planes) with the N×N crop of `roi` from `image`,
 * sampled bilinearly and mapped from bytes to `options.range`.
 */
export function warpToTensor(image: RgbaImage, roi: Roi, n: number, options: WarpOptions): Float32Array {
  checkImage(image);
  if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`The crop size must be a positive integer; got ${n}.`);
  if (!(roi.size > 0)) throw new RangeError(`The ROI size must be positive; got ${roi.size}.`);
  const plane = n * n;
  const out = options.out ?? new Float32Array(3 * plane);
  if (out.length < 3 * plane) throw new RangeError(`options.out must hold 3 x ${n} x ${n} floats; got ${out.length}.`);
  const [lo, hi] = options.range;
  const k = (hi - lo) / 255;
  const replicate = options.border === 'replicate';
  const m = cropToSource(roi, n);
  // Shrinking by f ≥ 2: average f×f blocks first (a box-filtered level, as in mipmapping), then
  // sample that bilinearly, so every source pixel contributes and fine detail does not alias.
  const f = options.antialias === false ? 1 : Math.max(1, Math.floor(roi.size / n));
  const src = f === 1 ? rgbaPlane(image) : boxLevel(image, roiBounds(roi, image, f), f);
  const acc = new Float64Array(3);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const u = i + 0.5;
      const v = j + 0.5;
      acc[0] = acc[1] = acc[2] = 0;
      const x = (m.a * u + m.b * v + m.tx - src.x0) / f;
      const y = (m.c * u + m.d * v + m.ty - src.y0) / f;
      accumulateBilinear(src.data, src.width, src.height, src.stride, 3, x - 0.5, y - 0.5, replicate, acc);
      const o = j * n + i;
      out[o] = acc[0] * k + lo;
      out[plane + o] = acc[1] * k + lo;
      out[2 * plane + o] = acc[2] * k + lo;
    }
  }
  return out;
}

/** Pixels to sample: `stride` values per pixel, RGB first, 0-255; pixel (0, 0) sits at source (x0, y0). */
interface Plane {
  data: ArrayLike<number>;
  width: number;
  height: number;
  stride: number;
  x0: number;
  y0: number;
}

function rgbaPlane(image: RgbaImage): Plane {
  return { data: image.data, width: image.width, height: image.height, stride: 4, x0: 0, y0: 0 };
}

/** The integer pixel box of the frame that a ROI's crop can reach, grown by `margin`, within the frame. */
function roiBounds(roi: Roi, image: RgbaImage, margin: number): { x0: number; y0: number; x1: number; y1: number } {
  const half = (roi.size / 2) * (Math.abs(Math.cos(roi.rotation)) + Math.abs(Math.sin(roi.rotation)));
  const clampX = (v: number) => Math.min(image.width, Math.max(0, v));
  const clampY = (v: number) => Math.min(image.height, Math.max(0, v));
  return {
    x0: clampX(Math.floor(roi.cx - half) - margin),
    y0: clampY(Math.floor(roi.cy - half) - margin),
    x1: clampX(Math.ceil(roi.cx + half) + margin),
    y1: clampY(Math.ceil(roi.cy + half) + margin),
  };
}

/** RGB means of the f×f blocks of `bounds` (a block cut by the bounds averages what it holds). */
function boxLevel(image: RgbaImage, bounds: { x0: number; y0: number; x1: number; y1: number }, f: number): Plane {
  const width = Math.max(0, Math.ceil((bounds.x1 - bounds.x0) / f));
  const height = Math.max(0, Math.ceil((bounds.y1 - bounds.y0) / f));
  const data = new Float32Array(width * height * 3);
  const count = new Float32Array(width * height);
  const { data: px, width: w } = image;
  for (let y = bounds.y0; y < bounds.y1; y++) {
    const row = ((y - bounds.y0) / f) | 0;
    for (let x = bounds.x0; x < bounds.x1; x++) {
      const cell = row * width + (((x - bounds.x0) / f) | 0);
      const o = (y * w + x) * 4;
      data[cell * 3]! += px[o]!;
      data[cell * 3 + 1]! += px[o + 1]!;
      data[cell * 3 + 2]! += px[o + 2]!;
      count[cell]!++;
    }
  }
  for (let c = 0; c < count.length; c++) {
    const inv = 1 / count[c]!;
    data[c * 3]! *= inv;
    data[c * 3 + 1]! *= inv;
    data[c * 3 + 2]! *= inv;
  }
  return { data, width, height, stride: 3, x0: bounds.x0, y0: bounds.y0 };
}

/**
 * The letterbox of a frame as an NCHW tensor [1, 3, n, n] (the frame scaled to fit, centred, black
 * bars), and the map from its pixels back to the frame's.
 */
export function letterboxToTensor(image: RgbaImage, n: number, range: readonly [number, number]): { tensor: Float32Array; toSource: Affine } {
  const roi = letterboxRoi(image.width, image.height);
  return { tensor: warpToTensor(image, roi, n, { range, border: 'zero' }), toSource: cropToSource(roi, n) };
}

/**
 * Maps `count` points from crop pixels of an N×N crop of `roi` to source pixels.
 * `src` holds `srcStride` values per point starting with (x, y[, z]); `dst` receives
 * `dstStride` values per point: x, y and, when `dstStride >= 3` and the source has z, z scaled
 * from crop pixels to source pixels (size / n). Other dst values are left as they are.
 */
export function projectCropPoints(
  src: Float32Array,
  srcStride: number,
  count: number,
  roi: Roi,
  n: number,
  dst: Float32Array,
  dstStride: number,
): Float32Array {
  if (src.length < count * srcStride) throw new RangeError(`src must hold ${count} x ${srcStride} values; got ${src.length}.`);
  if (dst.length < count * dstStride) throw new RangeError(`dst must hold ${count} x ${dstStride} values; got ${dst.length}.`);
  const m = cropToSource(roi, n);
  const zScale = roi.size / n;
  const withZ = srcStride >= 3 && dstStride >= 3;
  for (let p = 0; p < count; p++) {
    const x = src[p * srcStride]!;
    const y = src[p * srcStride + 1]!;
    dst[p * dstStride] = m.a * x + m.b * y + m.tx;
    dst[p * dstStride + 1] = m.c * x + m.d * y + m.ty;
    if (withZ) dst[p * dstStride + 2] = src[p * srcStride + 2]! * zScale;
  }
  return dst;
}

/**
 * Resamples a square probability map (`srcSize`², values in [0, 1]) to `dstSize`² bytes
 * (0-255) with bilinear filtering at pixel centres (a 2:1 reduction averages 2×2 blocks).
 */
export function resampleProbability(src: Float32Array, srcSize: number, dstSize: number): Uint8Array {
  if (src.length < srcSize * srcSize) throw new RangeError(`src must hold ${srcSize}² values; got ${src.length}.`);
  if (!(Number.isInteger(dstSize) && dstSize > 0)) throw new RangeError(`dstSize must be a positive integer; got ${dstSize}.`);
  const out = new Uint8Array(dstSize * dstSize);
  const s = srcSize / dstSize;
  const clampI = (v: number) => (v < 0 ? 0 : v > srcSize - 1 ? srcSize - 1 : v);
  for (let j = 0; j < dstSize; j++) {
    const py = (j + 0.5) * s - 0.5;
    const y0 = Math.floor(py);
    const fy = py - y0;
    const ya = clampI(y0) * srcSize;
    const yb = clampI(y0 + 1) * srcSize;
    for (let i = 0; i < dstSize; i++) {
      const px = (i + 0.5) * s - 0.5;
      const x0 = Math.floor(px);
      const fx = px - x0;
      const xa = clampI(x0);
      const xb = clampI(x0 + 1);
      const v = bilinearLerp(fx, fy, src[ya + xa]!, src[ya + xb]!, src[yb + xa]!, src[yb + xb]!);
      out[j * dstSize + i] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
  }
  return out;
}
