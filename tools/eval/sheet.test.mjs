import { describe, expect, it } from 'vitest';
import { composeSheet, drawRegion, regionAround, SHEET_COLOURS, sheetFrames, sheetLayout } from './sheet.mjs';

const solid = (w, h, [r, g, b]) => {
  const img = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) img.set([r, g, b], p * 3);
  return img;
};
const px = (img, iw, x, y) => Array.from(img.subarray((y * iw + x) * 3, (y * iw + x) * 3 + 3));

describe('sheetFrames', () => {
  it('spreads the rows over the clip, distinct, within range', () => {
    expect(sheetFrames(150)).toEqual([18, 56, 93, 131]);
    expect(sheetFrames(3)).toEqual([0, 1, 2]);
    expect(sheetFrames(1)).toEqual([0]);
  });
});

describe('sheetLayout', () => {
  it('a portrait 414x540 clip: 4 frame tiles and 4 zooms fit in 2000 px', () => {
    const L = sheetLayout({ width: 414, height: 540, columns: 4, zooms: 4, rows: 4 });
    expect(L.sheetWidth).toBeLessThanOrEqual(2000);
    expect(L.tileH).toBeLessThanOrEqual(320);
    expect(L.tileW).toBe(Math.round((L.tileH * 414) / 540));
    expect(L.sheetWidth).toBe(L.xs.at(-1) + L.zoomSide + L.gap);
    expect(L.sheetHeight).toBe(L.gap + 4 * (L.bar + L.tileH + L.gap));
    // Tiles do not overlap, and there is an extra gap before the zooms.
    for (let i = 1; i < L.xs.length; i++) expect(L.xs[i]).toBeGreaterThanOrEqual(L.xs[i - 1] + (i - 1 < 4 ? L.tileW : L.zoomSide) + L.gap);
    expect(L.xs[4] - (L.xs[3] + L.tileW)).toBe(2 * L.gap);
  });

  it('a wide 1920x1080 clip shrinks the tiles to stay within the width; a tiny clip is not enlarged', () => {
    const L = sheetLayout({ width: 1920, height: 1080, columns: 4, zooms: 4, rows: 4 });
    expect(L.sheetWidth).toBeLessThanOrEqual(2000);
    expect(L.sheetWidth).toBeGreaterThan(1900);
    expect(L.tileH).toBeLessThan(200);
    expect(sheetLayout({ width: 64, height: 48, columns: 3, zooms: 2, rows: 2 }).tileH).toBe(48);
  });
});

describe('regionAround', () => {
  it('grows the shorter side to a square about the centre and shifts it inside the frame', () => {
    expect(regionAround({ x0: 40, y0: 10, x1: 60, y1: 50 }, 200, 100)).toEqual({ x0: 30, y0: 10, x1: 70, y1: 50 });
    expect(regionAround({ x0: 0, y0: 10, x1: 10, y1: 50 }, 200, 100)).toEqual({ x0: 0, y0: 10, x1: 40, y1: 50 });
    // Taller than the frame is wide: cut to the frame.
    expect(regionAround({ x0: 0, y0: 0, x1: 30, y1: 100 }, 50, 100)).toEqual({ x0: 0, y0: 0, x1: 50, y1: 100 });
  });
});

describe('drawRegion', () => {
  it('area-averages when shrinking and repeats pixels when zooming', () => {
    const w = 4;
    const h = 2;
    const src = new Uint8Array(w * h * 3);
    for (let x = 0; x < w; x++) for (let y = 0; y < h; y++) src.fill(x % 2 ? 200 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const small = new Uint8Array(2 * 1 * 3);
    drawRegion(src, w, h, { x0: 0, y0: 0, x1: 4, y1: 2 }, small, 2, 0, 0, 2, 1);
    expect(Array.from(small)).toEqual([100, 100, 100, 100, 100, 100]);
    const big = new Uint8Array(8 * 8 * 3);
    const at = drawRegion(src, w, h, { x0: 0, y0: 0, x1: 2, y1: 2 }, big, 8, 0, 0, 8, 8);
    expect(at).toEqual({ x: 0, y: 0, scale: 4 });
    expect(px(big, 8, 3, 7)).toEqual([0, 0, 0]);
    expect(px(big, 8, 4, 0)).toEqual([200, 200, 200]);
  });
});

describe('composeSheet', () => {
  it('rows of tiles with colour bars, zooms framed in the colour of their region', () => {
    const w = 40;
    const h = 30;
    const red = solid(w, h, [255, 0, 0]);
    const blue = solid(w, h, [0, 0, 255]);
    const row = {
      tiles: [
        { frame: red, colour: SHEET_COLOURS.truth, boxes: [{ box: { x0: 10, y0: 5, x1: 20, y1: 15 }, colour: SHEET_COLOURS.face }] },
        { frame: blue, colour: SHEET_COLOURS.engine },
        { frame: null, colour: SHEET_COLOURS.still },
      ],
      zooms: [
        { frame: red, region: { x0: 10, y0: 5, x1: 20, y1: 15 }, colour: SHEET_COLOURS.truth, edge: SHEET_COLOURS.face },
        { frame: blue, region: null, colour: SHEET_COLOURS.engine, edge: SHEET_COLOURS.revealed },
      ],
    };
    const s = composeSheet({ width: w, height: h, rows: [row, row] });
    const L = s.layout;
    expect([s.width, s.height]).toEqual([L.sheetWidth, L.sheetHeight]);
    expect(s.rgb.length).toBe(s.width * s.height * 3);
    expect(L.tileH).toBe(30);
    expect(L.tileW).toBe(40);
    // Bars, then the frames under them.
    expect(px(s.rgb, s.width, L.xs[0] + 1, L.ys[1])).toEqual(SHEET_COLOURS.truth);
    expect(px(s.rgb, s.width, L.xs[1] + 1, L.ys[0] + L.bar + 20)).toEqual([0, 0, 255]);
    expect(px(s.rgb, s.width, L.xs[0] + 30, L.ys[0] + L.bar + 25)).toEqual([255, 0, 0]);
    // The face box outlined on the truth tile (scale 1 here).
    expect(px(s.rgb, s.width, L.xs[0] + 10, L.ys[0] + L.bar + 8)).toEqual(SHEET_COLOURS.face);
    // An empty tile stays the background; a zoom has its edge colour round it and the zoomed frame inside.
    expect(px(s.rgb, s.width, L.xs[2] + 5, L.ys[0] + L.bar + 5)).toEqual([24, 24, 24]);
    expect(px(s.rgb, s.width, L.xs[3], L.ys[0] + L.bar + 10)).toEqual(SHEET_COLOURS.face);
    expect(px(s.rgb, s.width, L.xs[3] + 15, L.ys[0] + L.bar + 15)).toEqual([255, 0, 0]);
    expect(px(s.rgb, s.width, L.xs[4] + 15, L.ys[0] + L.bar + 15)).toEqual([24, 24, 24]);
    expect(px(s.rgb, s.width, L.xs[4] + 1, L.ys[0] + L.bar + 15)).toEqual(SHEET_COLOURS.revealed);
  });
});
