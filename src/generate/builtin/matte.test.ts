import { describe, expect, it } from 'vitest';
import { refineMatte } from './matte';
import { Texture, syntheticFrame } from './synthetic-testing';

const W = 320;
const H = 240;
const CELL = 12;

/** The person's exact coverage seen through a mask CELL times coarser, upsampled bilinearly and thresholded at 0.6 (as the tracker's 64² mask is at output size). */
function coarse(person: Uint8Array): Uint8Array {
  const gw = Math.ceil(W / CELL);
  const gh = Math.ceil(H / CELL);
  const grid = new Float64Array(gw * gh);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) grid[Math.floor(y / CELL) * gw + Math.floor(x / CELL)]! += person[y * W + x]! / 255 / (CELL * CELL);
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const gx = Math.min(gw - 1, Math.max(0, (x + 0.5) / CELL - 0.5));
      const gy = Math.min(gh - 1, Math.max(0, (y + 0.5) / CELL - 0.5));
      const ix = Math.min(gw - 2, Math.floor(gx));
      const iy = Math.min(gh - 2, Math.floor(gy));
      const tx = gx - ix;
      const ty = gy - iy;
      const at = (i: number, j: number) => grid[j * gw + i]!;
      const v = (at(ix, iy) * (1 - tx) + at(ix + 1, iy) * tx) * (1 - ty) + (at(ix, iy + 1) * (1 - tx) + at(ix + 1, iy + 1) * tx) * ty;
      out[y * W + x] = v >= 0.6 ? 255 : 0;
    }
  }
  return out;
}

/** Mean |mask − truth| (0..1) over pixels within `band` px of the true edge. */
function edgeError(mask: Uint8Array, person: Uint8Array, band = 12): number {
  let sum = 0;
  let n = 0;
  for (let y = band; y < H - band; y++) {
    for (let x = band; x < W - band; x++) {
      const p = person[y * W + x]!;
      let near = false;
      for (let d = -band; d <= band && !near; d += 2) if (person[y * W + x + d] !== p || person[(y + d) * W + x] !== p) near = true;
      if (!near) continue;
      sum += Math.abs(mask[y * W + x]! - p) / 255;
      n++;
    }
  }
  return sum / n;
}

describe('matte refinement', () => {
  it('moves a coarse mask edge onto the person’s colour edge', () => {
    const frame = syntheticFrame(new Texture(3), { width: W, height: H, frames: 10 }, 4);
    const mask = coarse(frame.person);
    const before = edgeError(mask, frame.person);
    const started = performance.now();
    const box = refineMatte(mask, frame.rgba, W, H, { radius: CELL });
    const ms = performance.now() - started;
    const after = edgeError(mask, frame.person);
    console.log(`[matte] mean edge error ${before.toFixed(3)} → ${after.toFixed(3)} (${ms.toFixed(0)} ms at ${W}x${H})`);
    expect(box).not.toBeNull();
    expect(after).toBeLessThan(0.3 * before);
    // Far from the edge nothing changes: inside stays person, far outside stays background.
    let cx = 0;
    let cy = 0;
    let count = 0;
    frame.person.forEach((v, p) => {
      if (v === 255) [cx, cy, count] = [cx + (p % W), cy + Math.floor(p / W), count + 1];
    });
    expect(mask[Math.round(cy / count) * W + Math.round(cx / count)]).toBe(255);
    expect(mask[5 * W + 5]).toBe(0);
  });

  it('leaves an empty mask empty', () => {
    const frame = syntheticFrame(new Texture(3), { width: W, height: H, frames: 10 }, 0);
    expect(refineMatte(new Uint8Array(W * H), frame.rgba, W, H, { radius: 6 })).toBeNull();
  });
});
