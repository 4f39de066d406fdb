/**
 * Refine mode (video-to-video from a render, e.g. the builtin engine's): diffusers' img2img
 * semantics. With n steps and strength s ∈ [0, 1], the run skips the first n − floor(n·s) steps
 * (`get_timesteps`: init_timestep = min(floor(n·s), n), t_start = max(n − init_timestep, 0)),
 * noises the VAE latents of the render (× latentScaling) to the sigma of step t_start
 * (`add_noise`: x = x0 + σ·ε for the Euler sampler) and denoises from there. Strength 1 starts
 * from pure noise at σ_max (the render is then only in the noise's mean); strength 0 runs no step
 * and returns decode(encode(render)).
 */
import type { EulerDiscreteSampler } from './samplers/euler-discrete';

/** Where a refine run starts. */
export interface RefineStart {
  /** Index of the first step run (0 … steps). */
  startStep: number;
  /** Steps actually run (steps − startStep). */
  stepsRun: number;
  /** σ the render's latents are noised to (0 when no step runs). */
  sigma: number;
  /** The UNet timestep of the first step run (0.25·ln σ for SVD), or null when none runs. */
  timestep: number | null;
}

/** The start of a refine run of `sampler` (after `setTimesteps`) at `strength`. */
export function refineStart(sampler: EulerDiscreteSampler, strength: number): RefineStart {
  const startStep = sampler.startIndexForStrength(strength);
  const steps = sampler.numInferenceSteps;
  return {
    startStep,
    stepsRun: steps - startStep,
    sigma: sampler.sigmas[startStep]!,
    timestep: startStep < steps ? sampler.timesteps[startStep]! : null,
  };
}
