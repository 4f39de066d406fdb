/**
 * The plate builder's long-term background model (step 2 in plate.ts): a robust running mean per
 * pixel of a canvas that holds the anchor frame with a margin around it, fed from every frame's
 * background pixels, warped when the anchor moves, and sampled by the temporal fill
 * (plate-fill.ts). Apart from the builder because it is state of its own with its own per-pixel
 * passes: the builder decides where each frame sits on the canvas, this file reads and writes it.
 */
import { sampleBilinearKnown, sampleBilinearMasked } from '../../image';
import { COMPLETION_DEFAULTS, completeHole, type CompletionOptions } from './completion';
import { apply3, invert3, isIdentity3, type Mat3 } from './mat3';
import type { PixelBox } from './mask';
import { isShadowOf, type ShadowOptions } from './shadow';

/** One bilinear RGB sample of `update`, kept in float64 (observed unrounded). */
const RGB = new Float64Array(3);

/** What the model reads of the builder's options (see `PlateBuilderOptions`). */
export interface BackgroundModelOptions {
  modelTolerance: number;
  modelCap: number;
  modelReset: number;
  /** With shadow removal: an observation of which the model holds a shadow replaces it at once (the lit ground is the background). */
  shadows: ShadowOptions | null;
}

/** How the model completes what no frame saw (see `BackgroundModel.complete`). */
export interface SceneCompletionOptions extends CompletionOptions {
  /** The completed region reaches this share of the asked-for region's longer side beyond it (so that the next frames' asks are mostly served already). */
  readonly reach: number;
  /** Known pixels this close (canvas pixels) to an unknown one are not copied from: mask fringes and shadows linger there. */
  readonly gap: number;
}

export const SCENE_COMPLETION_DEFAULTS: SceneCompletionOptions = Object.freeze({ ...COMPLETION_DEFAULTS, reach: 0.5, gap: 2 });

/** A frame as the model sees it: RGBA, person alpha (255 = person), and frame pixels → canvas pixels. */
export interface ModelFrame {
  rgba: Uint8ClampedArray;
  alpha: Uint8Array;
  toAnchor: Mat3;
}

/**
 * Background model on the canvas: mw × mh pixels, the anchor frame at (margin, margin); per pixel
 * the mean RGB (float32), its observation count, and the disagreeing observations in a row.
 */
export class BackgroundModel {
  readonly mw: number;
  readonly mh: number;
  readonly bg: Float32Array;
  readonly count: Uint8Array;
  readonly miss: Uint8Array;
  /**
   * Scene completion of the pixels no frame saw (completion.ts), on the canvas, made on demand
   * and kept until the canvas is cleared or warped: a completed pixel has the same value in
   * every plate (a fill made per frame would flicker). `done` marks the completed pixels.
   */
  private completion: { rgb: Float32Array; done: Uint8Array } | null = null;

  /** `width` × `height`: the frame size in pixels; `margin`: pixels of canvas on each side of the anchor frame. */
  constructor(
    private readonly width: number,
    private readonly height: number,
    margin: number,
    private readonly options: BackgroundModelOptions,
  ) {
    this.mw = width + 2 * margin;
    this.mh = height + 2 * margin;
    this.bg = new Float32Array(this.mw * this.mh * 3);
    this.count = new Uint8Array(this.mw * this.mh);
    this.miss = new Uint8Array(this.mw * this.mh);
  }

  /** Bytes held by the model. */
  get byteLength(): number {
    return this.bg.byteLength + this.count.byteLength + this.miss.byteLength;
  }

  /** Forgets every pixel (a new segment: nothing is borrowed across a cut). */
  clear(): void {
    this.count.fill(0);
    this.miss.fill(0);
    this.completion = null;
  }

  /** Warps the model onto a new anchor, bilinear where all four taps are known; `m`: new canvas pixels → old canvas pixels. Per-pixel pass. */
  warp(m: Mat3): void {
    const { mw, mh } = this;
    const bg = new Float32Array(this.bg.length);
    const count = new Uint8Array(this.count.length);
    const q = new Float64Array(2);
    for (let y = 0; y < mh; y++) {
      for (let x = 0; x < mw; x++) {
        apply3(m, x + 0.5, y + 0.5, q);
        const p = y * mw + x;
        const got = sampleModel(this.bg, this.count, mw, mh, q[0]!, q[1]!, bg, 3 * p);
        if (got > 0) count[p] = got;
      }
    }
    this.bg.set(bg);
    this.count.set(count);
    this.miss.fill(0);
    this.completion = null;
  }

  /**
   * Completes, once, the canvas pixels that no frame saw around `points` (canvas positions, x and
   * y interleaved: the plate pixels that neither the window nor the model could fill), within the
   * footprint of the frame placed by `toCanvas`. The region is the points' box grown by `reach`;
   * every unseen pixel in it is completed from the seen ones (never from within `gap` of an unseen
   * one). Returns the pixels completed by this call (0 when all were done before, or the hole was
   * too small or had no source: the caller's smooth fill takes those).
   */
  complete(points: ArrayLike<number>, toCanvas: Mat3, options: SceneCompletionOptions): number {
    const { mw, mh, count } = this;
    if (points.length === 0) return 0;
    const c = (this.completion ??= { rgb: new Float32Array(mw * mh * 3), done: new Uint8Array(mw * mh) });
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    let pending = false;
    for (let k = 0; k + 1 < points.length; k += 2) {
      const px = Math.floor(points[k]! - 0.5);
      const py = Math.floor(points[k + 1]! - 0.5);
      x0 = Math.min(x0, px);
      y0 = Math.min(y0, py);
      x1 = Math.max(x1, px + 2);
      y1 = Math.max(y1, py + 2);
      for (let j = 0; j < 2 && !pending; j++) {
        for (let i = 0; i < 2; i++) {
          const x = px + i;
          const y = py + j;
          if (x < 0 || y < 0 || x >= mw || y >= mh) continue;
          const p = y * mw + x;
          if (count[p] === 0 && !c.done[p]) pending = true;
        }
      }
    }
    if (!pending) return 0;
    const fp = footprint(toCanvas, this.width, this.height, mw, mh);
    if (!fp) return 0;
    const grow = Math.ceil(options.reach * Math.max(x1 - x0, y1 - y0)) + options.patch;
    const bx0 = Math.max(fp.x0, x0 - grow);
    const by0 = Math.max(fp.y0, y0 - grow);
    const bx1 = Math.min(fp.x1, x1 + grow);
    const by1 = Math.min(fp.y1, y1 + grow);
    const w = bx1 - bx0;
    const h = by1 - by0;
    if (w < options.patch || h < options.patch) return 0;
    const rgb = new Float32Array(w * h * 3);
    const hole = new Uint8Array(w * h);
    const unseen = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = (y + by0) * mw + x + bx0;
        const q = y * w + x;
        const from = count[p]! > 0 ? this.bg : c.done[p] ? c.rgb : null;
        if (from) {
          rgb[3 * q] = from[3 * p]!;
          rgb[3 * q + 1] = from[3 * p + 1]!;
          rgb[3 * q + 2] = from[3 * p + 2]!;
        }
        if (count[p] === 0) unseen[q] = 1;
        if (count[p] === 0 && !c.done[p]) hole[q] = 1;
      }
    }
    const source = farFrom(unseen, w, h, options.gap);
    for (let q = 0; q < w * h; q++) if (unseen[q]) source[q] = 0;
    const stats = completeHole(rgb, w, h, hole, source, options);
    if (!stats) return 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const q = y * w + x;
        if (!hole[q]) continue;
        const p = (y + by0) * mw + x + bx0;
        c.rgb[3 * p] = rgb[3 * q]!;
        c.rgb[3 * p + 1] = rgb[3 * q + 1]!;
        c.rgb[3 * p + 2] = rgb[3 * q + 2]!;
        c.done[p] = 1;
      }
    }
    return stats.pixels;
  }

  /**
   * The completed background at canvas position (x, y) into `dst[o..o+3)` (bilinear where the four
   * taps were completed, else the nearest pixel when it was); false when it was not completed.
   */
  sampleCompleted(x: number, y: number, dst: Float32Array, o: number): boolean {
    const c = this.completion;
    return c !== null && sampleModel(c.rgb, c.done, this.mw, this.mh, x, y, dst, o) > 0;
  }

  /** The model at continuous canvas position (x, y) into `dst[0..3)` (`sampleModel`); returns the observation count (0: unknown). */
  sample(x: number, y: number, dst: Float32Array): number {
    return sampleModel(this.bg, this.count, this.mw, this.mh, x, y, dst, 0);
  }

  /** Step 2: robust running mean of the frame's background pixels, on the canvas. Per-pixel pass. */
  update(frame: ModelFrame): void {
    const { width, height, mw, mh } = this;
    const { rgba, alpha } = frame;
    const shift = integerShift(frame.toAnchor);
    if (shift) {
      // No resampling: only the frame's own rectangle on the canvas can change.
      const x0 = Math.max(0, shift[0]);
      const y0 = Math.max(0, shift[1]);
      const x1 = Math.min(mw, shift[0] + width);
      const y1 = Math.min(mh, shift[1] + height);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const f = (y - shift[1]) * width + (x - shift[0]);
          if (alpha[f]! > 0) continue;
          this.observe(y * mw + x, rgba[4 * f]!, rgba[4 * f + 1]!, rgba[4 * f + 2]!);
        }
      }
      return;
    }
    // Canvas box of the frame's footprint.
    const fp = footprint(frame.toAnchor, width, height, mw, mh);
    if (!fp) return;
    const inv = invert3(frame.toAnchor); // canvas → frame
    const [i0, i1, i2, i3, i4, i5, i6, i7, i8] = inv as unknown as number[];
    for (let y = fp.y0; y < fp.y1; y++) {
      const yc = y + 0.5;
      let nx = i0! * (fp.x0 + 0.5) + i1! * yc + i2!;
      let ny = i3! * (fp.x0 + 0.5) + i4! * yc + i5!;
      let nw = i6! * (fp.x0 + 0.5) + i7! * yc + i8!;
      for (let x = fp.x0; x < fp.x1; x++, nx += i0!, ny += i3!, nw += i6!) {
        // Bilinear taps at frame position (nx / nw, ny / nw), all four background.
        if (sampleBilinearMasked(rgba, alpha, width, height, 4, 3, nx / nw - 0.5, ny / nw - 0.5, RGB, 0) <= 0) continue;
        this.observe(y * mw + x, RGB[0]!, RGB[1]!, RGB[2]!);
      }
    }
  }

  /** One background observation (r, g, b) of canvas pixel p. */
  private observe(p: number, r: number, g: number, b: number): void {
    const { bg, count, miss } = this;
    const { modelTolerance, modelCap, modelReset } = this.options;
    const n = count[p]!;
    const o = 3 * p;
    if (n > 0) {
      const d = Math.max(Math.abs(r - bg[o]!), Math.abs(g - bg[o + 1]!), Math.abs(b - bg[o + 2]!));
      if (d <= modelTolerance) {
        const m = n < modelCap ? n + 1 : modelCap;
        bg[o]! += (r - bg[o]!) / m;
        bg[o + 1]! += (g - bg[o + 1]!) / m;
        bg[o + 2]! += (b - bg[o + 2]!) / m;
        count[p] = m;
        miss[p] = 0;
        return;
      }
      // The model learnt a shadow (the first look was in it): the lit ground wins at once.
      const lit = this.options.shadows !== null && isShadowOf(bg[o]!, bg[o + 1]!, bg[o + 2]!, r, g, b, this.options.shadows);
      if (!lit && ++miss[p]! < modelReset) return;
    }
    bg[o] = r;
    bg[o + 1] = g;
    bg[o + 2] = b;
    count[p] = 1;
    miss[p] = 0;
  }
}

/** 1 where no `mask` pixel lies within `gap` pixels (Chebyshev distance), else 0: a separable box dilation, inverted. */
function farFrom(mask: Uint8Array, w: number, h: number, gap: number): Uint8Array {
  const rows = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) dilateLine(mask, rows, y * w, 1, w, gap);
  const near = new Uint8Array(w * h);
  for (let x = 0; x < w; x++) dilateLine(rows, near, x, w, h, gap);
  return near.map((v) => 1 - v);
}

/** Marks in `dst` the `n` samples (from `start`, `step` apart) of a line lying within `gap` samples of a set sample of `src`. */
function dilateLine(src: Uint8Array, dst: Uint8Array, start: number, step: number, n: number, gap: number): void {
  let last = -Infinity;
  for (let i = 0; i < n; i++) {
    if (src[start + i * step]) last = i;
    if (i - last <= gap) dst[start + i * step] = 1;
  }
  last = Infinity;
  for (let i = n - 1; i >= 0; i--) {
    if (src[start + i * step]) last = i;
    if (last - i <= gap) dst[start + i * step] = 1;
  }
}

/** Canvas box (clipped) covered by a width × height frame placed with `toCanvas`; null when off the canvas. */
function footprint(toCanvas: Mat3, width: number, height: number, mw: number, mh: number): PixelBox | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const q = new Float64Array(2);
  for (const [x, y] of [
    [0, 0],
    [width, 0],
    [0, height],
    [width, height],
  ] as const) {
    apply3(toCanvas, x, y, q);
    x0 = Math.min(x0, q[0]!);
    y0 = Math.min(y0, q[1]!);
    x1 = Math.max(x1, q[0]!);
    y1 = Math.max(y1, q[1]!);
  }
  const box = { x0: Math.max(0, Math.floor(x0)), y0: Math.max(0, Math.floor(y0)), x1: Math.min(mw, Math.ceil(x1)), y1: Math.min(mh, Math.ceil(y1)) };
  return box.x1 > box.x0 && box.y1 > box.y0 ? box : null;
}

/** (tx, ty) when `m` is a translation by whole pixels (no resampling needed), else null. */
export function integerShift(m: Mat3): [number, number] | null {
  if (!isIdentity3(Float64Array.of(m[0]!, m[1]!, 0, m[3]!, m[4]!, 0, m[6]!, m[7]!, m[8]!))) return null;
  const tx = m[2]! / m[8]!;
  const ty = m[5]! / m[8]!;
  return Number.isInteger(tx) && Number.isInteger(ty) ? [tx, ty] : null;
}

/**
 * The background model at continuous anchor position (x, y) into `dst[o..o+3)`: bilinear where the
 * four taps are known, else the nearest pixel when known. Returns that pixel's observation count
 * (0: unknown).
 */
export function sampleModel(bg: Float32Array, count: Uint8Array, width: number, height: number, x: number, y: number, dst: Float32Array, o: number): number {
  const px = x - 0.5;
  const py = y - 0.5;
  const known = sampleBilinearKnown(bg, count, width, height, 3, 3, px, py, dst, o);
  if (known > 0) return known;
  const nx = Math.round(px);
  const ny = Math.round(py);
  if (nx < 0 || ny < 0 || nx >= width || ny >= height) return 0;
  const p = ny * width + nx;
  const n = count[p]!;
  if (n > 0) {
    dst[o] = bg[3 * p]!;
    dst[o + 1] = bg[3 * p + 1]!;
    dst[o + 2] = bg[3 * p + 2]!;
  }
  return n;
}
