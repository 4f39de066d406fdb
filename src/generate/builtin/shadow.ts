/**
 * The person's cast shadow in a reference frame: the ground round their lower body that is darker
 * than the background model knows it, with the same chromaticity (a shadow dims the light, it
 * does not change the ground's colour), and that joins the person's region. The plate builder
 * adds it to the person's alpha (plate.ts), so the plate replaces it with the ground seen when
 * the person stood elsewhere, and the model does not learn it. A shadow that never moves (a
 * person who stands still) is part of the model and stays: nothing saw the ground without it.
 *
 * A per-pixel test and a flood fill from the person's region; on the GPU the test is one
 * invocation per pixel and the flood a few jump-flooding passes.
 */
import { dilateMask, type PixelBox } from './mask';

export interface ShadowOptions {
  /** The frame's luma over the background's: a shadow lies in [darkest, lightest]. */
  readonly darkest: number;
  readonly lightest: number;
  /** Largest difference of chromaticity (r, g, b over their sum) between the frame and the background. */
  readonly chroma: number;
  /** Backgrounds darker than this luma (0-255) are not searched: their shadows cannot be told from noise. */
  readonly minLuma: number;
  /** How far round the person the shadow is looked for, as shares of their region's height: sideways, and below their feet. */
  readonly reach: number;
  readonly below: number;
  /** Only the lower part of the person's region casts a shadow on the ground: from this share of its height down. */
  readonly from: number;
  /** Margin and soft edge added round the shadow, as shares of the person's height (plus one pixel). */
  readonly grow: number;
  readonly feather: number;
}

export const SHADOW_DEFAULTS: ShadowOptions = Object.freeze({
  darkest: 0.25,
  lightest: 0.82,
  chroma: 0.05,
  minLuma: 24,
  reach: 0.9,
  below: 0.35,
  from: 0.5,
  grow: 0.01,
  feather: 0.01,
});

/** The background at frame pixel (x, y) (pixel centres at +0.5) into dst[0..3); returns 0 when it is unknown. */
export type BackgroundAt = (x: number, y: number, dst: Float32Array) => number;

const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/** Whether colour (r, g, b) is the colour (br, bg, bb) in shadow: dimmer by a shadow's range, the same chromaticity. */
export function isShadowOf(r: number, g: number, b: number, br: number, bg: number, bb: number, options: ShadowOptions): boolean {
  const lb = luma(br, bg, bb);
  if (lb < options.minLuma) return false;
  const ratio = luma(r, g, b) / lb;
  if (ratio < options.darkest || ratio > options.lightest) return false;
  const sf = r + g + b + 1e-6;
  const sb = br + bg + bb + 1e-6;
  return Math.abs(r / sf - br / sb) <= options.chroma && Math.abs(g / sf - bg / sb) <= options.chroma && Math.abs(b / sf - bb / sb) <= options.chroma;
}

/**
 * The cast shadow of the person whose alpha (255 = person, any value > 0 counts) covers `box` in
 * this frame, as an alpha of the frame's size (255 shadow, a soft edge beyond) with its box; null
 * when there is none. `alpha` is not changed.
 */
export function castShadow(
  rgba: ArrayLike<number>,
  alpha: Uint8Array,
  width: number,
  height: number,
  box: PixelBox,
  background: BackgroundAt,
  options: ShadowOptions = SHADOW_DEFAULTS,
): { alpha: Uint8Array; box: PixelBox } | null {
  const h = box.y1 - box.y0;
  if (!(h > 0)) return null;
  const x0 = Math.max(0, Math.floor(box.x0 - options.reach * h));
  const x1 = Math.min(width, Math.ceil(box.x1 + options.reach * h));
  const y0 = Math.max(0, Math.floor(box.y0 + options.from * h));
  const y1 = Math.min(height, Math.ceil(box.y1 + options.below * h));
  const rw = x1 - x0;
  const rh = y1 - y0;
  if (rw <= 2 || rh <= 2) return null;
  // 1. Per pixel: darker than the background, same chromaticity.
  const candidate = new Uint8Array(rw * rh);
  const bg = new Float32Array(3);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * width + x;
      if (alpha[p]! > 0 || background(x + 0.5, y + 0.5, bg) <= 0) continue;
      if (!isShadowOf(rgba[4 * p]!, rgba[4 * p + 1]!, rgba[4 * p + 2]!, bg[0]!, bg[1]!, bg[2]!, options)) continue;
      candidate[(y - y0) * rw + (x - x0)] = 1;
    }
  }
  // 2. Majority of each 3 × 3 neighbourhood (speckle out, pinholes in).
  const clean = new Uint8Array(rw * rh);
  for (let y = 0; y < rh; y++) {
    for (let x = 0; x < rw; x++) {
      let n = 0;
      for (let v = Math.max(0, y - 1); v <= Math.min(rh - 1, y + 1); v++) for (let u = Math.max(0, x - 1); u <= Math.min(rw - 1, x + 1); u++) n += candidate[v * rw + u]!;
      clean[y * rw + x] = n >= 5 ? 1 : 0;
    }
  }
  // 3. Only what joins the person: flood from candidates next to the person's region.
  const out = new Uint8Array(width * height);
  const queue: number[] = [];
  const isPerson = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && alpha[y * width + x]! > 0;
  for (let y = 0; y < rh; y++) {
    for (let x = 0; x < rw; x++) {
      if (!clean[y * rw + x]) continue;
      const fx = x + x0;
      const fy = y + y0;
      if (isPerson(fx - 1, fy) || isPerson(fx + 1, fy) || isPerson(fx, fy - 1) || isPerson(fx, fy + 1)) {
        clean[y * rw + x] = 2;
        queue.push(y * rw + x);
      }
    }
  }
  if (!queue.length) return null;
  let bx0 = width;
  let by0 = height;
  let bx1 = 0;
  let by1 = 0;
  for (let head = 0; head < queue.length; head++) {
    const q = queue[head]!;
    const x = q % rw;
    const y = (q - x) / rw;
    out[(y + y0) * width + x + x0] = 255;
    bx0 = Math.min(bx0, x + x0);
    by0 = Math.min(by0, y + y0);
    bx1 = Math.max(bx1, x + x0 + 1);
    by1 = Math.max(by1, y + y0 + 1);
    for (const [u, v] of [
      [x - 1, y],
      [x + 1, y],
      [x, y - 1],
      [x, y + 1],
    ] as const) {
      if (u < 0 || v < 0 || u >= rw || v >= rh || clean[v * rw + u] !== 1) continue;
      clean[v * rw + u] = 2;
      queue.push(v * rw + u);
    }
  }
  const grown = dilateMask(out, width, height, 1 + options.grow * h, Math.max(1, options.feather * h), { x0: bx0, y0: by0, x1: bx1, y1: by1 });
  return grown ? { alpha: out, box: grown } : null;
}
