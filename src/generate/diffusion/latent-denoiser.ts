/**
 * The contract of a device-resident denoising loop (stage 4 of the pipeline) whose latents never
 * leave the device between steps. The pipeline drives it chunk by chunk and step by step; the
 * implementation owns the latents, the fused model output, the UNet and PoseNet calls and the
 * sampler update. `WebGpuDenoiser` implements it on onnxruntime-web's WebGPU device; without one
 * the pipeline runs the same loop over Float32Arrays on the CPU.
 */
import type { TensorData } from '../../pose';
import type { FusionPlan } from './fusion';

/** The shape of one run: what the denoiser uploads once in `begin`. */
export interface DenoiseLayout {
  /** Latent frames (output frames, plus the anchor in 'repository' fusion). */
  slots: number;
  /** Latent size, h×w = H/8×W/8. */
  h: number;
  w: number;
  plan: FusionPlan;
  /** Guidance scale per slot. */
  scales: Float32Array;
  /** Whether the unconditional pass runs (any scale > 1). */
  cfg: boolean;
  /** Reference latent of every slot, [slots, 4, h, w]. */
  slotReference: Float32Array;
  /** Initial latents, [slots, 4, h, w]. */
  latents: Float32Array;
  /** Keep every chunk's PoseNet latents on the device across steps. */
  cachePose: boolean;
}

/** The small per-call conditioning the UNet also needs. */
export interface UnetConditioning {
  timestep: TensorData;
  /** CLIP embedding [1, 1, 1024] of the conditional pass. */
  embed: TensorData;
  addedTimeIds: TensorData;
}

/** Counters a denoiser keeps (tests and the benchmark read them). */
export interface DenoiserCounters {
  /** Device → CPU copies the denoiser itself made (the final latents: one per run). */
  readbacks: number;
  unetCalls: number;
  poseNetCalls: number;
}

/** A denoising loop whose latents stay on a device. */
export interface LatentDenoiser {
  readonly counters: DenoiserCounters;
  /** Allocates and uploads the run's buffers. */
  begin(layout: DenoiseLayout): Promise<void>;
  /** Whether chunk `c` has PoseNet latents on the device already. */
  hasPose(c: number): boolean;
  /** Runs PoseNet on the chunk's pose maps [F, 3, H, W] and keeps the result on the device. */
  pose(c: number, maps: TensorData): Promise<void>;
  /**
   * One chunk of one step: builds the UNet sample from the latents (× `cIn`) and the reference
   * latents, runs the conditional (and unconditional) UNet call, combines them with the guidance
   * scales and adds the chunk's fusion-weighted share into the fused output. Returns the UNet calls made.
   */
  chunk(c: number, cIn: number, cond: UnetConditioning): Promise<number>;
  /** The sampler step for all slots: latents = a·latents + b·fused; clears fused. */
  step(a: number, b: number): void;
  /** Waits until the device has finished the submitted work (no copy). */
  finish(): Promise<void>;
  /** Copies the latents [slots, 4, h, w] back (one readback). */
  readLatents(): Promise<Float32Array>;
  /** Frees the run's buffers. */
  end(): void;
}
