/**
 * Bilinear sampling of pixel grids, shared by the builtin engine (plate, background model, spatial
 * fill, person mask) and the pose crops. Pure functions over typed arrays: no allocation, no
 * callbacks, one call per sample, so they cost nothing in per-pixel loops.
 *
 * Positions are in tap coordinates: pixel i's centre is at i, so a continuous pixel position x
 * (pixel i covering [i, i+1)) is sampled at x - 0.5. Grids are interleaved: `stride` values a
 * pixel, `width` pixels a row, and the first `channels` values of a pixel are sampled.
 *
 * The arithmetic is fixed, since the engine is deterministic and its output depends on it to the
 * last bit: x0 = floor(px), fx = px - x0 (the same in y); weights w00 = (1 - fx)(1 - fy),
 * w10 = fx(1 - fy), w01 = (1 - fx)fy, w11 = fx·fy; a value is w00·v00 + w10·v10 + w01·v01 +
 * w11·v11, summed left to right in float64 and stored as is (a Float32Array `dst` rounds it, a
 * Float64Array keeps it). `accumulateBilinear` adds the taps' terms one by one to `acc`;
 * `bilinearLerp` is the separable form, which rounds differently.
 */

/** Where samples go: float32 (rounded) or float64 (exact blend). */
export type SampleArray = Float32Array | Float64Array;

/**
 * `channels` values blended from four taps that start at offsets i00 (x0, y0), i10 (x0 + 1, y0),
 * i01 (x0, y0 + 1) and i11 (x0 + 1, y0 + 1) of `data`, with fractions (fx, fy), into
 * `dst[o..o+channels)`. The samplers below place the taps; callers with their own tap rule use it
 * directly.
 */
export function blendTaps(
  data: ArrayLike<number>,
  i00: number,
  i10: number,
  i01: number,
  i11: number,
  channels: number,
  fx: number,
  fy: number,
  dst: SampleArray,
  o: number,
): void {
  const w00 = (1 - fx) * (1 - fy);
  const w10 = fx * (1 - fy);
  const w01 = (1 - fx) * fy;
  const w11 = fx * fy;
  for (let k = 0; k < channels; k++) dst[o + k] = w00 * data[i00 + k]! + w10 * data[i10 + k]! + w01 * data[i01 + k]! + w11 * data[i11 + k]!;
}

/** The sample at (px, py), whose four taps the caller knows to be inside the grid, into `dst[o..o+channels)`. */
export function sampleBilinear(data: ArrayLike<number>, width: number, stride: number, channels: number, px: number, py: number, dst: SampleArray, o: number): void {
  const x0 = Math.floor(px);
  const y0 = Math.floor(py);
  const a = stride * (y0 * width + x0);
  const c = a + stride * width;
  blendTaps(data, a, a + stride, c, c + stride, channels, px - x0, py - y0, dst, o);
}

/**
 * The sample at (px, py) into `dst[o..o+channels)` only where all four taps are inside the
 * width × height grid and clear in `mask` (one byte a pixel, 0 = clear: e.g. background, not
 * person). Returns 1 when it sampled, 0 when a tap is set in the mask, -1 when a tap is off the
 * grid (nothing written then).
 */
export function sampleBilinearMasked(
  data: ArrayLike<number>,
  mask: Uint8Array,
  width: number,
  height: number,
  stride: number,
  channels: number,
  px: number,
  py: number,
  dst: SampleArray,
  o: number,
): number {
  const x0 = Math.floor(px);
  const y0 = Math.floor(py);
  if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height) return -1;
  const p = y0 * width + x0;
  if (mask[p]! | mask[p + 1]! | mask[p + width]! | mask[p + width + 1]!) return 0;
  const a = stride * p;
  const c = a + stride * width;
  blendTaps(data, a, a + stride, c, c + stride, channels, px - x0, py - y0, dst, o);
  return 1;
}

/**
 * The sample at (px, py) into `dst[o..o+channels)` only where all four taps are inside the
 * width × height grid and known (`count` > 0, one byte a pixel). Returns the smallest count of
 * the four taps when it sampled, else 0 (nothing written).
 */
export function sampleBilinearKnown(
  data: ArrayLike<number>,
  count: Uint8Array,
  width: number,
  height: number,
  stride: number,
  channels: number,
  px: number,
  py: number,
  dst: SampleArray,
  o: number,
): number {
  const x0 = Math.floor(px);
  const y0 = Math.floor(py);
  if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height) return 0;
  const p = y0 * width + x0;
  const n = Math.min(count[p]!, count[p + 1]!, count[p + width]!, count[p + width + 1]!);
  if (!(n > 0)) return 0;
  const a = stride * p;
  const c = a + stride * width;
  blendTaps(data, a, a + stride, c, c + stride, channels, px - x0, py - y0, dst, o);
  return n;
}

/**
 * Adds the sample at (px, py) to `acc[0..channels)`, tap by tap (each tap's value times its
 * weight, in the order 00, 10, 01, 11). Taps off the width × height grid count as 0, or, with
 * `replicate`, as the nearest edge pixel.
 */
export function accumulateBilinear(
  data: ArrayLike<number>,
  width: number,
  height: number,
  stride: number,
  channels: number,
  px: number,
  py: number,
  replicate: boolean,
  acc: Float64Array,
): void {
  const w = width;
  const h = height;
  if (w === 0 || h === 0) return;
  let x0 = Math.floor(px);
  let y0 = Math.floor(py);
  const fx = px - x0;
  const fy = py - y0;
  let x1 = x0 + 1;
  let y1 = y0 + 1;
  if (replicate) {
    x0 = x0 < 0 ? 0 : x0 >= w ? w - 1 : x0;
    x1 = x1 < 0 ? 0 : x1 >= w ? w - 1 : x1;
    y0 = y0 < 0 ? 0 : y0 >= h ? h - 1 : y0;
    y1 = y1 < 0 ? 0 : y1 >= h ? h - 1 : y1;
  } else if (x1 < 0 || y1 < 0 || x0 >= w || y0 >= h) {
    return; // all four taps outside
  }
  const inX0 = x0 >= 0 && x0 < w;
  const inX1 = x1 >= 0 && x1 < w;
  if (y0 >= 0 && y0 < h) {
    if (inX0) addTap(data, (y0 * w + x0) * stride, channels, (1 - fx) * (1 - fy), acc);
    if (inX1) addTap(data, (y0 * w + x1) * stride, channels, fx * (1 - fy), acc);
  }
  if (y1 >= 0 && y1 < h) {
    if (inX0) addTap(data, (y1 * w + x0) * stride, channels, (1 - fx) * fy, acc);
    if (inX1) addTap(data, (y1 * w + x1) * stride, channels, fx * fy, acc);
  }
}

function addTap(data: ArrayLike<number>, o: number, channels: number, wt: number, acc: Float64Array): void {
  if (channels === 3) {
    // Unrolled: the common case (RGB) stays straight-line code in per-pixel loops.
    acc[0]! += data[o]! * wt;
    acc[1]! += data[o + 1]! * wt;
    acc[2]! += data[o + 2]! * wt;
    return;
  }
  for (let k = 0; k < channels; k++) acc[k]! += data[o + k]! * wt;
}

/**
 * The separable blend of four tap values with fractions (fx, fy):
 * (v00(1 - fx) + v10·fx)(1 - fy) + (v01(1 - fx) + v11·fx)fy, in float64.
 */
export function bilinearLerp(fx: number, fy: number, v00: number, v10: number, v01: number, v11: number): number {
  return (v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy;
}
