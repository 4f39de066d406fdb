/** Refine mode's start step and noise level (diffusers img2img arithmetic) on the SVD sampler. */
import { describe, expect, it } from 'vitest';
import { refineStart } from './refine';
import { EulerDiscreteSampler } from './samplers/euler-discrete';

describe('refineStart', () => {
  const s = new EulerDiscreteSampler().setTimesteps(25);

  it('skips the first (1 − strength) share of the steps, rounding the steps run down', () => {
    // init_timestep = floor(25·s); t_start = 25 − init_timestep.
    expect(refineStart(s, 1)).toMatchObject({ startStep: 0, stepsRun: 25 });
    expect(refineStart(s, 0.6)).toMatchObject({ startStep: 10, stepsRun: 15 });
    expect(refineStart(s, 0.5)).toMatchObject({ startStep: 13, stepsRun: 12 }); // floor(12.5) = 12
    expect(refineStart(s, 0.03)).toMatchObject({ startStep: 25, stepsRun: 0 }); // floor(0.75) = 0
    expect(refineStart(s, 0.04)).toMatchObject({ startStep: 24, stepsRun: 1 });
    expect(refineStart(s, 0)).toMatchObject({ startStep: 25, stepsRun: 0, sigma: 0, timestep: null });
    expect(() => refineStart(s, 1.2)).toThrow(/strength must be in \[0, 1\]/);
  });

  it('noises to the Karras sigma of the start step; the UNet gets 0.25·ln σ', () => {
    // Karras: σ_i = (σmax^(1/7) + i/24 · (σmin^(1/7) − σmax^(1/7)))^7 with σmin 0.002, σmax 700.
    const karras = (i: number) => (700 ** (1 / 7) + (i / 24) * (0.002 ** (1 / 7) - 700 ** (1 / 7))) ** 7;
    const r = refineStart(s, 0.6);
    expect(r.sigma).toBeCloseTo(karras(10), 3);
    expect(r.sigma).toBeCloseTo(34.5367, 3);
    expect(r.timestep!).toBeCloseTo(0.25 * Math.log(r.sigma), 6);
    expect(refineStart(s, 1).sigma).toBeCloseTo(700, 2);
    // With 4 steps (the e2e's proxy pack) strength 0.5 runs the last 2: σ_2 of the 4-step schedule.
    const four = new EulerDiscreteSampler().setTimesteps(4);
    const k4 = (i: number) => (700 ** (1 / 7) + (i / 3) * (0.002 ** (1 / 7) - 700 ** (1 / 7))) ** 7;
    expect(refineStart(four, 0.5)).toMatchObject({ startStep: 2, stepsRun: 2 });
    expect(refineStart(four, 0.5).sigma).toBeCloseTo(k4(2), 4);
  });
});
