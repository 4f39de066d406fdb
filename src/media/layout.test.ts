import { describe, expect, it } from 'vitest';
import { sideBySideLayout } from './layout';

describe('side-by-side layout', () => {
  it('scales both clips to the smaller height with even sizes', () => {
    const l = sideBySideLayout({ width: 452, height: 722 }, { width: 720, height: 406 }, 720);
    expect(l.height).toBe(406);
    expect(l.reference).toEqual({ x: 0, y: 0, width: 254, height: 406 });
    expect(l.motion.x).toBe(254);
    expect(l.width % 2).toBe(0);
    expect(l.width).toBe(254 + 720);
  });

  it('caps the height', () => {
    const l = sideBySideLayout({ width: 1920, height: 1080 }, { width: 1920, height: 1080 }, 720);
    expect(l).toMatchObject({ width: 2560, height: 720 });
  });
});
