import { describe, expect, it } from 'vitest';
import { BLAZEPOSE_DETECTOR_ANCHORS, generateSsdAnchors } from './anchors';
import { cropToSource, letterboxRoi, sourceToCrop, applyAffine } from './crop';
import { decodeDetections, iou, sigmoid, weightedNms } from './detect';
import type { Detection } from './types';

const anchors = generateSsdAnchors(BLAZEPOSE_DETECTOR_ANCHORS);
const VALUES = 13;

/** Raw detector output with one firing anchor whose box and keypoints land on `input` pixel positions. */
function syntheticOutput(fires: Array<{ anchor: number; logit: number; box: [number, number, number, number]; kps: Array<[number, number]> }>): Float32Array {
  const raw = new Float32Array(2254 * VALUES).fill(-20);
  for (const f of fires) {
    const o = f.anchor * VALUES;
    const ax = anchors[f.anchor * 4]! * 224;
    const ay = anchors[f.anchor * 4 + 1]! * 224;
    raw[o] = f.logit;
    raw.set([f.box[0] - ax, f.box[1] - ay, f.box[2], f.box[3]], o + 1);
    f.kps.forEach(([x, y], k) => raw.set([x - ax, y - ay], o + 5 + 2 * k));
  }
  return raw;
}

describe('detector decoding', () => {
  it('decodes boxes and keypoints relative to the anchor, through the letterbox, into source pixels', () => {
    // 640x360 frame letterboxed into 224: scale 0.35, 49 px bars top and bottom.
    const lb = letterboxRoi(640, 360);
    const toSource = cropToSource(lb, 224);
    const raw = syntheticOutput([{ anchor: 300, logit: 2, box: [112, 100, 40, 50], kps: [[112, 150], [110, 60], [112, 120], [111, 80]] }]);
    const dets = decodeDetections(raw, anchors, toSource, { inputSize: 224, numKeypoints: 4, minScore: 0.5 });
    expect(dets).toHaveLength(1);
    const d = dets[0]!;
    expect(d.score).toBeCloseTo(sigmoid(2), 6);
    expect(d.box.cx).toBeCloseTo(320, 3);
    expect(d.box.cy).toBeCloseTo((100 - 49) / 0.35, 3);
    expect(d.box.w).toBeCloseTo(40 / 0.35, 3);
    expect(d.box.h).toBeCloseTo(50 / 0.35, 3);
    expect(d.keypoints[0]!.x).toBeCloseTo(320, 3);
    expect(d.keypoints[0]!.y).toBeCloseTo((150 - 49) / 0.35, 3);
    expect(d.keypoints[1]!.x).toBeCloseTo(320 - 2 / 0.35, 3);
    // Round trip back into detector pixels.
    const back = applyAffine(sourceToCrop(lb, 224), d.keypoints[3]!.x, d.keypoints[3]!.y);
    expect(back.x).toBeCloseTo(111, 3);
    expect(back.y).toBeCloseTo(80, 3);
  });

  it('applies the sigmoid and the score threshold, clipping huge logits', () => {
    const raw = syntheticOutput([
      { anchor: 10, logit: 0.1, box: [20, 20, 10, 10], kps: [[0, 0], [0, 0], [0, 0], [0, 0]] },
      { anchor: 2000, logit: -0.1, box: [150, 150, 10, 10], kps: [[0, 0], [0, 0], [0, 0], [0, 0]] },
      { anchor: 2100, logit: 8e5, box: [180, 180, 10, 10], kps: [[0, 0], [0, 0], [0, 0], [0, 0]] },
    ]);
    const identity = { a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0 };
    const dets = decodeDetections(raw, anchors, identity, { inputSize: 224, numKeypoints: 4, minScore: 0.5 });
    expect(dets.map((d) => Math.round(d.box.cx))).toEqual([20, 180]);
    expect(dets[1]!.score).toBe(1);
    expect(decodeDetections(raw, anchors, identity, { inputSize: 224, numKeypoints: 4, minScore: 0.4 })).toHaveLength(3);
  });

  it('rejects an output of the wrong size', () => {
    const identity = { a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0 };
    expect(() => decodeDetections(new Float32Array(100), anchors, identity, { inputSize: 224, numKeypoints: 4, minScore: 0.5 })).toThrow(/2254 anchors x 13/);
  });
});

describe('non-maximum suppression', () => {
  const det = (score: number, cx: number, cy: number, w: number, kx: number): Detection => ({ score, box: { cx, cy, w, h: w }, keypoints: [{ x: kx, y: 0 }] });

  it('computes IoU', () => {
    expect(iou({ cx: 0, cy: 0, w: 2, h: 2 }, { cx: 1, cy: 0, w: 2, h: 2 })).toBeCloseTo(2 / 6, 6);
    expect(iou({ cx: 0, cy: 0, w: 2, h: 2 }, { cx: 5, cy: 0, w: 2, h: 2 })).toBe(0);
  });

  it('merges overlapping detections by score-weighted mean and keeps the best score', () => {
    const out = weightedNms([det(0.6, 12, 10, 10, 30), det(0.9, 10, 10, 10, 0), det(0.8, 100, 100, 10, 5)], 0.3);
    expect(out).toHaveLength(2);
    expect(out[0]!.score).toBe(0.9);
    expect(out[0]!.box.cx).toBeCloseTo((10 * 0.9 + 12 * 0.6) / 1.5, 6);
    expect(out[0]!.box.w).toBeCloseTo(10, 6);
    expect(out[0]!.keypoints[0]!.x).toBeCloseTo((0 * 0.9 + 30 * 0.6) / 1.5, 6);
    expect(out[1]).toEqual(det(0.8, 100, 100, 10, 5));
  });

  it('keeps detections that overlap less than the threshold', () => {
    expect(weightedNms([det(0.9, 0, 0, 10, 0), det(0.8, 8, 0, 10, 0)], 0.3)).toHaveLength(2);
    expect(weightedNms([], 0.3)).toEqual([]);
  });
});
