/**
 * Spatial fill of pixels that no frame saw: push-pull interpolation (Gortler et al.'s Lumigraph
 * "pull-push", written from its description). Pull: a pyramid of weighted averages of the known
 * pixels (a 4×4 tent kernel, so the result is smooth), each level's weight capped at 1. Push: from
 * the coarsest level down, each pixel keeps its own value in proportion to its weight and takes the
 * rest from the bilinear upsampling of the level above. Every unknown pixel gets a value as long as
 * one pixel is known; the result is smooth and has no holes.
 *
 * GPU notes: every pull and push level is a per-pixel pass (WGSL-ready), log2(size) passes each way.
 */
import { blendTaps } from '../../image';

interface Level {
  width: number;
  height: number;
  /** RGB, interleaved, not premultiplied. */
  rgb: Float32Array;
  /** Confidence in [0, 1]. */
  weight: Float32Array;
}

/** Tent taps of the 2× pull: child offsets -1..2 around 2·x with weights 1, 3, 3, 1. */
const TAPS = [1, 3, 3, 1] as const;

/** One upsampled RGB value of `push`, kept in float64. */
const UP = new Float64Array(3);

/**
 * Fills, in place, the pixels of `rgb` (width × height × 3 floats) whose `weight` is < 1, blending
 * their own value by that weight (0 = unknown) with the interpolation of the known pixels; `weight`
 * is set to 1 where a pixel was filled. Returns false when no pixel is known (nothing changes).
 */
export function pushPullFill(rgb: Float32Array, weight: Float32Array, width: number, height: number): boolean {
  if (rgb.length !== width * height * 3 || weight.length !== width * height) {
    throw new RangeError(`rgb must hold width x height x 3 and weight width x height values for ${width}x${height}.`);
  }
  const levels: Level[] = [{ width, height, rgb, weight }];
  let known = false;
  for (let p = 0; p < width * height; p++) if (weight[p]! > 0) known = true;
  if (!known) return false;
  // Pull.
  for (;;) {
    const src = levels[levels.length - 1]!;
    if (src.width <= 1 && src.height <= 1) break;
    let full = true;
    for (let p = 0; p < src.width * src.height; p++) if (src.weight[p]! < 1) full = false;
    if (full) break;
    levels.push(pull(src));
  }
  // Push.
  for (let l = levels.length - 2; l >= 0; l--) push(levels[l]!, levels[l + 1]!);
  return true;
}

function pull(src: Level): Level {
  const w = Math.max(1, (src.width + 1) >> 1);
  const h = Math.max(1, (src.height + 1) >> 1);
  const rgb = new Float32Array(w * h * 3);
  const weight = new Float32Array(w * h);
  const sw = src.width;
  const sh = src.height;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < 4; j++) {
        const sy = 2 * y - 1 + j;
        if (sy < 0 || sy >= sh) continue;
        for (let i = 0; i < 4; i++) {
          const sx = 2 * x - 1 + i;
          if (sx < 0 || sx >= sw) continue;
          const p = sy * sw + sx;
          const k = TAPS[i]! * TAPS[j]! * src.weight[p]!;
          if (k === 0) continue;
          sum += k;
          r += k * src.rgb[3 * p]!;
          g += k * src.rgb[3 * p + 1]!;
          b += k * src.rgb[3 * p + 2]!;
        }
      }
      const q = y * w + x;
      if (sum > 0) {
        rgb[3 * q] = r / sum;
        rgb[3 * q + 1] = g / sum;
        rgb[3 * q + 2] = b / sum;
      }
      // The tent's full mass is 64; a quarter of it known (one full child block) counts as certain.
      weight[q] = Math.min(1, sum / 16);
    }
  }
  return { width: w, height: h, rgb, weight };
}

function push(dst: Level, src: Level): void {
  const { width: w, height: h } = dst;
  const sw = src.width;
  const sh = src.height;
  for (let y = 0; y < h; y++) {
    // Position of this pixel's centre in the coarse level's pixel-centre coordinates.
    const cy = Math.min(sh - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(cy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const fy = cy - y0;
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const a = dst.weight[p]!;
      if (a >= 1) continue;
      const cx = Math.min(sw - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(cx);
      const x1 = Math.min(sw - 1, x0 + 1);
      // Bilinear, taps past the last row or column clamped onto it.
      blendTaps(src.rgb, 3 * (y0 * sw + x0), 3 * (y0 * sw + x1), 3 * (y1 * sw + x0), 3 * (y1 * sw + x1), 3, cx - x0, fy, UP, 0);
      for (let c = 0; c < 3; c++) dst.rgb[3 * p + c] = a * dst.rgb[3 * p + c]! + (1 - a) * UP[c]!;
      dst.weight[p] = 1;
    }
  }
}
