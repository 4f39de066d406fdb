import { describe, expect, it } from 'vitest';
import { completeHole } from './completion';
import { pushPullFill } from './inpaint';

const W = 160;
const H = 120;

type Scene = (x: number, y: number) => [number, number, number];

/** Diagonal stripes, 8 px wide, two colours. */
const stripes: Scene = (x, y) => (Math.floor((x + y) / 8) % 2 ? [200, 60, 40] : [30, 90, 180]);
/** A checkerboard of 10 px squares. */
const checks: Scene = (x, y) => ((Math.floor(x / 10) + Math.floor(y / 10)) % 2 ? [230, 230, 230] : [20, 20, 20]);
/** A wall above a floor: the floor line at y = 70 runs straight through the hole. */
const floorLine: Scene = (x, y) => (y < 70 ? [180 + 20 * (Math.floor(x / 12) % 2), 170, 150] : [90, 60, 40]);

function render(scene: Scene): Float32Array {
  const rgb = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgb.set(scene(x, y), 3 * (y * W + x));
  return rgb;
}

/** A person-shaped hole: an upright ellipse 30 px wide, 70 px tall. */
function ellipseHole(cx = 80, cy = 60, rx = 15, ry = 35): Uint8Array {
  const hole = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) hole[y * W + x] = 1;
  return hole;
}

function luma(rgb: Float32Array, p: number): number {
  return 0.299 * rgb[3 * p]! + 0.587 * rgb[3 * p + 1]! + 0.114 * rgb[3 * p + 2]!;
}

/** Mean |Laplacian| of luma over the hole's inner pixels: the detail measure of the evaluation (tools/eval/detail.mjs). */
function detail(rgb: Float32Array, hole: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const p = y * W + x;
      if (!hole[p]) continue;
      sum += Math.abs(4 * luma(rgb, p) - luma(rgb, p - 1) - luma(rgb, p + 1) - luma(rgb, p - W) - luma(rgb, p + W));
      n++;
    }
  }
  return sum / n;
}

/** Mean absolute error over the hole against the truth. */
function error(rgb: Float32Array, truth: Float32Array, hole: Uint8Array): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < W * H; p++) {
    if (!hole[p]) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(rgb[3 * p + c]! - truth[3 * p + c]!);
    n += 3;
  }
  return sum / n;
}

function holed(truth: Float32Array, hole: Uint8Array): Float32Array {
  const rgb = truth.slice();
  for (let p = 0; p < W * H; p++) if (hole[p]) rgb.fill(0, 3 * p, 3 * p + 3);
  return rgb;
}

function smooth(truth: Float32Array, hole: Uint8Array): Float32Array {
  const rgb = holed(truth, hole);
  pushPullFill(rgb, Float32Array.from(hole, (v) => 1 - v), W, H);
  return rgb;
}

function completed(truth: Float32Array, hole: Uint8Array, source = Uint8Array.from(hole, (v) => 1 - v)): Float32Array {
  const rgb = holed(truth, hole);
  expect(completeHole(rgb, W, H, hole, source)).not.toBeNull();
  return rgb;
}

describe('completeHole', () => {
  for (const [name, scene] of [
    ['stripes', stripes],
    ['checks', checks],
  ] as const) {
    it(`continues ${name} into a person-sized hole with their detail, where the smooth fill leaves a blur`, () => {
      const truth = render(scene);
      const hole = ellipseHole();
      const blur = smooth(truth, hole);
      const out = completed(truth, hole);
      const ratio = detail(out, hole) / detail(truth, hole);
      const blurRatio = detail(blur, hole) / detail(truth, hole);
      expect(blurRatio).toBeLessThan(0.5);
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.3);
      // The pattern is in phase (the fill continues the stripes, not some stripes): far below the blur's error.
      expect(error(out, truth, hole)).toBeLessThan(0.5 * error(blur, truth, hole));
    });
  }

  it('carries a floor line straight through the hole', () => {
    const truth = render(floorLine);
    const hole = ellipseHole();
    const out = completed(truth, hole);
    // Rows well above and below the line take the wall's and the floor's colours.
    let wrong = 0;
    let total = 0;
    for (let y = 30; y < 95; y++) {
      if (Math.abs(y - 70) < 3) continue;
      const p = y * W + 80;
      if (!hole[p]) continue;
      total++;
      const floor = out[3 * p + 2]! < 95;
      if (floor !== y >= 70) wrong++;
    }
    expect(total).toBeGreaterThan(50);
    expect(wrong / total).toBeLessThan(0.05);
  });

  it('copies nothing from outside the source', () => {
    const truth = render(checks);
    const hole = ellipseHole();
    // A magenta "passer-by" beside the hole is known context but not source.
    const source = Uint8Array.from(hole, (v) => 1 - v);
    for (let y = 20; y < 100; y++) {
      for (let x = 100; x < 125; x++) {
        truth.set([255, 0, 255], 3 * (y * W + x));
        source[y * W + x] = 0;
      }
    }
    const out = completed(truth, hole, source);
    for (let p = 0; p < W * H; p++) {
      if (!hole[p]) continue;
      const magenta = out[3 * p]! > 150 && out[3 * p + 1]! < 100 && out[3 * p + 2]! > 150;
      expect(magenta).toBe(false);
    }
  });

  it('is deterministic, leaves known pixels alone, and declines what it cannot do', () => {
    const truth = render(stripes);
    const hole = ellipseHole();
    const a = completed(truth, hole);
    const b = completed(truth, hole);
    expect(b).toEqual(a);
    for (let p = 0; p < W * H; p++) if (!hole[p]) expect(a[3 * p]).toBe(truth[3 * p]);
    // Too small a hole, or no whole source patch: null, nothing changed.
    const tiny = new Uint8Array(W * H);
    tiny[60 * W + 80] = 1;
    expect(completeHole(truth.slice(), W, H, tiny, Uint8Array.from(tiny, (v) => 1 - v))).toBeNull();
    const none = holed(truth, hole);
    expect(completeHole(none, W, H, hole, new Uint8Array(W * H))).toBeNull();
    expect(none).toEqual(holed(truth, hole));
  });
});
