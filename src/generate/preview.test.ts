import { describe, expect, it } from 'vitest';
import { frameMapping, type TimelineSettings } from '../media';
import { createPreviewEngine, placeImage, type PreviewJob } from './preview';
import type { FrameSink } from './engine';

const clip = (clipId: string, width: number, height: number, frames: number) => ({
  clipId,
  width,
  height,
  timestamps: Array.from({ length: frames }, (_, i) => i / 10),
});

const timeline: TimelineSettings = { reference: { inS: 0, outS: 0.3 }, motion: { inS: 0.2, outS: 0.7 }, offsetS: 0, mapping: 'hold' };
const job: PreviewJob = { reference: clip('r', 40, 60, 10), motion: clip('m', 80, 60, 10), timeline, fps: 10, maxHeight: 30 };

/** Frames whose red channel is the frame index and green channel says which clip. */
const readFrame = async (clipId: string, index: number, width: number, height: number) => {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) data.set([index, clipId === 'r' ? 1 : 2, 0, 255], p * 4);
  return { data, width, height };
};

async function run(startFrame = 0, signal = new AbortController().signal) {
  const frames: { rgba: Uint8ClampedArray; index: number }[] = [];
  const sizes: [number, number][] = [];
  const sink: FrameSink = async (rgba, index) => void frames.push({ rgba, index });
  await createPreviewEngine({ readFrame }).run(job, async (w, h) => (sizes.push([w, h]), { sink, startFrame }), { signal, onProgress: () => undefined });
  return { frames, sizes };
}

describe('side-by-side preview engine', () => {
  it('puts the reference left and the motion right, each at the frame the timeline maps to', async () => {
    const { frames, sizes } = await run();
    // Both 30 high: reference 20 wide, motion 40 wide.
    expect(sizes).toEqual([[60, 30]]);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    const pixel = (rgba: Uint8ClampedArray, x: number, y: number) => Array.from(rgba.subarray((y * 60 + x) * 4, (y * 60 + x) * 4 + 4));
    // The frames every engine takes: the reference holds its trimmed range, the motion starts at frame 2.
    const map = frameMapping(timeline, 10, job.reference.timestamps, job.motion.timestamps);
    expect(map.reference.slice(0, 3)).toEqual([0, 1, 2]);
    expect(new Set(map.reference.slice(3)).size).toBe(1);
    expect(map.motion).toEqual([2, 3, 4, 5, 6]);
    for (const { rgba, index } of frames) {
      expect(pixel(rgba, 0, 0)).toEqual([map.reference[index], 1, 0, 255]);
      expect(pixel(rgba, 19, 29)).toEqual([map.reference[index], 1, 0, 255]);
      expect(pixel(rgba, 20, 0)).toEqual([map.motion[index], 2, 0, 255]);
      expect(pixel(rgba, 59, 29)).toEqual([map.motion[index], 2, 0, 255]);
    }
  });

  it('starts at the output frame the output asks for', async () => {
    const { frames } = await run(3);
    expect(frames.map((f) => f.index)).toEqual([3, 4]);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(run(0, controller.signal)).rejects.toThrow();
  });

  it('places an image only at its own size', () => {
    const out = new Uint8ClampedArray(4 * 2 * 4);
    placeImage(out, 4, { data: new Uint8ClampedArray(2 * 2 * 4).fill(9), width: 2, height: 2 }, { x: 2, y: 0, width: 2, height: 2 });
    expect(Array.from(out.subarray(0, 8))).toEqual(Array(8).fill(0));
    expect(Array.from(out.subarray(8, 16))).toEqual(Array(8).fill(9));
    expect(() => placeImage(out, 4, { data: new Uint8ClampedArray(4), width: 1, height: 1 }, { x: 0, y: 0, width: 2, height: 2 })).toThrow(RangeError);
  });
});
