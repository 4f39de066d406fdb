import { MediaError, mediaErrors } from './errors';

/** Largest input file accepted, in bytes (2 GiB). */
export const MAX_FILE_BYTES = 2 * 2 ** 30;
/** Largest frame accepted: 4K UHD in either orientation. */
export const MAX_LONG_SIDE = 3840;
export const MAX_SHORT_SIDE = 2160;

/** Refuses a file by size alone, before reading it. Returns null when it is acceptable. */
export function checkFileSize(name: string, size: number): MediaError | null {
  return size > MAX_FILE_BYTES ? mediaErrors.tooLargeFile(name, size, MAX_FILE_BYTES) : null;
}

/** Refuses a probed clip that is empty or whose coded size (as stored, before pixel aspect or rotation) exceeds 4K. Sizes in pixels. */
export function checkClipShape(name: string, width: number, height: number, frameCount: number): MediaError | null {
  if (frameCount <= 0 || width <= 0 || height <= 0) return mediaErrors.emptyClip(name);
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  if (long > MAX_LONG_SIDE || short > MAX_SHORT_SIDE) return mediaErrors.tooLargeFrame(name, width, height);
  return null;
}
