/**
 * Errors a user can cause with the files they drop. Each carries a stable `code` so callers branch
 * on it (errors cross the worker boundary as plain objects, where `instanceof` is lost) and a
 * message that says what happened and what to do.
 */
export type MediaErrorCode =
  | 'not-a-video'
  | 'no-video-track'
  | 'truncated'
  | 'empty-clip'
  | 'too-large-file'
  | 'too-large-frame'
  | 'unsupported-codec'
  | 'encode-failed'
  | 'canceled';

export class MediaError extends Error {
  override name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const fmtBytes = (n: number) =>
  n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GB` : `${(n / 2 ** 20).toFixed(1)} MB`;

export const mediaErrors = {
  notAVideo: (name: string) =>
    new MediaError('not-a-video', `"${name}" is not a video file we can read. Drop an MP4, MOV, WebM or AVI video.`),
  noVideoTrack: (name: string) =>
    new MediaError('no-video-track', `"${name}" has no video track (audio only?). Drop a file that contains video.`),
  truncated: (name: string, detail: string) =>
    new MediaError(
      'truncated',
      `"${name}" is cut off or damaged (${detail}). Re-export or re-download the complete file and drop it again.`,
    ),
  emptyClip: (name: string) =>
    new MediaError('empty-clip', `"${name}" contains no video frames (zero length). Drop a clip with at least one frame.`),
  tooLargeFile: (name: string, size: number, limit: number) =>
    new MediaError(
      'too-large-file',
      `"${name}" is ${fmtBytes(size)}; the limit is ${fmtBytes(limit)}. Trim or compress it first.`,
    ),
  tooLargeFrame: (name: string, w: number, h: number) =>
    new MediaError(
      'too-large-frame',
      `"${name}" is ${w}x${h}, larger than 4K (3840x2160). Downscale it to 4K or less first.`,
    ),
  unsupportedCodec: (name: string, codec: string) =>
    new MediaError(
      'unsupported-codec',
      `"${name}" uses ${codec}, which neither this browser nor the built-in converter can decode. Convert it to H.264 MP4.`,
    ),
  canceled: () => new MediaError('canceled', 'Canceled.'),
};

/** Rebuilds a MediaError from the plain object an Error becomes after crossing a worker boundary. */
export function asMediaError(e: unknown): MediaError | null {
  if (e instanceof MediaError) return e;
  if (e && typeof e === 'object' && (e as { name?: unknown }).name === 'MediaError') {
    const { code, message } = e as { code?: MediaErrorCode; message?: string };
    if (code) return new MediaError(code, message ?? code);
  }
  return null;
}
