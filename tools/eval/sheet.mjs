// The contact sheet of an evaluation run (issue #21): a few output frames spread over the clip,
// one row each, with the methods side by side and zooms on the face and on the revealed
// background, so a person can see what the numbers cannot (ghosts, seams, smears, blur). Pure
// functions producing an rgb24 image; main.mjs writes it as PNG with ffmpeg (media.mjs writePng).
// No text: a thin coloured bar over each tile says what it is (colours in SHEET_COLOURS).

/** Column colours (bar over each tile) and the outlines of the zoomed regions. */
export const SHEET_COLOURS = {
  truth: [60, 180, 75],
  engine: [230, 25, 75],
  still: [170, 170, 170],
  'paste-2d': [0, 130, 200],
  face: [255, 225, 25],
  revealed: [70, 240, 240],
};
const BACKGROUND = [24, 24, 24];

/** `rows` output frame indices spread evenly over F frames (the middle of each of `rows` equal spans), distinct. */
export function sheetFrames(F, rows = 4) {
  const out = [];
  for (let i = 0; i < Math.min(rows, F); i++) out.push(Math.min(F - 1, Math.floor(((i + 0.5) * F) / Math.min(rows, F))));
  return [...new Set(out)];
}

/**
 * Tile sizes and positions of a sheet: `columns` frame tiles (the frame's aspect) then `zooms`
 * square zoom tiles per row, each under a `bar`-pixel colour bar, `gap` pixels apart (twice that
 * between the frames and the zooms, and around the sheet). The tile height is the largest that
 * keeps the sheet within `maxWidth`, at most `maxTileHeight` and at most the frame's own height.
 */
export function sheetLayout({ width, height, columns, zooms, rows, maxWidth = 2000, maxTileHeight = 320, gap = 4, bar = 6 }) {
  const tiles = columns + zooms;
  const fixed = 2 * gap + (tiles - 1) * gap + (zooms && columns ? gap : 0);
  const widthAt = (th) => columns * Math.max(1, Math.round((th * width) / height)) + zooms * th + fixed;
  let tileH = Math.max(8, Math.min(maxTileHeight, height, Math.floor((maxWidth - fixed) / ((columns * width) / height + zooms))));
  while (tileH > 8 && widthAt(tileH) > maxWidth) tileH--;
  const tileW = Math.max(1, Math.round((tileH * width) / height));
  const xs = [];
  let x = gap;
  for (let i = 0; i < tiles; i++) {
    if (i === columns && columns) x += gap;
    xs.push(x);
    x += (i < columns ? tileW : tileH) + gap;
  }
  const rowH = bar + tileH;
  const ys = Array.from({ length: rows }, (_, r) => gap + r * (rowH + gap));
  return { tileW, tileH, zoomSide: tileH, bar, gap, xs, ys, sheetWidth: x, sheetHeight: gap + rows * (rowH + gap) };
}

/**
 * A region of a w x h frame around `box` with the aspect `aspect` (width / height), grown on its
 * shorter side about the box's centre, then shifted (and if need be cut) to lie inside the frame.
 */
export function regionAround(box, w, h, aspect = 1) {
  let bw = Math.max(1, box.x1 - box.x0);
  let bh = Math.max(1, box.y1 - box.y0);
  if (bw / bh < aspect) bw = bh * aspect;
  else bh = bw / aspect;
  bw = Math.min(bw, w);
  bh = Math.min(bh, h);
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  const x0 = Math.round(Math.min(Math.max(0, cx - bw / 2), w - bw));
  const y0 = Math.round(Math.min(Math.max(0, cy - bh / 2), h - bh));
  return { x0, y0, x1: Math.min(w, x0 + Math.round(bw)), y1: Math.min(h, y0 + Math.round(bh)) };
}

function fillRect(img, iw, x0, y0, x1, y1, [r, g, b]) {
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = (y * iw + x) * 3;
      img[p] = r;
      img[p + 1] = g;
      img[p + 2] = b;
    }
  }
}

/**
 * Draws `region` of the rgb24 frame `src` (w x h) into `dst` (dw wide) at (dx, dy), dwT x dhT
 * pixels, keeping its aspect (centred, the rest left as it is). Each destination pixel is the
 * mean of the source pixels its footprint covers (area average when shrinking), or the nearest
 * source pixel when enlarging (a zoom shows the pixels as they are, blur included).
 * Returns the placement {x, y, scale} (destination pixels per source pixel).
 */
export function drawRegion(src, w, h, region, dst, dw, dx, dy, dwT, dhT) {
  const rw = region.x1 - region.x0;
  const rh = region.y1 - region.y0;
  const scale = Math.min(dwT / rw, dhT / rh);
  const ow = Math.max(1, Math.round(rw * scale));
  const oh = Math.max(1, Math.round(rh * scale));
  const ox = dx + Math.floor((dwT - ow) / 2);
  const oy = dy + Math.floor((dhT - oh) / 2);
  for (let y = 0; y < oh; y++) {
    const sy0 = region.y0 + (y * rh) / oh;
    const sy1 = region.y0 + ((y + 1) * rh) / oh;
    const ya = Math.min(h - 1, Math.floor(sy0));
    const yb = Math.max(ya + 1, Math.min(h, Math.ceil(sy1 - 1e-9)));
    for (let x = 0; x < ow; x++) {
      const sx0 = region.x0 + (x * rw) / ow;
      const sx1 = region.x0 + ((x + 1) * rw) / ow;
      const xa = Math.min(w - 1, Math.floor(sx0));
      const xb = Math.max(xa + 1, Math.min(w, Math.ceil(sx1 - 1e-9)));
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let yy = ya; yy < yb; yy++) {
        for (let xx = xa; xx < xb; xx++) {
          const p = (yy * w + xx) * 3;
          r += src[p];
          g += src[p + 1];
          b += src[p + 2];
          n++;
        }
      }
      const q = ((oy + y) * dw + ox + x) * 3;
      dst[q] = Math.round(r / n);
      dst[q + 1] = Math.round(g / n);
      dst[q + 2] = Math.round(b / n);
    }
  }
  return { x: ox, y: oy, scale: ow / rw };
}

/** A rectangle outline `t` pixels thick, clipped to the image. */
function outline(img, iw, ih, x0, y0, x1, y1, colour, t = 1) {
  const cx = (a) => Math.max(0, Math.min(iw, Math.round(a)));
  const cy = (a) => Math.max(0, Math.min(ih, Math.round(a)));
  const [a0, b0, a1, b1] = [cx(x0), cy(y0), cx(x1), cy(y1)];
  if (a1 <= a0 || b1 <= b0) return;
  fillRect(img, iw, a0, b0, a1, Math.min(b1, b0 + t), colour);
  fillRect(img, iw, a0, Math.max(b0, b1 - t), a1, b1, colour);
  fillRect(img, iw, a0, b0, Math.min(a1, a0 + t), b1, colour);
  fillRect(img, iw, Math.max(a0, a1 - t), b0, a1, b1, colour);
}

/**
 * The contact sheet: `rows` of { tiles, zooms }. A tile is { frame (rgb24 w x h, or null: left
 * empty), colour, boxes: [{ box, colour }] outlined on it }; a zoom is { frame, region (a box of
 * the frame, drawn to fill the square tile as far as its aspect allows; null: left empty),
 * colour (the bar: whose frame), edge (the frame round the tile: which region) }.
 * Every row has the same number of tiles and of zooms. Returns { rgb, width, height, layout }.
 */
export function composeSheet({ width: w, height: h, rows, maxWidth = 2000, maxTileHeight = 320 }) {
  const columns = rows[0]?.tiles.length ?? 0;
  const zooms = rows[0]?.zooms.length ?? 0;
  const L = sheetLayout({ width: w, height: h, columns, zooms, rows: rows.length, maxWidth, maxTileHeight });
  const W = L.sheetWidth;
  const H = L.sheetHeight;
  const rgb = new Uint8Array(W * H * 3);
  fillRect(rgb, W, 0, 0, W, H, BACKGROUND);
  rows.forEach((row, r) => {
    const y = L.ys[r];
    row.tiles.forEach((tile, i) => {
      const x = L.xs[i];
      fillRect(rgb, W, x, y, x + L.tileW, y + L.bar, tile.colour);
      if (!tile.frame) return;
      const at = drawRegion(tile.frame, w, h, { x0: 0, y0: 0, x1: w, y1: h }, rgb, W, x, y + L.bar, L.tileW, L.tileH);
      for (const { box, colour } of tile.boxes ?? []) {
        if (box) outline(rgb, W, H, at.x + box.x0 * at.scale, at.y + box.y0 * at.scale, at.x + box.x1 * at.scale, at.y + box.y1 * at.scale, colour);
      }
    });
    row.zooms.forEach((zoom, j) => {
      const x = L.xs[columns + j];
      const s = L.zoomSide;
      fillRect(rgb, W, x, y, x + s, y + L.bar, zoom.colour);
      if (zoom.frame && zoom.region) drawRegion(zoom.frame, w, h, zoom.region, rgb, W, x, y + L.bar, s, s);
      outline(rgb, W, H, x, y + L.bar, x + s, y + L.bar + s, zoom.edge, 2);
    });
  });
  return { rgb, width: W, height: H, layout: L };
}
