import { describe, expect, it } from 'vitest';
import { applyAffine, cropToSource } from './crop';
import {
  handRoiFromLandmarks,
  handRoiFromPose,
  normalizeRadians,
  poseRoiFromDetection,
  poseRoiFromLandmarks,
  rotatedBounds,
  transformRoi,
  uprightRotation,
} from './roi';
import type { Detection } from './types';

const detection = (hip: [number, number], top: [number, number]): Detection => ({
  score: 0.9,
  box: { cx: top[0], cy: top[1], w: 10, h: 10 },
  keypoints: [{ x: hip[0], y: hip[1] }, { x: top[0], y: top[1] }, { x: 0, y: 0 }, { x: 0, y: 0 }],
});

describe('rotations', () => {
  it('normalises to [-π, π)', () => {
    expect(normalizeRadians(3 * Math.PI)).toBeCloseTo(-Math.PI, 9);
    expect(normalizeRadians(-Math.PI / 2)).toBeCloseTo(-Math.PI / 2, 9);
    expect(normalizeRadians(2 * Math.PI + 0.1)).toBeCloseTo(0.1, 9);
  });

  it('is 0 for an upright body, ±90° for a body lying on either side, 180° upside down', () => {
    expect(uprightRotation({ x: 0, y: 0 }, { x: 0, y: -10 })).toBeCloseTo(0, 9);
    expect(uprightRotation({ x: 0, y: 0 }, { x: 10, y: 0 })).toBeCloseTo(Math.PI / 2, 9);
    expect(uprightRotation({ x: 0, y: 0 }, { x: -10, y: 0 })).toBeCloseTo(-Math.PI / 2, 9);
    expect(Math.abs(uprightRotation({ x: 0, y: 0 }, { x: 0, y: 10 }))).toBeCloseTo(Math.PI, 9);
  });
});

describe('pose ROI', () => {
  it('is centred on the hip centre, 2·1.25 × the alignment distance wide, upright', () => {
    const roi = poseRoiFromDetection(detection([200, 300], [200, 100]));
    expect(roi).toEqual({ cx: 200, cy: 300, size: 500, rotation: 0 });
  });

  it('rotates so that the head is at the top of the crop', () => {
    // Body lying with the head to the left.
    const roi = poseRoiFromDetection(detection([200, 300], [40, 300]));
    expect(roi.rotation).toBeCloseTo(-Math.PI / 2, 9);
    expect(roi.size).toBeCloseTo(400, 9);
    // The crop's top-middle lies beyond the head, along the body axis.
    const top = applyAffine(cropToSource(roi, 256), 128, 0);
    expect(top.x).toBeCloseTo(0, 6);
    expect(top.y).toBeCloseTo(300, 6);
    // Tilted 30° clockwise: head up and to the right.
    const tilted = poseRoiFromDetection(detection([0, 0], [100 * Math.sin(Math.PI / 6), -100 * Math.cos(Math.PI / 6)]));
    expect(tilted.rotation).toBeCloseTo(Math.PI / 6, 9);
  });

  it('tracks from auxiliary landmarks 33 and 34', () => {
    const pts = new Float32Array(39 * 4);
    pts.set([50, 60], 33 * 4);
    pts.set([50, 20], 34 * 4);
    expect(poseRoiFromLandmarks(pts, 4)).toEqual({ cx: 50, cy: 60, size: 100, rotation: 0 });
    expect(() => poseRoiFromLandmarks(new Float32Array(10), 4)).toThrow(/35 x 4/);
  });

  it('shifts along the ROI axes', () => {
    const up = transformRoi({ cx: 0, cy: 0, size: 10, rotation: 0 }, { shiftY: -0.1, scale: 2 });
    expect(up).toEqual({ cx: 0, cy: -1, size: 20, rotation: 0 });
    const turned = transformRoi({ cx: 0, cy: 0, size: 10, rotation: Math.PI / 2 }, { shiftY: -0.1 });
    expect(turned.cx).toBeCloseTo(1, 9); // "up" points right at +90°
    expect(turned.cy).toBeCloseTo(0, 9);
  });
});

describe('hand ROI', () => {
  /** A pose with the left hand hanging down: wrist (100, 200), index (104, 230), pinky (92, 227). */
  function pose(vis = 1): Float32Array {
    const kp = new Float32Array(33 * 4);
    kp.set([100, 200, 0, vis], 15 * 4);
    kp.set([92, 227, 0, vis], 17 * 4);
    kp.set([104, 230, 0, vis], 19 * 4);
    return kp;
  }

  it('is built around the estimated middle finger, pointing from the wrist', () => {
    const roi = handRoiFromPose(pose(), 'left', { transform: { scale: 1 } })!;
    const middle = { x: (2 * 104 + 92) / 3, y: (2 * 230 + 227) / 3 };
    expect(roi.cx).toBeCloseTo(middle.x, 6);
    expect(roi.cy).toBeCloseTo(middle.y, 6);
    expect(roi.size).toBeCloseTo(2 * Math.hypot(middle.x - 100, middle.y - 200), 6);
    expect(Math.abs(roi.rotation)).toBeGreaterThan(Math.PI * 0.9); // fingers point down
    const scaled = handRoiFromPose(pose(), 'left')!;
    expect(scaled.size).toBeCloseTo(roi.size * 1.6, 6);
    expect(scaled.cy).toBeGreaterThan(roi.cy); // shifted towards the fingers (down)
  });

  it('needs visible keypoints on the requested side', () => {
    expect(handRoiFromPose(pose(0.05), 'left')).toBeNull();
    expect(handRoiFromPose(pose(), 'right')).toBeNull(); // right side all zero
  });

  it('fits a rotated box to hand landmarks', () => {
    // An upright "hand": wrist at the bottom, fingers spread above it.
    const pts = new Float32Array(21 * 3);
    for (let i = 0; i < 21; i++) pts.set([100 + ((i % 5) - 2) * 5, 200 - Math.floor(i / 4) * 8, 1], i * 3);
    pts.set([100, 200, 1], 0);
    pts.set([95, 180, 1], 5 * 3); // index, middle, ring knuckles, symmetric about x = 100
    pts.set([100, 178, 1], 9 * 3);
    pts.set([105, 180, 1], 13 * 3);
    const roi = handRoiFromLandmarks(pts, 3, { scale: 1 });
    expect(roi.rotation).toBeCloseTo(0, 9);
    const b = rotatedBounds(pts, 3, 21, 0);
    expect(roi.size).toBeCloseTo(Math.max(b.width, b.height), 6);
    expect(b.cx).toBeCloseTo(100, 6);
  });

  it('computes rotated bounds', () => {
    const pts = Float32Array.from([0, 0, 10, 10]); // a diagonal segment
    const b = rotatedBounds(pts, 2, 2, Math.PI / 4);
    expect(b.width).toBeCloseTo(Math.hypot(10, 10), 6);
    expect(b.height).toBeCloseTo(0, 6);
    expect(b.cx).toBeCloseTo(5, 6);
    expect(b.cy).toBeCloseTo(5, 6);
  });
});
