import { describe, expect, it } from 'vitest';
import { alignMotionToReference, applySimilarity, composeSimilarity, coverCrop } from './align';
import { BP } from './layouts';
import { emptyTrack, type PoseTrack } from './track';

/** A track of `n` frames with a standing person of `height` px whose hips are at (x, hipY). */
function standing(n: number, x: number, feetY: number, height: number): PoseTrack {
  const t = emptyTrack(n, 1000, 1000, 8, 'test', 'wasm');
  const set = (i: number, name: keyof typeof BP, px: number, py: number) => {
    const o = (i * 33 + BP[name]) * 4;
    t.keypoints.set([px, py, 0, 0.99], o);
  };
  for (let i = 0; i < n; i++) {
    t.found[i] = 1;
    const neckY = feetY - height;
    set(i, 'left_shoulder', x + 20, neckY);
    set(i, 'right_shoulder', x - 20, neckY);
    set(i, 'left_hip', x + 10, neckY + height * 0.45);
    set(i, 'right_hip', x - 10, neckY + height * 0.45);
    set(i, 'left_ankle', x + 10, feetY);
    set(i, 'right_ankle', x - 10, feetY);
  }
  return t;
}

describe('2D pose alignment', () => {
  it('scales to the reference height and puts the feet where the reference stands', () => {
    const motion = standing(10, 300, 800, 400);
    const reference = standing(10, 600, 900, 600);
    const t = alignMotionToReference(motion, reference, [...Array(10).keys()], [...Array(10).keys()]);
    expect(t.scale).toBeCloseTo(1.5, 5);
    const [x, y] = applySimilarity(new Float32Array([300, 800, 1]), t);
    expect(x).toBeCloseTo(600, 4);
    expect(y).toBeCloseTo(900, 4);
  });

  it('is the identity when a clip has no person', () => {
    const motion = standing(3, 300, 800, 400);
    const empty = emptyTrack(3, 100, 100, 8, 'test', 'wasm');
    expect(alignMotionToReference(motion, empty, [0, 1, 2], [0, 1, 2])).toEqual({ scale: 1, tx: 0, ty: 0 });
  });

  it('composes similarities', () => {
    const a = { scale: 2, tx: 1, ty: 3 };
    const b = { scale: 0.5, tx: -4, ty: 2 };
    const p = new Float32Array([7, 9, 1]);
    expect(Array.from(applySimilarity(p, composeSimilarity(a, b)))).toEqual(Array.from(applySimilarity(applySimilarity(p, b), a)));
  });

  it('crops to cover the output aspect, centred where asked', () => {
    const { crop, toOutput } = coverCrop(1280, 720, 512, 512, 300);
    expect(crop).toEqual({ x: 0, y: 0, w: 720, h: 720 });
    expect(toOutput.scale).toBeCloseTo(512 / 720);
    const mid = coverCrop(1280, 720, 512, 512, 640).crop;
    expect(mid.x).toBe(280);
    const tall = coverCrop(720, 1280, 576, 1024).crop;
    expect(tall.h).toBeCloseTo(1280);
    expect(tall.w).toBeCloseTo(720);
  });
});
