import { describe, expect, it } from 'vitest';
import { measureSkeleton, shapeFromMeasures } from './estimate-shape';
import { vec3At } from './math';
import { type BodyShape, NEUTRAL_SHAPE, boneLength, endSite, legLength, restSkeleton, validateShape } from './shape';
import { J } from './skeleton';
import { seededRandom } from './synthetic-testing';

const stature = (s: BodyShape) => {
  const skel = restSkeleton(s);
  return endSite(skel, 'left_sole')[1] - endSite(skel, 'crown')[1];
};

describe('shape', () => {
  it('neutral body: 1.70 m, pelvis about 0.98 m above the soles, symmetric', () => {
    const skel = restSkeleton();
    expect(stature(NEUTRAL_SHAPE)).toBeCloseTo(1.7, 6);
    expect(skel.scale).toBeCloseTo(1, 6);
    expect(skel.pelvisHeight).toBeCloseTo(0.975, 3);
    expect(vec3At(skel.joints, J.left_wrist)[0]).toBeCloseTo(-vec3At(skel.joints, J.right_wrist)[0], 6);
  });

  it('keeps the stature when proportions change, and changes the parts', () => {
    const long = { ...NEUTRAL_SHAPE, legs: 1.2, arms: 0.9 };
    expect(stature(long)).toBeCloseTo(1.7, 6);
    const a = restSkeleton(NEUTRAL_SHAPE);
    const b = restSkeleton(long);
    // Longer legs at the same stature: the rest of the body shrinks to make room.
    expect(legLength(b) / legLength(a)).toBeGreaterThan(1.08);
    expect(boneLength(b, J.left_elbow) / boneLength(a, J.left_elbow)).toBeLessThan(0.95);
    expect(stature({ ...NEUTRAL_SHAPE, height: 1.5 })).toBeCloseTo(1.5, 6);
  });

  it('clamps parameters into range', () => {
    expect(validateShape({ ...NEUTRAL_SHAPE, legs: 5, girth: Number.NaN })).toMatchObject({ legs: 1.4, girth: 0 });
  });

  it('recovers a shape from its own measures (segment lengths within 1%)', () => {
    const rand = seededRandom(11);
    for (let i = 0; i < 5; i++) {
      const truth: BodyShape = { height: 1.5 + 0.4 * rand(), legs: 0.9 + 0.2 * rand(), arms: 0.9 + 0.2 * rand(), torso: 0.9 + 0.2 * rand(), neckHead: 0.85 + 0.3 * rand(), shoulders: 0.85 + 0.3 * rand(), hips: 0.85 + 0.3 * rand(), girth: 0 };
      const m = measureSkeleton(restSkeleton(truth));
      const got = measureSkeleton(restSkeleton(shapeFromMeasures(m)));
      for (const key of Object.keys(m) as Array<keyof typeof m>) expect(Math.abs(got[key] / m[key] - 1), key).toBeLessThan(0.01);
      expect(Math.abs(stature(shapeFromMeasures(m)) / truth.height - 1)).toBeLessThan(0.02);
    }
  });
});
