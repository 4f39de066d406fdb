import { describe, expect, it } from 'vitest';
import { meanKeypointError, pck, pckReferenceLength, sumPck, torsoDiameter } from './metrics';

const triples = (...pts: Array<[number, number, number]>) => Float32Array.from(pts.flat());

describe('PCK', () => {
  const gt = triples([0, 0, 2], [10, 0, 2], [20, 0, 1], [30, 0, 0]);
  const pred = triples([1, 0, 1], [10, 5, 1], [20, 1.9, 0], [99, 99, 1]);

  it('counts ground-truth keypoints within alpha × reference length', () => {
    expect(pck(pred, gt, 10, 0.2)).toEqual({ correct: 2, total: 3, value: 2 / 3 });
    expect(pck(pred, gt, 10, 0.2, 2)).toEqual({ correct: 1, total: 2, value: 0.5 }); // v = 2 only
    expect(pck(pred, gt, 30, 0.2).correct).toBe(3);
    expect(pck(triples([1, 1, 1]), triples([0, 0, 0]), 10).value).toBeNaN(); // nothing visible
  });

  it('sums results over people', () => {
    expect(sumPck([{ correct: 1, total: 2, value: 0.5 }, { correct: 3, total: 3, value: 1 }])).toEqual({ correct: 4, total: 5, value: 0.8 });
  });

  it('measures the mean error over visible keypoints', () => {
    const e = meanKeypointError(pred, gt);
    expect(e.count).toBe(3);
    expect(e.mean).toBeCloseTo((1 + 5 + 1.9) / 3, 5);
  });

  it('rejects mismatched arrays and bad lengths', () => {
    expect(() => pck(pred, gt.subarray(0, 6), 10)).toThrow(/same length/);
    expect(() => pck(pred, gt, 0)).toThrow(/refLength/);
  });
});

describe('reference length', () => {
  it('uses the left shoulder to right hip distance (COCO 5 → 12, OpenPose 5 → 8)', () => {
    const coco = new Float32Array(17 * 3);
    coco.set([100, 100, 2], 5 * 3);
    coco.set([130, 140, 2], 12 * 3);
    expect(torsoDiameter(coco, 'coco17')).toBe(50);
    expect(pckReferenceLength(coco, 'coco17', { w: 80, h: 200 })).toEqual({ length: 50, source: 'torso' });
    const op = new Float32Array(18 * 3);
    op.set([0, 0, 0.9], 5 * 3);
    op.set([0, 60, 0.9], 8 * 3);
    expect(torsoDiameter(op, 'openpose18', 0.5)).toBe(60);
  });

  it('falls back to the longer box side when a torso keypoint is missing', () => {
    const coco = new Float32Array(17 * 3);
    coco.set([100, 100, 2], 5 * 3);
    expect(torsoDiameter(coco, 'coco17')).toBeNull();
    expect(pckReferenceLength(coco, 'coco17', { w: 80, h: 200 })).toEqual({ length: 200, source: 'box' });
  });
});
