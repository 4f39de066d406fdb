/**
 * Euler sampler with the semantics of diffusers' `EulerDiscreteScheduler`, as Stable Video
 * Diffusion and MimicMotion configure it (`SVD_EULER_CONFIG`): v-prediction, Karras sigmas
 * (sigma_min 0.002, sigma_max 700, rho 7), "leading" spacing, continuous timesteps
 * (the UNet's timestep is 0.25·ln σ) and EDM preconditioning:
 *
 *   c_in   = 1 / sqrt(σ² + 1)            (scaleModelInput)
 *   c_skip = 1 / (σ² + 1)
 *   c_out  = -σ / sqrt(σ² + 1)           (v-prediction: x̂0 = c_skip·x + c_out·F(c_in·x))
 *   x_next = x + (x - x̂0) / σ · (σ_next - σ)
 *
 * A small pure object: no model calls, no I/O, no hidden step counter (every call names its step
 * index). Built from a frozen JSON config; `EulerDiscreteSampler.fromConfig(s.config)` makes a
 * twin. Sigmas and timesteps are rounded to float32 like the PyTorch tensors diffusers keeps.
 * The stochastic "churn" options of diffusers' `step` (s_churn, default 0) are not supported:
 * with their defaults the step is deterministic, which is what SVD uses.
 */

/** How the training noise schedule's betas are spaced. */
export type BetaSchedule = 'linear' | 'scaled_linear';
/** What the model predicts. */
export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';
/** How inference timesteps are picked from the training range (diffusers' `timestep_spacing`). */
export type TimestepSpacing = 'linspace' | 'leading' | 'trailing';
/** 'continuous': the model gets 0.25·ln σ (only with v-prediction, as in diffusers); 'discrete': training timesteps. */
export type TimestepType = 'discrete' | 'continuous';

/** The sampler's configuration: diffusers' scheduler_config.json fields, camelCased. */
export interface EulerDiscreteConfig {
  readonly numTrainTimesteps: number;
  readonly betaStart: number;
  readonly betaEnd: number;
  readonly betaSchedule: BetaSchedule;
  readonly predictionType: PredictionType;
  readonly useKarrasSigmas: boolean;
  /** Karras range; null takes the ends of the training schedule. */
  readonly sigmaMin: number | null;
  readonly sigmaMax: number | null;
  /** Karras exponent (diffusers uses 7). */
  readonly rho: number;
  readonly timestepSpacing: TimestepSpacing;
  readonly stepsOffset: number;
  readonly timestepType: TimestepType;
  /** The sigma after the last step: 0 ('zero') or the training schedule's smallest ('sigma_min'). */
  readonly finalSigmasType: 'zero' | 'sigma_min';
}

/** The configuration shipped with stable-video-diffusion-img2vid-xt(-1-1), used by MimicMotion. */
export const SVD_EULER_CONFIG: EulerDiscreteConfig = Object.freeze({
  numTrainTimesteps: 1000,
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'scaled_linear',
  predictionType: 'v_prediction',
  useKarrasSigmas: true,
  sigmaMin: 0.002,
  sigmaMax: 700,
  rho: 7,
  timestepSpacing: 'leading',
  stepsOffset: 1,
  timestepType: 'continuous',
  finalSigmasType: 'zero',
});

/** Result of one sampler step; both arrays have the sample's length. */
export interface StepResult {
  /** x at the next sigma. */
  prevSample: Float32Array;
  /** The model's estimate of the clean sample x̂0 (for previews). */
  predOriginal: Float32Array;
}

const SNAKE: Record<string, keyof EulerDiscreteConfig> = {
  num_train_timesteps: 'numTrainTimesteps',
  beta_start: 'betaStart',
  beta_end: 'betaEnd',
  beta_schedule: 'betaSchedule',
  prediction_type: 'predictionType',
  use_karras_sigmas: 'useKarrasSigmas',
  sigma_min: 'sigmaMin',
  sigma_max: 'sigmaMax',
  rho: 'rho',
  timestep_spacing: 'timestepSpacing',
  steps_offset: 'stepsOffset',
  timestep_type: 'timestepType',
  final_sigmas_type: 'finalSigmasType',
};

const f32 = Math.fround;

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new RangeError(`sampler config ${key} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}.`);
}
function num(key: string, value: unknown, ok: (v: number) => boolean = Number.isFinite): number {
  if (typeof value === 'number' && ok(value)) return value;
  throw new RangeError(`sampler config ${key} must be a valid number; got ${JSON.stringify(value)}.`);
}

/**
 * Reads a config given in camelCase (this module's form) or snake_case (diffusers'
 * scheduler_config.json), starting from `SVD_EULER_CONFIG` for absent fields. Unknown keys
 * (`_class_name`, `clip_sample`, ...) are ignored. Throws RangeError on invalid values.
 */
export function eulerConfigFrom(json: Readonly<Record<string, unknown>>): EulerDiscreteConfig {
  const raw: Record<string, unknown> = { ...SVD_EULER_CONFIG };
  for (const [k, v] of Object.entries(json)) {
    const key = SNAKE[k] ?? (k in SVD_EULER_CONFIG ? (k as keyof EulerDiscreteConfig) : null);
    if (key) raw[key] = v;
  }
  if ('interpolation_type' in json && json.interpolation_type !== 'linear') {
    throw new RangeError(`sampler config interpolation_type must be "linear"; got ${JSON.stringify(json.interpolation_type)}.`);
  }
  if (json.trained_betas != null) throw new RangeError('sampler config trained_betas is not supported; use beta_start / beta_end.');
  const optional = (key: string, v: unknown) => (v === null ? null : num(key, v, (x) => x > 0));
  const config: EulerDiscreteConfig = {
    numTrainTimesteps: num('numTrainTimesteps', raw.numTrainTimesteps, (v) => Number.isInteger(v) && v >= 2),
    betaStart: num('betaStart', raw.betaStart, (v) => v > 0 && v < 1),
    betaEnd: num('betaEnd', raw.betaEnd, (v) => v > 0 && v < 1),
    betaSchedule: oneOf('betaSchedule', raw.betaSchedule, ['linear', 'scaled_linear'] as const),
    predictionType: oneOf('predictionType', raw.predictionType, ['epsilon', 'v_prediction', 'sample'] as const),
    useKarrasSigmas: Boolean(raw.useKarrasSigmas),
    sigmaMin: optional('sigmaMin', raw.sigmaMin),
    sigmaMax: optional('sigmaMax', raw.sigmaMax),
    rho: num('rho', raw.rho, (v) => v > 0),
    timestepSpacing: oneOf('timestepSpacing', raw.timestepSpacing, ['linspace', 'leading', 'trailing'] as const),
    stepsOffset: num('stepsOffset', raw.stepsOffset, (v) => Number.isInteger(v) && v >= 0),
    timestepType: oneOf('timestepType', raw.timestepType, ['discrete', 'continuous'] as const),
    finalSigmasType: oneOf('finalSigmasType', raw.finalSigmasType, ['zero', 'sigma_min'] as const),
  };
  return Object.freeze(config);
}

/** numpy.interp over xp = 0, 1, ..., fp.length-1 (clamped at the ends). */
function interpIndex(x: number, fp: Float64Array): number {
  if (x <= 0) return fp[0]!;
  const last = fp.length - 1;
  if (x >= last) return fp[last]!;
  const i = Math.floor(x);
  const w = x - i;
  return fp[i]! * (1 - w) + fp[i + 1]! * w;
}

/** An Euler sampler. Call `setTimesteps(n)` before `scaleModelInput` / `step`. */
export class EulerDiscreteSampler {
  readonly config: EulerDiscreteConfig;
  /** ᾱ_t of the training schedule, t = 0..numTrainTimesteps-1. */
  readonly alphasCumprod: Float64Array;
  /** Training sigmas sqrt((1-ᾱ)/ᾱ), ascending with t. */
  readonly trainSigmas: Float64Array;
  /** Sigmas of the inference steps, descending, then the final sigma (length steps+1), float32. */
  sigmas: Float32Array;
  /** The timestep given to the model at each step (length steps), float32. */
  timesteps: Float32Array;
  /** Number of inference steps set by `setTimesteps` (0 before). */
  numInferenceSteps = 0;

  constructor(config: EulerDiscreteConfig = SVD_EULER_CONFIG) {
    this.config = Object.isFrozen(config) ? config : Object.freeze({ ...config });
    const { numTrainTimesteps: n, betaStart, betaEnd, betaSchedule } = this.config;
    this.alphasCumprod = new Float64Array(n);
    this.trainSigmas = new Float64Array(n);
    let prod = 1;
    for (let i = 0; i < n; i++) {
      const r = n === 1 ? 0 : i / (n - 1);
      const beta =
        betaSchedule === 'scaled_linear'
          ? (Math.sqrt(betaStart) + r * (Math.sqrt(betaEnd) - Math.sqrt(betaStart))) ** 2
          : betaStart + r * (betaEnd - betaStart);
      prod = f32(prod * f32(1 - f32(beta)));
      this.alphasCumprod[i] = prod;
      this.trainSigmas[i] = f32(Math.sqrt((1 - prod) / prod));
    }
    // Before setTimesteps: the training schedule, descending, as diffusers' constructor leaves it.
    this.sigmas = new Float32Array(n + 1);
    this.timesteps = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const s = this.trainSigmas[n - 1 - i]!;
      this.sigmas[i] = s;
      this.timesteps[i] = this.continuous ? f32(Math.log(f32(s))) * 0.25 : n - 1 - i;
    }
  }

  /** A sampler with the same config (diffusers' `fromConfig`). Accepts camelCase or snake_case JSON. */
  static fromConfig(config: Readonly<Record<string, unknown>> | EulerDiscreteConfig): EulerDiscreteSampler {
    return new EulerDiscreteSampler(eulerConfigFrom(config as Readonly<Record<string, unknown>>));
  }

  private get continuous(): boolean {
    return this.config.timestepType === 'continuous' && this.config.predictionType === 'v_prediction';
  }

  /**
   * The initial noise scale: sqrt(σ_max² + 1) for "leading" spacing (σ_max: the largest current
   * sigma), σ_max for "linspace" and "trailing". Multiply unit Gaussian noise by it.
   */
  get initNoiseSigma(): number {
    let max = 0;
    for (const s of this.sigmas) if (s > max) max = s;
    return this.config.timestepSpacing === 'leading' ? Math.sqrt(max * max + 1) : max;
  }

  /** Sets the inference schedule of `steps` steps (fills `sigmas` and `timesteps`). */
  setTimesteps(steps: number): this {
    const c = this.config;
    const n = c.numTrainTimesteps;
    if (!Number.isInteger(steps) || steps < 1 || steps > n) {
      throw new RangeError(`steps must be an integer from 1 to ${n}; got ${steps}.`);
    }
    // 1. Training-time positions of the steps (descending).
    const ts = new Float64Array(steps);
    if (c.timestepSpacing === 'linspace') {
      for (let i = 0; i < steps; i++) ts[i] = steps === 1 ? n - 1 : ((n - 1) * (steps - 1 - i)) / (steps - 1);
    } else if (c.timestepSpacing === 'leading') {
      const ratio = Math.floor(n / steps);
      for (let i = 0; i < steps; i++) ts[i] = Math.round((steps - 1 - i) * ratio) + c.stepsOffset;
    } else {
      const ratio = n / steps;
      for (let i = 0; i < steps; i++) ts[i] = Math.round(n - i * ratio) - 1;
    }
    // 2. Their sigmas, by linear interpolation of the training sigmas.
    let sig = Float64Array.from(ts, (t) => interpIndex(t, this.trainSigmas));
    let steps_t = ts;
    if (c.useKarrasSigmas) {
      const sMin = c.sigmaMin ?? sig[sig.length - 1]!;
      const sMax = c.sigmaMax ?? sig[0]!;
      const minInv = sMin ** (1 / c.rho);
      const maxInv = sMax ** (1 / c.rho);
      sig = new Float64Array(steps);
      for (let i = 0; i < steps; i++) {
        const ramp = steps === 1 ? 0 : i / (steps - 1);
        sig[i] = (maxInv + ramp * (minInv - maxInv)) ** c.rho;
      }
      steps_t = Float64Array.from(sig, (s) => this.sigmaToT(s));
    }
    // 3. float32 tables; continuous timesteps are 0.25·ln σ of the float32 sigma.
    this.sigmas = new Float32Array(steps + 1);
    this.timesteps = new Float32Array(steps);
    for (let i = 0; i < steps; i++) {
      const s = f32(sig[i]!);
      this.sigmas[i] = s;
      this.timesteps[i] = this.continuous ? f32(Math.log(s)) * 0.25 : steps_t[i]!;
    }
    this.sigmas[steps] = c.finalSigmasType === 'zero' ? 0 : this.trainSigmas[0]!;
    this.numInferenceSteps = steps;
    return this;
  }

  /** Fractional training timestep of `sigma` (diffusers' `_sigma_to_t`, interpolating log sigma). */
  sigmaToT(sigma: number): number {
    const logS = Math.log(Math.max(sigma, 1e-10));
    const ls = this.trainSigmas;
    const last = ls.length - 1;
    let low = 0;
    for (let i = 0; i <= last; i++) if (logS - Math.log(ls[i]!) >= 0) low = i;
    low = Math.min(low, last - 1);
    const lo = Math.log(ls[low]!);
    const hi = Math.log(ls[low + 1]!);
    const w = Math.min(1, Math.max(0, (lo - logS) / (lo - hi)));
    return (1 - w) * low + w * (low + 1);
  }

  private checkIndex(stepIndex: number): number {
    if (this.numInferenceSteps === 0) throw new Error('Call setTimesteps(steps) before using the sampler.');
    if (!Number.isInteger(stepIndex) || stepIndex < 0 || stepIndex >= this.numInferenceSteps) {
      throw new RangeError(`stepIndex must be an integer from 0 to ${this.numInferenceSteps - 1}; got ${stepIndex}.`);
    }
    return this.sigmas[stepIndex]!;
  }

  /** c_in = 1 / sqrt(σ² + 1) at step `stepIndex`. */
  inputScale(stepIndex: number): number {
    const sigma = this.checkIndex(stepIndex);
    return 1 / Math.sqrt(sigma * sigma + 1);
  }

  /** c_in·x = x / sqrt(σ² + 1) at step `stepIndex`; writes into `out` (may be `x`) or a new array. */
  scaleModelInput(x: Float32Array, stepIndex: number, out: Float32Array = new Float32Array(x.length)): Float32Array {
    const k = this.inputScale(stepIndex);
    for (let i = 0; i < x.length; i++) out[i] = x[i]! * k;
    return out;
  }

  /**
   * One Euler step from `sigmas[stepIndex]` to `sigmas[stepIndex + 1]`.
   * `modelOutput`: the model's prediction for `sample` (after CFG), same length as `sample`.
   * Writes into `out` when given (may alias `sample`).
   */
  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array, out?: { prevSample?: Float32Array; predOriginal?: Float32Array }): StepResult {
    const sigma = this.checkIndex(stepIndex);
    if (modelOutput.length !== sample.length) {
      throw new RangeError(`modelOutput has ${modelOutput.length} values but sample has ${sample.length}.`);
    }
    const next = this.sigmas[stepIndex + 1]!;
    const predOriginal = out?.predOriginal ?? new Float32Array(sample.length);
    const prevSample = out?.prevSample ?? new Float32Array(sample.length);
    const dt = next - sigma;
    const type = this.config.predictionType;
    const cOut = -sigma / Math.sqrt(sigma * sigma + 1);
    const cSkip = 1 / (sigma * sigma + 1);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i]!;
      const m = modelOutput[i]!;
      const x0 = type === 'v_prediction' ? m * cOut + x * cSkip : type === 'epsilon' ? x - sigma * m : m;
      predOriginal[i] = x0;
      const derivative = (x - x0) / sigma;
      prevSample[i] = x + derivative * dt;
    }
    return { prevSample, predOriginal };
  }

  /**
   * The step as an affine map: x_next = a·x + b·m for model output m. The Euler step is
   * elementwise and linear in x and m, so a GPU kernel can apply it from these two numbers
   * (`step` computes the same values with x̂0 spelled out).
   */
  stepAffine(stepIndex: number): { a: number; b: number } {
    const sigma = this.checkIndex(stepIndex);
    const dt = this.sigmas[stepIndex + 1]! - sigma;
    // x̂0 = p·m + q·x per prediction type; x_next = x + (x - x̂0)·dt/σ.
    const type = this.config.predictionType;
    const [p, q] =
      type === 'v_prediction' ? [-sigma / Math.sqrt(sigma * sigma + 1), 1 / (sigma * sigma + 1)] : type === 'epsilon' ? [-sigma, 1] : [1, 0];
    const k = dt / sigma;
    return { a: 1 + (1 - q) * k, b: -p * k };
  }

  /** x0 + σ·noise at step `stepIndex` (diffusers' `add_noise`): noises clean latents for img2img. */
  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number, out: Float32Array = new Float32Array(original.length)): Float32Array {
    const sigma = stepIndex === this.numInferenceSteps ? this.sigmas[stepIndex]! : this.checkIndex(stepIndex);
    for (let i = 0; i < original.length; i++) out[i] = original[i]! + noise[i]! * sigma;
    return out;
  }

  /**
   * The first step an img2img run takes for `strength` ∈ [0, 1] (diffusers' `get_timesteps`):
   * steps - min(floor(steps·strength), steps). 1 starts from pure noise; 0 returns `steps` (no step).
   */
  startIndexForStrength(strength: number): number {
    if (!(strength >= 0 && strength <= 1)) throw new RangeError(`strength must be in [0, 1]; got ${strength}.`);
    const steps = this.numInferenceSteps;
    if (steps === 0) throw new Error('Call setTimesteps(steps) before startIndexForStrength.');
    const init = Math.min(Math.floor(steps * strength), steps);
    return Math.max(steps - init, 0);
  }
}
