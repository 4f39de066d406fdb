import * as Comlink from 'comlink';
import type { MediaWorkerApi } from '../workers/media.worker';

export type { ClipInfo, Progress, RenderJob, RenderResult, Slot, AudioChoice, EncoderChoice } from './types';
export type { TimelineSettings, Trim, TimeMapping } from './timeline';
export { MediaError, asMediaError, type MediaErrorCode } from './errors';
export { frameIndexAt, outputDuration, outputFrameTimes, sourceTimes, clampTrim, mapTime } from './timeline';
export { MAX_FILE_BYTES } from './limits';

export type MediaClient = Comlink.Remote<MediaWorkerApi>;

/** Starts the media worker (demux, decode, encode) and returns its typed API. */
export function createMediaClient(): { api: MediaClient; terminate: () => void } {
  const worker = new Worker(new URL('../workers/media.worker.ts', import.meta.url), { type: 'module', name: 'media' });
  return { api: Comlink.wrap<MediaWorkerApi>(worker), terminate: () => worker.terminate() };
}

export const proxy = Comlink.proxy;
