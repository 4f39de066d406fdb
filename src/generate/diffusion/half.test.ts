import { describe, expect, it } from 'vitest';
import { float32ToHalf, fromHalfBits, halfToFloat32, toHalfBits } from './half';

describe('float16', () => {
  it('known bit patterns', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(1e6)).toBe(0x7c00);
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(0.1)).toBe(0x2e66);
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(fromHalfBits(0x3555)).toBeCloseTo(1 / 3, 3);
    expect(Number.isNaN(fromHalfBits(toHalfBits(NaN)))).toBe(true);
  });

  it('round trips every half value', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalfBits(h);
      if (Number.isNaN(v)) continue;
      if (toHalfBits(v) !== h) throw new Error(`0x${h.toString(16)} → ${v} → 0x${toHalfBits(v).toString(16)}`);
    }
    const x = Float32Array.of(0.5, -3.25, 1024);
    expect(Array.from(halfToFloat32(float32ToHalf(x)))).toEqual([0.5, -3.25, 1024]);
  });
});
