import { describe, expect, it } from 'vitest';
import { etaSeconds, formatClock } from './eta';

describe('ETA', () => {
  it('extrapolates the rate so far', () => {
    expect(etaSeconds(0.25, 10)).toBeCloseTo(30);
    expect(etaSeconds(1, 10)).toBe(0);
  });
  it('says nothing before there is progress', () => {
    expect(etaSeconds(0, 5)).toBeNull();
    expect(etaSeconds(0.005, 5)).toBeNull();
    expect(etaSeconds(0.5, 0)).toBeNull();
  });
  it('formats clocks', () => {
    expect(formatClock(7)).toBe('0:07');
    expect(formatClock(65.4)).toBe('1:05');
    expect(formatClock(3723)).toBe('1:02:03');
  });
});
