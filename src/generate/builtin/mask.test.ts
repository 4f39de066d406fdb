import { describe, expect, it } from 'vitest';
import { BP, applyAffine, cropToSource, emptyTrack, writePeople, type PoseTrack } from '../../pose';
import { pushPullFill } from './inpaint';
import { dilateMask, nonzeroBox, otherPeopleMask, personMask } from './mask';

/** A one-frame track whose ROI mask is a filled disk of radius n/4 at the crop's centre. */
function diskTrack(roi: { cx: number; cy: number; size: number; rotation: number }, n = 64): PoseTrack {
  const t = emptyTrack(3, 200, 160, n, 'test', 'wasm');
  for (let f = 0; f < 3; f++) {
    t.found[f] = 1;
    t.rois.set([roi.cx, roi.cy, roi.size, roi.rotation], f * 4);
    for (let v = 0; v < n; v++) {
      for (let u = 0; u < n; u++) {
        // Off-centre disk so that rotation matters: centre at (n/2, n/3).
        t.masks[f * n * n + v * n + u] = Math.hypot(u + 0.5 - n / 2, v + 0.5 - n / 3) <= n / 4 ? 255 : 0;
      }
    }
    for (let k = 0; k < 33; k++) t.keypoints.set([roi.cx + (k % 5) * 4, roi.cy + k, 0, 1], (f * 33 + k) * 4);
  }
  return t;
}

describe('dilateMask', () => {
  it('matches a brute-force Euclidean dilation with a linear soft edge', () => {
    const w = 41;
    const h = 33;
    const seeds = [
      [5, 5],
      [30, 20],
      [31, 21],
      [12, 28],
    ];
    const alpha = new Uint8Array(w * h);
    for (const [x, y] of seeds) alpha[y! * w + x!] = 255;
    const box = dilateMask(alpha, w, h, 4.5, 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const d = Math.min(...seeds.map(([sx, sy]) => Math.hypot(x - sx!, y - sy!)));
        const want = d <= 4.5 ? 255 : d >= 7.5 ? 0 : Math.round((255 * (7.5 - d)) / 3);
        expect(alpha[y * w + x], `(${x}, ${y})`).toBe(want);
      }
    }
    expect(box).toEqual({ x0: 0, y0: 0, x1: 39, y1: 33 });
  });
});

describe('personMask', () => {
  it('maps the ROI mask to frame pixels through the rotated ROI, then dilates it', () => {
    const roi = { cx: 100, cy: 80, size: 96, rotation: 0.6 };
    const track = diskTrack(roi);
    const m = personMask(track, 1, { margin: 0, feather: 0, minRadius: 0, motionBlur: 0 });
    expect(m.source).toBe('mask');
    // The disk's centre in frame pixels.
    const c = applyAffine(cropToSource(roi, 64), 32, 64 / 3);
    const r = (96 / 64) * 16;
    let wrong = 0;
    let inside = 0;
    for (let y = 0; y < 160; y++) {
      for (let x = 0; x < 200; x++) {
        const d = Math.hypot(x + 0.5 - c.x, y + 0.5 - c.y);
        const a = m.alpha[y * 200 + x]!;
        if (d < r - 1.5 && a !== 255) wrong++;
        if (d > r + 1.5 && a !== 0) wrong++;
        if (a === 255) inside++;
      }
    }
    expect(wrong).toBe(0);
    expect(Math.abs(inside - Math.PI * r * r) / (Math.PI * r * r)).toBeLessThan(0.05);

    // Defaults: a margin proportional to the person's size (the disk's diameter, 48 px).
    const d = personMask(track, 1, { motionBlur: 0 });
    expect(d.radius).toBeCloseTo(0.035 * 48, 0);
    expect(d.feather).toBeCloseTo(0.025 * 48, 0);
    // At half resolution the region halves.
    const half = personMask(track, 1, { width: 100, height: 80, margin: 0, feather: 0, minRadius: 0, motionBlur: 0 });
    let n = 0;
    for (const v of half.alpha) if (v === 255) n++;
    expect(Math.abs(n - inside / 4) / (inside / 4)).toBeLessThan(0.08);
  });

  it('falls back to a keypoint box without a mask, and to the neighbours\' regions without a pose', () => {
    const track = diskTrack({ cx: 100, cy: 60, size: 96, rotation: 0 });
    track.rois[4 * 2 + 2] = 0; // frame 2: no ROI, hence no mask
    track.found[0] = 0;
    const box = personMask(track, 2);
    expect(box.source).toBe('keypoints');
    // Keypoints span x 100..116, y 60..92: the box grows around them.
    expect(box.box!.x0).toBeLessThan(100);
    expect(box.box!.x1).toBeGreaterThan(116);
    expect(box.box!.y0).toBeLessThan(60);
    expect(box.alpha[70 * 200 + 108]).toBe(255);
    // Frame 0 lost the person: it borrows frame 1's region, unless told not to.
    const borrowed = personMask(track, 0);
    expect(borrowed.source).toBe('neighbours');
    expect(Array.from(borrowed.alpha)).toEqual(Array.from(personMask(track, 1).alpha));
    const none = personMask(track, 0, { borrow: 0 });
    expect(none.source).toBe('none');
    expect(none.box).toBeNull();
  });
});

describe('pushPullFill', () => {
  it('fills a hole in a linear ramp smoothly, close to the ramp', () => {
    const w = 64;
    const h = 48;
    const rgb = new Float32Array(w * h * 3);
    const weight = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        const hole = Math.hypot(x - 30, y - 24) < 12;
        weight[p] = hole ? 0 : 1;
        for (let c = 0; c < 3; c++) rgb[3 * p + c] = hole ? 0 : 2 * x + c;
      }
    }
    expect(pushPullFill(rgb, weight, w, h)).toBe(true);
    let worst = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) worst = Math.max(worst, Math.abs(rgb[3 * (y * w + x)]! - 2 * x));
    // A membrane-like fill of a ramp bends a little toward the hole's mean.
    expect(worst).toBeLessThan(8);
    expect(weight.every((v) => v === 1)).toBe(true);
  });
});

describe('personMask head', () => {
  it('covers the whole head, whose hair the segmentation missed', () => {
    const n = 64;
    const t = emptyTrack(1, 200, 200, n, 'test', 'wasm');
    t.found[0] = 1;
    // ROI over the frame, unrotated: crop pixel (u, v) is frame pixel (u·200/64, v·200/64) roughly.
    t.rois.set([100, 100, 200, 0], 0);
    const set = (k: number, x: number, y: number) => t.keypoints.set([x, y, 0, 1], k * 4);
    set(BP.left_ear, 95, 50);
    set(BP.right_ear, 105, 50);
    set(BP.left_shoulder, 85, 70);
    set(BP.right_shoulder, 115, 70);
    set(BP.left_hip, 90, 130);
    set(BP.right_hip, 110, 130);
    // The mask holds the body from the shoulders down, not the head.
    for (let v = 0; v < n; v++) {
      for (let u = 0; u < n; u++) {
        const x = ((u + 0.5) * 200) / n;
        const y = ((v + 0.5) * 200) / n;
        t.masks[v * n + u] = x > 80 && x < 120 && y > 66 && y < 140 ? 255 : 0;
      }
    }
    const m = personMask(t, 0, { margin: 0, feather: 0, minRadius: 0, motionBlur: 0 });
    // Head radius: 0.3 × the torso's 60 px = 18 px around the ears' midpoint (100, 50).
    expect(m.alpha[50 * 200 + 100]).toBe(255);
    expect(m.alpha[34 * 200 + 100]).toBe(255); // top of the hair
    expect(m.alpha[50 * 200 + 84]).toBe(255); // beside the ear
    expect(m.alpha[28 * 200 + 100]).toBe(0); // above the head
    expect(m.alpha[50 * 200 + 76]).toBe(0);
    expect(m.box!.y0).toBeLessThanOrEqual(32);
    // The person's own pixels keep to the segmentation.
    const own = personMask(t, 0, { margin: 0, feather: 0, minRadius: 0, motionBlur: 0, head: false });
    expect(own.alpha[50 * 200 + 100]).toBe(0);
    expect(own.alpha[100 * 200 + 100]).toBe(255);
  });
});

describe('nonzeroBox', () => {
  it('finds the box of a mask, or of one channel of interleaved pixels', () => {
    const w = 6;
    const h = 5;
    const mask = new Uint8Array(w * h);
    mask[1 * w + 2] = 9;
    mask[3 * w + 4] = 1;
    expect(nonzeroBox(mask, w, h)).toEqual({ x0: 2, y0: 1, x1: 5, y1: 4 });
    // RGBA with colour everywhere and alpha only where the mask is set: the alpha decides.
    const rgba = new Uint8ClampedArray(w * h * 4).fill(200);
    for (let p = 0; p < w * h; p++) rgba[p * 4 + 3] = mask[p]!;
    expect(nonzeroBox(rgba, w, h, 4, 3)).toEqual({ x0: 2, y0: 1, x1: 5, y1: 4 });
    expect(nonzeroBox(new Uint8Array(w * h), w, h)).toBeNull();
  });
});

describe('otherPeopleMask', () => {
  it("is each other person's box, grown, less the edited person's own pixels; null with no one else", () => {
    const track = diskTrack({ cx: 100, cy: 60, size: 96, rotation: 0 });
    const person = (x0: number, y0: number, x1: number, y1: number) => ({ box: { x0, y0, x1, y1 }, score: 0.9, classId: 0, label: 'person' as const });
    expect(otherPeopleMask(diskTrack({ cx: 100, cy: 60, size: 96, rotation: 0 }), 1, { width: 200, height: 160 })).toBeNull();
    // The edited person (their keypoints' box) and someone to their left whose box reaches over the disk.
    for (const f of [0, 2]) writePeople(track, f, [person(96, 56, 120, 96), person(40, 30, 110, 130)], 1);
    const others = otherPeopleMask(track, 1, { width: 200, height: 160, pad: 0.1 })!;
    const own = personMask(track, 1, { width: 200, height: 160, margin: 0.012, feather: 0, motionBlur: 0 });
    let inBox = 0;
    for (let y = 0; y < 160; y++) {
      for (let x = 0; x < 200; x++) {
        const p = y * 200 + x;
        // The box grown by a tenth of its height (10 px) on every side.
        const inside = x >= 30 && x < 120 && y >= 20 && y < 140;
        if (!inside) expect(others[p]).toBe(0);
        else if (own.alpha[p]) expect(others[p]).toBe(0);
        else {
          expect(others[p]).toBe(255);
          inBox++;
        }
      }
    }
    expect(inBox).toBeGreaterThan(5000);
    // Where the edited person's disk lies in the other's box, it stays theirs.
    expect(others[44 * 200 + 100]).toBe(0);
    expect(others[100 * 200 + 50]).toBe(255);
  });
});
