import { describe, expect, it } from 'vitest';
import { EulerDiscreteSampler, SVD_EULER_CONFIG, eulerConfigFrom } from './euler-discrete';

/** Karras sigmas written out directly (EDM eq. 5), independent of the sampler's code. */
function karras(i: number, n: number, min = 0.002, max = 700, rho = 7): number {
  return (max ** (1 / rho) + (i / (n - 1)) * (min ** (1 / rho) - max ** (1 / rho))) ** rho;
}

describe('EulerDiscreteSampler (SVD config)', () => {
  const s = new EulerDiscreteSampler().setTimesteps(25);

  it('sigma table for 25 steps matches the Karras formula, then 0', () => {
    expect(s.sigmas.length).toBe(26);
    for (let i = 0; i < 25; i++) expect(s.sigmas[i]).toBeCloseTo(Math.fround(karras(i, 25)), 5);
    expect(s.sigmas[25]).toBe(0);
    // Golden values (numpy float32, as diffusers computes them).
    expect(s.sigmas[0]).toBe(700);
    expect(s.sigmas[1]).toBe(Math.fround(545.729248046875));
    expect(s.sigmas[2]).toBe(Math.fround(421.5691223144531));
    expect(s.sigmas[12]).toBe(Math.fround(15.589967727661133));
    expect(s.sigmas[23]).toBeCloseTo(0.007882495410740376, 9);
    expect(s.sigmas[24]).toBe(Math.fround(0.002));
  });

  it('timesteps are 0.25·ln σ', () => {
    expect(s.timesteps.length).toBe(25);
    for (let i = 0; i < 25; i++) expect(s.timesteps[i]).toBeCloseTo(0.25 * Math.log(karras(i, 25)), 5);
    expect(s.timesteps[0]).toBeCloseTo(1.6377700567245483, 6);
    expect(s.timesteps[1]).toBeCloseTo(1.575530767440796, 6);
    expect(s.timesteps[12]).toBeCloseTo(0.6866568922996521, 6);
    expect(s.timesteps[24]).toBeCloseTo(-1.553652048110962, 6);
  });

  it('init noise sigma is sqrt(σ_max² + 1) for leading spacing', () => {
    expect(s.initNoiseSigma).toBeCloseTo(Math.sqrt(700 * 700 + 1), 9);
    expect(s.initNoiseSigma).toBeCloseTo(700.0007142853499, 6);
  });

  it('scales the model input by 1/sqrt(σ²+1)', () => {
    const x = Float32Array.of(1, -2, 3);
    const y = s.scaleModelInput(x, 12);
    const k = 1 / Math.sqrt(s.sigmas[12]! ** 2 + 1);
    expect(Array.from(y)).toEqual(Array.from(x, (v) => Math.fround(v * k)));
  });

  it('recovers x0 from an exact v-prediction (c_skip, c_out)', () => {
    const x0 = Float32Array.of(0.3, -1.2, 0.05, 2);
    const eps = Float32Array.of(-0.7, 0.4, 1.3, -0.1);
    for (const i of [0, 5, 12, 20, 24]) {
      const sigma = s.sigmas[i]!;
      const x = x0.map((v, j) => v + sigma * eps[j]!);
      // v = α·ε - σ_vp·x0 with α = 1/sqrt(1+σ²), σ_vp = σ/sqrt(1+σ²)
      const v = x0.map((v0, j) => (eps[j]! - sigma * v0) / Math.sqrt(1 + sigma * sigma));
      const { predOriginal } = s.step(v, i, x);
      for (let j = 0; j < 4; j++) expect(predOriginal[j]).toBeCloseTo(x0[j]!, i < 3 ? 2 : 4);
    }
  });

  it('a full loop with a perfect denoiser lands on x0', () => {
    const x0 = Float32Array.of(0.5, -0.25, 1);
    const eps = Float32Array.of(1, -1, 0.5);
    let x: Float32Array = eps.map((e) => e * s.initNoiseSigma);
    for (let i = 0; i < 25; i++) {
      const sigma = s.sigmas[i]!;
      const e = x.map((v, j) => (v - x0[j]!) / sigma);
      const v = e.map((ej, j) => (ej - sigma * x0[j]!) / Math.sqrt(1 + sigma * sigma));
      x = s.step(v, i, x).prevSample;
    }
    for (let j = 0; j < 3; j++) expect(x[j]).toBeCloseTo(x0[j]!, 4);
  });

  it('a loop against a zero model gives the closed-form product', () => {
    // v ≡ 0 → x̂0 = x/(σ²+1), x' = x + (x - x̂0)/σ·(σ' - σ) = x·(1 + σ/(σ²+1)·(σ' - σ)).
    let x: Float32Array = Float32Array.of(1, -2);
    let expected = 1;
    for (let i = 0; i < 25; i++) {
      const sg = karras(i, 25);
      const next = i === 24 ? 0 : karras(i + 1, 25);
      expected *= 1 + (sg / (sg * sg + 1)) * (next - sg);
      x = s.step(new Float32Array(2), i, x).prevSample;
    }
    expect(x[0]! / expected).toBeCloseTo(1, 4);
    expect(x[1]! / (-2 * expected)).toBeCloseTo(1, 4);
    // Golden: the zero model shrinks the sample by this factor over the 25 steps.
    expect(expected).toBeGreaterThan(0);
    expect(x[0]).toBeCloseTo(expected, 6);
  });

  it('a loop against a dummy linear model gives known values', () => {
    // F(x_in) = 0.5·x_in: run in float64 by hand and compare.
    const sampler = EulerDiscreteSampler.fromConfig(SVD_EULER_CONFIG).setTimesteps(10);
    let x: Float32Array = Float32Array.of(0.8, -0.3);
    const ref = [0.8, -0.3];
    for (let i = 0; i < 10; i++) {
      const sg = sampler.sigmas[i]!;
      const next = sampler.sigmas[i + 1]!;
      const xin = sampler.scaleModelInput(x, i);
      const out = xin.map((v) => v * 0.5);
      x = sampler.step(out, i, x).prevSample;
      for (let j = 0; j < 2; j++) {
        const r = ref[j]!;
        const v = (0.5 * r) / Math.sqrt(sg * sg + 1);
        const x0 = v * (-sg / Math.sqrt(sg * sg + 1)) + r / (sg * sg + 1);
        ref[j] = r + ((r - x0) / sg) * (next - sg);
      }
    }
    expect(x[0]).toBeCloseTo(ref[0]!, 5);
    expect(x[1]).toBeCloseTo(ref[1]!, 5);
  });

  it('stepAffine gives the same update as step, for every prediction type', () => {
    for (const prediction_type of ['v_prediction', 'epsilon', 'sample']) {
      const e = EulerDiscreteSampler.fromConfig({ prediction_type }).setTimesteps(6);
      const x = Float32Array.of(0.7, -1.2, 30);
      const m = Float32Array.of(-0.3, 0.5, 2);
      for (let i = 0; i < 6; i++) {
        const { prevSample } = e.step(m, i, x);
        const { a, b } = e.stepAffine(i);
        for (let j = 0; j < x.length; j++) expect(a * x[j]! + b * m[j]!).toBeCloseTo(prevSample[j]!, 4);
      }
    }
    // v-prediction, last step to σ = 0: x_next = x̂0 = c_skip·x + c_out·m.
    const { a, b } = s.stepAffine(24);
    const sigma = s.sigmas[24]!;
    expect(a).toBeCloseTo(1 / (sigma * sigma + 1), 6);
    expect(b).toBeCloseTo(-sigma / Math.sqrt(sigma * sigma + 1), 6);
  });

  it('img2img: strength picks the start step and addNoise uses its sigma', () => {
    expect(s.startIndexForStrength(1)).toBe(0);
    expect(s.startIndexForStrength(0.6)).toBe(10);
    expect(s.startIndexForStrength(0)).toBe(25);
    const y = s.addNoise(Float32Array.of(1), Float32Array.of(2), 10);
    expect(y[0]).toBeCloseTo(1 + 2 * s.sigmas[10]!, 3);
    expect(s.addNoise(Float32Array.of(1), Float32Array.of(2), 25)[0]).toBe(1);
  });

  it('reads diffusers scheduler_config.json and round-trips its config', () => {
    const cfg = eulerConfigFrom({
      _class_name: 'EulerDiscreteScheduler',
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      beta_start: 0.00085,
      clip_sample: false,
      interpolation_type: 'linear',
      num_train_timesteps: 1000,
      prediction_type: 'v_prediction',
      sigma_max: 700.0,
      sigma_min: 0.002,
      steps_offset: 1,
      timestep_spacing: 'leading',
      timestep_type: 'continuous',
      trained_betas: null,
      use_karras_sigmas: true,
    });
    expect(cfg).toEqual(SVD_EULER_CONFIG);
    const twin = EulerDiscreteSampler.fromConfig(JSON.parse(JSON.stringify(s.config)) as Record<string, unknown>).setTimesteps(25);
    expect(Array.from(twin.sigmas)).toEqual(Array.from(s.sigmas));
    expect(() => eulerConfigFrom({ prediction_type: 'x' })).toThrow(/predictionType must be one of/);
  });

  it('discrete epsilon config: leading timesteps and interpolated sigmas', () => {
    const e = EulerDiscreteSampler.fromConfig({ prediction_type: 'epsilon', use_karras_sigmas: false, timestep_type: 'discrete' }).setTimesteps(10);
    expect(Array.from(e.timesteps)).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    expect(e.sigmas[0]).toBeCloseTo(e.trainSigmas[901]!, 5);
    expect(e.sigmas[10]).toBe(0);
    expect(e.initNoiseSigma).toBeCloseTo(Math.sqrt(e.sigmas[0]! ** 2 + 1), 5);
    // With Karras sigmas, timesteps come from sigmaToT, which inverts the training sigmas.
    expect(e.sigmaToT(e.trainSigmas[500]!)).toBeCloseTo(500, 3);
  });

  it('refuses a step outside the schedule', () => {
    expect(() => s.step(new Float32Array(1), 25, new Float32Array(1))).toThrow(/stepIndex/);
    expect(() => new EulerDiscreteSampler().scaleModelInput(new Float32Array(1), 0)).toThrow(/setTimesteps/);
  });
});
