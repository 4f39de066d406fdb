import * as Comlink from 'comlink';
import { BodyModelError, NoBodyError } from '../body';
import { PackError } from '../generate';
import { MediaError } from '../media';
import { CanceledError, NotReadyError } from '../project';
import { createComputeClient, createMediaClient, installErrorTransfer, type ComputeClient, type MediaClient } from '../workers';
import { applyProjectEvent } from './project-view';

/**
 * The two workers, started on first use and connected to each other by a MessagePort so the
 * compute worker reads frames from the media worker without passing through the main thread.
 * The editor's state follows the project core in the compute worker from the start.
 */
let services: { media: MediaClient; compute: ComputeClient } | null = null;

function start() {
  installErrorTransfer({ MediaError, PackError, BodyModelError, NoBodyError, NotReadyError, CanceledError });
  const media = createMediaClient().api;
  const compute = createComputeClient().api;
  const channel = new MessageChannel();
  void media.connect(Comlink.transfer(channel.port1, [channel.port1]));
  void compute.connectMedia(Comlink.transfer(channel.port2, [channel.port2]));
  void compute.subscribe(Comlink.proxy(applyProjectEvent));
  return { media, compute };
}

export const mediaApi = (): MediaClient => (services ??= start()).media;
export const computeApi = (): ComputeClient => (services ??= start()).compute;

/** Stored results behind the object URLs the page hands out, so letting a URL go frees its file. */
const resultFiles = new Map<string, string>();

/** An object URL for a finished MP4 (an OPFS-backed File: played and downloaded from disk). */
export function resultUrl(file: File): string {
  const url = URL.createObjectURL(file);
  resultFiles.set(url, file.name);
  return url;
}

/** Lets go of a URL from `resultUrl` and removes its stored file. */
export function releaseResultUrl(url: string): void {
  URL.revokeObjectURL(url);
  const name = resultFiles.get(url);
  resultFiles.delete(url);
  if (name) void mediaApi().releaseResult(name);
}
