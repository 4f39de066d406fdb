import { describe, expect, it } from 'vitest';
import {
  cocoFromTrack, cocoFromTriples, frameIndexAt, l1, luma, mean, mse, outsideBoxesMask, poseAgreement, poseBox, psnr, ssim, sumAgreement,
  rootAligned, temporalDifference, temporalStability, torsoCentre, torsoSize,
} from './metrics.mjs';
import { alignPose, bodyHeight, fillBoxRows, medianBodyHeight, midHip, paste2dFrame } from './paste2d.mjs';

const W = 32;
const H = 24;
const solid = (v, w = W, h = H) => new Uint8Array(w * h * 3).fill(v);
/** A deterministic textured image (values 0..255). */
function texture(seed = 1, w = W, h = H) {
  const img = new Uint8Array(w * h * 3);
  let s = seed;
  for (let i = 0; i < img.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    img[i] = (s >>> 16) & 255;
  }
  return img;
}

describe('PSNR, MSE, L1', () => {
  it('identical images: MSE 0, PSNR infinite, L1 0', () => {
    const a = texture();
    expect(mse(a, a, W, H)).toBe(0);
    expect(psnr(a, a, W, H)).toBe(Infinity);
    expect(l1(a, a, W, H)).toBe(0);
  });
  it('a constant offset of 10 gives MSE 100, PSNR 10 log10(255^2/100), L1 10/255', () => {
    expect(mse(solid(20), solid(30), W, H)).toBe(100);
    expect(psnr(solid(20), solid(30), W, H)).toBeCloseTo(10 * Math.log10((255 * 255) / 100), 10);
    expect(l1(solid(20), solid(30), W, H)).toBeCloseTo(10 / 255, 12);
  });
  it('black against white is 0 dB and L1 1', () => {
    expect(psnr(solid(0), solid(255), W, H)).toBeCloseTo(0, 12);
    expect(l1(solid(0), solid(255), W, H)).toBe(1);
  });
  it('counts only the box, or only the mask', () => {
    const a = solid(0);
    const b = solid(0);
    // b differs by 50 inside x in [4, 8), y in [2, 6)
    for (let y = 2; y < 6; y++) for (let x = 4; x < 8; x++) for (let c = 0; c < 3; c++) b[(y * W + x) * 3 + c] = 50;
    expect(mse(a, b, W, H, { box: { x0: 4, y0: 2, x1: 8, y1: 6 } })).toBe(2500);
    expect(mse(a, b, W, H)).toBeCloseTo((2500 * 16) / (W * H), 10);
    const mask = outsideBoxesMask(W, H, [{ x0: 4, y0: 2, x1: 8, y1: 6 }, null]);
    expect(psnr(a, b, W, H, { mask })).toBe(Infinity);
    expect(mask.reduce((s, v) => s + v, 0)).toBe(W * H - 16);
  });
  it('rejects images of the wrong size', () => {
    expect(() => psnr(solid(0), solid(0, 2, 2), W, H)).toThrow(RangeError);
  });
});

describe('SSIM', () => {
  it('is 1 for identical images', () => {
    const y = luma(texture(), W, H);
    expect(ssim(y, y, W, H)).toBeCloseTo(1, 12);
  });
  it('of two constant images follows the luminance term (2 m1 m2 + C1) / (m1^2 + m2^2 + C1)', () => {
    const c1 = (0.01 * 255) ** 2;
    const expected = (2 * 100 * 150 + c1) / (100 ** 2 + 150 ** 2 + c1);
    expect(ssim(luma(solid(100), W, H), luma(solid(150), W, H), W, H)).toBeCloseTo(expected, 6);
  });
  it('drops with noise and for an inverted image goes negative', () => {
    const a = texture(3);
    const noisy = a.map((v, i) => Math.max(0, Math.min(255, v + ((i * 7919) % 61) - 30)));
    const inv = a.map((v) => 255 - v);
    const ya = luma(a, W, H);
    const sNoisy = ssim(ya, luma(noisy, W, H), W, H);
    expect(sNoisy).toBeLessThan(0.99);
    expect(sNoisy).toBeGreaterThan(0);
    expect(ssim(ya, luma(inv, W, H), W, H)).toBeLessThan(0);
  });
  it('inside a box sees only that box', () => {
    const a = texture(5, 64, 48);
    const b = Uint8Array.from(a);
    for (let y = 0; y < 48; y++) for (let x = 40; x < 64; x++) for (let c = 0; c < 3; c++) b[(y * 64 + x) * 3 + c] = 0;
    const ya = luma(a, 64, 48);
    const yb = luma(b, 64, 48);
    expect(ssim(ya, yb, 64, 48, { box: { x0: 0, y0: 0, x1: 30, y1: 48 } })).toBeCloseTo(1, 10);
    expect(ssim(ya, yb, 64, 48)).toBeLessThan(0.9);
  });
  it('matches the luma of a grey pixel', () => {
    expect(luma(Uint8Array.from([255, 255, 255]), 1, 1)[0]).toBeCloseTo(255, 3);
  });
});

describe('pose fidelity', () => {
  // COCO-17: nose, eyes, ears, shoulders (5, 6), elbows, wrists, hips (11, 12), knees, ankles.
  const person = () => {
    const k = new Float64Array(17 * 3);
    for (let i = 0; i < 17; i++) {
      k[i * 3] = 100 + i * 3;
      k[i * 3 + 1] = 50 + i * 10;
      k[i * 3 + 2] = 0.9;
    }
    // left shoulder (5) at (100, 100), right hip (12) at (130, 140): torso 50 px
    k.set([100, 100, 0.9], 15);
    k.set([130, 140, 0.9], 36);
    return k;
  };
  it('torso size is left shoulder to right hip; null when either is not seen', () => {
    expect(torsoSize(person())).toBe(50);
    const k = person();
    k[12 * 3 + 2] = 0.3;
    expect(torsoSize(k)).toBeNull();
  });
  it('PCK@0.1 / @0.2 and mean error on hand-made offsets', () => {
    const gt = person();
    const pred = Float64Array.from(gt);
    // torso 50: thresholds 5 px (0.1) and 10 px (0.2)
    pred[0] += 4; // within 0.1
    pred[3] += 7; // within 0.2 only
    pred[6] += 30; // wrong at both
    gt[9 * 3 + 2] = 0.4; // left wrist not visible in the motion clip: does not count
    pred[9 * 3] += 1000;
    const r = poseAgreement(pred, gt, torsoSize(gt));
    expect(r.total).toBe(16);
    expect(r.correct).toEqual([14, 15]);
    const s = sumAgreement([r]);
    expect(s.pck['0.1']).toBeCloseTo(14 / 16, 12);
    expect(s.pck['0.2']).toBeCloseTo(15 / 16, 12);
    expect(s.meanErrorPx).toBeCloseTo((4 + 7 + 30) / 16, 12);
  });
  it('a frame without a predicted person counts every visible point wrong and adds no error', () => {
    const gt = person();
    const s = sumAgreement([poseAgreement(gt, gt, 50), poseAgreement(null, gt, 50)]);
    expect(s.keypoints).toBe(34);
    expect(s.pck['0.2']).toBeCloseTo(0.5, 12);
    expect(s.meanErrorPx).toBe(0);
    expect(s.matched).toBe(17);
  });
  it('maps a BlazePose track frame to COCO-17 and scales it', () => {
    const kp = new Array(2 * 33 * 4).fill(0);
    // frame 1, BlazePose 11 (left shoulder) -> COCO 5
    kp.splice((33 + 11) * 4, 4, 10, 20, -1, 0.8);
    const c = cocoFromTrack(kp, 1, 2, 0.5);
    expect(Array.from(c.slice(15, 18))).toEqual([20, 10, 0.8]);
  });
  it('COCO points from 33 triples: BlazePose 11 (left shoulder) is COCO 5', () => {
    const t = new Float64Array(33 * 3);
    t.set([7, 8, 0.9], 11 * 3);
    const c = cocoFromTriples(t);
    expect(c.length).toBe(51);
    expect(Array.from(c.slice(15, 18))).toEqual([7, 8, 0.9]);
  });
  it('root alignment moves the target so its mid-hip lies on the prediction\'s, keeping visibility', () => {
    const gt = new Float64Array(17 * 3);
    const pred = new Float64Array(17 * 3);
    gt.set([10, 100, 0.9], 11 * 3);
    gt.set([30, 100, 0.9], 12 * 3);
    gt.set([20, 40, 0.3], 0);
    pred.set([210, 300, 0.1], 11 * 3);
    pred.set([226, 304, 0.1], 12 * 3);
    const a = rootAligned(gt, pred);
    expect((a[11 * 3] + a[12 * 3]) / 2).toBeCloseTo(218);
    expect((a[11 * 3 + 1] + a[12 * 3 + 1]) / 2).toBeCloseTo(302);
    expect(Array.from(a.slice(0, 3))).toEqual([218, 242, 0.3]);
    expect(rootAligned(gt, null)).toBe(gt);
  });
  it('torso centre: the mean of the seen shoulders and hips; null with fewer than two', () => {
    const kps = new Float64Array(33 * 3);
    const put = (j, x, y, v) => kps.set([x, y, v], j * 3);
    put(11, 100, 50, 0.9); // left shoulder
    put(12, 140, 50, 0.9); // right shoulder
    put(23, 104, 130, 0.9); // left hip
    put(24, 136, 130, 0.2); // right hip, not seen
    expect(torsoCentre(kps)).toEqual({ x: 344 / 3, y: 230 / 3 });
    put(12, 140, 50, 0.1);
    put(23, 104, 130, 0.1);
    expect(torsoCentre(kps)).toBeNull();
  });

  it('person box: confident points, padded, clamped; null with fewer than 2 points', () => {
    const k = [10, 20, 0.9, 50, 60, 0.9, 500, 500, 0.1];
    expect(poseBox(k, 100, 100)).toEqual({ x0: 6, y0: 16, x1: 54, y1: 64 });
    expect(poseBox(k, 52, 100)).toEqual({ x0: 6, y0: 16, x1: 52, y1: 64 });
    expect(poseBox([1, 1, 0.9, 2, 2, 0.2], 10, 10)).toBeNull();
  });
});

describe('temporal stability', () => {
  it('a constant sequence has difference 0', () => {
    const f = texture();
    expect(temporalDifference([f, f, f, f], W, H)).toBe(0);
  });
  it('an alternating sequence has the full difference in every pair', () => {
    const seq = [solid(0), solid(100), solid(0), solid(100)];
    expect(temporalDifference(seq, W, H)).toBe(100);
  });
  it('relative to the truth: 1 when equal, 0 when the output is frozen, 2 when it flickers twice as much', () => {
    const truth = [solid(0), solid(50), solid(0), solid(50)];
    expect(temporalStability(truth, truth, W, H)).toBe(1);
    expect(temporalStability([solid(7), solid(7), solid(7), solid(7)], truth, W, H)).toBe(0);
    expect(temporalStability([solid(0), solid(100), solid(0), solid(100)], truth, W, H)).toBe(2);
    expect(temporalStability(truth, [solid(1), solid(1)], W, H)).toBeNaN();
  });
  it('counts only the boxes of each pair; a null box skips the pair', () => {
    const a = solid(0);
    const b = solid(0);
    b.fill(90, 0, 3); // pixel (0, 0) changes
    const box = { x0: 0, y0: 0, x1: 1, y1: 1 };
    expect(temporalDifference([a, b, a], W, H, [box, null])).toBe(90);
    expect(temporalDifference([a, b], W, H, [{ x0: 5, y0: 5, x1: 9, y1: 9 }])).toBe(0);
  });
});

describe('helpers', () => {
  it('mean caps and skips NaN', () => {
    expect(mean([Infinity, 20, NaN], 100)).toBe(60);
    expect(mean([NaN])).toBeNaN();
  });
  it('frameIndexAt: the last frame at or before t', () => {
    const t = [0, 0.04, 0.08, 0.12];
    expect(frameIndexAt(t, 0)).toBe(0);
    expect(frameIndexAt(t, 0.05)).toBe(1);
    expect(frameIndexAt(t, 0.08)).toBe(2);
    expect(frameIndexAt(t, 9)).toBe(3);
  });
});

describe('paste-2d', () => {
  /** A standing BlazePose-33 person as (x, y, v) triples. */
  const standing = (dx = 0) => {
    const k = new Float64Array(33 * 3);
    const set = (i, x, y) => k.set([x + dx, y, 0.9], i * 3);
    set(0, 32, 8); // nose
    set(11, 38, 16);
    set(12, 26, 16); // shoulders
    set(13, 40, 24);
    set(14, 24, 24); // elbows
    set(15, 41, 32);
    set(16, 23, 32); // wrists
    set(23, 36, 34);
    set(24, 28, 34); // hips
    set(25, 36, 46);
    set(26, 28, 46); // knees
    set(27, 36, 58);
    set(28, 28, 58); // ankles
    return k;
  };
  it('body height: nose->neck + neck->hip + thigh + shin', () => {
    expect(bodyHeight(standing())).toBeCloseTo(8 + 18 + 12 + 12, 10);
    expect(medianBodyHeight([null, standing(), standing(3)])).toBeCloseTo(50, 10);
  });
  it('the same pose gives back the reference frame exactly', () => {
    const img = texture(9, 64, 64);
    const k = standing();
    expect(paste2dFrame(img, 64, 64, k, k, 50)).toEqual(img);
  });
  it('a pose moved sideways moves the person: pixels come from the reference shifted by the move', () => {
    const img = texture(11, 64, 64);
    const k = standing();
    const moved = alignPose(k, 1, { x: midHip(k).x + 5, y: midHip(k).y });
    const out = paste2dFrame(img, 64, 64, k, moved, 50);
    // the middle of the torso (32, 25) now shows the reference pixel (27, 25)
    for (let c = 0; c < 3; c++) expect(out[(25 * 64 + 32) * 3 + c]).toBe(img[(25 * 64 + 27) * 3 + c]);
    // far from the person the reference frame stays
    for (let c = 0; c < 3; c++) expect(out[(2 * 64 + 2) * 3 + c]).toBe(img[(2 * 64 + 2) * 3 + c]);
  });
  it('rows fill: each row of the box blends the pixels left and right of it', () => {
    const img = new Uint8Array(5 * 1 * 3);
    img.set([0, 0, 0, 200, 200, 200, 200, 200, 200, 200, 200, 200, 90, 90, 90]);
    const out = fillBoxRows(img, 5, 1, { x0: 1, y0: 0, x1: 4, y1: 1 });
    expect(Array.from(out)).toEqual([0, 0, 0, 23, 23, 23, 45, 45, 45, 68, 68, 68, 90, 90, 90]);
    // touching the left edge: the right neighbour fills
    expect(Array.from(fillBoxRows(img, 5, 1, { x0: 0, y0: 0, x1: 4, y1: 1 }).slice(0, 3))).toEqual([90, 90, 90]);
  });
  it('without a pose the output is the reference frame', () => {
    const img = texture(13, 16, 16);
    expect(paste2dFrame(img, 16, 16, null, null, 10)).toEqual(img);
  });
});
