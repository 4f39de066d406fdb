import { describe, expect, it } from 'vitest';
import {
  applyAffine,
  composeAffine,
  cropToSource,
  invertAffine,
  letterboxRoi,
  letterboxToTensor,
  projectCropPoints,
  resampleProbability,
  roiContains,
  sourceToCrop,
  warpToTensor,
} from './crop';
import type { RgbaImage, Roi } from './types';

/** An image whose channels are linear in x, y: bilinear sampling reproduces them exactly. */
function linearImage(w: number, h: number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) data.set([2 * x + 10, 3 * y + 5, x + y, 255], (y * w + x) * 4);
  }
  return { data, width: w, height: h };
}

describe('ROI affine', () => {
  it('maps the crop centre to the ROI centre and round-trips', () => {
    const roi: Roi = { cx: 120, cy: 80, size: 64, rotation: 0.7 };
    const m = cropToSource(roi, 256);
    const c = applyAffine(m, 128, 128);
    expect(c.x).toBeCloseTo(120, 9);
    expect(c.y).toBeCloseTo(80, 9);
    const inv = sourceToCrop(roi, 256);
    for (const [x, y] of [[0, 0], [256, 0], [13.5, 200.25]] as const) {
      const p = applyAffine(inv, ...Object.values(applyAffine(m, x, y)) as [number, number]);
      expect(p.x).toBeCloseTo(x, 9);
      expect(p.y).toBeCloseTo(y, 9);
    }
    const id = composeAffine(inv, m);
    expect([id.a, id.b, id.c, id.d, id.tx, id.ty].map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it('rotates clockwise: at +90° the crop top points to the source right', () => {
    const roi: Roi = { cx: 50, cy: 50, size: 20, rotation: Math.PI / 2 };
    const top = applyAffine(cropToSource(roi, 10), 5, 0); // top middle of the crop
    expect(top.x).toBeCloseTo(60, 9);
    expect(top.y).toBeCloseTo(50, 9);
    const right = applyAffine(cropToSource(roi, 10), 10, 5); // right middle → source bottom
    expect(right.x).toBeCloseTo(50, 9);
    expect(right.y).toBeCloseTo(60, 9);
    const half = applyAffine(cropToSource({ ...roi, rotation: -Math.PI / 2 }, 10), 5, 0);
    expect(half.x).toBeCloseTo(40, 9);
  });

  it('tests containment in a rotated square', () => {
    const roi: Roi = { cx: 0, cy: 0, size: 2, rotation: Math.PI / 4 };
    expect(roiContains(roi, { x: 0.9, y: 0.9 })).toBe(false); // a corner of the unrotated square
    expect(roiContains(roi, { x: 1.3, y: 0 })).toBe(true); // along the rotated diagonal
    expect(roiContains({ ...roi, rotation: 0 }, { x: 0.9, y: 0.9 })).toBe(true);
  });

  it('refuses to invert a singular map', () => {
    expect(() => invertAffine({ a: 1, b: 2, c: 2, d: 4, tx: 0, ty: 0 })).toThrow(/singular/);
  });
});

describe('warpToTensor', () => {
  it('copies pixels exactly for an axis-aligned crop of the same size', () => {
    const img = linearImage(8, 8);
    const t = warpToTensor(img, { cx: 4, cy: 4, size: 8, rotation: 0 }, 8, { range: [0, 255] });
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        expect(t[y * 8 + x]).toBeCloseTo(2 * x + 10, 4);
        expect(t[64 + y * 8 + x]).toBeCloseTo(3 * y + 5, 4);
        expect(t[128 + y * 8 + x]).toBeCloseTo(x + y, 4);
      }
    }
  });

  it('samples a rotated, scaled crop pixel-wise (bilinear is exact on a linear image)', () => {
    const img = linearImage(64, 48);
    const roi: Roi = { cx: 30.3, cy: 22.7, size: 20, rotation: 0.6 };
    const n = 16;
    const t = warpToTensor(img, roi, n, { range: [-1, 1], antialias: false });
    const m = cropToSource(roi, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const p = applyAffine(m, i + 0.5, j + 0.5);
        // Pixel centres sit at integer + 0.5, so pixel x of value 2x + 10 is at position x + 0.5.
        const r = 2 * (p.x - 0.5) + 10;
        const g = 3 * (p.y - 0.5) + 5;
        expect(t[j * n + i]).toBeCloseTo((r / 255) * 2 - 1, 4);
        expect(t[n * n + j * n + i]).toBeCloseTo((g / 255) * 2 - 1, 4);
      }
    }
  });

  it('keeps positions exact when shrinking through block averages', () => {
    // Block means of a linear image are its values at the block centres, so a shrinking warp of a
    // linear image must still reproduce it at each output pixel's source position.
    const img = linearImage(100, 100);
    const roi: Roi = { cx: 50.2, cy: 44.7, size: 48, rotation: 0.4 }; // stays where 3y + 5 < 256
    const n = 12; // 4x smaller
    const t = warpToTensor(img, roi, n, { range: [0, 255] });
    const m = cropToSource(roi, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const p = applyAffine(m, i + 0.5, j + 0.5);
        expect(t[j * n + i]).toBeCloseTo(2 * (p.x - 0.5) + 10, 3);
        expect(t[n * n + j * n + i]).toBeCloseTo(3 * (p.y - 0.5) + 5, 3);
      }
    }
  });

  it('letterboxes with black bars at the low end of the range, or replicates the edge', () => {
    const img: RgbaImage = { data: new Uint8Array(8 * 4 * 4).fill(255), width: 8, height: 4 };
    const n = 8;
    const t = warpToTensor(img, letterboxRoi(8, 4), n, { range: [-1, 1] });
    expect(t[0]).toBe(-1); // top bar
    expect(t[7 * 8 + 3]).toBe(-1); // bottom bar
    expect(t[4 * 8 + 3]).toBeCloseTo(1, 6); // inside
    const r = warpToTensor(img, letterboxRoi(8, 4), n, { range: [-1, 1], border: 'replicate' });
    expect(r[0]).toBeCloseTo(1, 6);
  });

  it('letterboxes a frame for the detector and maps detector pixels back', () => {
    const img: RgbaImage = { data: new Uint8Array(40 * 20 * 4).fill(255), width: 40, height: 20 };
    const { tensor, toSource } = letterboxToTensor(img, 8, [-1, 1]);
    expect(Array.from(tensor.subarray(0, 8))).toEqual(new Array(8).fill(-1)); // top bar
    expect(tensor[4 * 8]).toBeCloseTo(1, 6); // middle row
    expect(applyAffine(toSource, 0, 2)).toEqual({ x: 0, y: 0 }); // top-left of the picture
    expect(applyAffine(toSource, 8, 6)).toEqual({ x: 40, y: 20 });
  });

  it('keeps a constant image constant when shrinking with antialiasing', () => {
    const img: RgbaImage = { data: new Uint8Array(400 * 300 * 4).fill(51), width: 400, height: 300 };
    const t = warpToTensor(img, { cx: 200, cy: 150, size: 200, rotation: 0.3 }, 20, { range: [0, 1] });
    for (const v of t) expect(v).toBeCloseTo(0.2, 5);
  });

  it('averages a fine checkerboard to grey when antialiasing, but not without', () => {
    const w = 160;
    const data = new Uint8Array(w * w * 4);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.fill((x + y) % 2 ? 255 : 0, (y * w + x) * 4, (y * w + x) * 4 + 4);
    const img: RgbaImage = { data, width: w, height: w };
    // Shifted by half a pixel so that single samples land on pixel centres of one colour.
    const roi = { cx: 80.5, cy: 80.5, size: 160, rotation: 0 };
    const aa = warpToTensor(img, roi, 20, { range: [0, 1] });
    for (const v of aa.subarray(0, 19 * 20)) expect(v).toBeCloseTo(0.5, 1);
    const plain = warpToTensor(img, roi, 20, { range: [0, 1], antialias: false });
    for (const v of plain.subarray(0, 400)) expect(v === 0 || v === 1).toBe(true); // aliased
  });

  it('validates the image', () => {
    expect(() => warpToTensor({ data: new Uint8Array(10), width: 2, height: 2 }, letterboxRoi(2, 2), 4, { range: [0, 1] })).toThrow(/16 bytes/);
  });
});

describe('projection and mask resampling', () => {
  it('projects crop points with z scaled to source pixels', () => {
    const roi: Roi = { cx: 100, cy: 200, size: 128, rotation: Math.PI };
    const src = Float32Array.from([128, 128, 10, 0.5, 0, 0, -4, 0.5]);
    const dst = new Float32Array(8);
    projectCropPoints(src, 4, 2, roi, 256, dst, 4);
    expect(Array.from(dst.subarray(0, 3))).toEqual([100, 200, 5]);
    expect(dst[3]).toBe(0); // untouched
    expect(dst[4]).toBeCloseTo(164, 4); // crop top-left → source bottom-right after 180°
    expect(dst[5]).toBeCloseTo(264, 4);
    expect(dst[6]).toBe(-2);
  });

  it('halves a probability map by 2x2 averages', () => {
    const src = Float32Array.from([0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0.5, 0.5, 1, 1, 0.5, 0.5]);
    expect(Array.from(resampleProbability(src, 4, 2))).toEqual([128, 0, 255, 128]);
    expect(Array.from(resampleProbability(Float32Array.from([2, -1, 0.2, 1]), 2, 2))).toEqual([255, 0, 51, 255]);
  });
});
