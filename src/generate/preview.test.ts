import { describe, expect, it, vi } from 'vitest';
import { frameMapping, type TimelineSettings } from '../media';
import { createPreviewEngine, createPreviewProxy, placeImage, type PreviewJob, type PreviewRemote } from './preview';
import type { EngineProgress, FrameSink } from './engine';

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

describe('side-by-side preview proxy (the engine runs beside the encoder)', () => {
  /** A remote that records what it was asked and runs until stopped or `finish` is called. */
  function fakeRemote() {
    const calls: { render: [number, number][]; stops: number[] } = { render: [], stops: [] };
    let finish: () => void = () => undefined;
    let fail: (e: Error) => void = () => undefined;
    const remote: PreviewRemote = {
      render: (_job, outputId, startFrame, onProgress) =>
        new Promise<void>((resolve, reject) => {
          calls.render.push([outputId, startFrame]);
          onProgress({ stage: 'render', done: startFrame + 1, total: 5 });
          finish = resolve;
          fail = reject;
        }),
      stop: async (outputId) => {
        calls.stops.push(outputId);
        fail(new DOMException('stopped', 'AbortError'));
      },
    };
    return { remote, calls, finish: () => finish() };
  }

  it('opens the output at the side-by-side size and hands the remote its handle and first frame; progress comes back', async () => {
    const { remote, calls, finish } = fakeRemote();
    const sizes: [number, number][] = [];
    const progress: EngineProgress[] = [];
    const sink: FrameSink = async () => {
      throw new Error('no frame crosses over');
    };
    const run = createPreviewProxy(remote).run(job, async (w, h) => (sizes.push([w, h]), { sink, startFrame: 2, outputId: 7 }), {
      signal: new AbortController().signal,
      onProgress: (p) => progress.push(p),
    });
    await vi.waitFor(() => expect(calls.render).toEqual([[7, 2]]));
    finish();
    await run;
    expect(sizes).toEqual([[60, 30]]);
    expect(progress).toEqual([{ stage: 'render', done: 3, total: 5 }]);
    expect(calls.stops).toEqual([]);
  });

  it('stops the remote run when aborted, and rejects', async () => {
    const { remote, calls } = fakeRemote();
    const controller = new AbortController();
    const run = createPreviewProxy(remote).run(job, async () => ({ sink: async () => undefined, startFrame: 0, outputId: 3 }), { signal: controller.signal, onProgress: () => undefined });
    await vi.waitFor(() => expect(calls.render).toHaveLength(1));
    controller.abort();
    await expect(run).rejects.toThrow();
    expect(calls.stops).toEqual([3]);
  });

  it('refuses an output with no encoder behind it', async () => {
    const { remote, calls } = fakeRemote();
    const run = createPreviewProxy(remote).run(job, async () => ({ sink: async () => undefined, startFrame: 0 }), { signal: new AbortController().signal, onProgress: () => undefined });
    await expect(run).rejects.toThrow('writes into an encoder');
    expect(calls.render).toEqual([]);
  });
});
