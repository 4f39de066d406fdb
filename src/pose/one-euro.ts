/**
 * One Euro filter (Casiez, Roussel, Vogel, CHI 2012): a low-pass filter whose cutoff rises with
 * the signal's speed, so slow jitter is smoothed hard while fast motion passes with little lag.
 *
 * Timestamps are in seconds and must increase; when time stands still or runs backwards the
 * filter restarts from the new value (a seek is not motion).
 */

export interface OneEuroParams {
  /** Cutoff frequency at zero speed, in Hz. Lower = smoother when still. */
  minCutoff: number;
  /** How fast the cutoff rises with speed, in Hz per (value unit per second × value scale). */
  beta: number;
  /** Cutoff used to smooth the speed estimate itself, in Hz. */
  dCutoff: number;
}

/**
 * Defaults for keypoints whose speed is measured in body sizes per second (value scale
 * = 1 / body size, see `KeypointSmoother.smooth`); MediaPipe's pose smoothing uses the same values.
 */
export const DEFAULT_ONE_EURO: Readonly<OneEuroParams> = { minCutoff: 0.05, beta: 80, dCutoff: 1 };

function checkParams(p: OneEuroParams): OneEuroParams {
  if (!(p.minCutoff > 0)) throw new RangeError(`minCutoff must be a positive frequency in Hz; got ${p.minCutoff}.`);
  if (!(p.beta >= 0)) throw new RangeError(`beta must be >= 0; got ${p.beta}.`);
  if (!(p.dCutoff > 0)) throw new RangeError(`dCutoff must be a positive frequency in Hz; got ${p.dCutoff}.`);
  return p;
}

/** Exponential smoothing factor for a first-order low-pass with `cutoff` Hz over `dt` seconds. */
export function smoothingAlpha(cutoff: number, dt: number): number {
  const tau = 1 / (2 * Math.PI * cutoff);
  return 1 / (1 + tau / dt);
}

/** One Euro filter of a single scalar signal. */
export class OneEuroFilter {
  readonly params: OneEuroParams;
  private lastT = NaN;
  private lastRaw = 0;
  private lastOut = 0;
  private lastSpeed = 0;

  constructor(params: Partial<OneEuroParams> = {}) {
    this.params = checkParams({ ...DEFAULT_ONE_EURO, ...params });
  }

  /**
   * Filters `value` observed at `timestampS` (seconds). `valueScale` multiplies the speed before
   * it drives the cutoff, so `beta` can be expressed in normalised units (e.g. 1 / body size).
   */
  filter(value: number, timestampS: number, valueScale = 1): number {
    const dt = timestampS - this.lastT;
    if (!(dt > 0)) {
      // First sample, or time did not advance: restart here.
      this.lastT = timestampS;
      this.lastRaw = this.lastOut = value;
      this.lastSpeed = 0;
      return value;
    }
    const { minCutoff, beta, dCutoff } = this.params;
    const speed = ((value - this.lastRaw) * valueScale) / dt;
    const aD = smoothingAlpha(dCutoff, dt);
    this.lastSpeed += aD * (speed - this.lastSpeed);
    const a = smoothingAlpha(minCutoff + beta * Math.abs(this.lastSpeed), dt);
    this.lastOut += a * (value - this.lastOut);
    this.lastRaw = value;
    this.lastT = timestampS;
    return this.lastOut;
  }

  reset(): void {
    this.lastT = NaN;
  }
}

export interface KeypointSmootherOptions {
  /** Number of points. */
  count: number;
  /** Values per point in the arrays passed to `smooth` (e.g. 4 for x, y, z, visibility). */
  stride: number;
  /** How many leading values of each point are filtered (e.g. 3 for x, y, z); the rest pass through. */
  components: number;
  params?: Partial<OneEuroParams>;
}

/**
 * One Euro filters for every coordinate of a keypoint array, sharing one clock. Same maths as
 * `OneEuroFilter`, stored in typed arrays.
 */
export class KeypointSmoother {
  readonly params: OneEuroParams;
  readonly count: number;
  readonly stride: number;
  readonly components: number;
  private lastT = NaN;
  private readonly raw: Float64Array;
  private readonly out: Float64Array;
  private readonly speed: Float64Array;

  constructor(options: KeypointSmootherOptions) {
    const { count, stride, components } = options;
    if (!(Number.isInteger(count) && count > 0)) throw new RangeError(`count must be a positive integer; got ${count}.`);
    if (!(Number.isInteger(stride) && stride > 0)) throw new RangeError(`stride must be a positive integer; got ${stride}.`);
    if (!(Number.isInteger(components) && components > 0 && components <= stride)) {
      throw new RangeError(`components must be an integer in [1, stride = ${stride}]; got ${components}.`);
    }
    this.params = checkParams({ ...DEFAULT_ONE_EURO, ...options.params });
    this.count = count;
    this.stride = stride;
    this.components = components;
    const n = count * components;
    this.raw = new Float64Array(n);
    this.out = new Float64Array(n);
    this.speed = new Float64Array(n);
  }

  /**
   * Returns the smoothed copy of `values` (count x stride) at `timestampS` seconds; values beyond
   * `components` in each point are copied unchanged. `valueScale` as in `OneEuroFilter.filter`.
   */
  smooth(values: Float32Array, timestampS: number, valueScale = 1, result = new Float32Array(this.count * this.stride)): Float32Array {
    const { count, stride, components } = this;
    if (values.length < count * stride) throw new RangeError(`values must hold ${count} x ${stride} numbers; got ${values.length}.`);
    result.set(values.subarray(0, count * stride));
    const dt = timestampS - this.lastT;
    this.lastT = timestampS;
    if (!(dt > 0)) {
      for (let p = 0; p < count; p++) {
        for (let c = 0; c < components; c++) {
          const k = p * components + c;
          this.raw[k] = this.out[k] = values[p * stride + c]!;
          this.speed[k] = 0;
        }
      }
      return result;
    }
    const { minCutoff, beta, dCutoff } = this.params;
    const aD = smoothingAlpha(dCutoff, dt);
    for (let p = 0; p < count; p++) {
      for (let c = 0; c < components; c++) {
        const k = p * components + c;
        const v = values[p * stride + c]!;
        this.speed[k]! += aD * (((v - this.raw[k]!) * valueScale) / dt - this.speed[k]!);
        const a = smoothingAlpha(minCutoff + beta * Math.abs(this.speed[k]!), dt);
        this.out[k]! += a * (v - this.out[k]!);
        this.raw[k] = v;
        result[p * stride + c] = this.out[k]!;
      }
    }
    return result;
  }

  /** Forget the history: the next call passes its values through. */
  reset(): void {
    this.lastT = NaN;
  }
}
