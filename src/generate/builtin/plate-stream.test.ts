import { describe, expect, it } from 'vitest';
import { PlateStream } from './plate-stream';
import { Texture, psnr, syntheticFrame, type SyntheticFrame } from './synthetic-testing';

const W = 160;
const H = 120;
const N = 40;
const K = 6;

/** A person who stands still for the first half of the clip, then walks away to the right. */
function clip(): SyntheticFrame[] {
  const tex = new Texture(5);
  const o = { width: W, height: H, frames: N, walk: 0.6 };
  return Array.from({ length: N }, (_, t) => syntheticFrame(tex, o, t < N / 2 ? 0 : 2 * (t - N / 2)));
}

function stream(frames: SyntheticFrame[], order: readonly number[], primeFrames: readonly number[], primeNow = true) {
  const s = new PlateStream({
    width: W,
    height: H,
    frameCount: frames.length,
    lastNeeded: Math.max(...order),
    read: async (r) => ({ rgba: frames[r]!.rgba, alpha: frames[r]!.alpha, others: null }),
    primeFrames,
    builder: { window: K, camera: 'static' },
  });
  if (primeNow) for (const v of primeFrames) s.prime({ rgba: frames[v]!.rgba, alpha: frames[v]!.alpha, others: null });
  return s;
}

describe('plate stream', () => {
  const frames = clip();
  const spread = [0, 8, 16, 24, 32, 39];

  it('reads each frame once while the output moves forward, and only K past the last frame it needs', async () => {
    const s = stream(frames, [...Array(20).keys()], spread);
    for (let r = 0; r < 20; r++) {
      const { plate, frame } = await s.plateAt(r);
      expect(plate.length).toBe(W * H * 4);
      expect(frame?.rgba).toBe(frames[r]!.rgba);
    }
    // Held frames (a slower motion clip) need nothing new.
    await s.plateAt(19);
    expect(s.reads).toBe(20 + K);
    expect(s.restarts).toBe(0);
  });

  it('starts again, primed again, when the timeline goes back (a loop)', async () => {
    const s = stream(frames, [...Array(10).keys()], spread);
    for (const r of [...Array(10).keys(), ...Array(10).keys()]) await s.plateAt(r);
    expect(s.restarts).toBe(1);
    expect(s.reads).toBe(2 * (10 + K) + spread.length);
  });

  it('fills behind a person who stands still from the times they stood elsewhere (primed), not by inpainting', async () => {
    const inside = (f: SyntheticFrame) => (p: number) => f.person[p] === 255;
    const quality = async (primed: boolean) => {
      const s = stream(frames, [5], primed ? spread : []);
      const { plate } = await s.plateAt(5);
      return psnr(plate, frames[5]!.truth, inside(frames[5]!), W * H).psnr;
    };
    const [plain, primed] = [await quality(false), await quality(true)];
    console.log(`[plate stream] behind a standing person: ${plain.toFixed(1)} dB inpainted, ${primed.toFixed(1)} dB primed`);
    expect(primed).toBeGreaterThan(plain + 5);
    expect(primed).toBeGreaterThan(30);
  });
});
