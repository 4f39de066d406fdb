import { describe, expect, it } from 'vitest';
import { fillGaussian, gaussian } from './random';

describe('seeded Gaussian noise', () => {
  it('same seed → identical output; other seeds or streams differ', () => {
    const a = gaussian(1000, 42);
    expect(Array.from(gaussian(1000, 42))).toEqual(Array.from(a));
    const b = gaussian(1000, 43);
    const c = gaussian(1000, 42, 1);
    let sameB = 0;
    let sameC = 0;
    for (let i = 0; i < 1000; i++) {
      if (a[i] === b[i]) sameB++;
      if (a[i] === c[i]) sameC++;
    }
    expect(sameB).toBe(0);
    expect(sameC).toBe(0);
  });

  it('is counter-based: any slice equals the same slice of the whole', () => {
    const all = gaussian(101, 7, 3);
    const part = fillGaussian(new Float32Array(40), 7, 3, 31);
    expect(Array.from(part)).toEqual(Array.from(all.subarray(31, 71)));
  });

  it('has zero mean, unit variance, Gaussian tails and no lag correlation', () => {
    const n = 200_000;
    const x = gaussian(n, 1234);
    let mean = 0;
    for (const v of x) mean += v;
    mean /= n;
    let variance = 0;
    let lag = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      variance += (x[i]! - mean) ** 2;
      if (i > 0) lag += x[i]! * x[i - 1]!;
      if (Math.abs(x[i]!) > 2) beyond2++;
    }
    variance /= n;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(Math.abs(lag / n)).toBeLessThan(0.01);
    expect(beyond2 / n).toBeCloseTo(0.0455, 2);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('large seeds are accepted and distinct', () => {
    expect(gaussian(4, 2 ** 40)[0]).not.toBe(gaussian(4, 0)[0]);
    expect(() => gaussian(4, -1)).toThrow(/seed/);
    // Offsets past 2^32 values stay finite and distinct from the start of the stream.
    const far = fillGaussian(new Float32Array(4), 1, 0, 2 ** 33);
    expect(far.every(Number.isFinite)).toBe(true);
    expect(Array.from(far)).not.toEqual(Array.from(gaussian(4, 1)));
  });
});
