import { describe, expect, it } from 'vitest';
import { cornerDistance3, fitHomography, fitSimilarity, identity3, similarity3, apply3, type Correspondences } from './mat3';
import { estimateMotion, motionFrame } from './motion';
import { Texture, syntheticFrame, trueMotion, type SyntheticClipOptions } from './synthetic-testing';

const W = 320;
const H = 240;

function motionOf(o: SyntheticClipOptions, a: number, b: number, model?: 'similarity' | 'homography') {
  const tex = new Texture(7);
  const fa = syntheticFrame(tex, o, a);
  const fb = syntheticFrame(tex, o, b);
  const est = estimateMotion(motionFrame(fa.rgba, W, H, fa.alpha), motionFrame(fb.rgba, W, H, fb.alpha), { model });
  const truth = trueMotion(fa, fb);
  return { est, error: cornerDistance3(est.matrix, truth, W, H), truth };
}

describe('model fits', () => {
  it('recover a similarity and a homography from exact correspondences', () => {
    const m = similarity3(1.02, 0.05, 3, -2, 160, 120);
    const from: number[] = [];
    const to: number[] = [];
    for (let i = 0; i < 20; i++) {
      const x = (i * 37) % 300;
      const y = (i * 53) % 220;
      const p = apply3(m, x, y);
      from.push(x, y);
      to.push(p[0]!, p[1]!);
    }
    const c: Correspondences = { from: Float64Array.from(from), to: Float64Array.from(to), count: 20 };
    expect(cornerDistance3(fitSimilarity(c)!, m, W, H)).toBeLessThan(1e-9);
    expect(cornerDistance3(fitHomography(c)!, m, W, H)).toBeLessThan(1e-6);
  });
});

describe('estimateMotion on synthetic frames', () => {
  it('a static camera comes out as the exact identity, with the person moving', () => {
    const { est } = motionOf({ width: W, height: H, frames: 40 }, 10, 11);
    console.log(`[motion] static: identity ${est.identity}, ${est.inliers}/${est.matches} inliers, confidence ${est.confidence.toFixed(2)}`);
    expect(est.identity).toBe(true);
    expect(Array.from(est.matrix)).toEqual(Array.from(identity3()));
  });

  it('recovers a known pan (1.7, -0.9 px per frame) and roll (0.2° per frame) between neighbours and 5 frames apart', () => {
    const o: SyntheticClipOptions = { width: W, height: H, frames: 40, pan: [1.7, -0.9], roll: (0.2 * Math.PI) / 180 };
    for (const model of ['similarity', 'homography'] as const) {
      for (const [a, b] of [
        [10, 11],
        [10, 15],
        [20, 14],
      ] as const) {
        const { est, error } = motionOf(o, a, b, model);
        console.log(`[motion] pan+roll ${model} ${b} -> ${a}: corner error ${error.toFixed(3)} px, ${est.inliers}/${est.matches} inliers, residual ${est.residual.toFixed(3)} px`);
        expect(est.identity).toBe(false);
        expect(error).toBeLessThan(0.35);
        expect(est.confidence).toBeGreaterThan(0.5);
      }
    }
  });

  it('recovers a turning camera (perspective change) with the homography model, better than a similarity', () => {
    const o: SyntheticClipOptions = { width: W, height: H, frames: 40, pan: [1, 0.5], tilt: [2e-5, -1.5e-5] };
    const h = motionOf(o, 10, 16, 'homography');
    const s = motionOf(o, 10, 16, 'similarity');
    console.log(`[motion] perspective: homography corner error ${h.error.toFixed(3)} px, similarity ${s.error.toFixed(3)} px (true corner motion ${cornerDistance3(h.truth, identity3(), W, H).toFixed(1)} px)`);
    expect(h.error).toBeLessThan(0.5);
    expect(s.error).toBeGreaterThan(2 * h.error);
  });

  it('recovers a large translation (25 px) from the coarse search', () => {
    const o: SyntheticClipOptions = { width: W, height: H, frames: 40, pan: [5, 3] };
    const { est, error } = motionOf(o, 5, 10);
    console.log(`[motion] 25 px pan: corner error ${error.toFixed(3)} px`);
    expect(error).toBeLessThan(0.35);
    expect(est.confidence).toBeGreaterThan(0.5);
  });
});
