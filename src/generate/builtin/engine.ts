import type { Engine } from '../engine';
import type { FrameSource } from '../job';
import { runBuiltin, type BuiltinJob } from './runner';

/** What the builtin engine runs on: the WebGPU device (asked for when a run starts) and the reference clip's frames. */
export interface BuiltinEngineParts {
  device(): Promise<GPUDevice>;
  readFrame: FrameSource;
}

/** The builtin engine ("copy & paste" on the fitted 3D body) under the engine contract. */
export function createBuiltinEngine(parts: BuiltinEngineParts): Engine<BuiltinJob> {
  return {
    id: 'builtin',
    async run(job, open, { signal, onProgress }) {
      const device = await parts.device();
      const { sink, startFrame } = await open(job.width, job.height);
      await runBuiltin(device, { ...job, startFrame }, parts.readFrame, sink, onProgress, signal);
    },
  };
}
