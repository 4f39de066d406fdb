import { describe, expect, it } from 'vitest';
import { KeypointSmoother, OneEuroFilter, smoothingAlpha } from './one-euro';

/** Deterministic noise in [-1, 1). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

const rms = (a: number[]) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);

describe('OneEuroFilter', () => {
  it('leaves a constant signal unchanged', () => {
    const f = new OneEuroFilter({ minCutoff: 1, beta: 0.5 });
    for (let i = 0; i < 60; i++) expect(f.filter(42.5, i / 30)).toBe(42.5);
  });

  it('reduces jitter around a still value', () => {
    const f = new OneEuroFilter({ minCutoff: 1, beta: 0.01 });
    const rnd = noise(1);
    const input: number[] = [];
    const output: number[] = [];
    for (let i = 0; i < 300; i++) {
      const v = 100 + 2 * rnd();
      input.push(v - 100);
      output.push(f.filter(v, i / 30) - 100);
    }
    expect(rms(output.slice(30))).toBeLessThan(0.4 * rms(input.slice(30)));
  });

  it('follows fast motion with little lag', () => {
    // 600 px/s ramp at 30 fps; a fixed 1 Hz low-pass would lag by ~95 px.
    const f = new OneEuroFilter({ minCutoff: 1, beta: 0.05 });
    let last = 0;
    for (let i = 0; i < 60; i++) last = f.filter(20 * i, i / 30);
    expect(20 * 59 - last).toBeLessThan(10);
    const slow = new OneEuroFilter({ minCutoff: 1, beta: 0 });
    let lagged = 0;
    for (let i = 0; i < 60; i++) lagged = slow.filter(20 * i, i / 30);
    expect(20 * 59 - lagged).toBeGreaterThan(60);
  });

  it('restarts when time does not advance, and on reset', () => {
    const f = new OneEuroFilter({ minCutoff: 0.1, beta: 0 });
    f.filter(0, 0);
    expect(f.filter(100, 1 / 30)).toBeLessThan(10);
    expect(f.filter(50, 0)).toBe(50); // time ran backwards: a seek
    f.reset();
    expect(f.filter(-3, 5)).toBe(-3);
  });

  it('validates its parameters', () => {
    expect(() => new OneEuroFilter({ minCutoff: 0 })).toThrow(/minCutoff/);
    expect(() => new OneEuroFilter({ beta: -1 })).toThrow(/beta/);
    expect(smoothingAlpha(1e9, 1)).toBeCloseTo(1, 6);
  });
});

describe('KeypointSmoother', () => {
  it('matches per-coordinate scalar filters and passes extra values through', () => {
    const params = { minCutoff: 0.5, beta: 2, dCutoff: 1 };
    const s = new KeypointSmoother({ count: 2, stride: 3, components: 2, params });
    const scalars = Array.from({ length: 4 }, () => new OneEuroFilter(params));
    const rnd = noise(7);
    for (let i = 0; i < 40; i++) {
      const t = i / 25;
      const v = Float32Array.from([i + rnd(), 2 * i, 0.5, -i, rnd() * 3, 0.25]);
      const out = s.smooth(v, t, 0.1);
      const expected = [0, 1, 3, 4].map((k, j) => scalars[j]!.filter(v[k]!, t, 0.1));
      expect(out[0]).toBeCloseTo(expected[0]!, 4);
      expect(out[1]).toBeCloseTo(expected[1]!, 4);
      expect(out[3]).toBeCloseTo(expected[2]!, 4);
      expect(out[4]).toBeCloseTo(expected[3]!, 4);
      expect(out[2]).toBe(0.5);
      expect(out[5]).toBe(0.25);
    }
  });

  it('passes the first frame after reset through', () => {
    const s = new KeypointSmoother({ count: 1, stride: 2, components: 2 });
    s.smooth(Float32Array.from([0, 0]), 0);
    s.smooth(Float32Array.from([1, 1]), 0.1);
    s.reset();
    expect(Array.from(s.smooth(Float32Array.from([9, 8]), 0.2))).toEqual([9, 8]);
  });

  it('rejects bad shapes', () => {
    expect(() => new KeypointSmoother({ count: 2, stride: 2, components: 3 })).toThrow(/components/);
    const s = new KeypointSmoother({ count: 2, stride: 2, components: 2 });
    expect(() => s.smooth(new Float32Array(3), 0)).toThrow(/2 x 2/);
  });
});
