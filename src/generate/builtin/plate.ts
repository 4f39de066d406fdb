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
 *    With `shadows`, the person's cast shadow (shadow.ts: the ground round their feet darker than
 *    the model knows it, same chromaticity, joined to them) then joins the frame's person alpha.
 * 2. Long-term background model, on the anchor's canvas, updated on every push from the frame's
 *    background pixels (person alpha 0): a robust running mean per pixel (an observation within
 *    `modelTolerance` of the model joins a mean over at most `modelCap` observations; `modelReset`
 *    disagreeing observations in a row replace it: something in the scene changed; with `shadows`,
 *    a lit observation of which the model holds a shadow replaces it at once). For a static
 *    camera the anchor never moves and this is a per-pixel estimate with no resampling at all.
 *    An optional first pass (`prime`, e.g. every 4th frame of the clip) fills it before the first
 *    push, so that plates also use background seen far outside the window.
 * 3. Temporal fill of the person's pixels in frame i: stepping outward (i ± 1, i ± 2, … i ± K), each
 *    frame warped into frame i; the first `candidates` frames whose pixel is background give a
 *    per-channel median. Where the long-term model agrees with that median (within `agree`) the
 *    model's value is used (blended smoothly as they disagree more): a static background pixel then
 *    gets the same value in consecutive plates. Where no window frame saw the pixel, the model's
 *    value; where nothing ever saw it, step 4.
 * 4. Scene completion (completion.ts) of what nothing saw, on the model's canvas: the texture and
 *    structure of the scene around it continue into it, made once per canvas (until a cut or a
 *    re-anchoring) so it holds still from plate to plate. What it leaves (a hole too small, or
 *    nothing to copy from) gets push-pull interpolation (inpaint.ts): smooth, no holes.
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
 *
 * Files: the buffered frame in plate-slot.ts, the background model (step 2) in plate-model.ts, steps
 * 3-5 in plate-fill.ts; the builder here owns the window, the camera motion and the bookkeeping.
 */
import { NO_PART_CLOCK, type PartClock } from '../part-times';
import { PlateError } from './errors';
import { apply3, cornerDistance3, identity3, invert3, multiply3, translation3, type Mat3 } from './mat3';
import { maxInto, nonzeroBox, unionBox } from './mask';
import { estimateMotion, motionFrame, type MotionEstimate, type MotionFrame, type MotionOptions } from './motion';
import { fillPerson, type PlateStats } from './plate-fill';
import { BackgroundModel, SCENE_COMPLETION_DEFAULTS, type SceneCompletionOptions } from './plate-model';
import { CELL, computeCells, type Slot } from './plate-slot';
import { castShadow, SHADOW_DEFAULTS, type ShadowOptions } from './shadow';

export type { PlateStats } from './plate-fill';

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
  /** Scene completion of what no frame saw (step 4), over `SCENE_COMPLETION_DEFAULTS`; null: the smooth fill alone. */
  completion?: Partial<SceneCompletionOptions> | null;
  /** Times scene completion as a run's `completion` part (part-times.ts); measures nothing by default. */
  clock?: PartClock;
  /** Remove the person's cast shadow too (shadow.ts), over `SHADOW_DEFAULTS`; null (default): only the person alpha given. */
  shadows?: Partial<ShadowOptions> | null;
}

type Resolved = Required<Omit<PlateBuilderOptions, 'motion' | 'agree' | 'completion' | 'clock' | 'shadows'>> & {
  motion: MotionOptions;
  agree: readonly [number, number];
  completion: SceneCompletionOptions | null;
  clock: PartClock;
  shadows: ShadowOptions | null;
};

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
    completion: o.completion === null ? null : { ...SCENE_COMPLETION_DEFAULTS, ...o.completion },
    clock: o.clock ?? NO_PART_CLOCK,
    shadows: o.shadows ? { ...SHADOW_DEFAULTS, ...o.shadows } : null,
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
  stats: PlateStats = { personPixels: 0, fromWindow: 0, fromModel: 0, completed: 0, inpainted: 0 };
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
  /** Margin of the model canvas around the anchor frame, in pixels (see step 1). */
  private readonly margin: number;
  /** Step 2: the long-term background model on the canvas, the anchor frame at (margin, margin). */
  private readonly model: BackgroundModel;

  constructor(options: PlateBuilderOptions) {
    this.options = resolve(options);
    const { width, height, window, lag } = this.options;
    this.slots = new Array<Slot | null>(2 * window + 1 + lag).fill(null);
    this.margin = this.options.camera === 'static' ? 0 : Math.ceil(this.options.reanchor * Math.max(width, height));
    this.model = new BackgroundModel(width, height, this.margin, this.options);
  }

  /** Bytes held by buffered frames and the background model (not counting a plate being built). */
  get memoryBytes(): number {
    let n = this.model.byteLength;
    for (const s of this.slots) if (s) n += s.rgba.byteLength + s.alpha.byteLength;
    for (const mf of [this.prevMotion, this.key?.motion]) if (mf) for (const l of mf.levels) n += l.gray.byteLength + l.valid.byteLength;
    return n;
  }

  /**
   * Adds frame `frameIndex` (consecutive with the previous push) with its person alpha (width ×
   * height, 255 = person, from `personMask`; null when the frame has no person) and, when others
   * are in the shot, their pixels (`others`, same layout): the plate keeps them in this frame,
   * also where the person's alpha reaches over them, and never copies them into another frame's
   * plate nor into the background model. The data are copied. Returns the index of the plate that
   * became ready, or null.
   */
  push(frameIndex: number, rgba: Uint8ClampedArray | Uint8Array, alpha: Uint8Array | null, others: Uint8Array | null = null): number | null {
    const { width, height, window } = this.options;
    if (this.flushed) throw new PlateError('order', 'push() after flush(): make a new PlateBuilder for another clip.');
    if (!Number.isInteger(frameIndex) || frameIndex < 0) throw new RangeError(`frameIndex must be a non-negative integer; got ${frameIndex}.`);
    if (this.last >= 0 && frameIndex !== this.last + 1) {
      throw new PlateError('order', `Frames must be pushed in order: expected frame ${this.last + 1}, got ${frameIndex}.`);
    }
    if (rgba.length !== width * height * 4) throw new RangeError(`rgba must hold ${width} x ${height} x 4 = ${width * height * 4} bytes; got ${rgba.length}.`);
    if (alpha && alpha.length !== width * height) throw new RangeError(`alpha must hold ${width} x ${height} = ${width * height} bytes; got ${alpha.length}.`);
    if (others && others.length !== width * height) throw new RangeError(`others must hold ${width} x ${height} = ${width * height} bytes; got ${others.length}.`);
    if (this.first < 0) this.first = frameIndex;
    this.last = frameIndex;

    const slot = this.takeSlot(frameIndex);
    slot.rgba.set(rgba);
    if (alpha) slot.alpha.set(alpha);
    else slot.alpha.fill(0);
    if (others) {
      slot.fillBuffer ??= new Uint8Array(width * height);
      slot.fill = slot.fillBuffer;
      keepOthers(slot.alpha, others, slot.fill);
    } else {
      slot.fill = slot.alpha;
    }
    slot.box = alpha || others ? nonzeroBox(slot.alpha, width, height) : null;
    slot.fillBox = others ? nonzeroBox(slot.fill, width, height) : slot.box;
    computeCells(slot, width, height);

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
    if (this.options.shadows && slot.fillBox) this.addShadow(slot, this.options.shadows, others);
    const next = this.slotOf(frameIndex - window) ?? slot;
    if (this.margin > 0 && next.segment === slot.segment && cornerDistance3(next.toAnchor, this.home(), width, height) > this.margin / 2) this.reanchorTo(next);
    // 2. Long-term model.
    this.model.update(slot);
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
  prime(rgba: Uint8ClampedArray | Uint8Array, alpha: Uint8Array | null, others: Uint8Array | null = null): boolean {
    const { width, height } = this.options;
    if (this.last >= 0) throw new PlateError('order', 'prime() after push(): prime the background model before pushing the first frame.');
    if (rgba.length !== width * height * 4) throw new RangeError(`rgba must hold ${width} x ${height} x 4 = ${width * height * 4} bytes; got ${rgba.length}.`);
    if (alpha && alpha.length !== width * height) throw new RangeError(`alpha must hold ${width} x ${height} = ${width * height} bytes; got ${alpha.length}.`);
    if (others && others.length !== width * height) throw new RangeError(`others must hold ${width} x ${height} = ${width * height} bytes; got ${others.length}.`);
    const cells = Math.ceil(width / CELL) * Math.ceil(height / CELL);
    let hidden = alpha ?? new Uint8Array(width * height);
    if (others) {
      hidden = Uint8Array.from(hidden);
      maxInto(hidden, others, width, { x0: 0, y0: 0, x1: width, y1: height });
    }
    const frame: Slot = {
      index: -1,
      rgba: rgba instanceof Uint8ClampedArray ? rgba : new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length),
      alpha: hidden,
      box: null,
      fill: hidden,
      fillBox: null,
      fillBuffer: null,
      toAnchor: this.home(),
      segment: this.segment,
      cellAll: new Uint8Array(cells),
      cellAny: new Uint8Array(cells),
    };
    const mf = this.options.camera === 'auto' ? motionFrame(frame.rgba, width, height, alpha || others ? hidden : null, this.options.motion) : null;
    if (!this.key) {
      this.newSegment(frame, mf);
    } else if (!this.placeOnKey(frame, mf)) {
      return false;
    }
    this.model.update(frame);
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
    this.stats = { personPixels: 0, fromWindow: 0, fromModel: 0, completed: 0, inpainted: 0 };
    if (slot.fillBox) fillPerson(slot, result, { options: this.options, slotOf: (index) => this.slotOf(index), last: this.last, model: this.model, stats: this.stats });
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
      ? { ...old, index, box: null, fillBox: null, toAnchor: identity3(), segment: this.segment }
      : {
          index,
          rgba: new Uint8ClampedArray(width * height * 4),
          alpha: new Uint8Array(width * height),
          box: null,
          fill: new Uint8Array(0),
          fillBox: null,
          fillBuffer: null,
          toAnchor: identity3(),
          segment: this.segment,
          cellAll: new Uint8Array(cells),
          cellAny: new Uint8Array(cells),
        };
    this.slots[k] = slot;
    return slot;
  }

  /**
   * The person's cast shadow in `slot` (shadow.ts), judged against the background model where the
   * slot sits on the canvas, joins its alpha: the plate replaces it and the model does not learn it.
   * Only the removed person casts it: other people's pixels (`others`) are never taken for it.
   */
  private addShadow(slot: Slot, options: ShadowOptions, others: Uint8Array | null): void {
    const { width, height } = this.options;
    const q = new Float64Array(2);
    const shadow = castShadow(slot.rgba, slot.fill, width, height, slot.fillBox!, (x, y, dst) => {
      apply3(slot.toAnchor, x, y, q);
      return this.model.sample(q[0]!, q[1]!, dst);
    }, options);
    if (!shadow) return;
    if (others) for (let p = 0; p < others.length; p++) if (others[p]) shadow.alpha[p] = 0;
    if (slot.fill !== slot.alpha) {
      maxInto(slot.fill, shadow.alpha, width, shadow.box);
      slot.fillBox = unionBox(slot.fillBox, shadow.box);
    }
    maxInto(slot.alpha, shadow.alpha, width, shadow.box);
    slot.box = unionBox(slot.box, shadow.box);
    if (slot.fill === slot.alpha) slot.fillBox = slot.box;
    computeCells(slot, width, height);
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
    this.model.clear();
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
    const home = this.home();
    // New canvas pixels → old canvas pixels.
    const m = multiply3(slot.toAnchor, invert3(home));
    this.model.warp(m);
    const back = invert3(m);
    for (const s of this.slots) if (s && s.segment === slot.segment && s !== slot) s.toAnchor = multiply3(back, s.toAnchor);
    if (this.key) this.key.toAnchor = this.key.index === slot.index ? home : multiply3(back, this.key.toAnchor);
    slot.toAnchor = home;
  }
}

/**
 * Joins the other people's pixels into the frame's alpha (`alpha`, in place: nothing there is
 * background) and writes what the plate replaces into `fill`: the person's alpha where no one else
 * is, fading out as another person's alpha rises (0-255 each).
 */
function keepOthers(alpha: Uint8Array, others: Uint8Array, fill: Uint8Array): void {
  for (let p = 0; p < alpha.length; p++) {
    const a = alpha[p]!;
    const o = others[p]!;
    fill[p] = o === 0 ? a : Math.round((a * (255 - o)) / 255);
    if (o > a) alpha[p] = o;
  }
}
