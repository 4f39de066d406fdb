import { describe, expect, it } from 'vitest';
import { DEG, qAngle, qFromRotVec, type Quat } from './math';
import { CHILDREN, J, JOINT_LIMITS, JOINT_NAMES, MIRROR, NEUTRAL_OFFSETS, PARENTS, clampToLimit, fromLimitComponents, limitComponents } from './skeleton';
import { seededRandom } from './synthetic-testing';

describe('skeleton', () => {
  it('has SMPL names, order and parents (REFERENCES.md)', () => {
    expect(JOINT_NAMES.join(' ')).toBe(
      'pelvis left_hip right_hip spine1 left_knee right_knee spine2 left_ankle right_ankle spine3 left_foot right_foot neck ' +
        'left_collar right_collar head left_shoulder right_shoulder left_elbow right_elbow left_wrist right_wrist left_hand right_hand',
    );
    expect(PARENTS).toEqual([-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21]);
    PARENTS.forEach((p, j) => expect(p).toBeLessThan(j));
    expect(CHILDREN[J.spine3]).toEqual([J.neck, J.left_collar, J.right_collar]);
  });

  it('is left-right symmetric: left joints at +x (body space: x left, y down, z back)', () => {
    for (let j = 1; j < 24; j++) {
      const m = MIRROR[j]!;
      expect(NEUTRAL_OFFSETS[j * 3]).toBeCloseTo(-NEUTRAL_OFFSETS[m * 3]!, 6);
      expect(NEUTRAL_OFFSETS[j * 3 + 1]).toBeCloseTo(NEUTRAL_OFFSETS[m * 3 + 1]!, 6);
      if (JOINT_NAMES[j]!.startsWith('left_') && j !== J.left_foot) expect(NEUTRAL_OFFSETS[j * 3]!).toBeGreaterThanOrEqual(0);
    }
    // Knees below hips (y down), head above the neck.
    expect(NEUTRAL_OFFSETS[J.left_knee * 3 + 1]!).toBeGreaterThan(0.3);
    expect(NEUTRAL_OFFSETS[J.head * 3 + 1]!).toBeLessThan(0);
  });

  it('splits and rebuilds rotations from swing-twist components', () => {
    const rand = seededRandom(3);
    for (let i = 0; i < 200; i++) {
      const j = 1 + Math.floor(rand() * 23);
      const l = JOINT_LIMITS[j]!;
      const q = qFromRotVec([(rand() - 0.5) * 2, (rand() - 0.5) * 2, (rand() - 0.5) * 2]);
      const back = fromLimitComponents(limitComponents(q, l), l.twistAxis);
      expect(qAngle(q, back)).toBeLessThan(1e-5);
    }
  });

  it('clamps to the limits and leaves rotations inside them unchanged', () => {
    const knee = JOINT_LIMITS[J.left_knee]!;
    const hyper = qFromRotVec([-30 * DEG, 0, 0]); // knee bent forwards: outside
    const c = limitComponents(clampToLimit(hyper, knee), knee);
    expect(c[0]).toBeCloseTo(0, 6);
    const ok: Quat = qFromRotVec([60 * DEG, 0, 0]);
    expect(qAngle(clampToLimit(ok, knee), ok)).toBeLessThan(1e-6);
    // The right side mirrors the left: elbow flexion is +y on the left, -y on the right.
    expect(JOINT_LIMITS[J.left_elbow]!.max[1]).toBeGreaterThan(2);
    expect(JOINT_LIMITS[J.right_elbow]!.min[1]).toBeLessThan(-2);
    const rand = seededRandom(4);
    for (let i = 0; i < 100; i++) {
      const j = 1 + Math.floor(rand() * 23);
      const q = clampToLimit(qFromRotVec([(rand() - 0.5) * 5, (rand() - 0.5) * 5, (rand() - 0.5) * 5]), JOINT_LIMITS[j]!);
      const comp = limitComponents(q, JOINT_LIMITS[j]!);
      for (let a = 0; a < 3; a++) {
        expect(comp[a]!).toBeGreaterThanOrEqual(JOINT_LIMITS[j]!.min[a]! - 1e-4);
        expect(comp[a]!).toBeLessThanOrEqual(JOINT_LIMITS[j]!.max[a]! + 1e-4);
      }
    }
  });
});
