/**
 * Steps 3-5 of a background plate (plate.ts) for the person's pixels of one frame: the temporal
 * fill from the window frames warped into it, blended with the long-term model (plate-model.ts),
 * the spatial fill of what nothing saw (inpaint.ts), and the soft edge. Apart from the builder
 * because it only reads the window and the model: the builder owns them and their bookkeeping.
 */
import { sampleBilinearMasked } from '../../image';
import type { PartClock } from '../part-times';
import { pushPullFill } from './inpaint';
import { apply3, invert3, isIdentity3, multiply3, normalize3 } from './mat3';
import { integerShift, sampleModel, type BackgroundModel, type SceneCompletionOptions } from './plate-model';
import { CELL, type Slot } from './plate-slot';

/** Statistics of the latest `plate()` call, for tests and tuning. */
export interface PlateStats {
  /** Pixels with person alpha > 0. */
  personPixels: number;
  /** Of those: filled from window frames (possibly blended with the model), from the model alone, by scene completion, and by the smooth fill. */
  fromWindow: number;
  fromModel: number;
  completed: number;
  inpainted: number;
}

/** What the fill reads of the builder's options (see `PlateBuilderOptions`). */
export interface FillOptions {
  width: number;
  height: number;
  window: number;
  candidates: number;
  agree: readonly [number, number];
  /** Scene completion of what nothing saw; null: the smooth fill alone. */
  completion: SceneCompletionOptions | null;
  /** Times scene completion (the run's `completion` part). */
  clock: PartClock;
}

/** What the fill reads of the builder, and the statistics it counts into. */
export interface FillContext {
  options: FillOptions;
  /** Buffered frame `index`, or null when it is not in the window. */
  slotOf(index: number): Slot | null;
  /** Index of the latest pushed frame. */
  last: number;
  model: BackgroundModel;
  /** The latest plate's statistics (the builder's `stats`), counted into. */
  stats: PlateStats;
}

/** Steps 3-5 for the person's region of `slot` (its `fill`), writing into `out`. Processed in CELL × CELL tiles. */
export function fillPerson(slot: Slot, out: Uint8ClampedArray, ctx: FillContext): void {
  const { width, height, window, candidates, agree, completion, clock } = ctx.options;
  const box = slot.fillBox!;
  const cw = Math.ceil(width / CELL);
  // Window frames, nearest first, with the map from this frame's pixels to theirs (9 numbers each).
  const near: Slot[] = [];
  const dist: number[] = [];
  const maps: number[] = [];
  const direct: boolean[] = [];
  for (let d = 1; d <= window; d++) {
    for (const j of [slot.index - d, slot.index + d]) {
      const s = ctx.slotOf(j);
      if (!s || s.segment !== slot.segment || j > ctx.last) continue;
      const m = multiply3(invert3(s.toAnchor), slot.toAnchor);
      near.push(s);
      dist.push(d);
      maps.push(...normalize3(m));
      direct.push(isIdentity3(m));
    }
  }
  const nm = Float64Array.from(maps);
  const toAnchor = slot.toAnchor;
  const shift = integerShift(toAnchor);
  const { mw, mh, bg, count } = ctx.model;
  // Work region: the person's box grown so that the spatial fill sees enough surroundings.
  const grow = Math.max(8, Math.round(0.15 * Math.max(box.x1 - box.x0, box.y1 - box.y0)));
  const rx0 = Math.max(0, box.x0 - grow);
  const ry0 = Math.max(0, box.y0 - grow);
  const rx1 = Math.min(width, box.x1 + grow);
  const ry1 = Math.min(height, box.y1 + grow);
  const rw = rx1 - rx0;
  const rh = ry1 - ry0;
  const fill = new Float32Array(rw * rh * 3);
  const weight = new Float32Array(rw * rh).fill(1);
  // What this plate replaces (the person, not the others in the shot).
  const { rgba, fill: alpha } = slot;
  for (let y = ry0; y < ry1; y++) {
    for (let x = rx0; x < rx1; x++) {
      const p = y * width + x;
      const r = (y - ry0) * rw + (x - rx0);
      fill[3 * r] = rgba[4 * p]!;
      fill[3 * r + 1] = rgba[4 * p + 1]!;
      fill[3 * r + 2] = rgba[4 * p + 2]!;
    }
  }
  const cand = new Float32Array(3 * candidates);
  const model = new Float32Array(3);
  const sorted = new Float32Array(candidates);
  const med = new Float32Array(3);
  const q = new Float64Array(2);
  const useful = new Int32Array(near.length);
  const [agreeLo, agreeHi] = agree;
  const stats = ctx.stats;
  // Pixels that nothing saw: their index in the work region, and their place on the model canvas.
  const unseen: number[] = [];
  const unseenAt: number[] = [];
  for (let cy = Math.floor(box.y0 / CELL); cy < Math.ceil(box.y1 / CELL); cy++) {
    for (let cx = Math.floor(box.x0 / CELL); cx < Math.ceil(box.x1 / CELL); cx++) {
      if (!slot.cellAny[cy * cw + cx]) continue;
      const tx0 = cx * CELL;
      const ty0 = cy * CELL;
      const tx1 = Math.min(width, tx0 + CELL);
      const ty1 = Math.min(height, ty0 + CELL);
      // Window frames that can see some of this tile: not outside their frame, not fully covered there.
      let nu = 0;
      for (let k = 0; k < near.length; k++) {
        if (tileHidden(nm, 9 * k, direct[k]!, near[k]!, tx0, ty0, tx1, ty1, width, height, cw)) continue;
        useful[nu++] = k;
      }
      for (let y = ty0; y < ty1; y++) {
        for (let x = tx0; x < tx1; x++) {
          const p = y * width + x;
          if (alpha[p] === 0) continue;
          const r = (y - ry0) * rw + (x - rx0);
          stats.personPixels++;
          // Temporal candidates, nearest in time first.
          let n = 0;
          let lastD = 0;
          const xc = x + 0.5;
          const yc = y + 0.5;
          for (let u = 0; u < nu; u++) {
            const k = useful[u]!;
            if (n >= candidates && dist[k]! > lastD) break;
            if (n >= candidates) continue;
            const s = near[k]!;
            if (direct[k]) {
              if (s.alpha[p]! > 0) continue;
              cand[3 * n] = s.rgba[4 * p]!;
              cand[3 * n + 1] = s.rgba[4 * p + 1]!;
              cand[3 * n + 2] = s.rgba[4 * p + 2]!;
            } else {
              const o = 9 * k;
              const wz = nm[o + 6]! * xc + nm[o + 7]! * yc + nm[o + 8]!;
              const sx = (nm[o]! * xc + nm[o + 1]! * yc + nm[o + 2]!) / wz;
              const sy = (nm[o + 3]! * xc + nm[o + 4]! * yc + nm[o + 5]!) / wz;
              if (!sampleBackground(s.rgba, s.alpha, width, height, sx, sy, cand, 3 * n)) continue;
            }
            n++;
            lastD = dist[k]!;
          }
          // Long-term model.
          let haveModel: boolean;
          if (shift) {
            const mp = (y + shift[1]) * mw + x + shift[0];
            haveModel = count[mp]! > 0;
            if (haveModel) {
              model[0] = bg[3 * mp]!;
              model[1] = bg[3 * mp + 1]!;
              model[2] = bg[3 * mp + 2]!;
            }
          } else {
            apply3(toAnchor, xc, yc, q);
            haveModel = sampleModel(bg, count, mw, mh, q[0]!, q[1]!, model, 0) > 0;
          }
          if (n > 0) {
            for (let c = 0; c < 3; c++) {
              for (let k = 0; k < n; k++) {
                // Insertion sort of ≤ `candidates` values.
                const v = cand[3 * k + c]!;
                let j = k - 1;
                while (j >= 0 && sorted[j]! > v) {
                  sorted[j + 1] = sorted[j]!;
                  j--;
                }
                sorted[j + 1] = v;
              }
              med[c] = n % 2 ? sorted[n >> 1]! : 0.5 * (sorted[(n >> 1) - 1]! + sorted[n >> 1]!);
            }
            let t = 0;
            if (haveModel) {
              const diff = Math.max(Math.abs(model[0]! - med[0]!), Math.abs(model[1]! - med[1]!), Math.abs(model[2]! - med[2]!));
              t = Math.min(1, Math.max(0, (agreeHi - diff) / (agreeHi - agreeLo)));
            }
            for (let c = 0; c < 3; c++) fill[3 * r + c] = t * model[c]! + (1 - t) * med[c]!;
            stats.fromWindow++;
          } else if (haveModel) {
            fill[3 * r] = model[0]!;
            fill[3 * r + 1] = model[1]!;
            fill[3 * r + 2] = model[2]!;
            stats.fromModel++;
          } else {
            weight[r] = 0;
            unseen.push(r);
            if (shift) unseenAt.push(xc + shift[0], yc + shift[1]);
            else {
              apply3(toAnchor, xc, yc, q);
              unseenAt.push(q[0]!, q[1]!);
            }
          }
        }
      }
    }
  }
  // 4. What nothing saw: scene completion on the model's canvas (made once, the same in every
  // plate), and the smooth fill for what that leaves (tiny holes, or no scene to copy from).
  if (unseen.length > 0 && completion) {
    clock.time('completion', () => ctx.model.complete(unseenAt, toAnchor, completion));
    for (let k = 0; k < unseen.length; k++) {
      const r = unseen[k]!;
      if (!ctx.model.sampleCompleted(unseenAt[2 * k]!, unseenAt[2 * k + 1]!, fill, 3 * r)) continue;
      weight[r] = 1;
      stats.completed++;
    }
  }
  stats.inpainted = unseen.length - stats.completed;
  if (stats.inpainted > 0) pushPullFill(fill, weight, rw, rh);
  // 5. Soft edge.
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const p = y * width + x;
      const a = alpha[p]!;
      if (a === 0) continue;
      const r = (y - ry0) * rw + (x - rx0);
      const t = a / 255;
      for (let c = 0; c < 3; c++) out[4 * p + c] = t * fill[3 * r + c]! + (1 - t) * rgba[4 * p + c]!;
    }
  }
}

/**
 * True when window frame `s` cannot show any pixel of the tile [tx0, tx1) × [ty0, ty1) of the
 * plate's frame: the tile maps outside `s`'s frame, or onto cells that are entirely person there.
 * `m` at offset `o`: the 9 numbers of the map from the plate's frame to `s`'s.
 */
function tileHidden(m: Float64Array, o: number, direct: boolean, s: Slot, tx0: number, ty0: number, tx1: number, ty1: number, width: number, height: number, cw: number): boolean {
  let x0: number;
  let y0: number;
  let x1: number;
  let y1: number;
  if (direct) {
    x0 = tx0;
    y0 = ty0;
    x1 = tx1 - 1;
    y1 = ty1 - 1;
  } else {
    x0 = Infinity;
    y0 = Infinity;
    x1 = -Infinity;
    y1 = -Infinity;
    for (let c = 0; c < 4; c++) {
      const x = c & 1 ? tx1 : tx0;
      const y = c & 2 ? ty1 : ty0;
      const w = m[o + 6]! * x + m[o + 7]! * y + m[o + 8]!;
      const u = (m[o]! * x + m[o + 1]! * y + m[o + 2]!) / w;
      const v = (m[o + 3]! * x + m[o + 4]! * y + m[o + 5]!) / w;
      if (u < x0) x0 = u;
      if (u > x1) x1 = u;
      if (v < y0) y0 = v;
      if (v > y1) y1 = v;
    }
    // Pixels whose bilinear taps the tile can touch.
    x0 = Math.floor(x0 - 1);
    y0 = Math.floor(y0 - 1);
    x1 = Math.floor(x1 + 1);
    y1 = Math.floor(y1 + 1);
    if (x1 < 0 || y1 < 0 || x0 >= width || y0 >= height) return true;
  }
  const cx0 = Math.max(0, Math.floor(x0 / CELL));
  const cy0 = Math.max(0, Math.floor(y0 / CELL));
  const cx1 = Math.min(cw - 1, Math.floor(Math.min(width - 1, x1) / CELL));
  const cy1 = Math.min(Math.ceil(height / CELL) - 1, Math.floor(Math.min(height - 1, y1) / CELL));
  for (let cy = cy0; cy <= cy1; cy++) for (let cx = cx0; cx <= cx1; cx++) if (!s.cellAll[cy * cw + cx]) return false;
  return true;
}

/**
 * Bilinear RGB of `rgba` at continuous position (x, y) into `dst[o..o+3)`, only when the four taps
 * are inside the frame and are background (alpha 0). Returns whether it sampled.
 */
function sampleBackground(rgba: Uint8ClampedArray, alpha: Uint8Array, width: number, height: number, x: number, y: number, dst: Float32Array, o: number): boolean {
  const px = x - 0.5;
  const py = y - 0.5;
  const got = sampleBilinearMasked(rgba, alpha, width, height, 4, 3, px, py, dst, o);
  if (got >= 0) return got > 0;
  // A tap off the frame. On the last row or column exactly: nearest pixel.
  const nx = Math.round(px);
  const ny = Math.round(py);
  if (nx < 0 || ny < 0 || nx >= width || ny >= height || Math.abs(px - nx) > 0.01 || Math.abs(py - ny) > 0.01) return false;
  const p = ny * width + nx;
  if (alpha[p]! > 0) return false;
  dst[o] = rgba[4 * p]!;
  dst[o + 1] = rgba[4 * p + 1]!;
  dst[o + 2] = rgba[4 * p + 2]!;
  return true;
}
