import * as Comlink from 'comlink';
import type { ComputeWorkerApi } from '../workers/compute.worker';

export type { GpuCapabilities } from './probe';
export { describeCapabilities } from './probe';
export type ComputeClient = Comlink.Remote<ComputeWorkerApi>;

/** Starts the compute worker, which owns the WebGPU device. */
export function createComputeClient(): { api: ComputeClient; terminate: () => void } {
  const worker = new Worker(new URL('../workers/compute.worker.ts', import.meta.url), { type: 'module', name: 'compute' });
  return { api: Comlink.wrap<ComputeWorkerApi>(worker), terminate: () => worker.terminate() };
}
