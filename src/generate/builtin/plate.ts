/**
 * Background plates: every reference frame with the original person removed, stable over time.
 *
 * Frames stream through a sliding window; memory is bounded by the window, never by the clip.
 * For each frame i (plate ready once frame i + K has been pushed, or at `flush()`):
 *
 * 1. Camera motion (`camera: 'auto'`): on every push, `estimateMotion` maps the new frame onto a
 *    keyframe (predicted from the previous frame's motion), which places every buffered frame in
 *    a common "anchor" frame's pixels without accumulating drift: a static camera stays exactly
 *    at the identity, a slowly drifting one is followed. The keyframe moves on when the camera has
 *    moved a tenth of the frame from it or the match weakens; when it fails, the frame is linked to
 *    the previous one; when that fails too, it is a cut (a new segment: nothing is borrowed across
 *    it). The model canvas is the anchor frame with a margin of M = `reanchor`
 *    × the longer side on each side; when the frame of the next plate has drifted more than M / 2
 *    from the anchor, it becomes the anchor (the model is warped once, bilinearly).
 * 2. Long-term background model, on the anchor's canvas, updated on every push from the frame's
 *    background pixels (person alpha 0): a robust running mean per pixel (an observation within
 *    `modelTolerance` of the model joins a mean over at most `modelCap` observations; `modelReset`
 *    disagreeing observations in a row replace it: something in the scene changed). For a static
 *    camera the anchor never moves and this is a per-pixel estimate with no resampling at all.
 *    An optional first pass (`prime`, e.g. every 4th frame of the clip) fills it before the first
 *    push, so that plates also use background seen far outside the window.
 * 3. Temporal fill of the person's pixels in frame i: stepping outward (i ± 1, i ± 2, … i ± K), each
 *    frame warped into frame i; the first `candidates` frames whose pixel is background give a
 *    per-channel median. Where the long-term model agrees with that median (within `agree`) the
 *    model's value is used (blended smoothly as they disagree more): a static background pixel then
 *    gets the same value in consecutive plates. Where no window frame saw the pixel, the model's
 *    value; where nothing ever saw it, step 4.
 * 4. Spatial fill: push-pull interpolation (inpaint.ts) from the surrounding known pixels: smooth,
 *    no holes.
 * 5. Soft edge: plate = alpha · fill + (1 − alpha) · frame, so pixels outside the person region
 *    are the frame's own.
 *
 * Memory (bytes, W × H frame, K = window, L = lag):
 *   (2K + 1 + L) × W·H × 5        buffered frames (RGBA + person alpha), plus W·H / 32 of cell flags
 * + W″·H″ × 14                    background model (RGB float32 + two counters) on the canvas
 *                                 W″ = W + 2M, H″ = H + 2M (M = 0 for a static camera)
 * + ≈ W'·H' × 14                  motion pyramids of the previous frame and the keyframe (W' ≤ 800 px on the longer side)
 * + per plate call: W·H × 4 output + 16 bytes per pixel of the person's box (work buffers).
 * E.g. 1280×720, K = 15: 136 MiB of frames + 12 MiB (static camera) or 20 MiB (moving) of model
 * + ≈ 4 MiB ≈ 150-160 MiB, whatever the clip's length; K = 8: ≈ 90 MiB.
 *
 * GPU notes: the model update (per anchor pixel), the temporal gather (per person pixel, a loop
 * over ≤ 2K warped taps), the push-pull passes and the blend are all per-pixel passes that map to
 * WGSL compute shaders with the window frames in a texture array; only motion's RANSAC and the
 * bookkeeping stay on the CPU.
 */
import { PlateError } from './errors';
import { pushPullFill } from './inpaint';
import { apply3, cornerDistance3, identity3, invert3, isIdentity3, multiply3, normalize3, translation3, type Mat3 } from './mat3';
import { nonzeroBox, type PixelBox } from './mask';
import { estimateMotion, motionFrame, type MotionEstimate, type MotionFrame, type MotionOptions } from './motion';

/** How the camera is treated: its motion estimated on every frame (see step 1), or assumed fixed (no estimation, no resampling). */
export type PlateCamera = 'auto' | 'static';

export interface PlateBuilderOptions {
  /** Frame size in pixels; every pushed frame must have it. */
  width: number;
  height: number;
  /** K: frames on each side of a plate's frame searched for background. Default 15. */
  window?: number;
  /** Nearest background observations whose median fills a pixel. Default 5. */
  candidates?: number;
  /** Default 'auto'. */
  camera?: PlateCamera;
  motion?: MotionOptions;
  /** Motion confidence below which two consecutive frames count as a cut. Default 0.1. */
  minMotionConfidence?: number;
  /** Grey levels: the model is used fully when it is within agree[0] of the window median, not at all beyond agree[1]. Default [10, 28]. */
  agree?: readonly [number, number];
  /** Grey levels: an observation this close to the model (largest channel difference) updates it. Default 20. */
  modelTolerance?: number;
  /** The running mean spans at most this many observations (1-255). Default 32. */
  modelCap?: number;
  /** Disagreeing observations in a row that replace the model's value (1-255). Default 8. */
  modelReset?: number;
  /** Margin of the model canvas around the anchor frame, as a fraction of the longer side (see step 1); 0 with camera 'static'. Default 0.1. */
  reanchor?: number;
  /** Extra frames kept so that plates may be asked for up to this many frames late. Default 0. */
  lag?: number;
}

/** A buffered frame. */
interface Slot {
  index: number;
  rgba: Uint8ClampedArray;
  alpha: Uint8Array;
  box: PixelBox | null;
  /** Frame pixels → model canvas pixels (anchor pixels + margin). */
  toAnchor: Mat3;
  segment: number;
  /** Per CELL × CELL cell: 1 when every pixel is person (alpha 255); 1 when any is. */
  cellAll: Uint8Array;
  cellAny: Uint8Array;
}

/** Statistics of the latest `plate()` call, for tests and tuning. */
export interface PlateStats {
  /** Pixels with person alpha > 0. */
  personPixels: number;
  /** Of those: filled from window frames (possibly blended with the model), from the model alone, and by spatial fill. */
  fromWindow: number;
  fromModel: number;
  inpainted: number;
}

type Resolved = Required<Omit<PlateBuilderOptions, 'motion' | 'agree'>> & { motion: MotionOptions; agree: readonly [number, number] };

function intIn(name: string, v: number | undefined, fallback: number, lo: number, hi: number): number {
  const x = v ?? fallback;
  if (!(Number.isInteger(x) && x >= lo && x <= hi)) throw new RangeError(`options.${name}, when provided, must be an integer in [${lo}, ${hi}]; got ${v}.`);
  return x;
}

function numIn(name: string, v: number | undefined, fallback: number, lo: number, hi: number): number {
  const x = v ?? fallback;
  if (!(x >= lo && x <= hi)) throw new RangeError(`options.${name}, when provided, must be a number in [${lo}, ${hi}]; got ${v}.`);
  return x;
}

function resolve(o: PlateBuilderOptions): Resolved {
  if (!(Number.isInteger(o.width) && o.width > 0 && Number.isInteger(o.height) && o.height > 0)) {
    throw new RangeError(`options.width and options.height must be positive integers; got ${o.width}x${o.height}.`);
  }
  const agree = o.agree ?? [10, 28];
  if (!(agree[0] >= 0 && agree[1] > agree[0])) throw new RangeError(`options.agree, when provided, must be [lo, hi] with 0 ≤ lo < hi; got [${agree.join(', ')}].`);
  if (o.camera !== undefined && o.camera !== 'auto' && o.camera !== 'static') throw new RangeError(`options.camera, when provided, must be 'auto' or 'static'; got ${String(o.camera)}.`);
  return {
    width: o.width,
    height: o.height,
    window: intIn('window', o.window, 15, 0, 120),
    candidates: intIn('candidates', o.candidates, 5, 1, 15),
    camera: o.camera ?? 'auto',
    motion: o.motion ?? {},
    minMotionConfidence: numIn('minMotionConfidence', o.minMotionConfidence, 0.1, 0, 1),
    agree,
    modelTolerance: numIn('modelTolerance', o.modelTolerance, 20, 0, 255),
    modelCap: intIn('modelCap', o.modelCap, 32, 1, 255),
    modelReset: intIn('modelReset', o.modelReset, 8, 1, 255),
    reanchor: numIn('reanchor', o.reanchor, 0.1, 0, 10),
    lag: intIn('lag', o.lag, 0, 0, 1000),
  };
}

/**
 * Streams frames of one clip and returns their background plates.
 *
 * ```ts
 * const builder = new PlateBuilder({ width, height, window: 15 });
 * for (let k = 0; k < frameCount; k += 4) builder.prime(rgbaOf(k), personMask(track, k).alpha); // optional
 * for (let k = 0; k < frameCount; k++) {
 *   const ready = builder.push(k, rgbaOf(k), personMask(track, k).alpha);
 *   if (ready !== null) use(ready, builder.plate(ready)!);
 * }
 * for (const i of builder.flush()) use(i, builder.plate(i)!);
 * ```
 */
export class PlateBuilder {
  readonly options: Resolved;
  /** Statistics of the latest plate. */
  stats: PlateStats = { personPixels: 0, fromWindow: 0, fromModel: 0, inpainted: 0 };
  /**
   * For diagnostics, the latest `window` + 1 frames: each frame's motion estimate onto frame `key`
   * (the keyframe, or the previous frame after a lost keyframe); null for the first frame of a
   * segment and with camera 'static'.
   */
  readonly motions = new Map<number, { key: number; estimate: MotionEstimate } | null>();

  private readonly slots: Array<Slot | null>;
  private first = -1;
  private last = -1;
  private flushed = false;
  private segment = 0;
  private prevMotion: MotionFrame | null = null;
  /** Keyframe of motion estimation: its pyramid (null with a static camera) and place on the canvas. */
  private key: { index: number; motion: MotionFrame | null; toAnchor: Mat3 } | null = null;
  /** Frames fed to the model by `prime`. */
  private primed = 0;
  // Background model on the canvas: mw × mh pixels, the anchor frame at (margin, margin).
  private readonly margin: number;
  private readonly mw: number;
  private readonly mh: number;
  private readonly bg: Float32Array;
  private readonly count: Uint8Array;
  private readonly miss: Uint8Array;

  constructor(options: PlateBuilderOptions) {
    this.options = resolve(options);
    const { width, height, window, lag } = this.options;
    this.slots = new Array<Slot | null>(2 * window + 1 + lag).fill(null);
    this.margin = this.options.camera === 'static' ? 0 : Math.ceil(this.options.reanchor * Math.max(width, height));
    this.mw = width + 2 * this.margin;
    this.mh = height + 2 * this.margin;
    this.bg = new Float32Array(this.mw * this.mh * 3);
    this.count = new Uint8Array(this.mw * this.mh);
    this.miss = new Uint8Array(this.mw * this.mh);
  }

  /** Bytes held by buffered frames and the background model (not counting a plate being built). */
  get memoryBytes(): number {
    let n = this.bg.byteLength + this.count.byteLength + this.miss.byteLength;
    for (const s of this.slots) if (s) n += s.rgba.byteLength + s.alpha.byteLength;
    for (const mf of [this.prevMotion, this.key?.motion]) if (mf) for (const l of mf.levels) n += l.gray.byteLength + l.valid.byteLength;
    return n;
  }

  /**
   * Adds frame `frameIndex` (consecutive with the previous push) with its person alpha (width ×
   * height, 255 = person, from `personMask`; null when the frame has no person). The data are
   * copied. Returns the index of the plate that became ready, or null.
   */
  push(frameIndex: number, rgba: Uint8ClampedArray | Uint8Array, alpha: Uint8Array | null): number | null {
    const { width, height, window } = this.options;
    if (this.flushed) throw new PlateError('order', 'push() after flush(): make a new PlateBuilder for another clip.');
    if (!Number.isInteger(frameIndex) || frameIndex < 0) throw new RangeError(`frameIndex must be a non-negative integer; got ${frameIndex}.`);
    if (this.last >= 0 && frameIndex !== this.last + 1) {
      throw new PlateError('order', `Frames must be pushed in order: expected frame ${this.last + 1}, got ${frameIndex}.`);
    }
    if (rgba.length !== width * height * 4) throw new RangeError(`rgba must hold ${width} x ${height} x 4 = ${width * height * 4} bytes; got ${rgba.length}.`);
    if (alpha && alpha.length !== width * height) throw new RangeError(`alpha must hold ${width} x ${height} = ${width * height} bytes; got ${alpha.length}.`);
    if (this.first < 0) this.first = frameIndex;
    this.last = frameIndex;

    const slot = this.takeSlot(frameIndex);
    slot.rgba.set(rgba);
    if (alpha) slot.alpha.set(alpha);
    else slot.alpha.fill(0);
    slot.box = alpha ? nonzeroBox(slot.alpha, width, height) : null;
    this.computeCells(slot);

    // 1. Camera motion.
    const prev = this.slotOf(frameIndex - 1);
    const mf = this.options.camera === 'auto' ? motionFrame(slot.rgba, width, height, slot.box ? slot.alpha : null, this.options.motion) : null;
    let record: { key: number; estimate: MotionEstimate } | null = null;
    if (!prev && this.primed > 0 && this.key && this.placeOnKey(slot, mf)) {
      // The first frame after priming continues the primed segment (the model is kept).
      slot.segment = this.segment;
    } else if (!prev || !this.key) {
      this.newSegment(slot, mf);
    } else if (!mf) {
      slot.segment = this.segment;
      slot.toAnchor = prev.toAnchor;
    } else {
      record = this.locate(slot, prev, mf);
    }
    this.prevMotion = mf;
    this.motions.set(frameIndex, record);
    this.motions.delete(frameIndex - window - 1);
    const next = this.slotOf(frameIndex - window) ?? slot;
    if (this.margin > 0 && next.segment === slot.segment && cornerDistance3(next.toAnchor, this.home(), width, height) > this.margin / 2) this.reanchorTo(next);
    // 2. Long-term model.
    this.updateModel(slot);
    const ready = frameIndex - window;
    return ready >= this.first ? ready : null;
  }

  /**
   * Optional first pass, before any `push`: feeds a frame (e.g. every 4th of the whole clip) to the
   * long-term background model only, so that plates can use background seen anywhere in the clip,
   * not only within ±K frames. The frame is placed by its motion onto the keyframe (the first
   * primed frame) and skipped when that cannot be measured or it falls off the model canvas: this
   * helps static and slowly drifting cameras, not panning ones. Nothing is kept but the model.
   * Returns whether the frame was used.
   */
  prime(rgba: Uint8ClampedArray | Uint8Array, alpha: Uint8Array | null): boolean {
    const { width, height } = this.options;
    if (this.last >= 0) throw new PlateError('order', 'prime() after push(): prime the background model before pushing the first frame.');
    if (rgba.length !== width * height * 4) throw new RangeError(`rgba must hold ${width} x ${height} x 4 = ${width * height * 4} bytes; got ${rgba.length}.`);
    if (alpha && alpha.length !== width * height) throw new RangeError(`alpha must hold ${width} x ${height} = ${width * height} bytes; got ${alpha.length}.`);
    const cells = Math.ceil(width / CELL) * Math.ceil(height / CELL);
    const frame: Slot = {
      index: -1,
      rgba: rgba instanceof Uint8ClampedArray ? rgba : new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length),
      alpha: alpha ?? new Uint8Array(width * height),
      box: null,
      toAnchor: this.home(),
      segment: this.segment,
      cellAll: new Uint8Array(cells),
      cellAny: new Uint8Array(cells),
    };
    const mf = this.options.camera === 'auto' ? motionFrame(frame.rgba, width, height, alpha, this.options.motion) : null;
    if (!this.key) {
      this.newSegment(frame, mf);
    } else if (!this.placeOnKey(frame, mf)) {
      return false;
    }
    this.updateModel(frame);
    this.primed++;
    return true;
  }

  /** Marks the end of the clip; returns the indexes of the plates that became ready (the last `window` frames). */
  flush(): number[] {
    if (this.flushed || this.last < 0) return [];
    this.flushed = true;
    const out: number[] = [];
    for (let i = Math.max(this.first, this.last - this.options.window + 1); i <= this.last; i++) out.push(i);
    return out;
  }

  /** True when `plate(frameIndex)` can be computed now. */
  isReady(frameIndex: number): boolean {
    if (this.last < 0 || frameIndex < this.first || frameIndex > this.last) return false;
    return this.flushed || frameIndex + this.options.window <= this.last;
  }

  /**
   * The background plate of frame `frameIndex`: width × height RGBA (alpha 255), the frame with
   * the person replaced. Null while frames after it are still to come (not ready). Throws
   * `PlateError` ('evicted') when frames it needs have already left the window.
   */
  plate(frameIndex: number, out?: Uint8ClampedArray): Uint8ClampedArray | null {
    if (!this.isReady(frameIndex)) {
      if (this.last >= 0 && frameIndex < this.first) throw new PlateError('unknown-frame', `Frame ${frameIndex} was never pushed (the first was ${this.first}).`);
      return null;
    }
    const { width, height, window } = this.options;
    const lo = Math.max(this.first, frameIndex - window);
    if (!this.slotOf(lo)) {
      throw new PlateError('evicted', `The plate of frame ${frameIndex} was asked for too late: frame ${lo} has left the window. Ask for each plate when push() returns its index, or raise options.lag.`);
    }
    const slot = this.slotOf(frameIndex)!;
    const result = out ?? new Uint8ClampedArray(width * height * 4);
    if (result.length !== width * height * 4) throw new RangeError(`out must hold ${width * height * 4} bytes; got ${result.length}.`);
    result.set(slot.rgba);
    this.stats = { personPixels: 0, fromWindow: 0, fromModel: 0, inpainted: 0 };
    if (slot.box) this.fillPerson(slot, result);
    return result;
  }

  // ---------------------------------------------------------------------------------------------

  private slotOf(index: number): Slot | null {
    if (index < 0) return null;
    const s = this.slots[index % this.slots.length];
    return s && s.index === index ? s : null;
  }

  /** The ring slot for frame `index`, reusing the buffers of the frame it evicts. */
  private takeSlot(index: number): Slot {
    const k = index % this.slots.length;
    const old = this.slots[k];
    const { width, height } = this.options;
    const cells = Math.ceil(width / CELL) * Math.ceil(height / CELL);
    const slot: Slot = old
      ? { ...old, index, box: null, toAnchor: identity3(), segment: this.segment }
      : {
          index,
          rgba: new Uint8ClampedArray(width * height * 4),
          alpha: new Uint8Array(width * height),
          box: null,
          toAnchor: identity3(),
          segment: this.segment,
          cellAll: new Uint8Array(cells),
          cellAny: new Uint8Array(cells),
        };
    this.slots[k] = slot;
    return slot;
  }

  /** Where the anchor frame sits on the canvas: a translation by the margin. */
  private home(): Mat3 {
    return translation3(this.margin, this.margin);
  }

  private newSegment(slot: Slot, mf: MotionFrame | null): void {
    this.segment++;
    slot.segment = this.segment;
    slot.toAnchor = this.home();
    this.key = { index: slot.index, motion: mf, toAnchor: slot.toAnchor };
    this.count.fill(0);
    this.miss.fill(0);
  }

  /**
   * Places `frame` on the canvas by its motion onto the keyframe alone (no prediction); false when
   * that motion is not reliable or moves the frame beyond the canvas margin.
   */
  private placeOnKey(frame: Slot, mf: MotionFrame | null): boolean {
    const key = this.key!;
    if (!mf || !key.motion) {
      frame.toAnchor = key.toAnchor;
      return true;
    }
    const e = estimateMotion(key.motion, mf, this.options.motion);
    if (!(e.identity || e.flat || e.confidence >= 0.5)) return false;
    const toAnchor = multiply3(key.toAnchor, e.matrix);
    const { width, height } = this.options;
    if (cornerDistance3(toAnchor, this.home(), width, height) > this.margin) return false;
    frame.toAnchor = toAnchor;
    return true;
  }

  /**
   * Places `slot` on the canvas: its motion onto the keyframe (predicted from the previous frame's),
   * so that a static or slowly drifting camera accumulates no error; when that fails, its motion
   * onto the previous frame, chained; when that fails too, a cut. The keyframe moves to this frame
   * when the camera has moved far from it or the match was weak.
   */
  private locate(slot: Slot, prev: Slot, mf: MotionFrame): { key: number; estimate: MotionEstimate } {
    const { width, height, minMotionConfidence: minConf } = this.options;
    const motion = this.options.motion;
    const key = this.key!;
    let estimate: MotionEstimate | null = null;
    let keyIndex = key.index;
    let moveKey = false;
    if (key.motion) {
      const predicted = multiply3(invert3(key.toAnchor), prev.toAnchor); // previous frame → keyframe
      estimate = estimateMotion(key.motion, mf, { ...motion, initial: predicted });
      if (estimate.confidence < 0.5 && !estimate.identity && !estimate.flat) {
        const searched = estimateMotion(key.motion, mf, motion);
        if (searched.confidence > estimate.confidence) estimate = searched;
      }
    }
    slot.segment = this.segment;
    if (estimate && (estimate.identity || estimate.flat || estimate.confidence >= minConf)) {
      slot.toAnchor = multiply3(key.toAnchor, estimate.matrix);
      moveKey = (!estimate.identity && !estimate.flat && estimate.confidence < 0.5) || cornerDistance3(estimate.matrix, identity3(), width, height) > 0.1 * Math.max(width, height);
    } else {
      const link = this.prevMotion ? estimateMotion(this.prevMotion, mf, motion) : null;
      keyIndex = prev.index;
      if (!link || (link.confidence < minConf && !link.identity && !link.flat)) {
        this.newSegment(slot, mf);
        return { key: keyIndex, estimate: link ?? estimate! };
      }
      estimate = link;
      slot.toAnchor = multiply3(prev.toAnchor, link.matrix);
      moveKey = true;
    }
    if (moveKey) this.key = { index: slot.index, motion: mf, toAnchor: slot.toAnchor };
    return { key: keyIndex, estimate };
  }

  /** Moves the anchor to `slot`'s frame: warps the model (bilinear where all four taps are known) and re-expresses every buffered frame. Per-pixel pass. */
  private reanchorTo(slot: Slot): void {
    const { mw, mh } = this;
    const home = this.home();
    // New canvas pixels → old canvas pixels.
    const m = multiply3(slot.toAnchor, invert3(home));
    const bg = new Float32Array(this.bg.length);
    const count = new Uint8Array(this.count.length);
    const q = new Float64Array(2);
    for (let y = 0; y < mh; y++) {
      for (let x = 0; x < mw; x++) {
        apply3(m, x + 0.5, y + 0.5, q);
        const p = y * mw + x;
        const got = sampleModel(this.bg, this.count, mw, mh, q[0]!, q[1]!, bg, 3 * p);
        if (got > 0) count[p] = got;
      }
    }
    this.bg.set(bg);
    this.count.set(count);
    this.miss.fill(0);
    const back = invert3(m);
    for (const s of this.slots) if (s && s.segment === slot.segment && s !== slot) s.toAnchor = multiply3(back, s.toAnchor);
    if (this.key) this.key.toAnchor = this.key.index === slot.index ? home : multiply3(back, this.key.toAnchor);
    slot.toAnchor = home;
  }

  /** Step 2: robust running mean of the frame's background pixels, on the canvas. Per-pixel pass. */
  private updateModel(slot: Slot): void {
    const { width, height } = this.options;
    const { mw, mh } = this;
    const { rgba, alpha } = slot;
    const shift = integerShift(slot.toAnchor);
    if (shift) {
      // No resampling: only the frame's own rectangle on the canvas can change.
      const x0 = Math.max(0, shift[0]);
      const y0 = Math.max(0, shift[1]);
      const x1 = Math.min(mw, shift[0] + width);
      const y1 = Math.min(mh, shift[1] + height);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const f = (y - shift[1]) * width + (x - shift[0]);
          if (alpha[f]! > 0) continue;
          this.observe(y * mw + x, rgba[4 * f]!, rgba[4 * f + 1]!, rgba[4 * f + 2]!);
        }
      }
      return;
    }
    // Canvas box of the frame's footprint.
    const fp = footprint(slot.toAnchor, width, height, mw, mh);
    if (!fp) return;
    const inv = invert3(slot.toAnchor); // canvas → frame
    const [i0, i1, i2, i3, i4, i5, i6, i7, i8] = inv as unknown as number[];
    for (let y = fp.y0; y < fp.y1; y++) {
      const yc = y + 0.5;
      let nx = i0! * (fp.x0 + 0.5) + i1! * yc + i2!;
      let ny = i3! * (fp.x0 + 0.5) + i4! * yc + i5!;
      let nw = i6! * (fp.x0 + 0.5) + i7! * yc + i8!;
      for (let x = fp.x0; x < fp.x1; x++, nx += i0!, ny += i3!, nw += i6!) {
        // Bilinear taps at frame position (nx / nw, ny / nw), all four background.
        const px = nx / nw - 0.5;
        const py = ny / nw - 0.5;
        const fx0 = Math.floor(px);
        const fy0 = Math.floor(py);
        if (fx0 < 0 || fy0 < 0 || fx0 + 1 >= width || fy0 + 1 >= height) continue;
        const f = fy0 * width + fx0;
        if (alpha[f]! | alpha[f + 1]! | alpha[f + width]! | alpha[f + width + 1]!) continue;
        const ax = px - fx0;
        const ay = py - fy0;
        const w00 = (1 - ax) * (1 - ay);
        const w10 = ax * (1 - ay);
        const w01 = (1 - ax) * ay;
        const w11 = ax * ay;
        const a = 4 * f;
        const c = a + 4 * width;
        this.observe(
          y * mw + x,
          w00 * rgba[a]! + w10 * rgba[a + 4]! + w01 * rgba[c]! + w11 * rgba[c + 4]!,
          w00 * rgba[a + 1]! + w10 * rgba[a + 5]! + w01 * rgba[c + 1]! + w11 * rgba[c + 5]!,
          w00 * rgba[a + 2]! + w10 * rgba[a + 6]! + w01 * rgba[c + 2]! + w11 * rgba[c + 6]!,
        );
      }
    }
  }

  /** One background observation (r, g, b) of canvas pixel p. */
  private observe(p: number, r: number, g: number, b: number): void {
    const { bg, count, miss } = this;
    const { modelTolerance, modelCap, modelReset } = this.options;
    const n = count[p]!;
    const o = 3 * p;
    if (n > 0) {
      const d = Math.max(Math.abs(r - bg[o]!), Math.abs(g - bg[o + 1]!), Math.abs(b - bg[o + 2]!));
      if (d <= modelTolerance) {
        const m = n < modelCap ? n + 1 : modelCap;
        bg[o]! += (r - bg[o]!) / m;
        bg[o + 1]! += (g - bg[o + 1]!) / m;
        bg[o + 2]! += (b - bg[o + 2]!) / m;
        count[p] = m;
        miss[p] = 0;
        return;
      }
      if (++miss[p]! < modelReset) return;
    }
    bg[o] = r;
    bg[o + 1] = g;
    bg[o + 2] = b;
    count[p] = 1;
    miss[p] = 0;
  }

  /** Per CELL × CELL cell of the slot's frame: whether every pixel is person (alpha 255), and whether any is. */
  private computeCells(slot: Slot): void {
    const { width, height } = this.options;
    slot.cellAll.fill(0);
    slot.cellAny.fill(0);
    const box = slot.box;
    if (!box) return;
    const cw = Math.ceil(width / CELL);
    const cx0 = Math.floor(box.x0 / CELL);
    const cy0 = Math.floor(box.y0 / CELL);
    const cx1 = Math.ceil(box.x1 / CELL);
    const cy1 = Math.ceil(box.y1 / CELL);
    for (let cy = cy0; cy < cy1; cy++) {
      for (let cx = cx0; cx < cx1; cx++) {
        let all = 1;
        let any = 0;
        for (let y = cy * CELL; y < Math.min(height, (cy + 1) * CELL); y++) {
          for (let x = cx * CELL; x < Math.min(width, (cx + 1) * CELL); x++) {
            const a = slot.alpha[y * width + x]!;
            if (a !== 255) all = 0;
            if (a > 0) any = 1;
          }
        }
        slot.cellAll[cy * cw + cx] = all;
        slot.cellAny[cy * cw + cx] = any;
      }
    }
  }

  /** Steps 3-5 for the person's region of `slot`, writing into `out`. Processed in CELL × CELL tiles. */
  private fillPerson(slot: Slot, out: Uint8ClampedArray): void {
    const { width, height, window, candidates, agree } = this.options;
    const box = slot.box!;
    const cw = Math.ceil(width / CELL);
    // Window frames, nearest first, with the map from this frame's pixels to theirs (9 numbers each).
    const near: Slot[] = [];
    const dist: number[] = [];
    const maps: number[] = [];
    const direct: boolean[] = [];
    for (let d = 1; d <= window; d++) {
      for (const j of [slot.index - d, slot.index + d]) {
        const s = this.slotOf(j);
        if (!s || s.segment !== slot.segment || j > this.last) continue;
        const m = multiply3(invert3(s.toAnchor), slot.toAnchor);
        near.push(s);
        dist.push(d);
        maps.push(...normalize3(m));
        direct.push(isIdentity3(m));
      }
    }
    const nm = Float64Array.from(maps);
    const toAnchor = slot.toAnchor;
    const shift = integerShift(toAnchor);
    const { mw, mh } = this;
    // Work region: the person's box grown so that the spatial fill sees enough surroundings.
    const grow = Math.max(8, Math.round(0.15 * Math.max(box.x1 - box.x0, box.y1 - box.y0)));
    const rx0 = Math.max(0, box.x0 - grow);
    const ry0 = Math.max(0, box.y0 - grow);
    const rx1 = Math.min(width, box.x1 + grow);
    const ry1 = Math.min(height, box.y1 + grow);
    const rw = rx1 - rx0;
    const rh = ry1 - ry0;
    const fill = new Float32Array(rw * rh * 3);
    const weight = new Float32Array(rw * rh).fill(1);
    const { rgba, alpha } = slot;
    for (let y = ry0; y < ry1; y++) {
      for (let x = rx0; x < rx1; x++) {
        const p = y * width + x;
        const r = (y - ry0) * rw + (x - rx0);
        fill[3 * r] = rgba[4 * p]!;
        fill[3 * r + 1] = rgba[4 * p + 1]!;
        fill[3 * r + 2] = rgba[4 * p + 2]!;
      }
    }
    const cand = new Float32Array(3 * candidates);
    const model = new Float32Array(3);
    const sorted = new Float32Array(candidates);
    const med = new Float32Array(3);
    const q = new Float64Array(2);
    const useful = new Int32Array(near.length);
    const [agreeLo, agreeHi] = agree;
    const stats = this.stats;
    let unknown = 0;
    for (let cy = Math.floor(box.y0 / CELL); cy < Math.ceil(box.y1 / CELL); cy++) {
      for (let cx = Math.floor(box.x0 / CELL); cx < Math.ceil(box.x1 / CELL); cx++) {
        if (!slot.cellAny[cy * cw + cx]) continue;
        const tx0 = cx * CELL;
        const ty0 = cy * CELL;
        const tx1 = Math.min(width, tx0 + CELL);
        const ty1 = Math.min(height, ty0 + CELL);
        // Window frames that can see some of this tile: not outside their frame, not fully covered there.
        let nu = 0;
        for (let k = 0; k < near.length; k++) {
          if (tileHidden(nm, 9 * k, direct[k]!, near[k]!, tx0, ty0, tx1, ty1, width, height, cw)) continue;
          useful[nu++] = k;
        }
        for (let y = ty0; y < ty1; y++) {
          for (let x = tx0; x < tx1; x++) {
            const p = y * width + x;
            if (alpha[p] === 0) continue;
            const r = (y - ry0) * rw + (x - rx0);
            stats.personPixels++;
            // Temporal candidates, nearest in time first.
            let n = 0;
            let lastD = 0;
            const xc = x + 0.5;
            const yc = y + 0.5;
            for (let u = 0; u < nu; u++) {
              const k = useful[u]!;
              if (n >= candidates && dist[k]! > lastD) break;
              if (n >= candidates) continue;
              const s = near[k]!;
              if (direct[k]) {
                if (s.alpha[p]! > 0) continue;
                cand[3 * n] = s.rgba[4 * p]!;
                cand[3 * n + 1] = s.rgba[4 * p + 1]!;
                cand[3 * n + 2] = s.rgba[4 * p + 2]!;
              } else {
                const o = 9 * k;
                const wz = nm[o + 6]! * xc + nm[o + 7]! * yc + nm[o + 8]!;
                const sx = (nm[o]! * xc + nm[o + 1]! * yc + nm[o + 2]!) / wz;
                const sy = (nm[o + 3]! * xc + nm[o + 4]! * yc + nm[o + 5]!) / wz;
                if (!sampleBackground(s.rgba, s.alpha, width, height, sx, sy, cand, 3 * n)) continue;
              }
              n++;
              lastD = dist[k]!;
            }
            // Long-term model.
            let haveModel: boolean;
            if (shift) {
              const mp = (y + shift[1]) * mw + x + shift[0];
              haveModel = this.count[mp]! > 0;
              if (haveModel) {
                model[0] = this.bg[3 * mp]!;
                model[1] = this.bg[3 * mp + 1]!;
                model[2] = this.bg[3 * mp + 2]!;
              }
            } else {
              apply3(toAnchor, xc, yc, q);
              haveModel = sampleModel(this.bg, this.count, mw, mh, q[0]!, q[1]!, model, 0) > 0;
            }
            if (n > 0) {
              for (let c = 0; c < 3; c++) {
                for (let k = 0; k < n; k++) {
                  // Insertion sort of ≤ `candidates` values.
                  const v = cand[3 * k + c]!;
                  let j = k - 1;
                  while (j >= 0 && sorted[j]! > v) {
                    sorted[j + 1] = sorted[j]!;
                    j--;
                  }
                  sorted[j + 1] = v;
                }
                med[c] = n % 2 ? sorted[n >> 1]! : 0.5 * (sorted[(n >> 1) - 1]! + sorted[n >> 1]!);
              }
              let t = 0;
              if (haveModel) {
                const diff = Math.max(Math.abs(model[0]! - med[0]!), Math.abs(model[1]! - med[1]!), Math.abs(model[2]! - med[2]!));
                t = Math.min(1, Math.max(0, (agreeHi - diff) / (agreeHi - agreeLo)));
              }
              for (let c = 0; c < 3; c++) fill[3 * r + c] = t * model[c]! + (1 - t) * med[c]!;
              stats.fromWindow++;
            } else if (haveModel) {
              fill[3 * r] = model[0]!;
              fill[3 * r + 1] = model[1]!;
              fill[3 * r + 2] = model[2]!;
              stats.fromModel++;
            } else {
              weight[r] = 0;
              unknown++;
            }
          }
        }
      }
    }
    // 4. Spatial fill of what nothing saw.
    if (unknown > 0) pushPullFill(fill, weight, rw, rh);
    stats.inpainted = unknown;
    // 5. Soft edge.
    for (let y = box.y0; y < box.y1; y++) {
      for (let x = box.x0; x < box.x1; x++) {
        const p = y * width + x;
        const a = alpha[p]!;
        if (a === 0) continue;
        const r = (y - ry0) * rw + (x - rx0);
        const t = a / 255;
        for (let c = 0; c < 3; c++) out[4 * p + c] = t * fill[3 * r + c]! + (1 - t) * rgba[4 * p + c]!;
      }
    }
  }
}

/** Side of the cells in which frames record full and partial person coverage (tile size of the fill). */
const CELL = 8;

/**
 * True when window frame `s` cannot show any pixel of the tile [tx0, tx1) × [ty0, ty1) of the
 * plate's frame: the tile maps outside `s`'s frame, or onto cells that are entirely person there.
 * `m` at offset `o`: the 9 numbers of the map from the plate's frame to `s`'s.
 */
function tileHidden(m: Float64Array, o: number, direct: boolean, s: Slot, tx0: number, ty0: number, tx1: number, ty1: number, width: number, height: number, cw: number): boolean {
  let x0: number;
  let y0: number;
  let x1: number;
  let y1: number;
  if (direct) {
    x0 = tx0;
    y0 = ty0;
    x1 = tx1 - 1;
    y1 = ty1 - 1;
  } else {
    x0 = Infinity;
    y0 = Infinity;
    x1 = -Infinity;
    y1 = -Infinity;
    for (let c = 0; c < 4; c++) {
      const x = c & 1 ? tx1 : tx0;
      const y = c & 2 ? ty1 : ty0;
      const w = m[o + 6]! * x + m[o + 7]! * y + m[o + 8]!;
      const u = (m[o]! * x + m[o + 1]! * y + m[o + 2]!) / w;
      const v = (m[o + 3]! * x + m[o + 4]! * y + m[o + 5]!) / w;
      if (u < x0) x0 = u;
      if (u > x1) x1 = u;
      if (v < y0) y0 = v;
      if (v > y1) y1 = v;
    }
    // Pixels whose bilinear taps the tile can touch.
    x0 = Math.floor(x0 - 1);
    y0 = Math.floor(y0 - 1);
    x1 = Math.floor(x1 + 1);
    y1 = Math.floor(y1 + 1);
    if (x1 < 0 || y1 < 0 || x0 >= width || y0 >= height) return true;
  }
  const cx0 = Math.max(0, Math.floor(x0 / CELL));
  const cy0 = Math.max(0, Math.floor(y0 / CELL));
  const cx1 = Math.min(cw - 1, Math.floor(Math.min(width - 1, x1) / CELL));
  const cy1 = Math.min(Math.ceil(height / CELL) - 1, Math.floor(Math.min(height - 1, y1) / CELL));
  for (let cy = cy0; cy <= cy1; cy++) for (let cx = cx0; cx <= cx1; cx++) if (!s.cellAll[cy * cw + cx]) return false;
  return true;
}

/** Canvas box (clipped) covered by a width × height frame placed with `toCanvas`; null when off the canvas. */
function footprint(toCanvas: Mat3, width: number, height: number, mw: number, mh: number): PixelBox | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const q = new Float64Array(2);
  for (const [x, y] of [
    [0, 0],
    [width, 0],
    [0, height],
    [width, height],
  ] as const) {
    apply3(toCanvas, x, y, q);
    x0 = Math.min(x0, q[0]!);
    y0 = Math.min(y0, q[1]!);
    x1 = Math.max(x1, q[0]!);
    y1 = Math.max(y1, q[1]!);
  }
  const box = { x0: Math.max(0, Math.floor(x0)), y0: Math.max(0, Math.floor(y0)), x1: Math.min(mw, Math.ceil(x1)), y1: Math.min(mh, Math.ceil(y1)) };
  return box.x1 > box.x0 && box.y1 > box.y0 ? box : null;
}

/** (tx, ty) when `m` is a translation by whole pixels (no resampling needed), else null. */
function integerShift(m: Mat3): [number, number] | null {
  if (!isIdentity3(Float64Array.of(m[0]!, m[1]!, 0, m[3]!, m[4]!, 0, m[6]!, m[7]!, m[8]!))) return null;
  const tx = m[2]! / m[8]!;
  const ty = m[5]! / m[8]!;
  return Number.isInteger(tx) && Number.isInteger(ty) ? [tx, ty] : null;
}

/**
 * Bilinear RGB of `rgba` at continuous position (x, y) into `dst[o..o+3)`, only when the four taps
 * are inside the frame and are background (alpha 0). Returns whether it sampled.
 */
function sampleBackground(rgba: Uint8ClampedArray, alpha: Uint8Array, width: number, height: number, x: number, y: number, dst: Float32Array, o: number): boolean {
  const px = x - 0.5;
  const py = y - 0.5;
  const x0 = Math.floor(px);
  const y0 = Math.floor(py);
  if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height) {
    // On the last row or column exactly: nearest pixel.
    const nx = Math.round(px);
    const ny = Math.round(py);
    if (nx < 0 || ny < 0 || nx >= width || ny >= height || Math.abs(px - nx) > 0.01 || Math.abs(py - ny) > 0.01) return false;
    const p = ny * width + nx;
    if (alpha[p]! > 0) return false;
    dst[o] = rgba[4 * p]!;
    dst[o + 1] = rgba[4 * p + 1]!;
    dst[o + 2] = rgba[4 * p + 2]!;
    return true;
  }
  const p00 = y0 * width + x0;
  if (alpha[p00]! | alpha[p00 + 1]! | alpha[p00 + width]! | alpha[p00 + width + 1]!) return false;
  const fx = px - x0;
  const fy = py - y0;
  const w00 = (1 - fx) * (1 - fy);
  const w10 = fx * (1 - fy);
  const w01 = (1 - fx) * fy;
  const w11 = fx * fy;
  const a = 4 * p00;
  const b = a + 4;
  const c = a + 4 * width;
  const d = c + 4;
  for (let k = 0; k < 3; k++) dst[o + k] = w00 * rgba[a + k]! + w10 * rgba[b + k]! + w01 * rgba[c + k]! + w11 * rgba[d + k]!;
  return true;
}

/**
 * The background model at continuous anchor position (x, y) into `dst[o..o+3)`: bilinear where the
 * four taps are known, else the nearest pixel when known. Returns that pixel's observation count
 * (0: unknown).
 */
function sampleModel(bg: Float32Array, count: Uint8Array, width: number, height: number, x: number, y: number, dst: Float32Array, o: number): number {
  const px = x - 0.5;
  const py = y - 0.5;
  const x0 = Math.floor(px);
  const y0 = Math.floor(py);
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
    const p00 = y0 * width + x0;
    const n = Math.min(count[p00]!, count[p00 + 1]!, count[p00 + width]!, count[p00 + width + 1]!);
    if (n > 0) {
      const fx = px - x0;
      const fy = py - y0;
      const w00 = (1 - fx) * (1 - fy);
      const w10 = fx * (1 - fy);
      const w01 = (1 - fx) * fy;
      const w11 = fx * fy;
      const a = 3 * p00;
      const b = a + 3;
      const c = a + 3 * width;
      const d = c + 3;
      for (let k = 0; k < 3; k++) dst[o + k] = w00 * bg[a + k]! + w10 * bg[b + k]! + w01 * bg[c + k]! + w11 * bg[d + k]!;
      return n;
    }
  }
  const nx = Math.round(px);
  const ny = Math.round(py);
  if (nx < 0 || ny < 0 || nx >= width || ny >= height) return 0;
  const p = ny * width + nx;
  const n = count[p]!;
  if (n > 0) {
    dst[o] = bg[3 * p]!;
    dst[o + 1] = bg[3 * p + 1]!;
    dst[o + 2] = bg[3 * p + 2]!;
  }
  return n;
}
