import type { Engine } from '../engine';
import type { FrameSource } from '../job';
import { PartTimer } from '../part-times';
import { runBuiltin, type BuiltinJob } from './runner';

/** What the builtin engine runs on: the WebGPU device (asked for when a run starts) and the reference clip's frames. */
export interface BuiltinEngineParts {
  device(): Promise<GPUDevice>;
  readFrame: FrameSource;
}

/**
 * The builtin engine ("copy & paste" on the fitted 3D body) under the engine contract. Reports
 * where each run's time went (part-times.ts): the runner's parts, the output opened and fed as
 * `output`, the device and setup as `other`.
 */
export function createBuiltinEngine(parts: BuiltinEngineParts): Engine<BuiltinJob> {
  return {
    id: 'builtin',
    async run(job, open, { signal, onProgress }) {
      const clock = new PartTimer();
      const device = await parts.device();
      const { sink, startFrame } = await clock.time('output', () => open(job.width, job.height));
      const emit = (rgba: Uint8ClampedArray, index: number) => clock.time('output', () => sink(rgba, index));
      await runBuiltin(device, { ...job, startFrame }, parts.readFrame, emit, onProgress, signal, clock);
      return { parts: clock.times() };
    },
  };
}
