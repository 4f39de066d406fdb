/**
 * A buffered frame of the plate builder's window (plate.ts): its pixels, person alpha and box, its
 * place on the model canvas, its segment, and which CELL × CELL cells the person covers. Apart so
 * that the builder (plate.ts) and the temporal fill (plate-fill.ts) share it without importing
 * each other.
 */
import type { Mat3 } from './mat3';
import type { PixelBox } from './mask';

/** A buffered frame. */
export interface Slot {
  index: number;
  rgba: Uint8ClampedArray;
  /**
   * What is not background in this frame (0-255): the person the plate removes and the other
   * people, whom it keeps. Neither is copied into another frame's plate nor learnt by the model.
   */
  alpha: Uint8Array;
  /** Box of `alpha`. */
  box: PixelBox | null;
  /** What this frame's plate replaces: the person less the other people's pixels; `alpha` itself when there are none. */
  fill: Uint8Array;
  /** Box of `fill`. */
  fillBox: PixelBox | null;
  /** The buffer `fill` uses when it is not `alpha` (kept with the slot to be reused). */
  fillBuffer: Uint8Array | null;
  /** Frame pixels → model canvas pixels (anchor pixels + margin). */
  toAnchor: Mat3;
  segment: number;
  /** Per CELL × CELL cell: 1 when every pixel is person (alpha 255); 1 when any is. */
  cellAll: Uint8Array;
  cellAny: Uint8Array;
}

/** Side of the cells in which frames record full and partial person coverage (tile size of the fill). */
export const CELL = 8;

/** Per CELL × CELL cell of the slot's frame: whether every pixel is person (alpha 255), and whether any is. */
export function computeCells(slot: Slot, width: number, height: number): void {
  slot.cellAll.fill(0);
  slot.cellAny.fill(0);
  const box = slot.box;
  if (!box) return;
  const cw = Math.ceil(width / CELL);
  const cx0 = Math.floor(box.x0 / CELL);
  const cy0 = Math.floor(box.y0 / CELL);
  const cx1 = Math.ceil(box.x1 / CELL);
  const cy1 = Math.ceil(box.y1 / CELL);
  for (let cy = cy0; cy < cy1; cy++) {
    for (let cx = cx0; cx < cx1; cx++) {
      let all = 1;
      let any = 0;
      for (let y = cy * CELL; y < Math.min(height, (cy + 1) * CELL); y++) {
        for (let x = cx * CELL; x < Math.min(width, (cx + 1) * CELL); x++) {
          const a = slot.alpha[y * width + x]!;
          if (a !== 255) all = 0;
          if (a > 0) any = 1;
        }
      }
      slot.cellAll[cy * cw + cx] = all;
      slot.cellAny[cy * cw + cx] = any;
    }
  }
}
