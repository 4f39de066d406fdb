import * as Comlink from 'comlink';
import type { ComputeWorkerApi } from '../workers/compute.worker';

/**
 * The gpu module's public surface: the capability probe (also read by the page), the compute
 * worker's device root, model files and the buffer meter. onnxruntime-web is the module ./ort, so
 * that importing this index loads none of it.
 */
export type { GpuCapabilities } from './probe';
export { describeCapabilities, probeAdapter } from './probe';
export { GpuRoot } from './device';
export { fetchModel } from './models';
export { startBufferMeter } from './buffer-meter';
export type ComputeClient = Comlink.Remote<ComputeWorkerApi>;

/** Starts the compute worker, which owns the WebGPU device. */
export function createComputeClient(): { api: ComputeClient; terminate: () => void } {
  const worker = new Worker(new URL('../workers/compute.worker.ts', import.meta.url), { type: 'module', name: 'compute' });
  return { api: Comlink.wrap<ComputeWorkerApi>(worker), terminate: () => worker.terminate() };
}
