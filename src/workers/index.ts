/**
 * The workers' public surface: the page starts each worker through its client factory and talks
 * to it through the typed API (Comlink), importing only the workers' types; errors keep their
 * class across the boundary once `installErrorTransfer` runs on both sides.
 */
import * as Comlink from 'comlink';
import type { ComputeWorkerApi } from './compute.worker';
import type { MediaWorkerApi } from './media.worker';

export type { ComputeWorkerApi } from './compute.worker';
export type { MediaWorkerApi } from './media.worker';
export { installErrorTransfer, fromWire, toWire, type ErrorClass, type WireError } from './errors';

export type ComputeClient = Comlink.Remote<ComputeWorkerApi>;
export type MediaClient = Comlink.Remote<MediaWorkerApi>;

/** Starts the compute worker, which owns the WebGPU device and the project core. */
export function createComputeClient(): { api: ComputeClient; terminate: () => void } {
  const worker = new Worker(new URL('./compute.worker.ts', import.meta.url), { type: 'module', name: 'compute' });
  return { api: Comlink.wrap<ComputeWorkerApi>(worker), terminate: () => worker.terminate() };
}

/** Starts the media worker (demux, decode, encode). */
export function createMediaClient(): { api: MediaClient; terminate: () => void } {
  const worker = new Worker(new URL('./media.worker.ts', import.meta.url), { type: 'module', name: 'media' });
  return { api: Comlink.wrap<MediaWorkerApi>(worker), terminate: () => worker.terminate() };
}
