import { describe, expect, it } from 'vitest';
import { bodyFraming } from './framing';
import { NEUTRAL_SHAPE } from './shape';
import { centredCamera, emptyBodyTrack, type BodyTrack } from './types';

/** An upright body facing the camera (identity rotations), its pelvis at `roots[i]` (camera space, metres). */
function standing(roots: Array<[number, number, number]>): BodyTrack {
  const t = emptyBodyTrack(roots.length, NEUTRAL_SHAPE, centredCamera(640, 480, 600));
  roots.forEach((r, i) => t.roots.set(r, i * 3));
  t.confidence.fill(1);
  return t;
}

describe('bodyFraming', () => {
  it('a body inside the frame in every frame needs nothing', () => {
    const t = standing(Array.from({ length: 6 }, () => [0, 0, 4]));
    expect(bodyFraming(t, t)).toEqual({ framesOutside: 0, frameCount: 6, side: null, fix: null });
  });

  it('finds the frames that leave by the right and the nearest ground offset that keeps every frame in', () => {
    // Frames 5-9 step 1.8 m to the right: 270 px right of the centre at 4 m, the arm past the edge.
    const roots = Array.from({ length: 10 }, (_, i) => [i < 5 ? 0 : 1.8, 0, 4] as [number, number, number]);
    const t = standing(roots);
    const framing = bodyFraming(t, t);
    expect(framing.framesOutside).toBe(5);
    expect(framing.side).toBe('right');
    const fix = framing.fix!;
    // Back to the left, or further away (smaller and nearer the centre), a little: not the whole step.
    expect(Math.hypot(fix.x, fix.z)).toBeGreaterThan(0);
    expect(Math.hypot(fix.x, fix.z)).toBeLessThan(1);
    // Moved by it (ground axes are the camera's x and z for an upright camera), every frame is inside.
    const moved = standing(roots.map(([x, y, z]) => [x + fix.x, y, z + fix.z]));
    expect(bodyFraming(moved, moved).framesOutside).toBe(0);
  });

  it('a body too tall for the frame at any offset within reach has no fix', () => {
    // 1 m from the camera the body spans about 1000 px: no move of 0.3 m at most fits it in 480.
    const t = standing(Array.from({ length: 3 }, () => [0, 0, 1]));
    const framing = bodyFraming(t, t, { reach: 0.3 });
    expect(framing.framesOutside).toBe(3);
    expect(['top', 'bottom']).toContain(framing.side);
    expect(framing.fix).toBeNull();
  });
});
