import { describe, expect, it } from 'vitest';
import {
  BLAZEPOSE_33_NAMES,
  BP,
  COCO_17_NAMES,
  OPENPOSE_18_NAMES,
  WHOLEBODY_FACE,
  WHOLEBODY_KEYPOINTS,
  WHOLEBODY_LEFT_HAND,
  WHOLEBODY_RIGHT_HAND,
  toCoco17,
  toOpenPose18,
  toWholeBody,
} from './layouts';
import type { HandPose, PoseFrame } from './types';

/** A pose whose keypoint i sits at (10·i, 1000 + i) with visibility (i + 1) / 40. */
function handMadePose(): Float32Array {
  const kp = new Float32Array(33 * 4);
  for (let i = 0; i < 33; i++) kp.set([10 * i, 1000 + i, -i, (i + 1) / 40], i * 4);
  return kp;
}

const point = (a: Float32Array, i: number) => Array.from(a.subarray(i * 3, i * 3 + 3));

describe('layouts', () => {
  it('names 33 BlazePose keypoints with anatomical sides', () => {
    expect(BLAZEPOSE_33_NAMES).toHaveLength(33);
    expect(BP.left_shoulder).toBe(11);
    expect(BP.right_hip).toBe(24);
    expect(BP.right_foot_index).toBe(32);
  });

  it('converts to COCO-17 with per-keypoint visibility as score', () => {
    const coco = toCoco17({ found: true, keypoints: handMadePose() });
    expect(coco).toHaveLength(51);
    COCO_17_NAMES.forEach((name, i) => {
      const src = BP[name];
      expect(point(coco, i)).toEqual([10 * src, 1000 + src, Math.fround((src + 1) / 40)]);
    });
    // Spot checks against the COCO order itself.
    expect(coco[1 * 3]).toBe(10 * 2); // left_eye <- BlazePose 2
    expect(coco[16 * 3]).toBe(10 * 28); // right_ankle <- BlazePose 28
  });

  it('converts to OpenPose-18 with neck = shoulder mean, score = min', () => {
    const kp = handMadePose();
    kp.set([100, 200, 0, 0.9], 11 * 4); // left shoulder
    kp.set([300, 220, 0, 0.4], 12 * 4); // right shoulder
    const op = toOpenPose18({ found: true, keypoints: kp });
    expect(op).toHaveLength(54);
    expect(point(op, 1)).toEqual([200, 210, Math.fround(0.4)]);
    expect(point(op, 2)).toEqual([300, 220, Math.fround(0.4)]); // R shoulder
    expect(point(op, 5)).toEqual([100, 200, Math.fround(0.9)]); // L shoulder
    OPENPOSE_18_NAMES.forEach((name, i) => {
      if (name === 'neck') return;
      const src = BP[name];
      expect(op[i * 3], name).toBe(kp[src * 4]);
    });
  });

  it('builds the whole-body set: body, then left hand, then right hand', () => {
    const hand = (x: number): HandPose => ({ keypoints: Float32Array.from({ length: 63 }, (_, k) => (k % 3 === 2 ? 0.8 : x + k)), score: 0.8 });
    const frame: Pick<PoseFrame, 'found' | 'keypoints' | 'hands'> = { found: true, keypoints: handMadePose(), hands: { left: hand(5000), right: null } };
    const wb = toWholeBody(frame);
    expect(wb).toHaveLength(WHOLEBODY_KEYPOINTS * 3);
    expect(Array.from(wb.subarray(0, 54))).toEqual(Array.from(toOpenPose18(frame)));
    expect(point(wb, WHOLEBODY_LEFT_HAND)).toEqual([5000, 5001, Math.fround(0.8)]);
    expect(point(wb, WHOLEBODY_LEFT_HAND + 20)).toEqual([5060, 5061, Math.fround(0.8)]);
    expect(Array.from(wb.subarray(WHOLEBODY_RIGHT_HAND * 3)).every((v) => v === 0)).toBe(true);
    const face = { score: 0.7, points: Float32Array.from({ length: 136 }, (_, k) => k) };
    const withFace = toWholeBody({ ...frame, face });
    expect(Array.from(withFace.subarray(0, WHOLEBODY_FACE * 3))).toEqual(Array.from(wb.subarray(0, WHOLEBODY_FACE * 3)));
    expect(point(withFace, WHOLEBODY_FACE)).toEqual([0, 1, Math.fround(0.7)]);
    expect(point(withFace, WHOLEBODY_FACE + 67)).toEqual([134, 135, Math.fround(0.7)]);
  });

  it('gives zeros for a frame without a person and rejects short arrays', () => {
    const frame = { found: false, keypoints: handMadePose(), hands: { left: null, right: null } };
    expect(Array.from(toCoco17(frame)).every((v) => v === 0)).toBe(true);
    expect(Array.from(toWholeBody(frame)).every((v) => v === 0)).toBe(true);
    expect(() => toOpenPose18({ found: true, keypoints: new Float32Array(10) })).toThrow(/132 values/);
  });

  it('writes into a given buffer', () => {
    const out = new Float32Array(54).fill(7);
    expect(toOpenPose18({ found: true, keypoints: handMadePose() }, out)).toBe(out);
    expect(out[0]).toBe(0);
  });
});
