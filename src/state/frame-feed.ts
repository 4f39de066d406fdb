/**
 * Delivers the frame to show in a pane. Requests coalesce: while one decode is in flight only the
 * newest request waits, so dragging the timeline never queues stale frames, and the pane keeps its
 * last picture until the new one is ready (no flicker).
 */
export class FrameFeed {
  private inFlight = false;
  private pending: number | null = null;
  private shown: number | null = null;
  private listeners = new Set<(bitmap: ImageBitmap, index: number) => void>();
  private last: { bitmap: ImageBitmap; index: number } | null = null;
  private generation = 0;

  constructor(private readonly fetchFrame: (index: number) => Promise<ImageBitmap>) {}

  /** Asks for frame `index`; only the newest request made during a decode is served next. */
  show(index: number): void {
    if (index === this.shown && !this.inFlight) return;
    this.pending = index;
    if (!this.inFlight) void this.pump();
  }

  private async pump(): Promise<void> {
    this.inFlight = true;
    while (this.pending !== null) {
      const index = this.pending;
      this.pending = null;
      if (index === this.shown) continue;
      const generation = this.generation;
      try {
        const bitmap = await this.fetchFrame(index);
        if (generation !== this.generation) {
          bitmap.close(); // the clip changed while this frame was decoding
          continue;
        }
        this.last?.bitmap.close();
        this.last = { bitmap, index };
        this.shown = index;
        for (const l of this.listeners) l(bitmap, index);
      } catch {
        /* a failed frame leaves the previous picture on screen */
      }
    }
    this.inFlight = false;
  }

  /** Calls `listener` with every delivered frame, starting with the current one. */
  subscribe(listener: (bitmap: ImageBitmap, index: number) => void): () => void {
    this.listeners.add(listener);
    if (this.last) listener(this.last.bitmap, this.last.index);
    return () => this.listeners.delete(listener);
  }

  /** Index of the frame on screen, or null. */
  get current(): number | null {
    return this.shown;
  }

  /** True while a requested frame is not yet on screen. */
  get busy(): boolean {
    return this.inFlight;
  }

  reset(): void {
    this.generation++;
    this.pending = null;
    this.shown = null;
    this.last?.bitmap.close();
    this.last = null;
  }
}
