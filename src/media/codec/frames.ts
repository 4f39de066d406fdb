import { CanvasSink, type WrappedCanvas } from 'mediabunny';
import type { OpenClip } from './clip';

/** Longest side of preview frames, in pixels: enough for the editor panes. */
export const PREVIEW_MAX_SIDE = 1280;

/** Frame size that fits `maxSide` keeping the aspect ratio, in pixels. */
export function fitSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Frame-accurate access to a clip by frame index. Sequential reads (playback, stepping forward)
 * reuse one decoding iterator; a jump restarts decoding from the nearest key frame.
 */
export class FrameReader {
  private readonly sink: CanvasSink;
  private iterator: AsyncGenerator<WrappedCanvas, void, unknown> | null = null;
  private current: { index: number; canvas: WrappedCanvas } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  readonly width: number;
  readonly height: number;

  /** Frames at most `size` pixels on their long side (aspect kept), or at exactly `size` (width × height). */
  constructor(
    private readonly clip: OpenClip,
    size: number | { width: number; height: number } = PREVIEW_MAX_SIDE,
  ) {
    if (typeof size === 'number') size = fitSize(clip.info.width, clip.info.height, size);
    this.width = size.width;
    this.height = size.height;
    this.sink = new CanvasSink(clip.video, { width: size.width, height: size.height, fit: 'fill' });
  }

  /** Absolute file timestamp of frame `index`, in seconds. */
  private fileTime(index: number): number {
    return this.clip.firstTimestamp + this.clip.info.timestamps[index]!;
  }

  /** Calls are serialised: one decoding iterator serves them in order. */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The frame at `index` as a new ImageBitmap (the caller owns and closes it). */
  frame(index: number): Promise<ImageBitmap> {
    return this.serial(async () => createImageBitmap(await this.read(index)));
  }

  /** The frame at `index` as RGBA pixels at this reader's size. */
  rgba(index: number): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
    return this.serial(async () => {
      const canvas = (await this.read(index)) as OffscreenCanvas;
      const g = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
      const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
      return { data, width: canvas.width, height: canvas.height };
    });
  }

  private async read(index: number): Promise<HTMLCanvasElement | OffscreenCanvas> {
    const n = this.clip.info.frameCount;
    index = Math.min(Math.max(0, Math.round(index)), n - 1);
    const cur = this.current;
    const SEQUENTIAL_REACH = 48;
    if (!cur || index < cur.index || index - cur.index > SEQUENTIAL_REACH || !this.iterator) {
      await this.iterator?.return();
      this.iterator = this.sink.canvases(this.fileTime(index));
      this.current = null;
    }
    const target = this.fileTime(index) - 1e-6;
    while (!this.current || this.current.canvas.timestamp < target) {
      const next = await this.iterator!.next();
      if (next.done) break;
      const at = this.current ? this.current.index + 1 : index;
      this.current = { index: Math.max(at, 0), canvas: next.value };
    }
    if (!this.current) throw new Error(`frame ${index} could not be decoded`);
    // The iterator may start a frame early; re-anchor the index on the timestamp we reached.
    this.current.index = index;
    return this.current.canvas.canvas;
  }

  async dispose(): Promise<void> {
    await this.iterator?.return();
    this.iterator = null;
  }
}

/** `count` evenly spaced thumbnails over the clip, `height` pixels high. */
export async function thumbnails(clip: OpenClip, count: number, height: number): Promise<ImageBitmap[]> {
  const width = Math.max(1, Math.round((clip.info.width * height) / clip.info.height));
  const sink = new CanvasSink(clip.video, { width, height, fit: 'fill' });
  const { timestamps, frameCount } = clip.info;
  const times = Array.from(
    { length: count },
    (_, i) => clip.firstTimestamp + timestamps[Math.min(frameCount - 1, Math.floor(((i + 0.5) * frameCount) / count))]!,
  );
  const out: ImageBitmap[] = [];
  for await (const wrapped of sink.canvasesAtTimestamps(times)) {
    if (wrapped) out.push(await createImageBitmap(wrapped.canvas));
  }
  return out;
}
