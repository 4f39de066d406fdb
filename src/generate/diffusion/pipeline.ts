/**
 * The MimicMotion pipeline: pose-guided latent video diffusion (Stable Video Diffusion UNet +
 * PoseNet) over any number of frames, as a thin composition of named parts. Each model part is a
 * `ModelRunner` (float32 data + dims in, float32 out; the worker backs them with onnxruntime-web
 * sessions, tests with wasm sessions of a proxy pack); the sampler is a pure object.
 *
 * `run()` reads as numbered stages:
 *  (1) reference: CLIP image embedding (224×224 anti-aliased, CLIP mean/std) and VAE latent
 *      (mode, unscaled) of the reference frame(s). Video-to-video ('per-frame'): every output
 *      frame carries the latent of the reference frame at its own time and every chunk the CLIP
 *      embedding of the reference frame at its middle; 'first' conditions everything on frame 0.
 *  (2) pose: pose maps ([-1, 1]) → PoseNet latents [F, 320, h, w] per chunk (cached across steps
 *      when they fit `poseLatentCacheBytes`, else recomputed every step as the repository does).
 *  (3) noise: seeded Gaussian latents × the sampler's init sigma; 'tile' repeats one chunk's noise
 *      along time (MimicMotion). Refine mode starts from given frames: VAE latents × latentScaling
 *      noised to the sigma of the step that `strength` selects, and denoises from there.
 *  (4) denoising: for every step and chunk, a conditional and an unconditional UNet call (separate
 *      batch-1 calls; unconditional = zero CLIP embedding, zero reference latent, zero pose
 *      latents), CFG per frame, progressive latent fusion of the chunks, one sampler step.
 *  (5) decode: latents / latentScaling → VAE decoder in chunks (with `num_frames`) → RGB in [0, 1].
 *
 * Latents are float32 arrays in frame-major layout [slots, 4, h, w]. In 'repository' fusion slot
 * 0 is the reference anchor (the reference frame with its own pose, in every window, dropped
 * before decoding) and output frame i is slot i+1; in 'paper' fusion output frame i is slot i.
 */
import type { ModelRunner, RgbaImage, TensorData } from '../../pose';
import { combineGuidance, guidanceScales, needsUnconditional, type GuidanceSetting } from './cfg';
import { ModelOutputError } from './errors';
import { accumulateSegment, gatherSegment, planChunks, type FusionMode, type FusionPlan, type FusionSegment } from './fusion';
import type { PackManifest } from './pack';
import { clipPixelValues, decodedToUnit, rgbaToChw } from './preprocess';
import { fillGaussian } from './random';
import { refineStart } from './refine';
import type { LatentDenoiser } from './latent-denoiser';
import type { EulerDiscreteSampler } from './samplers/euler-discrete';

/** The models and the sampler the pipeline composes. */
export interface MimicMotionParts {
  /** pixel_values [1,3,224,224] → image_embeds [1,1024]. */
  imageEncoder: ModelRunner;
  /** image [1,3,H,W] in [-1,1] → latent [1,4,h,w] (mode, unscaled). */
  vaeEncoder: ModelRunner;
  /** pose_maps [F,3,H,W] in [-1,1] → pose_latents [F,320,h,w]. */
  poseNet: ModelRunner;
  /** sample [1,F,8,h,w], timestep [1], encoder_hidden_states [1,1,1024], added_time_ids [1,3], pose_latents [F,320,h,w] → out_sample [1,F,4,h,w] (v). */
  unet: ModelRunner;
  /** latents [F,4,h,w] (already / latentScaling), num_frames [1] → frames [F,3,H,W] in [-1,1]. */
  vaeDecoder: ModelRunner;
  /** A sampler built from the pack's config; `run` calls `setTimesteps(settings.steps)`. */
  sampler: EulerDiscreteSampler;
  /**
   * Optional: the denoising loop on a device (WebGPU), latents kept there between steps. It runs
   * the UNet and PoseNet itself; `unet` and `poseNet` above then serve nothing in stage 4.
   */
  denoiser?: LatentDenoiser;
}

type MaybePromise<T> = T | Promise<T>;

/** What to generate. Images are RGBA at width×height. */
export interface MimicMotionInputs {
  /** Output frames, ≥ 1. */
  frameCount: number;
  /** Output size, in pixels; multiples of 8 (of 64 for the real UNet). */
  width: number;
  height: number;
  /** The reference frame for output frame `index` (video-to-video: the reference at that time). */
  referenceFrame(index: number): MaybePromise<RgbaImage>;
  /** Identifies the frame `referenceFrame(index)` returns; equal keys share encodings. Default: the index. */
  referenceKey?(index: number): number;
  /** Pose map of output frame `index` (confidence-aware OpenPose drawing in MimicMotion's colours). */
  poseMap(index: number): MaybePromise<RgbaImage>;
  /** Pose map of the reference frame itself: the anchor of 'repository' fusion. Default: `poseMap(0)`. */
  referencePoseMap?(): MaybePromise<RgbaImage>;
  /** Refine mode: the initial frame for output frame `index` (e.g. the builtin engine's render). */
  initFrame?(index: number): MaybePromise<RgbaImage>;
}

/** How the pipeline samples. `settingsFromPack` fills them from pack.json. */
export interface MimicMotionSettings {
  steps: number;
  guidance: GuidanceSetting;
  /** Frame-rate conditioning, frames per second; the UNet receives fps - 1. */
  fps: number;
  motionBucketId: number;
  /** Noise added to the reference image before VAE encoding; also the third added_time_id. */
  noiseAugStrength: number;
  /** Frames per UNet call (N or T, including the anchor in 'repository' fusion). */
  tileSize: number;
  tileOverlap: number;
  fusion: FusionMode;
  /** Frames per VAE decoder call. */
  decodeChunk: number;
  latentScaling: number;
  /** Noise seed, a non-negative integer. */
  seed: number;
  /** 'tile': one chunk's noise repeated along time (MimicMotion); 'frame': independent noise per frame. */
  noise: 'tile' | 'frame';
  /** 'per-frame': video-to-video conditioning; 'first': everything on the reference's first frame. */
  reference: 'per-frame' | 'first';
  /** Refine strength in [0, 1] (1 = start from pure noise); used when `initFrame` is given. */
  strength: number;
  /** Keep PoseNet latents across steps when they need at most this many bytes. */
  poseLatentCacheBytes: number;
}

/** Pipeline settings from a pack's sampling defaults, with `overrides` on top. */
export function settingsFromPack(manifest: PackManifest, overrides: Partial<MimicMotionSettings> = {}): MimicMotionSettings {
  const s = manifest.sampling;
  return {
    steps: s.steps,
    guidance: s.guidance,
    fps: s.fps,
    motionBucketId: s.motionBucketId,
    noiseAugStrength: s.noiseAugStrength,
    tileSize: s.tileSize,
    tileOverlap: s.tileOverlap,
    fusion: s.fusion,
    decodeChunk: s.decodeChunk,
    latentScaling: manifest.latentScaling,
    seed: 0,
    noise: 'tile',
    reference: 'per-frame',
    strength: 0.6,
    poseLatentCacheBytes: 512 << 20,
    ...overrides,
  };
}

/** Passed to `onStepEnd`. Arrays are the pipeline's own: read them, do not keep or change them. */
export interface StepEndState {
  steps: number;
  chunks: number;
  /** σ and model timestep of this step. */
  sigma: number;
  timestep: number;
  /** Slots of this chunk (see the module comment). */
  frames: readonly number[];
  /**
   * Current latents [slots, 4, h, w]: before the step's update for all but the last chunk, after
   * it for the last. Null when they live on the device (`MimicMotionParts.denoiser`).
   */
  latents: Float32Array | null;
  /** x̂0 of the step [slots, 4, h, w] (for previews); only for the last chunk on the CPU loop, else null. */
  predOriginal: Float32Array | null;
}

/** Coarse progress outside the denoising loop. */
export type PipelineProgress =
  | { stage: 'reference'; done: number; total: number }
  | { stage: 'init'; done: number; total: number }
  | { stage: 'decode'; done: number; total: number };

/** Callbacks and cancellation of one run. */
export interface PipelineRunOptions {
  /** Aborting throws the signal's reason (an AbortError) before the next model call. */
  signal?: AbortSignal;
  /** After every chunk of every step (`step` from the start step, `chunk` 0-based). Awaited: may pace or preview. */
  onStepEnd?(step: number, chunk: number, state: StepEndState): MaybePromise<void>;
  /** Each decoded output frame, in order: RGB CHW [3, H, W] in [0, 1]. The array is the receiver's. */
  onFrame(index: number, rgb: Float32Array): MaybePromise<void>;
  onProgress?(progress: PipelineProgress): void;
}

/** Counters of a finished run; times in milliseconds. */
export interface PipelineStats {
  unetCalls: number;
  unetMs: number;
  poseNetCalls: number;
  vaeEncoderCalls: number;
  imageEncoderCalls: number;
  decoderCalls: number;
  /** First denoising step run (0, or later in refine mode). */
  startStep: number;
  chunks: number;
  /** Where the denoising loop kept the latents. */
  denoiseOn: 'cpu' | 'device';
  /** Wall time of stage 4 (every UNet call, CFG, fusion, sampler steps), device work finished. */
  denoiseMs: number;
  totalMs: number;
}

const LATENT_CHANNELS = 4;
const POSE_CHANNELS = 320;
const EMBED = 1024;

function output(result: Record<string, Float32Array>, name: string, length: number, part: string): Float32Array {
  const data = result[name];
  if (!data) throw new ModelOutputError(`The ${part} returned no "${name}".`);
  if (data.length !== length) throw new ModelOutputError(`The ${part} returned ${data.length} values for "${name}"; expected ${length}.`);
  return data;
}

/** The MimicMotion pipeline over named parts. */
export class MimicMotionPipeline {
  constructor(readonly parts: MimicMotionParts) {}

  /** Generates `inputs.frameCount` frames; see the module comment for the stages. */
  async run(inputs: MimicMotionInputs, settings: MimicMotionSettings, options: PipelineRunOptions): Promise<PipelineStats> {
    const t0 = performance.now();
    const job = new Run(this.parts, inputs, settings, options);
    await job.encodeReference(); // (1)
    job.planPose(); // (2) pose latents are made per chunk, inside the loop
    await job.initLatents(); // (3)
    await job.denoise(); // (4)
    await job.decode(); // (5)
    return { ...job.stats, totalMs: performance.now() - t0 };
  }
}

/** The state of one run, one method per stage. */
class Run {
  readonly stats: Omit<PipelineStats, 'totalMs'> = {
    unetCalls: 0,
    unetMs: 0,
    poseNetCalls: 0,
    vaeEncoderCalls: 0,
    imageEncoderCalls: 0,
    decoderCalls: 0,
    startStep: 0,
    chunks: 0,
    denoiseOn: 'cpu',
    denoiseMs: 0,
  };
  private readonly W: number;
  private readonly H: number;
  private readonly w: number;
  private readonly h: number;
  /** Values per latent frame (4·h·w). */
  private readonly frameSize: number;
  private readonly anchor: boolean;
  /** Slots: output frames plus the anchor in 'repository' fusion. */
  private readonly slots: number;
  private readonly plan: FusionPlan;
  /** Reference key of each slot. */
  private readonly slotKey: number[];
  private readonly refLatents = new Map<number, Float32Array>();
  private readonly refEmbeds = new Map<number, Float32Array>();
  private poseCache: Array<Float32Array | null> = [];
  private anchorPose: RgbaImage | null = null;
  private cachePose = false;
  private latents: Float32Array = new Float32Array(0);

  constructor(
    private readonly parts: MimicMotionParts,
    private readonly inputs: MimicMotionInputs,
    private readonly s: MimicMotionSettings,
    private readonly o: PipelineRunOptions,
  ) {
    const { frameCount, width, height } = inputs;
    if (!Number.isInteger(frameCount) || frameCount < 1) throw new RangeError(`frameCount must be a positive integer; got ${frameCount}.`);
    if (!Number.isInteger(width) || !Number.isInteger(height) || width % 8 || height % 8 || width <= 0 || height <= 0) {
      throw new RangeError(`width and height must be positive multiples of 8; got ${width}×${height}.`);
    }
    if (!(s.latentScaling > 0)) throw new RangeError(`latentScaling must be positive; got ${s.latentScaling}.`);
    if (!Number.isInteger(s.decodeChunk) || s.decodeChunk < 1) throw new RangeError(`decodeChunk must be a positive integer; got ${s.decodeChunk}.`);
    this.W = width;
    this.H = height;
    this.w = width / 8;
    this.h = height / 8;
    this.frameSize = LATENT_CHANNELS * this.h * this.w;
    this.anchor = s.fusion === 'repository';
    this.slots = frameCount + (this.anchor ? 1 : 0);
    this.plan = planChunks({ mode: s.fusion, frameCount: this.slots, segmentLength: s.tileSize, overlap: s.tileOverlap });
    this.stats.chunks = this.plan.segments.length;
    const key = (i: number) => (s.reference === 'first' ? (inputs.referenceKey?.(0) ?? 0) : (inputs.referenceKey?.(i) ?? i));
    this.slotKey = Array.from({ length: this.slots }, (_, slot) => key(this.outputOf(slot) ?? 0));
  }

  /** The output frame of a slot, or null for the anchor. */
  private outputOf(slot: number): number | null {
    if (!this.anchor) return slot;
    return slot === 0 ? null : slot - 1;
  }

  private check(): void {
    this.o.signal?.throwIfAborted();
  }

  private async image(get: MaybePromise<RgbaImage>, what: string): Promise<RgbaImage> {
    const img = await get;
    if (img.width !== this.W || img.height !== this.H) throw new RangeError(`${what} is ${img.width}×${img.height}; the output is ${this.W}×${this.H}.`);
    return img;
  }

  /** VAE latent (mode) [4·h·w] of an image in [-1, 1], plus `noiseAug`·noise when > 0. */
  private async encodeVae(img: RgbaImage, noiseStream: number | null): Promise<Float32Array> {
    this.check();
    const px = rgbaToChw(img, 'signed');
    if (noiseStream !== null && this.s.noiseAugStrength > 0) {
      const n = fillGaussian(new Float32Array(px.length), this.s.seed, noiseStream);
      for (let i = 0; i < px.length; i++) px[i]! += this.s.noiseAugStrength * n[i]!;
    }
    const out = await this.parts.vaeEncoder({ image: { data: px, dims: [1, 3, this.H, this.W] } });
    this.stats.vaeEncoderCalls++;
    return output(out, 'latent', this.frameSize, 'VAE encoder');
  }

  // (1) ------------------------------------------------------------------------------------------
  /** VAE latents of every distinct reference frame the slots use (CLIP embeddings come per chunk). */
  async encodeReference(): Promise<void> {
    const firstSlotOf = new Map<number, number>();
    this.slotKey.forEach((k, slot) => firstSlotOf.has(k) || firstSlotOf.set(k, slot));
    let done = 0;
    for (const [key, slot] of firstSlotOf) {
      const img = await this.image(this.inputs.referenceFrame(this.outputOf(slot) ?? 0), `the reference frame for output frame ${this.outputOf(slot) ?? 0}`);
      // Noise augmentation draws from streams above the latent-noise streams.
      this.refLatents.set(key, await this.encodeVae(img, 0x40000000 + (key % 0x3fffffff)));
      this.o.onProgress?.({ stage: 'reference', done: ++done, total: firstSlotOf.size });
    }
  }

  /** CLIP embedding [1024] of the reference at the middle of a chunk (computed once per key). */
  private async chunkEmbedding(seg: FusionSegment): Promise<Float32Array> {
    const outs = seg.frames.filter((slot) => this.outputOf(slot) !== null);
    const slot = outs.length > 0 ? outs[Math.floor((outs.length - 1) / 2)]! : seg.frames[0]!;
    const key = this.slotKey[slot]!;
    let e = this.refEmbeds.get(key);
    if (!e) {
      this.check();
      const index = this.outputOf(slot) ?? 0;
      const img = await this.image(this.inputs.referenceFrame(index), `the reference frame for output frame ${index}`);
      const out = await this.parts.imageEncoder({ pixel_values: { data: clipPixelValues(img), dims: [1, 3, 224, 224] } });
      this.stats.imageEncoderCalls++;
      e = output(out, 'image_embeds', EMBED, 'image encoder');
      this.refEmbeds.set(key, e);
    }
    return e;
  }

  // (2) ------------------------------------------------------------------------------------------
  /** Decides whether PoseNet latents are kept across steps. */
  planPose(): void {
    const bytes = this.plan.segments.reduce((s, seg) => s + seg.frames.length * POSE_CHANNELS * this.h * this.w * 4, 0);
    this.cachePose = bytes <= this.s.poseLatentCacheBytes;
    this.poseCache = this.plan.segments.map(() => null);
  }

  /** Pose maps [F, 3, H, W] in [-1, 1] of a chunk. */
  private async poseMaps(seg: FusionSegment): Promise<TensorData> {
    const plane = 3 * this.H * this.W;
    const maps = new Float32Array(seg.frames.length * plane);
    for (let k = 0; k < seg.frames.length; k++) {
      const index = this.outputOf(seg.frames[k]!);
      let img: RgbaImage;
      if (index === null) {
        this.anchorPose ??= await this.image(this.inputs.referencePoseMap?.() ?? this.inputs.poseMap(0), 'the reference pose map');
        img = this.anchorPose;
      } else img = await this.image(this.inputs.poseMap(index), `the pose map of frame ${index}`);
      rgbaToChw(img, 'signed', maps.subarray(k * plane, (k + 1) * plane));
    }
    return { data: maps, dims: [seg.frames.length, 3, this.H, this.W] };
  }

  /** PoseNet latents [F·320·h·w] of a chunk. */
  private async poseLatents(c: number, seg: FusionSegment): Promise<Float32Array> {
    const hit = this.poseCache[c];
    if (hit) return hit;
    const maps = await this.poseMaps(seg);
    this.check();
    const F = seg.frames.length;
    const out = await this.parts.poseNet({ pose_maps: maps });
    this.stats.poseNetCalls++;
    const latents = output(out, 'pose_latents', F * POSE_CHANNELS * this.h * this.w, 'PoseNet');
    if (this.cachePose) this.poseCache[c] = latents;
    return latents;
  }

  // (3) ------------------------------------------------------------------------------------------
  /** Seeded noise, or noised init frames in refine mode. */
  async initLatents(): Promise<void> {
    const { sampler } = this.parts;
    sampler.setTimesteps(this.s.steps);
    const size = this.frameSize;
    const noise = new Float32Array(this.slots * size);
    for (let slot = 0; slot < this.slots; slot++) {
      const stream = this.s.noise === 'tile' ? slot % this.s.tileSize : slot;
      fillGaussian(noise.subarray(slot * size, (slot + 1) * size), this.s.seed, stream);
    }
    if (!this.inputs.initFrame) {
      const k = sampler.initNoiseSigma;
      for (let i = 0; i < noise.length; i++) noise[i]! *= k;
      this.latents = noise;
      return;
    }
    const start = refineStart(sampler, this.s.strength).startStep;
    this.stats.startStep = start;
    const clean = new Float32Array(this.slots * size);
    for (let slot = 0; slot < this.slots; slot++) {
      const index = this.outputOf(slot);
      // The anchor is the reference frame itself.
      const latent =
        index === null
          ? this.refLatents.get(this.slotKey[0]!)!
          : await this.encodeVae(await this.image(this.inputs.initFrame(index), `the init frame ${index}`), null);
      for (let i = 0; i < size; i++) clean[slot * size + i] = latent[i]! * this.s.latentScaling;
      this.o.onProgress?.({ stage: 'init', done: slot + 1, total: this.slots });
    }
    this.latents = sampler.addNoise(clean, noise, start);
  }

  // (4) ------------------------------------------------------------------------------------------
  /** The denoising loop: steps × chunks, CFG, fusion, sampler step; on the device when there is one. */
  async denoise(): Promise<void> {
    const t = performance.now();
    if (this.parts.denoiser) await this.denoiseOnDevice(this.parts.denoiser);
    else await this.denoiseOnCpu();
    this.stats.denoiseMs = performance.now() - t;
  }

  /**
   * The loop with the latents on the device: per chunk the denoiser builds the sample, runs the
   * UNet passes and adds the guided, fusion-weighted output; per step it applies the sampler's
   * affine update. The latents come back once, after the last step.
   */
  private async denoiseOnDevice(d: LatentDenoiser): Promise<void> {
    const { sampler } = this.parts;
    const { h, w, frameSize } = this;
    const steps = sampler.numInferenceSteps;
    const scales = guidanceScales(this.s.guidance, this.slots);
    const slotReference = new Float32Array(this.slots * frameSize);
    for (let slot = 0; slot < this.slots; slot++) slotReference.set(this.refLatents.get(this.slotKey[slot]!)!, slot * frameSize);
    const addedTimeIds: TensorData = { data: Float32Array.of(this.s.fps - 1, this.s.motionBucketId, this.s.noiseAugStrength), dims: [1, 3] };
    const chunks = this.plan.segments.length;
    this.stats.denoiseOn = 'device';
    await d.begin({ slots: this.slots, h, w, plan: this.plan, scales, cfg: needsUnconditional(scales), slotReference, latents: this.latents, cachePose: this.cachePose });
    try {
      for (let step = this.stats.startStep; step < steps; step++) {
        const sigma = sampler.sigmas[step]!;
        const timestep: TensorData = { data: Float32Array.of(sampler.timesteps[step]!), dims: [1] };
        for (let c = 0; c < chunks; c++) {
          const seg = this.plan.segments[c]!;
          const embed = await this.chunkEmbedding(seg);
          if (!d.hasPose(c)) {
            const maps = await this.poseMaps(seg);
            this.check();
            await d.pose(c, maps);
            this.stats.poseNetCalls++;
          }
          this.check();
          const t = performance.now();
          this.stats.unetCalls += await d.chunk(c, sampler.inputScale(step), { timestep, embed: { data: embed, dims: [1, 1, EMBED] }, addedTimeIds });
          this.stats.unetMs += performance.now() - t;
          if (c < chunks - 1) await this.o.onStepEnd?.(step, c, { steps, chunks, sigma, timestep: timestep.data[0]!, frames: seg.frames, latents: null, predOriginal: null });
        }
        const { a, b } = sampler.stepAffine(step);
        d.step(a, b);
        await this.o.onStepEnd?.(step, chunks - 1, { steps, chunks, sigma, timestep: timestep.data[0]!, frames: this.plan.segments[chunks - 1]!.frames, latents: null, predOriginal: null });
      }
      await d.finish();
      this.latents = await d.readLatents();
    } finally {
      d.end();
    }
  }

  /** The loop with the latents in Float32Arrays (wasm, or any runner). */
  private async denoiseOnCpu(): Promise<void> {
    const { sampler, unet } = this.parts;
    const { h, w, frameSize } = this;
    const steps = sampler.numInferenceSteps;
    const scales = guidanceScales(this.s.guidance, this.slots);
    const cfg = needsUnconditional(scales);
    const addedTimeIds: TensorData = { data: Float32Array.of(this.s.fps - 1, this.s.motionBucketId, this.s.noiseAugStrength), dims: [1, 3] };
    const zeroEmbed: TensorData = { data: new Float32Array(EMBED), dims: [1, 1, EMBED] };
    const maxF = Math.max(...this.plan.segments.map((s) => s.frames.length));
    const zeroPose = new Float32Array(maxF * POSE_CHANNELS * h * w);
    const fused = new Float32Array(this.slots * frameSize);
    const chunks = this.plan.segments.length;
    for (let step = this.stats.startStep; step < steps; step++) {
      const sigma = sampler.sigmas[step]!;
      const timestep: TensorData = { data: Float32Array.of(sampler.timesteps[step]!), dims: [1] };
      fused.fill(0);
      for (let c = 0; c < chunks; c++) {
        const seg = this.plan.segments[c]!;
        const F = seg.frames.length;
        const xin = sampler.scaleModelInput(gatherSegment(this.latents, seg, frameSize), step);
        // sample [1, F, 8, h, w]: per frame the scaled noisy latent, then the reference latent.
        const sample = new Float32Array(F * 2 * frameSize);
        for (let k = 0; k < F; k++) {
          sample.set(xin.subarray(k * frameSize, (k + 1) * frameSize), 2 * k * frameSize);
          sample.set(this.refLatents.get(this.slotKey[seg.frames[k]!]!)!, (2 * k + 1) * frameSize);
        }
        const embed = await this.chunkEmbedding(seg);
        const pose = await this.poseLatents(c, seg);
        const outLength = F * frameSize;
        const call = async (feeds: Record<string, TensorData>) => {
          this.check();
          const t = performance.now();
          const r = await unet(feeds);
          this.stats.unetMs += performance.now() - t;
          this.stats.unetCalls++;
          return output(r, 'out_sample', outLength, 'UNet');
        };
        const cond = await call({
          sample: { data: sample, dims: [1, F, 8, h, w] },
          timestep,
          encoder_hidden_states: { data: embed, dims: [1, 1, EMBED] },
          added_time_ids: addedTimeIds,
          pose_latents: { data: pose, dims: [F, POSE_CHANNELS, h, w] },
        });
        let guided = cond;
        if (cfg) {
          for (let k = 0; k < F; k++) sample.fill(0, (2 * k + 1) * frameSize, (2 * k + 2) * frameSize);
          const uncond = await call({
            sample: { data: sample, dims: [1, F, 8, h, w] },
            timestep,
            encoder_hidden_states: zeroEmbed,
            added_time_ids: addedTimeIds,
            pose_latents: { data: zeroPose.subarray(0, F * POSE_CHANNELS * h * w), dims: [F, POSE_CHANNELS, h, w] },
          });
          guided = combineGuidance(uncond, cond, scales, seg.frames, frameSize, new Float32Array(outLength));
        }
        accumulateSegment(fused, guided, seg, frameSize);
        if (c < chunks - 1) {
          await this.o.onStepEnd?.(step, c, { steps, chunks, sigma, timestep: timestep.data[0]!, frames: seg.frames, latents: this.latents, predOriginal: null });
        }
      }
      const { predOriginal } = sampler.step(fused, step, this.latents, { prevSample: this.latents });
      await this.o.onStepEnd?.(step, chunks - 1, {
        steps,
        chunks,
        sigma,
        timestep: timestep.data[0]!,
        frames: this.plan.segments[chunks - 1]!.frames,
        latents: this.latents,
        predOriginal,
      });
    }
  }

  // (5) ------------------------------------------------------------------------------------------
  /** Chunked VAE decoding of the output slots. */
  async decode(): Promise<void> {
    const total = this.inputs.frameCount;
    const first = this.anchor ? 1 : 0;
    const plane = 3 * this.H * this.W;
    for (let i = 0; i < total; i += this.s.decodeChunk) {
      this.check();
      const D = Math.min(this.s.decodeChunk, total - i);
      const z = this.latents.slice((first + i) * this.frameSize, (first + i + D) * this.frameSize);
      for (let j = 0; j < z.length; j++) z[j]! /= this.s.latentScaling;
      const out = await this.parts.vaeDecoder({
        latents: { data: z, dims: [D, LATENT_CHANNELS, this.h, this.w] },
        num_frames: { data: Float32Array.of(D), dims: [1] },
      });
      this.stats.decoderCalls++;
      const frames = decodedToUnit(output(out, 'frames', D * plane, 'VAE decoder'));
      for (let k = 0; k < D; k++) await this.o.onFrame(i + k, frames.slice(k * plane, (k + 1) * plane));
      this.o.onProgress?.({ stage: 'decode', done: i + D, total });
    }
  }
}
