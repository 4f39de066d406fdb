import { describe, expect, it } from 'vitest';
import { accumulateBilinear, bilinearLerp, blendTaps, sampleBilinear, sampleBilinearKnown, sampleBilinearMasked } from '.';

/** A 3×2 RGBA grid (stride 4): R = 10·x, G = 100·y, B = 7, A = 255. */
const W = 3;
const H = 2;
const RGBA = Uint8ClampedArray.from({ length: W * H * 4 }, (_, i) => {
  const p = i >> 2;
  return [10 * (p % W), 100 * Math.floor(p / W), 7, 255][i & 3]!;
});

describe('blendTaps and sampleBilinear', () => {
  it('weights the four taps (1-fx)(1-fy), fx(1-fy), (1-fx)fy, fx·fy', () => {
    const dst = new Float64Array(1);
    blendTaps([1, 2, 4, 8], 0, 1, 2, 3, 1, 0.25, 0.5, dst, 0);
    expect(dst[0]).toBe(0.375 * 1 + 0.125 * 2 + 0.375 * 4 + 0.125 * 8);
  });

  it('is exact on pixel centres and linear between them (tap coordinates: centre of pixel i at i)', () => {
    const dst = new Float64Array(3);
    sampleBilinear(RGBA, W, 4, 3, 1, 0, dst, 0);
    expect([...dst]).toEqual([10, 0, 7]);
    sampleBilinear(RGBA, W, 4, 3, 0.5, 0.5, dst, 0);
    expect([...dst]).toEqual([5, 50, 7]);
    sampleBilinear(RGBA, W, 4, 3, 1.75, 0.25, dst, 0);
    expect([...dst]).toEqual([17.5, 25, 7]);
  });

  it('writes at an offset, a channel count and a stride', () => {
    const dst = new Float32Array(5).fill(-1);
    sampleBilinear(Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 2, 3, 2, 0.5, 0.5, dst, 2);
    // Taps at offsets 0, 3, 6, 9: channel 0 = (0 + 3 + 6 + 9) / 4, channel 1 one more.
    expect([...dst]).toEqual([-1, -1, 4.5, 5.5, -1]);
  });

  it('keeps the float64 blend in a Float64Array and rounds it in a Float32Array', () => {
    const data = [0.1, 0.2, 0.3, 0.7];
    const d64 = new Float64Array(1);
    const d32 = new Float32Array(1);
    blendTaps(data, 0, 1, 2, 3, 1, 0.3, 0.6, d64, 0);
    blendTaps(data, 0, 1, 2, 3, 1, 0.3, 0.6, d32, 0);
    const w = [(1 - 0.3) * (1 - 0.6), 0.3 * (1 - 0.6), (1 - 0.3) * 0.6, 0.3 * 0.6];
    const exact = w[0]! * 0.1 + w[1]! * 0.2 + w[2]! * 0.3 + w[3]! * 0.7;
    expect(d64[0]).toBe(exact);
    expect(d32[0]).toBe(Math.fround(exact));
  });
});

describe('sampleBilinearMasked', () => {
  const mask = new Uint8Array(W * H);
  const dst = new Float32Array(3);

  it('samples when the four taps are inside and clear', () => {
    expect(sampleBilinearMasked(RGBA, mask, W, H, 4, 3, 1.5, 0.5, dst, 0)).toBe(1);
    expect([...dst]).toEqual([15, 50, 7]);
  });

  it('reaches the last row and column only from inside: -1 when a tap is off the grid', () => {
    expect(sampleBilinearMasked(RGBA, mask, W, H, 4, 3, 1.999, 0.999, dst, 0)).toBe(1);
    expect(sampleBilinearMasked(RGBA, mask, W, H, 4, 3, 2, 0.5, dst, 0)).toBe(-1); // last column's centre
    expect(sampleBilinearMasked(RGBA, mask, W, H, 4, 3, 0.5, 1, dst, 0)).toBe(-1); // last row's centre
    expect(sampleBilinearMasked(RGBA, mask, W, H, 4, 3, -0.001, 0.5, dst, 0)).toBe(-1);
    expect(sampleBilinearMasked(RGBA, mask, W, H, 4, 3, 0.5, -0.5, dst, 0)).toBe(-1);
    expect(sampleBilinearMasked(RGBA, mask, W, H, 4, 3, Infinity, 0.5, dst, 0)).toBe(-1);
  });

  it('returns 0 and writes nothing when any tap is set, even one of weight 0', () => {
    const m = new Uint8Array(W * H);
    m[W + 1] = 255; // pixel (1, 1)
    const d = Float32Array.of(-1, -1, -1);
    expect(sampleBilinearMasked(RGBA, m, W, H, 4, 3, 0, 0, d, 0)).toBe(0); // taps (0..1, 0..1), (1, 1) weighted 0
    expect([...d]).toEqual([-1, -1, -1]);
    expect(sampleBilinearMasked(RGBA, m, W, H, 4, 3, 2 - 1e-9, 0, d, 0)).toBe(0);
  });
});

describe('sampleBilinearKnown', () => {
  const bg = Float32Array.from({ length: W * H * 3 }, (_, i) => i);

  it('returns the smallest count of the four taps and samples', () => {
    const count = Uint8Array.of(3, 5, 9, 2, 4, 6);
    const dst = new Float32Array(3);
    expect(sampleBilinearKnown(bg, count, W, H, 3, 3, 0.5, 0.5, dst, 0)).toBe(2);
    // Taps 0, 1, 3, 4 (offsets 0, 3, 9, 12), equal weights.
    expect([...dst]).toEqual([6, 7, 8]);
  });

  it('returns 0 and writes nothing where a tap is unknown or off the grid', () => {
    const count = Uint8Array.of(3, 5, 9, 2, 0, 6);
    const dst = Float32Array.of(-1, -1, -1);
    expect(sampleBilinearKnown(bg, count, W, H, 3, 3, 0.5, 0.5, dst, 0)).toBe(0);
    expect(sampleBilinearKnown(bg, count, W, H, 3, 3, 2, 0, dst, 0)).toBe(0);
    expect(sampleBilinearKnown(bg, count, W, H, 3, 3, NaN, 0, dst, 0)).toBe(0);
    expect([...dst]).toEqual([-1, -1, -1]);
  });
});

describe('accumulateBilinear', () => {
  const sample = (px: number, py: number, replicate: boolean) => {
    const acc = Float64Array.of(1, 1, 1);
    accumulateBilinear(RGBA, W, H, 4, 3, px, py, replicate, acc);
    return [...acc];
  };

  it('adds the sample to what acc holds', () => {
    expect(sample(0.5, 0.5, false)).toEqual([6, 51, 8]);
  });

  it('counts taps off the grid as 0, or with replicate as the nearest edge pixel', () => {
    // Half a pixel left of pixel (0, 0)'s centre: half its weight is off the grid.
    expect(sample(-0.5, 0, false)).toEqual([1, 1, 4.5]);
    expect(sample(-0.5, 0, true)).toEqual([1, 1, 8]);
    // Past the bottom-right corner's centre.
    expect(sample(2.5, 1.5, false)).toEqual([1 + 20 * 0.25, 1 + 100 * 0.25, 1 + 7 * 0.25]);
    expect(sample(2.5, 1.5, true)).toEqual([21, 101, 8]);
    // All four taps off the grid.
    expect(sample(-3, 0, false)).toEqual([1, 1, 1]);
    expect(sample(-3, 7, true)).toEqual([1, 101, 8]);
  });

  it('leaves acc alone on an empty grid', () => {
    const acc = Float64Array.of(1, 2, 3);
    accumulateBilinear(new Uint8Array(0), 0, 0, 4, 3, 0, 0, true, acc);
    expect([...acc]).toEqual([1, 2, 3]);
  });
});

describe('bilinearLerp', () => {
  it('interpolates in x, then in y', () => {
    expect(bilinearLerp(0, 0, 1, 2, 3, 4)).toBe(1);
    expect(bilinearLerp(1, 1, 1, 2, 3, 4)).toBe(4);
    expect(bilinearLerp(0.5, 0.5, 0, 10, 20, 30)).toBe(15);
    expect(bilinearLerp(0.25, 0.75, 0, 4, 8, 12)).toBe(7);
  });

  it('rounds as its separable form, not as the weighted sum of blendTaps', () => {
    // Values where the two orders round differently (0.133 against 0.13300000000000003).
    const [fx, fy] = [0.1, 0.1];
    const v = [0.1, 0.2, 0.3, 0.7];
    const weighted = new Float64Array(1);
    blendTaps(v, 0, 1, 2, 3, 1, fx, fy, weighted, 0);
    expect(bilinearLerp(fx, fy, v[0]!, v[1]!, v[2]!, v[3]!)).toBe(0.133);
    expect(weighted[0]).toBe(0.13300000000000003);
  });
});
