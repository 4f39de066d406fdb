/**
 * Image pre- and post-processing of the MimicMotion pipeline, as plain functions over
 * Float32Arrays in CHW layout (channel-major, rows top to bottom, RGB).
 *
 * - VAE and PoseNet inputs: RGB in [-1, 1] (x/127.5 - 1).
 * - CLIP input (diffusers' SVD `_encode_image`): RGB in [0, 1] → [-1, 1] → anti-aliased resize to
 *   224×224 (Gaussian blur with σ = max((scale-1)/2, 0.001) per axis, kernel size
 *   int(max(4σ, 3)) made odd, reflect padding, then bicubic A = -0.75 with align_corners=True)
 *   → back to [0, 1] → (x - CLIP mean) / CLIP std.
 * - Decoder output: [-1, 1] → x/2 + 0.5 clamped to [0, 1].
 */
import type { RgbaImage } from '../../pose';

/** CLIP image normalisation (OpenAI CLIP). */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;
/** CLIP input side, in pixels. */
export const CLIP_SIZE = 224;

/** RGBA bytes → CHW float RGB: 'signed' maps 0..255 to [-1, 1], 'unit' to [0, 1]. */
export function rgbaToChw(image: RgbaImage, range: 'signed' | 'unit', out = new Float32Array(3 * image.width * image.height)): Float32Array {
  const n = image.width * image.height;
  if (image.data.length !== n * 4) throw new RangeError(`image data has ${image.data.length} bytes; a ${image.width}×${image.height} RGBA image has ${n * 4}.`);
  const [k, b] = range === 'signed' ? [1 / 127.5, -1] : [1 / 255, 0];
  for (let i = 0; i < n; i++) {
    out[i] = image.data[i * 4]! * k + b;
    out[n + i] = image.data[i * 4 + 1]! * k + b;
    out[2 * n + i] = image.data[i * 4 + 2]! * k + b;
  }
  return out;
}

/** CHW RGB in [0, 1] → RGBA bytes (rounded, alpha 255). */
export function chwToRgba(chw: Float32Array, width: number, height: number): RgbaImage {
  const n = width * height;
  if (chw.length !== 3 * n) throw new RangeError(`expected 3×${height}×${width} values; got ${chw.length}.`);
  const data = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    data[i * 4] = Math.round(chw[i]! * 255);
    data[i * 4 + 1] = Math.round(chw[n + i]! * 255);
    data[i * 4 + 2] = Math.round(chw[2 * n + i]! * 255);
    data[i * 4 + 3] = 255;
  }
  return { data, width, height };
}

/** Decoder output in [-1, 1] → [0, 1], clamped, in place. */
export function decodedToUnit(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! * 0.5 + 0.5;
    x[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return x;
}

function gaussianKernel(size: number, sigma: number): Float64Array {
  const k = new Float64Array(size);
  const half = Math.floor(size / 2);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = i - half;
    k[i] = Math.exp(-(x * x) / (2 * sigma * sigma));
    sum += k[i]!;
  }
  for (let i = 0; i < size; i++) k[i]! /= sum;
  return k;
}

/** torch 'reflect' padding index. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

function cubic(x: number): number {
  const A = -0.75;
  x = Math.abs(x);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

/** Per output index: 4 source indices (clamped) and weights of torch's bicubic, align_corners=True. */
function bicubicTaps(inSize: number, outSize: number): { idx: Int32Array; w: Float64Array } {
  const idx = new Int32Array(outSize * 4);
  const w = new Float64Array(outSize * 4);
  const scale = outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  for (let o = 0; o < outSize; o++) {
    const src = o * scale;
    const f = Math.floor(src);
    const t = src - f;
    for (let k = 0; k < 4; k++) {
      idx[o * 4 + k] = Math.min(inSize - 1, Math.max(0, f - 1 + k));
      w[o * 4 + k] = cubic(t - (k - 1));
    }
  }
  return { idx, w };
}

/**
 * diffusers' `_resize_with_antialiasing` (bicubic, align_corners=True) of a CHW image with
 * `channels` channels from H×W to outH×outW.
 */
export function resizeWithAntialias(src: Float32Array, channels: number, height: number, width: number, outH: number, outW: number): Float32Array {
  if (src.length !== channels * height * width) throw new RangeError(`expected ${channels}×${height}×${width} values; got ${src.length}.`);
  const sigmas = [Math.max((height / outH - 1) / 2, 0.001), Math.max((width / outW - 1) / 2, 0.001)];
  const sizes = sigmas.map((s) => {
    const k = Math.trunc(Math.max(2 * 2 * s, 3));
    return k % 2 === 0 ? k + 1 : k;
  });
  const ky = gaussianKernel(sizes[0]!, sigmas[0]!);
  const kx = gaussianKernel(sizes[1]!, sigmas[1]!);
  const hy = Math.floor(ky.length / 2);
  const hx = Math.floor(kx.length / 2);
  const plane = height * width;
  const tmp = new Float64Array(plane);
  const blurred = new Float64Array(plane);
  const ty = bicubicTaps(height, outH);
  const tx = bicubicTaps(width, outW);
  const out = new Float32Array(channels * outH * outW);
  const rows = new Float64Array(height * outW);
  for (let c = 0; c < channels; c++) {
    const base = c * plane;
    // Separable Gaussian blur with reflect padding: rows, then columns.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = 0; k < kx.length; k++) s += kx[k]! * src[base + y * width + reflect(x + k - hx, width)]!;
        tmp[y * width + x] = s;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = 0; k < ky.length; k++) s += ky[k]! * tmp[reflect(y + k - hy, height) * width + x]!;
        blurred[y * width + x] = s;
      }
    }
    // Bicubic: along x into rows, then along y.
    for (let y = 0; y < height; y++) {
      for (let o = 0; o < outW; o++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += tx.w[o * 4 + k]! * blurred[y * width + tx.idx[o * 4 + k]!]!;
        rows[y * outW + o] = s;
      }
    }
    for (let o = 0; o < outH; o++) {
      for (let x = 0; x < outW; x++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += ty.w[o * 4 + k]! * rows[ty.idx[o * 4 + k]! * outW + x]!;
        out[c * outH * outW + o * outW + x] = s;
      }
    }
  }
  return out;
}

/** The CLIP image encoder's `pixel_values` [1, 3, 224, 224] for an RGBA image of any size. */
export function clipPixelValues(image: RgbaImage): Float32Array {
  const signed = rgbaToChw(image, 'signed');
  const resized = resizeWithAntialias(signed, 3, image.height, image.width, CLIP_SIZE, CLIP_SIZE);
  const plane = CLIP_SIZE * CLIP_SIZE;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const unit = (resized[c * plane + i]! + 1) / 2;
      resized[c * plane + i] = (unit - CLIP_MEAN[c]!) / CLIP_STD[c]!;
    }
  }
  return resized;
}
