/**
 * The builtin engine's plates in output order: reads each reference frame once while the output
 * moves forward through the clip (plates need the frames up to K ahead), and starts the stream
 * again, primed again, only when the timeline goes back (loop, ping-pong).
 */
import { PlateBuilder, type PlateBuilderOptions } from './plate';

/** A reference frame at output size with its person alpha (0-255) and the other people in it (null when none: see `PlateBuilder.push`). */
export interface PlateFrame {
  rgba: Uint8ClampedArray;
  alpha: Uint8Array;
  others: Uint8Array | null;
}

export interface PlateStreamOptions {
  width: number;
  height: number;
  /** Frames in the reference clip. */
  frameCount: number;
  /** The last frame any plate will be asked for: frames are read up to K past it, no further. */
  lastNeeded: number;
  read: (index: number) => Promise<PlateFrame>;
  /** Frames that prime the background model (spread over the clip); read again on a restart. */
  primeFrames: readonly number[];
  builder?: Partial<PlateBuilderOptions>;
}

export class PlateStream {
  /** Frames read through `read` (for tests and diagnostics). */
  reads = 0;
  /** Times the stream started again because the timeline went back. */
  restarts = 0;
  private builder: PlateBuilder;
  private next = -1;
  private served = -1;
  private readonly cache = new Map<number, PlateFrame>();

  constructor(private readonly o: PlateStreamOptions) {
    this.builder = this.newBuilder();
  }

  /** First pass with a frame already read elsewhere (one of `primeFrames`): spares reading it again. */
  prime(frame: PlateFrame): void {
    this.builder.prime(frame.rgba, frame.alpha, frame.others);
  }

  /** The plate of reference frame `r`, and that frame itself (null if it has left the cache). */
  async plateAt(r: number): Promise<{ plate: Uint8ClampedArray; frame: PlateFrame | null }> {
    if (this.next < 0) this.next = r;
    if (r < this.served) await this.restart(r);
    this.served = r;
    let plate: Uint8ClampedArray | null;
    try {
      plate = this.builder.plate(r);
    } catch {
      await this.restart(r);
      plate = null;
    }
    const { frameCount, lastNeeded } = this.o;
    while (plate === null) {
      if (this.next <= Math.min(lastNeeded + this.builder.options.window, frameCount - 1)) {
        const frame = await this.readFrame(this.next);
        this.cache.set(this.next, frame);
        this.builder.push(this.next, frame.rgba, frame.alpha, frame.others);
        this.next++;
      } else {
        this.builder.flush();
      }
      plate = this.builder.plate(r);
      if (plate === null && this.next > frameCount - 1) {
        this.builder.flush();
        plate = this.builder.plate(r);
        if (plate === null) throw new Error(`no background plate for reference frame ${r}`);
      }
    }
    for (const key of this.cache.keys()) if (key < r - 2) this.cache.delete(key);
    return { plate, frame: this.cache.get(r) ?? null };
  }

  private newBuilder(): PlateBuilder {
    return new PlateBuilder({ width: this.o.width, height: this.o.height, ...this.o.builder });
  }

  private async readFrame(r: number): Promise<PlateFrame> {
    this.reads++;
    return this.o.read(r);
  }

  private async restart(r: number): Promise<void> {
    this.restarts++;
    this.builder = this.newBuilder();
    this.cache.clear();
    for (const v of this.o.primeFrames) this.prime(await this.readFrame(v));
    this.next = r;
  }
}
