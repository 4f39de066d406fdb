import { describe, expect, it } from 'vitest';
import { CLIP_MEAN, CLIP_STD, chwToRgba, clipPixelValues, decodedToUnit, resizeWithAntialias, rgbaToChw } from './preprocess';

function rgba(width: number, height: number, f: (x: number, y: number, c: number) => number) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 4; c++) data[(y * width + x) * 4 + c] = c === 3 ? 255 : f(x, y, c);
  return { data, width, height };
}

describe('preprocess', () => {
  it('RGBA ↔ CHW', () => {
    const img = rgba(2, 1, (x, _y, c) => (x === 0 ? [0, 255, 51][c]! : [255, 0, 102][c]!));
    expect(Array.from(rgbaToChw(img, 'signed'))).toEqual([-1, 1, 1, -1, expect.closeTo(-0.6, 6), expect.closeTo(-0.2, 6)]);
    const unit = rgbaToChw(img, 'unit');
    expect(Array.from(chwToRgba(unit, 2, 1).data)).toEqual(Array.from(img.data));
    expect(Array.from(decodedToUnit(Float32Array.of(-2, -1, 0, 1, 3)))).toEqual([0, 0, 0.5, 1, 1]);
  });

  it('resize at the same size is the identity; constants stay constant', () => {
    const src = Float32Array.from({ length: 2 * 5 * 7 }, (_, i) => Math.sin(i));
    const same = resizeWithAntialias(src, 2, 5, 7, 5, 7);
    for (let i = 0; i < src.length; i++) expect(same[i]).toBeCloseTo(src[i]!, 5);
    const flat = resizeWithAntialias(new Float32Array(3 * 40 * 30).fill(0.3), 3, 40, 30, 11, 13);
    for (const v of flat) expect(v).toBeCloseTo(0.3, 6);
  });

  it('upsampling: source pixels kept, midpoints by the A = -0.75 cubic', () => {
    // 1×6 → 1×11 with align_corners: even outputs sit on source pixels; no blur (σ = 0.001).
    const src = Float32Array.of(0, 1, 4, 2, -1, 3);
    const out = resizeWithAntialias(src, 1, 1, 6, 1, 11);
    for (let i = 0; i < 6; i++) expect(out[2 * i]).toBeCloseTo(src[i]!, 5);
    // Midpoint between src[2] and src[3]: -0.09375·1 + 0.59375·4 + 0.59375·2 - 0.09375·(-1).
    expect(out[5]).toBeCloseTo(-0.09375 * 1 + 0.59375 * 4 + 0.59375 * 2 + 0.09375, 5);
    // At the border the taps are clamped: between src[0] and src[1] the left tap repeats src[0].
    expect(out[1]).toBeCloseTo(-0.09375 * 0 + 0.59375 * 0 + 0.59375 * 1 - 0.09375 * 4, 5);
  });

  it('downsampling blurs first: a 2-pixel checkerboard averages out', () => {
    const H = 64;
    const src = Float32Array.from({ length: H * H }, (_, i) => ((i % H) + Math.floor(i / H)) % 2);
    const out = resizeWithAntialias(src, 1, H, H, 8, 8);
    for (const v of out) expect(v).toBeCloseTo(0.5, 1);
  });

  it('CLIP pixel values: 224×224, normalised', () => {
    const grey = rgba(64, 48, () => 128);
    const px = clipPixelValues(grey);
    expect(px.length).toBe(3 * 224 * 224);
    for (let c = 0; c < 3; c++) expect(px[c * 224 * 224 + 1000]).toBeCloseTo((128 / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!, 4);
  });
});
