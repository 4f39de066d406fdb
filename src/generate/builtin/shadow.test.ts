/**
 * The person's cast shadow leaves the plate with them (shadow.ts through PlateBuilder's `shadows`):
 * generated clips with a known scene, a walking person and their shadow on the ground beside
 * their feet, static and panning. With the option the plates show the ground without the shadow;
 * without it they keep it (the check can fail); a clip without a shadow is left as it was.
 */
import { describe, expect, it } from 'vitest';
import { PlateBuilder, type PlateBuilderOptions } from './plate';
import { castShadow } from './shadow';
import { Texture, psnr, syntheticFrame, type SyntheticClipOptions, type SyntheticFrame } from './synthetic-testing';

const W = 200;
const H = 150;
const FRAMES = 30;

function platesOf(frames: SyntheticFrame[], options: Partial<PlateBuilderOptions>): Map<number, Uint8ClampedArray> {
  const builder = new PlateBuilder({ width: W, height: H, window: 10, ...options });
  for (let t = 0; t < frames.length; t += 4) builder.prime(frames[t]!.rgba, frames[t]!.alpha);
  const out = new Map<number, Uint8ClampedArray>();
  frames.forEach((f, t) => {
    const ready = builder.push(t, f.rgba, f.alpha);
    if (ready !== null) out.set(ready, builder.plate(ready)!);
  });
  for (const i of builder.flush()) out.set(i, builder.plate(i)!);
  return out;
}

/** PSNR of the plates against the true scene over the shadow's pixels, and the pixels changed far from the person and the shadow. */
function score(frames: SyntheticFrame[], plates: Map<number, Uint8ClampedArray>) {
  let sum = 0;
  let count = 0;
  let strayChanged = 0;
  for (const [t, plate] of plates) {
    const f = frames[t]!;
    if (f.shadow) {
      const s = psnr(plate, f.truth, (p) => f.shadow![p] === 255 && f.alpha[p] === 0, W * H);
      sum += 10 ** (-s.psnr / 10) * s.count;
      count += s.count;
    }
    for (let p = 0; p < W * H; p++) {
      if (f.alpha[p] || (f.shadow && near(f.shadow, p, 6))) continue;
      if (plate[4 * p] !== f.rgba[4 * p] || plate[4 * p + 1] !== f.rgba[4 * p + 1] || plate[4 * p + 2] !== f.rgba[4 * p + 2]) strayChanged++;
    }
  }
  return { shadowPsnr: count ? -10 * Math.log10(sum / count) : Infinity, strayChanged };
}

/** Whether a set pixel of `mask` lies within `r` pixels (Chebyshev) of p. */
function near(mask: Uint8Array, p: number, r: number): boolean {
  const x = p % W;
  const y = (p - x) / W;
  for (let v = Math.max(0, y - r); v <= Math.min(H - 1, y + r); v++) for (let u = Math.max(0, x - r); u <= Math.min(W - 1, x + r); u++) if (mask[v * W + u]) return true;
  return false;
}

describe('the cast shadow leaves the plate with the person (generated clips)', () => {
  for (const [label, clip] of [
    ['static camera', { width: W, height: H, frames: FRAMES, shadow: true }],
    ['panning camera', { width: W, height: H, frames: FRAMES, shadow: true, pan: [1.2, -0.4] }],
  ] as Array<[string, SyntheticClipOptions]>) {
    it(`${label}: the ground without the shadow, nothing else touched`, () => {
      const frames = Array.from({ length: FRAMES }, (_, t) => syntheticFrame(new Texture(7), clip, t));
      const without = score(frames, platesOf(frames, {}));
      const withShadows = score(frames, platesOf(frames, { shadows: {} }));
      console.log(
        `[shadow] ${label}: plate PSNR over the shadow ${without.shadowPsnr.toFixed(1)} dB without shadow removal, ${withShadows.shadowPsnr.toFixed(1)} dB with; ` +
          `pixels changed away from the person and the shadow ${without.strayChanged} / ${withShadows.strayChanged}`,
      );
      expect(without.shadowPsnr).toBeLessThan(15);
      expect(withShadows.shadowPsnr).toBeGreaterThan(30);
      expect(withShadows.strayChanged).toBe(0);
    });
  }

  it('a clip without a shadow: the same plates with the option on', () => {
    const clip = { width: W, height: H, frames: FRAMES };
    const frames = Array.from({ length: FRAMES }, (_, t) => syntheticFrame(new Texture(7), clip, t));
    const a = platesOf(frames, {});
    const b = platesOf(frames, { shadows: {} });
    let differ = 0;
    for (const [t, plate] of a) for (let i = 0; i < plate.length; i++) if (plate[i] !== b.get(t)![i]) differ++;
    expect(differ).toBe(0);
  });

  it('castShadow: only the dark region that joins the person, not a dark patch apart from them', () => {
    const w = 60;
    const h = 40;
    const rgba = new Uint8ClampedArray(w * h * 4).fill(200);
    const alpha = new Uint8Array(w * h);
    for (let y = 5; y < 30; y++) for (let x = 20; x < 26; x++) alpha[y * w + x] = 255; // the person
    for (let y = 26; y < 30; y++) for (let x = 26; x < 40; x++) rgba.fill(100, (y * w + x) * 4, (y * w + x) * 4 + 3); // their shadow
    for (let y = 26; y < 30; y++) for (let x = 5; x < 12; x++) rgba.fill(100, (y * w + x) * 4, (y * w + x) * 4 + 3); // a dark patch apart
    const background = (_x: number, _y: number, dst: Float32Array) => (dst.fill(200), 1);
    const shadow = castShadow(rgba, alpha, w, h, { x0: 20, y0: 5, x1: 26, y1: 30 }, background, { darkest: 0.25, lightest: 0.82, chroma: 0.05, minLuma: 24, reach: 1, below: 0.3, from: 0.5, grow: 0, feather: 0 });
    expect(shadow).not.toBeNull();
    expect(shadow!.alpha[27 * w + 33]).toBe(255);
    expect(shadow!.alpha[27 * w + 8]).toBe(0);
    expect(shadow!.alpha[10 * w + 33]).toBe(0);
  });
});
