import { describe, expect, it } from 'vitest';
import { DEG, qAngle, qFromRotVec, quatAt } from './math';
import { SMOOTHING_TAPS, fillGaps, smoothFrames } from './temporal';

describe('temporal filtering', () => {
  it("uses Champ's [2, 3, 2, 3, 2] / 12 taps", () => {
    expect(SMOOTHING_TAPS.map((t) => t * 12)).toEqual([2, 3, 2, 3, 2]);
  });

  it('passes constants and removes frame-to-frame alternation (vectors and rotations)', () => {
    const n = 12;
    const vecs = Float32Array.from({ length: n * 3 }, (_, i) => (Math.floor(i / 3) % 2 ? 1 : -1) + 5);
    const quats = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) quats.set(qFromRotVec([0, (i % 2 ? 10 : -10) * DEG, 0]).map((v) => (i % 3 === 0 ? -v : v)), i * 4); // sign flips must not matter
    const out = smoothFrames(n, quats, 1, vecs, 1);
    for (let i = 2; i < n - 2; i++) {
      expect(out.vecs[i * 3]).toBeCloseTo(5, 5);
      expect(qAngle(quatAt(out.quats, i), [0, 0, 0, 1])).toBeLessThan(0.5 * DEG);
    }
  });

  it('fills gaps by interpolation and holds the ends', () => {
    const good = [0, 1, 0, 0, 1, 0];
    const quats = new Float32Array(6 * 4);
    const vecs = new Float32Array(6 * 3);
    quats.set(qFromRotVec([0, 0, 0]), 4);
    quats.set(qFromRotVec([0, 90 * DEG, 0]), 16);
    vecs.set([1, 0, 0], 3);
    vecs.set([4, 0, 0], 12);
    expect(fillGaps(good, quats, 1, vecs, 1)).toBe(true);
    expect(Array.from(vecs.filter((_, i) => i % 3 === 0))).toEqual([1, 1, 2, 3, 4, 4]);
    expect(qAngle(quatAt(quats, 2), qFromRotVec([0, 30 * DEG, 0]))).toBeLessThan(1e-3);
    expect(Array.from(quatAt(quats, 5))).toEqual(Array.from(quatAt(quats, 4)));
    expect(fillGaps([0, 0], new Float32Array(8), 1, new Float32Array(6), 1)).toBe(false);
  });
});
