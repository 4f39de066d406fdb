import type { GpuRoot } from '../gpu/device';
import { configuredOrt, enqueue } from '../gpu/ort';
import type { RgbaImage } from '../pose';
import {
  createDiffusionEngine,
  EulerDiscreteSampler,
  createPackRunners,
  drawMimicMotionPoseMap,
  loadPack,
  packFilesFromList,
  planMemory,
  type PackManifest,
} from './diffusion';
import type { Engine, EngineProgress } from './engine';
import { buildEngineInputs, type FrameSource, type GenerationJob } from './job';
import type { DiffusionSettings } from './diffusion';

/** What the UI shows about a loaded pack. */
export interface PackInfo {
  name: string;
  description: string | null;
  ep: 'webgpu' | 'wasm';
  fp16: boolean;
  defaults: { steps: number; width: number; height: number; tileSize: number; fusion: string };
  totalBytes: number;
}

/** A frame sink: the media worker's encoder, fed frame by frame. */
export interface FrameSink {
  add(frame: RgbaImage): Promise<void>;
}

/** GPU memory the diffusion engine plans for when the browser cannot tell (it never can). */
const DEFAULT_BUDGET = 6 * 2 ** 30;

/**
 * The diffusion engine inside the compute worker: loads and validates a pack, creates its
 * sessions on the shared device, and runs generation jobs.
 */
export class DiffusionService {
  private engine: Engine<DiffusionSettings> | null = null;
  private manifest: PackManifest | null = null;

  constructor(private readonly root: GpuRoot) {}

  async loadPack(files: File[], onProgress: (fraction: number) => void): Promise<PackInfo> {
    await this.unload();
    const packFiles = packFilesFromList(files);
    const { manifest } = await loadPack(packFiles, { checkHashes: true, onProgress: (done, total) => onProgress(total ? done / total : 0) });
    const ort = configuredOrt(this.root);
    // fp16 packs compute in f16: on WebGPU that needs the adapter's shader-f16; else the CPU runs them.
    const ep = this.root.device && (!manifest.fp16 || this.root.caps.shaderF16) ? 'webgpu' : 'wasm';
    // Backend initialisation is not safe to overlap with the pose models' sessions.
    const runners = await enqueue(() => createPackRunners(ort, manifest, packFiles, { executionProviders: [ep], graphOptimizationLevel: 'all' }));
    const canvas = new OffscreenCanvas(1, 1);
    this.engine = createDiffusionEngine({
      manifest,
      parts: {
        imageEncoder: runners.runners.image_encoder,
        vaeEncoder: runners.runners.vae_encoder,
        poseNet: runners.runners.pose_net,
        unet: runners.runners.unet,
        vaeDecoder: runners.runners.vae_decoder,
        sampler: EulerDiscreteSampler.fromConfig(manifest.sampling.scheduler),
      },
      renderPoseMap: (keypoints, width, height) => {
        if (canvas.width !== width || canvas.height !== height) {
          canvas.width = width;
          canvas.height = height;
        }
        return drawMimicMotionPoseMap(canvas.getContext('2d', { willReadFrequently: true })!, keypoints, width, height);
      },
      release: () => runners.release(),
    });
    this.manifest = manifest;
    const total = Object.values(manifest.models).reduce((n, m) => n + m.bytes + m.externalData.reduce((k, x) => k + x.bytes, 0), 0);
    const s = manifest.sampling;
    return {
      name: manifest.name,
      description: manifest.description ?? null,
      ep,
      fp16: manifest.fp16,
      defaults: { steps: s.steps, width: s.width, height: s.height, tileSize: s.tileSize, fusion: s.fusion },
      totalBytes: total,
    };
  }

  /** The output size and chunking that fit, for a reference of `aspect`; throws with the reason when nothing fits. */
  plan(aspect: { width: number; height: number }) {
    if (!this.manifest) throw new Error('No model pack is loaded.');
    const plan = planMemory({
      manifest: this.manifest,
      limits: { maxBufferSize: this.root.caps.limits.maxBufferSize, maxStorageBufferBindingSize: this.root.caps.limits.maxStorageBufferBindingSize },
      budgetBytes: DEFAULT_BUDGET,
      aspect,
    });
    if (!plan.ok) throw new Error(plan.reason);
    return plan;
  }

  async run(
    job: Omit<GenerationJob, 'width' | 'height'>,
    settings: DiffusionSettings,
    readFrame: FrameSource,
    sink: (size: { width: number; height: number; frameCount: number }) => Promise<FrameSink>,
    onProgress: (p: EngineProgress) => void,
    signal: AbortSignal,
  ): Promise<{ frameCount: number; width: number; height: number }> {
    if (!this.engine) throw new Error('No model pack is loaded. Drop a pack folder first.');
    const plan = this.plan({ width: job.reference.width, height: job.reference.height });
    const inputs = buildEngineInputs({ ...job, width: plan.width, height: plan.height }, readFrame);
    const out = await sink({ width: plan.width, height: plan.height, frameCount: inputs.frameCount });
    await this.engine.run(inputs, { tileSize: plan.tileSize, decodeChunk: plan.decodeChunk, ...settings }, {
      signal,
      onProgress,
      onFrame: (_i, frame) => out.add(frame),
    });
    return { frameCount: inputs.frameCount, width: plan.width, height: plan.height };
  }

  async unload(): Promise<void> {
    await this.engine?.dispose();
    this.engine = null;
    this.manifest = null;
  }
}
