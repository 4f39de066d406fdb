import { describe, expect, it } from 'vitest';
import { combineGuidance, guidanceScales, needsUnconditional } from './cfg';

describe('classifier-free guidance', () => {
  it('uniform scale', () => {
    const s = guidanceScales(2, 3);
    expect(Array.from(s)).toEqual([2, 2, 2]);
    const out = combineGuidance(Float32Array.of(1, 1, 0, 0, 2, 4), Float32Array.of(2, 3, 1, 1, 2, 2), s, [0, 1, 2], 2);
    expect(Array.from(out)).toEqual([3, 5, 2, 2, 2, 0]);
  });

  it('per-frame ramp min → max like torch.linspace', () => {
    expect(Array.from(guidanceScales({ min: 1, max: 3 }, 5))).toEqual([1, 1.5, 2, 2.5, 3]);
    expect(Array.from(guidanceScales({ min: 1, max: 3 }, 1))).toEqual([1]);
    const scales = guidanceScales({ min: 1, max: 3 }, 5);
    // A segment of global frames [3, 4]: scales 2.5 and 3.
    const out = combineGuidance(Float32Array.of(0, 0), Float32Array.of(1, 1), scales, [3, 4], 1);
    expect(Array.from(out)).toEqual([2.5, 3]);
  });

  it('scale 1 returns the conditional pass; in place works', () => {
    const cond = Float32Array.of(0.5, -1);
    const uncond = Float32Array.of(7, 8);
    expect(Array.from(combineGuidance(uncond, cond, guidanceScales(1, 1), [0], 2))).toEqual([0.5, -1]);
    expect(needsUnconditional(guidanceScales(1, 4))).toBe(false);
    expect(needsUnconditional(guidanceScales({ min: 1, max: 3 }, 4))).toBe(true);
    combineGuidance(uncond, cond, guidanceScales(2, 1), [0], 2, cond);
    expect(Array.from(cond)).toEqual([-6, -10]);
  });

  it('validates sizes', () => {
    expect(() => combineGuidance(new Float32Array(2), new Float32Array(3), guidanceScales(2, 3), [0, 1, 2], 1)).toThrow(/expected 3 frames/);
    expect(() => combineGuidance(new Float32Array(1), new Float32Array(1), guidanceScales(2, 1), [4], 1)).toThrow(/no guidance scale/);
    expect(() => guidanceScales(2, 0)).toThrow(/positive integer/);
  });
});
