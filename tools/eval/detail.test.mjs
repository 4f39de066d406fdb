import { describe, expect, it } from 'vitest';
import { cropToSource } from '../../src/pose/index.ts';
import {
  boxMask, detailRatio, detailSums, dilateMask, faceBox, growPersonMask, laplacianAbs, maskBox, maskCount, rasterizeTrackMask, regionMetrics, revealedMask,
} from './detail.mjs';
import { luma } from './metrics.mjs';

/** A one-frame track of a w x h clip whose ROI is `roi` and whose n x n mask is `cells` (0/255). */
function track({ w = 100, h = 80, roi = [50, 40, 40, 0], n = 4, cells, found = 1 }) {
  return { frameCount: 1, width: w, height: h, found: [found], rois: roi, maskSize: n, masks: cells };
}
// 4x4 mask, left half set.
const LEFT = [255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0];

describe('rasterizeTrackMask', () => {
  it('an upright ROI: the left half of the mask covers the left half of the ROI square', () => {
    const m = rasterizeTrackMask(track({ cells: LEFT }), 0, 100, 80);
    expect(maskBox(m, 100, 80)).toEqual({ x0: 30, y0: 20, x1: 50, y1: 60 });
    // Bilinear sampling rounds the corners off; every pixel inside them is set.
    expect(maskCount(m)).toBeGreaterThan(0.9 * 20 * 40);
    for (let y = 23; y < 57; y++) for (let x = 33; x < 47; x++) expect(m[y * 100 + x]).toBe(1);
  });

  it('scales per axis into the output size', () => {
    const m = rasterizeTrackMask(track({ cells: LEFT }), 0, 200, 160);
    expect(maskBox(m, 200, 160)).toEqual({ x0: 60, y0: 40, x1: 100, y1: 120 });
  });

  it('rotation is clockwise (src/pose/crop.ts): at 90° the crop\'s left is the frame\'s top', () => {
    const m = rasterizeTrackMask(track({ cells: LEFT, roi: [50, 40, 40, Math.PI / 2] }), 0, 100, 80);
    const b = maskBox(m, 100, 80);
    expect(b.x0).toBeGreaterThanOrEqual(29);
    expect(b.x1).toBeLessThanOrEqual(71);
    expect([b.y0, b.y1]).toEqual([20, 40]);
  });

  it('agrees with the app\'s crop affine (cropToSource) at every mask cell centre, at an odd angle', () => {
    const n = 16;
    const cells = Array.from({ length: n * n }, (_, i) => (((i % n) >> 2) ^ (i >> 6)) & 1 ? 255 : 0); // 4x4-cell blocks
    const roi = { cx: 61.3, cy: 47.9, size: 70, rotation: 0.6 };
    const t = track({ w: 120, h: 100, n, cells, roi: [roi.cx, roi.cy, roi.size, roi.rotation] });
    const m = rasterizeTrackMask(t, 0, 120, 100);
    const a = cropToSource(roi, n);
    let checked = 0;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        // The output pixel whose centre is nearest the cell centre; its bilinear sample is near the cell.
        const x = Math.floor(a.a * (i + 0.5) + a.b * (j + 0.5) + a.tx);
        const y = Math.floor(a.c * (i + 0.5) + a.d * (j + 0.5) + a.ty);
        // Only cells whose 3x3 neighbourhood agrees are unambiguous after bilinear sampling.
        const same = [-1, 0, 1].every((dj) => [-1, 0, 1].every((di) => {
          const ii = i + di;
          const jj = j + dj;
          return ii < 0 || jj < 0 || ii >= n || jj >= n ? cells[j * n + i] === 0 : cells[jj * n + ii] === cells[j * n + i];
        }));
        if (!same) continue;
        expect(m[y * 120 + x], `cell ${i},${j}`).toBe(cells[j * n + i] ? 1 : 0);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('null without a person, a ROI or masks', () => {
    expect(rasterizeTrackMask(track({ cells: LEFT, found: 0 }), 0, 100, 80)).toBeNull();
    expect(rasterizeTrackMask(track({ cells: LEFT, roi: [50, 40, 0, 0] }), 0, 100, 80)).toBeNull();
    expect(rasterizeTrackMask({ ...track({ cells: LEFT }), masks: null, maskSize: undefined }, 0, 100, 80)).toBeNull();
  });
});

describe('masks and the revealed background', () => {
  it('boxMask, maskBox and a square dilation', () => {
    const m = boxMask({ x0: 4, y0: 3, x1: 6, y1: 5 }, 10, 8);
    expect(maskCount(m)).toBe(4);
    expect(maskBox(m, 10, 8)).toEqual({ x0: 4, y0: 3, x1: 6, y1: 5 });
    const d = dilateMask(m, 10, 8, 2);
    expect(maskBox(d, 10, 8)).toEqual({ x0: 2, y0: 1, x1: 8, y1: 7 });
    expect(maskCount(d)).toBe(36);
    expect(maskBox(dilateMask(boxMask({ x0: 0, y0: 0, x1: 1, y1: 1 }, 10, 8), 10, 8, 3), 10, 8)).toEqual({ x0: 0, y0: 0, x1: 4, y1: 4 });
  });

  it('grows a person mask by a share of its size, at least minPx', () => {
    const m = boxMask({ x0: 20, y0: 10, x1: 30, y1: 60 }, 100, 80); // 50 px tall
    expect(maskBox(growPersonMask(m, 100, 80, { share: 0.1 }), 100, 80)).toEqual({ x0: 15, y0: 5, x1: 35, y1: 65 });
    expect(maskBox(growPersonMask(m, 100, 80, { share: 0, minPx: 1 }), 100, 80)).toEqual({ x0: 19, y0: 9, x1: 31, y1: 61 });
    expect(growPersonMask(null, 100, 80)).toBeNull();
  });

  it('selects reference pixels outside the truth\'s and the output\'s person', () => {
    const w = 10;
    const h = 4;
    const ref = boxMask({ x0: 0, y0: 0, x1: 6, y1: 4 }, w, h);
    const truth = boxMask({ x0: 4, y0: 0, x1: 8, y1: 4 }, w, h);
    const out = boxMask({ x0: 0, y0: 0, x1: 1, y1: 2 }, w, h);
    const r = revealedMask(ref, [truth, out, null], w, h);
    // Columns 0-3 of the reference box, less the output's 1x2 corner.
    expect(maskCount(r)).toBe(4 * 4 - 2);
    expect(maskBox(r, w, h)).toEqual({ x0: 0, y0: 0, x1: 4, y1: 4 });
    expect(r[0]).toBe(0);
    expect(r[2 * w]).toBe(1);
    expect(revealedMask(null, [truth], w, h)).toBeNull();
    expect(maskCount(revealedMask(ref, [], w, h))).toBe(24);
  });
});

/** A w x h rgb24 checkerboard of `cell`-pixel squares (sharp), and its 5x5 box blur. */
function checker(w, h, cell) {
  const img = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.fill(((x / cell) ^ (y / cell)) & 1 ? 230 : 20, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return img;
}
function boxBlur(img, w, h, r) {
  const out = new Uint8Array(img.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        let n = 0;
        for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
          const xx = Math.min(w - 1, Math.max(0, x + dx));
          const yy = Math.min(h - 1, Math.max(0, y + dy));
          s += img[(yy * w + xx) * 3 + c];
          n++;
        }
        out[(y * w + x) * 3 + c] = Math.round(s / n);
      }
    }
  }
  return out;
}

describe('Laplacian detail ratio', () => {
  const w = 64;
  const h = 48;
  const sharp = checker(w, h, 4);
  const lap = (img) => laplacianAbs(luma(img, w, h), w, h);

  it('identical images score exactly 1', () => {
    expect(detailRatio(detailSums(lap(sharp), lap(sharp), w, h))).toBe(1);
  });

  it('a blur of the truth scores far below 1; the sharp truth against a blur far above', () => {
    const blurred = boxBlur(sharp, w, h, 2);
    const r = detailRatio(detailSums(lap(blurred), lap(sharp), w, h));
    expect(r).toBeLessThan(0.35);
    expect(detailRatio(detailSums(lap(sharp), lap(blurred), w, h))).toBeGreaterThan(1 / 0.35);
    const flat = new Uint8Array(w * h * 3).fill(128);
    expect(detailRatio(detailSums(lap(flat), lap(sharp), w, h))).toBe(0);
  });

  it('counts only the pixels of the mask or box, away from the border, and pools over frames', () => {
    const blurred = boxBlur(sharp, w, h, 2);
    const half = boxMask({ x0: 0, y0: 0, x1: 32, y1: 48 }, w, h);
    const s = detailSums(lap(sharp), lap(sharp), w, h, { mask: half });
    expect(s.n).toBe(31 * 46); // x 1..31, y 1..46
    expect(detailSums(lap(sharp), lap(sharp), w, h, { box: { x0: 0, y0: 0, x1: 32, y1: 48 } }).n).toBe(31 * 46);
    const a = detailSums(lap(sharp), lap(sharp), w, h, { mask: half });
    const b = detailSums(lap(blurred), lap(sharp), w, h, { mask: half });
    expect(detailRatio([a, b])).toBeCloseTo((a.a + b.a) / (a.b + b.b), 12);
    expect(detailRatio({ a: 3, b: 0, n: 0 })).toBeNaN();
    // A flat truth (a white studio wall: mean |L| under MIN_TRUTH_DETAIL) says nothing about detail.
    expect(detailRatio({ a: 500, b: 100, n: 1000 })).toBeNaN();
    expect(detailRatio({ a: 500, b: 100, n: 1000 }, { minTruth: 0 })).toBe(5);
  });
});

describe('faceBox', () => {
  /** A 33-point pose with the given face points (index → [x, y, v]); the rest unseen. */
  const pose = (points) => {
    const k = new Float64Array(33 * 3);
    for (const [j, [x, y, v]] of Object.entries(points)) k.set([x, y, v], Number(j) * 3);
    return k;
  };
  const frontal = { 0: [100, 60, 0.99], 2: [92, 52, 0.99], 5: [108, 52, 0.99], 7: [85, 54, 0.9], 8: [115, 54, 0.9] };

  it('a square around the face points, 1.6 x their spread (ear to ear from the front)', () => {
    const b = faceBox(pose(frontal), 200, 200);
    // Spread 30 (ears) -> side 48, centred on the mean (100, 54.4).
    expect(b).toEqual({ x0: 76, y0: 30, x1: 124, y1: 79 });
  });

  it('unseen ears leave the eyes and nose; a box is clamped to the frame', () => {
    const b = faceBox(pose({ ...frontal, 7: [85, 54, 0.1], 8: [115, 54, 0.1] }), 200, 200);
    expect(b.x1 - b.x0).toBeGreaterThanOrEqual(25);
    expect(faceBox(pose(frontal), 110, 200).x1).toBe(110);
  });

  it('null when the face is not seen (nose or an eye below the visibility) or the box is tiny', () => {
    expect(faceBox(pose({ ...frontal, 0: [100, 60, 0.3] }), 200, 200)).toBeNull();
    expect(faceBox(pose({ ...frontal, 5: [108, 52, 0.5] }), 200, 200)).toBeNull();
    expect(faceBox(pose({ 0: [100, 60, 1], 2: [101, 59, 1], 5: [102, 59, 1] }), 200, 200)).toBeNull();
    expect(faceBox(null, 200, 200)).toBeNull();
  });
});

describe('regionMetrics', () => {
  // A 64x48 textured scene; the reference person stood at x 8-24, the truth's person stands at
  // x 40-56. A perfect output (the truth), a blurred background where the reference stood, and the
  // reference person left in place (a ghost, grey), each with its person where the truth's is.
  const w = 64;
  const h = 48;
  const scene = checker(w, h, 3);
  const paint = (img, box, v) => {
    const out = Uint8Array.from(img);
    for (let y = box.y0; y < box.y1; y++) out.fill(v, (y * w + box.x0) * 3, (y * w + box.x1) * 3);
    return out;
  };
  const refBox = { x0: 8, y0: 4, x1: 24, y1: 44 };
  const truthBox = { x0: 40, y0: 4, x1: 56, y1: 44 };
  const truth = paint(scene, truthBox, 90);
  const blurredBg = (() => {
    const b = boxBlur(truth, w, h, 2);
    const out = Uint8Array.from(truth);
    for (let y = refBox.y0; y < refBox.y1; y++) out.set(b.subarray((y * w + refBox.x0) * 3, (y * w + refBox.x1) * 3), (y * w + refBox.x0) * 3);
    return out;
  })();
  const ghost = paint(truth, refBox, 150);
  const F = 3;
  const all = (img) => Array.from({ length: F }, () => img);
  const truthMask = boxMask(truthBox, w, h);
  const run = (faceAt = () => null) => regionMetrics({
    w, h, F, truth: all(truth), truthLuma: all(luma(truth, w, h)),
    refMask: (k) => (k === 2 ? null : boxMask(refBox, w, h)), // frame 2: no reference person
    truthMask: () => truthMask,
    faceBox: faceAt,
    methods: [truth, blurredBg, ghost].map((img) => ({ frames: all(img), mask: () => truthMask })),
  });

  it('the truth itself: the PSNR cap and a detail ratio of 1, over the frames with a reference person', () => {
    const [perfect] = run();
    expect(perfect).toMatchObject({ revealedPsnr: 100, revealedDetail: 1, revealedFrames: 2, faceFrames: 0 });
    expect(perfect.revealedPixelsPerFrame).toBe(16 * 40);
    expect(perfect.faceDetail).toBeNaN();
  });

  it('a blurred fill scores far below 1; a ghost has a low PSNR', () => {
    const [, blur, ghosted] = run();
    expect(blur.revealedDetail).toBeLessThan(0.5);
    expect(blur.revealedPsnr).toBeLessThan(30);
    expect(ghosted.revealedPsnr).toBeLessThan(15);
  });

  it('the face box: the same ratio inside it, over the frames where it is given', () => {
    const figures = run((k) => (k === 0 ? { x0: 10, y0: 6, x1: 22, y1: 18 } : null));
    expect(figures.map((f) => f.faceFrames)).toEqual([1, 1, 1]);
    expect(figures[0].faceDetail).toBe(1);
    expect(figures[1].faceDetail).toBeLessThan(0.5);
  });

  it('an output whose person covers the reference place leaves no revealed pixels there', () => {
    const [f] = regionMetrics({
      w, h, F: 1, truth: [truth], truthLuma: [luma(truth, w, h)], refMask: () => boxMask(refBox, w, h), truthMask: () => truthMask, faceBox: () => null,
      methods: [{ frames: [ghost], mask: () => boxMask(refBox, w, h) }],
    });
    expect(f.revealedFrames).toBe(0);
    expect(f.revealedPsnr).toBeNaN();
  });
});
