/**
 * The diffusion engine as the compute worker runs it: pack loading (site, files, cache), the
 * self-check and generation, on the worker's device with onnxruntime-web. A module of its own
 * (inside generate) because it loads onnxruntime-web: src/generate, which the page imports, gives
 * only its types.
 */
import { startBufferMeter, type GpuRoot } from '../../gpu';
import { configuredOrt, enqueue } from '../../gpu/ort';
import type { RgbaImage } from '../../pose';
import {
  createDiffusionEngine,
  EulerDiscreteSampler,
  MimicMotionPipeline,
  WebGpuDenoiser,
  createPackRunners,
  drawMimicMotionPoseMap,
  loadPack,
  packCacheKey,
  packFilesFromList,
  packFilesFromUrl,
  parsePackManifest,
  estimateMemory,
  planMemory,
  readbacks,
  recordMismatch,
  settingsFromPack,
  type MimicMotionParts,
  type PackFiles,
  type PackManifest,
  type PackRunners,
  type PipelineStats,
  syntheticInputs,
} from '../diffusion';
import type { EngineProgress, FrameEngine } from '../engine';
import { buildEngineInputs, type FrameSource, type GenerationJob } from '../job';
import type { DiffusionSettings } from '../diffusion';
import {
  blobStream,
  cachedPackFiles,
  commitCachedPack,
  copyPackToCache,
  listCachedPacks,
  PackCacheError,
  removeCachedPack,
  type CachedPack,
  type PackFileStream,
} from '../pack-cache';

/** Where a pack is loaded from. */
export type PackSource =
  /** The files of a dropped or chosen folder. */
  | { kind: 'files'; files: File[] }
  /** A folder served by this site under models/packs/NAME/. */
  | { kind: 'origin'; name: string }
  /** A pack in the browser's pack cache (OPFS). */
  | { kind: 'cache'; key: string };

/** A pack this site serves (models/packs/index.json). */
export interface OriginPack {
  /** The folder under models/packs/. */
  folder: string;
  name: string;
  totalBytes: number;
}

/** What the UI shows about a loaded pack. */
export interface PackInfo {
  name: string;
  description: string | null;
  ep: 'webgpu' | 'wasm';
  /** Where the denoising loop keeps the latents: on the GPU (WebGPU) or in CPU memory (wasm). */
  denoiseOn: 'gpu' | 'cpu';
  fp16: boolean;
  defaults: { steps: number; width: number; height: number; tileSize: number; fusion: string };
  totalBytes: number;
  source: PackSource['kind'];
  /** Its key in the pack cache, when a copy is kept there. */
  cacheKey: string | null;
  /** Why the pack could not be kept in the cache (it is loaded for this session only). */
  cacheError: string | null;
}

/** Progress of a pack load: a fraction of the current stage. */
export interface PackLoadProgress {
  stage: 'download' | 'check' | 'cache' | 'sessions';
  fraction: number;
}

/** A frame sink: the media worker's encoder, fed frame by frame. */
export interface FrameSink {
  add(frame: RgbaImage): Promise<void>;
}

/** Figures of one path of the self-check (`DiffusionService.check`). */
export interface DiffusionPathFigures {
  path: 'gpu' | 'cpu-on-webgpu' | 'wasm';
  steps: number;
  unetCalls: number;
  /** Wall time of the denoising stage, in ms (device work finished). */
  denoiseMs: number;
  unetCallsPerSecond: number;
  /** GPU buffer maps (`mapAsync`, every device → CPU copy) during the whole run. */
  maps: number;
  /** GPU tensors the session runners read back with getData during the run. */
  getDataCalls: number;
}

/** Result of the self-check on the loaded pack. */
export interface DiffusionCheck {
  width: number;
  height: number;
  frames: number;
  paths: DiffusionPathFigures[];
  /** Largest |GPU − wasm| over the decoded frames (values in [0, 1]) at the largest step count. */
  maxAbsDiff: number;
  /** Peak bytes of GPU buffers alive during the GPU runs, weights (session creation) included. */
  peakGpuBytes: number;
  /** Bytes of GPU buffers alive right after the sessions were created (mostly weights). */
  sessionGpuBytes: number;
  /** The memory planner's estimate of the peak for this size and chunking (activation heuristics for a real UNet). */
  plannerPeakBytes: number;
}

/** GPU memory the diffusion engine plans for when the browser cannot tell (it never can). */
const DEFAULT_BUDGET = 6 * 2 ** 30;

const packsBase = () => new URL(`${import.meta.env.BASE_URL}models/packs/`, self.location.origin).href;

/**
 * The diffusion engine inside the compute worker: loads and validates a pack (from a folder, from
 * this site, or from the pack cache), keeps a copy in the cache, creates its sessions on the
 * shared device, and runs generation jobs.
 */
export class DiffusionService {
  private engine: FrameEngine<DiffusionSettings> | null = null;
  private manifest: PackManifest | null = null;
  private files: PackFiles | null = null;

  constructor(private readonly root: GpuRoot) {}

  /** Packs this site serves (models/packs/index.json; none when absent) and packs in the cache. */
  async listPacks(): Promise<{ origin: OriginPack[]; cached: CachedPack[] }> {
    const cached = await listCachedPacks();
    let origin: OriginPack[] = [];
    try {
      const res = await fetch(`${packsBase()}index.json`, { cache: 'no-store' });
      if (res.ok) {
        const json = (await res.json()) as { packs?: OriginPack[] };
        origin = (json.packs ?? []).filter((p) => typeof p?.folder === 'string' && typeof p.name === 'string');
      }
    } catch {
      // No index: the site serves no packs (or the user types a folder name).
    }
    return { origin, cached };
  }

  async removeCached(key: string): Promise<void> {
    await removeCachedPack(key);
  }

  async loadPack(source: PackSource, onProgress: (p: PackLoadProgress) => void): Promise<PackInfo> {
    await this.unload();
    const check = (files: PackFiles, checkHashes: boolean) =>
      loadPack(files, { checkHashes, onProgress: (done, total) => onProgress({ stage: 'check', fraction: total ? done / total : 1 }) });
    let files: PackFiles;
    let manifest: PackManifest;
    let cacheKey: string | null = null;
    let cacheError: string | null = null;
    const keep = async (m: PackManifest, text: string, stream: PackFileStream): Promise<PackFiles | null> => {
      const key = packCacheKey(m.name);
      try {
        const copy = await copyPackToCache(m, text, key, stream, { onProgress: (done, total) => onProgress({ stage: source.kind === 'origin' ? 'download' : 'cache', fraction: total ? done / total : 1 }) });
        cacheKey = key;
        return copy;
      } catch (e) {
        if (!(e instanceof PackCacheError)) throw e;
        cacheError = e.message;
        return null;
      }
    };
    /** Finishes a checked copy; false (and the reason in `cacheError`) when the quota refuses it. */
    const commit = async (m: PackManifest): Promise<boolean> => {
      try {
        await commitCachedPack(m, cacheKey!);
        return true;
      } catch (e) {
        if (!(e instanceof PackCacheError)) throw e;
        cacheError = e.message;
        cacheKey = null;
        return false;
      }
    };
    if (source.kind === 'files') {
      // Validate the dropped files (every byte hashed), then keep a copy.
      const dropped = packFilesFromList(source.files);
      ({ manifest } = await check(dropped, true));
      const text = await readText(dropped, 'pack.json');
      const copy = await keep(manifest, text, async (file) => blobStream((await dropped.open(file))!.blob!));
      files = copy && (await commit(manifest)) ? copy : dropped;
    } else if (source.kind === 'origin') {
      // Stream the site's files into the cache, validate the copy, then mark it finished.
      const base = `${packsBase()}${encodeURIComponent(source.name)}/`;
      const res = await fetch(`${base}pack.json`, { cache: 'no-store' });
      // A static host may answer a missing file with the app's index.html.
      if (res.status === 404 || res.headers.get('Content-Type')?.includes('text/html')) throw new Error(`This site serves no pack folder "${source.name}" (no ${base}pack.json). Put the pack under public/models/packs/${source.name}/.`);
      if (!res.ok) throw new Error(`Could not read ${base}pack.json: HTTP ${res.status}.`);
      const text = await res.text();
      const declared = parsePackManifest(text);
      const stream: PackFileStream = async (file) => {
        const r = await fetch(base + file.split('/').map(encodeURIComponent).join('/'));
        if (!r.ok || !r.body) throw new Error(`${file}: the site answered HTTP ${r.status} for ${base}${file}.`);
        return r.body;
      };
      const copy = await keep(declared, text, stream);
      if (copy) {
        try {
          ({ manifest } = await check(copy, true));
        } catch (e) {
          await removeCachedPack(cacheKey!);
          throw e;
        }
        files = (await commit(manifest)) ? copy : packFilesFromUrl(base);
      } else {
        // No room in the cache: read the files from the site directly (the browser keeps large blobs on disk).
        files = packFilesFromUrl(base);
        ({ manifest } = await check(files, true));
      }
    } else {
      const cached = await cachedPackFiles(source.key);
      if (!cached) throw new Error('That pack is no longer in the browser storage; load its folder again.');
      files = cached.files;
      // The copy was hashed when it was made; sizes and model I/O are checked again.
      ({ manifest } = await check(files, false));
      const mismatch = recordMismatch(cached.record, manifest);
      if (mismatch) throw new Error(`The cached copy of "${manifest.name}" is inconsistent (${mismatch}); remove it and load the pack folder again.`);
      cacheKey = source.key;
    }
    onProgress({ stage: 'sessions', fraction: 0 });
    const ort = configuredOrt(this.root);
    const ep = this.ep(manifest);
    // On WebGPU the UNet and PoseNet leave their outputs on the GPU and the loop runs there.
    const runners = await enqueue(() => createPackRunners(ort, manifest, files, { executionProviders: [ep], graphOptimizationLevel: 'all' }, ep === 'webgpu' ? ['unet', 'pose_net'] : []));
    const denoiser = await this.denoiserFor(runners, manifest);
    const canvas = new OffscreenCanvas(1, 1);
    this.engine = createDiffusionEngine({
      manifest,
      parts: { ...this.partsOf(runners, manifest), denoiser: denoiser ?? undefined },
      renderPoseMap: (keypoints, width, height) => {
        if (canvas.width !== width || canvas.height !== height) {
          canvas.width = width;
          canvas.height = height;
        }
        return drawMimicMotionPoseMap(canvas.getContext('2d', { willReadFrequently: true })!, keypoints, width, height);
      },
      release: async () => {
        denoiser?.dispose();
        await runners.release();
      },
    });
    this.manifest = manifest;
    this.files = files;
    const total = Object.values(manifest.models).reduce((n, m) => n + m.bytes + m.externalData.reduce((k, x) => k + x.bytes, 0), 0);
    const s = manifest.sampling;
    return {
      name: manifest.name,
      description: manifest.description || null,
      ep,
      denoiseOn: denoiser ? 'gpu' : 'cpu',
      fp16: manifest.fp16,
      defaults: { steps: s.steps, width: s.width, height: s.height, tileSize: s.tileSize, fusion: s.fusion },
      totalBytes: total,
      source: source.kind,
      cacheKey,
      cacheError,
    };
  }

  /** fp16 packs compute in f16: on WebGPU that needs the adapter's shader-f16; else the CPU runs them. */
  private ep(manifest: PackManifest): 'webgpu' | 'wasm' {
    return this.root.device && (!manifest.fp16 || this.root.caps.shaderF16) ? 'webgpu' : 'wasm';
  }

  private partsOf(runners: PackRunners, manifest: PackManifest): MimicMotionParts {
    return {
      imageEncoder: runners.runners.image_encoder,
      vaeEncoder: runners.runners.vae_encoder,
      poseNet: runners.runners.pose_net,
      unet: runners.runners.unet,
      vaeDecoder: runners.runners.vae_decoder,
      sampler: EulerDiscreteSampler.fromConfig(manifest.sampling.scheduler),
    };
  }

  /**
   * The GPUDevice onnxruntime-web runs its WebGPU sessions on, once one exists. onnxruntime-web
   * 1.30's WebGPU EP creates its own device (it replaces `env.webgpu.device` with it), so the
   * denoising kernels must use this one, not the app's `GpuRoot` device.
   */
  private async ortDevice(): Promise<GPUDevice> {
    return (await configuredOrt(this.root).env.webgpu.device) as GPUDevice;
  }

  /** The GPU loop over WebGPU sessions; null on wasm (the CPU loop runs). */
  private async denoiserFor(runners: PackRunners, manifest: PackManifest): Promise<WebGpuDenoiser | null> {
    if (!this.root.device || this.ep(manifest) !== 'webgpu') return null;
    const device = await this.ortDevice();
    try {
      return new WebGpuDenoiser({
        ort: configuredOrt(this.root),
        device,
        unet: runners.sessions.unet,
        unetSpec: manifest.models.unet,
        poseNet: runners.sessions.pose_net,
        poseNetSpec: manifest.models.pose_net,
        queue: enqueue,
      });
    } catch (e) {
      // I/O the kernels do not handle (PoseNet and UNet disagree on the pose latents' dtype): the
      // CPU loop runs over the same sessions, reading each output back.
      if (e instanceof RangeError) return null;
      throw e;
    }
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

  /**
   * Crops a frame of the reference's framing (any scale, e.g. the builtin engine's render) to
   * the output size and framing a job will have, like the reference frames are cropped.
   */
  outputCrop(job: Omit<GenerationJob, 'width' | 'height'>, readFrame: FrameSource): (frame: RgbaImage) => RgbaImage {
    const plan = this.plan({ width: job.reference.width, height: job.reference.height });
    return buildEngineInputs({ ...job, width: plan.width, height: plan.height }, readFrame).cropReference;
  }

  /**
   * Runs a job. With `initFrames` (refine mode: frames at the output size, see `outputCrop`) the
   * run starts from them, noised to `settings.strength`.
   */
  async run(
    job: Omit<GenerationJob, 'width' | 'height'>,
    settings: DiffusionSettings,
    readFrame: FrameSource,
    sink: (size: { width: number; height: number; frameCount: number }) => Promise<FrameSink>,
    onProgress: (p: EngineProgress) => void,
    signal: AbortSignal,
    initFrames?: (index: number) => Promise<RgbaImage>,
  ): Promise<{ frameCount: number; width: number; height: number }> {
    if (!this.engine) throw new Error('No model pack is loaded. Drop a pack folder first.');
    const plan = this.plan({ width: job.reference.width, height: job.reference.height });
    const inputs = buildEngineInputs({ ...job, width: plan.width, height: plan.height }, readFrame);
    if (initFrames) inputs.initFrame = initFrames;
    const out = await sink({ width: plan.width, height: plan.height, frameCount: inputs.frameCount });
    await this.engine.run(inputs, { tileSize: plan.tileSize, decodeChunk: plan.decodeChunk, ...settings }, {
      signal,
      onProgress,
      onFrame: (_i, frame) => out.add(frame),
    });
    return { frameCount: inputs.frameCount, width: plan.width, height: plan.height };
  }

  /**
   * Self-check and benchmark on the loaded pack with synthetic inputs at its default size: the GPU
   * loop at each step count in `steps`, the CPU loop on the same WebGPU sessions (a readback per
   * UNet call), and the CPU loop on wasm; counts buffer maps and GPU buffer bytes with a meter on
   * the device and compares the GPU and wasm outputs. Fresh sessions are created under the meter.
   */
  async check(options: { frames: number; steps: number[]; seed?: number }): Promise<DiffusionCheck> {
    const manifest = this.manifest;
    const files = this.files;
    if (!manifest || !files) throw new Error('No model pack is loaded.');
    if (this.ep(manifest) !== 'webgpu') throw new Error('The GPU check needs WebGPU (and shader-f16 for an fp16 pack).');
    const device = await this.ortDevice();
    const { width, height } = manifest.sampling;
    const ort = configuredOrt(this.root);
    const base = settingsFromPack(manifest, { seed: options.seed ?? 3 });
    const paths: DiffusionPathFigures[] = [];
    const meter = startBufferMeter(device);
    const run = async (path: DiffusionPathFigures['path'], parts: MimicMotionParts, steps: number) => {
      const frames: Float32Array[] = [];
      meter.resetMaps();
      const getData0 = readbacks.count;
      const stats: PipelineStats = await new MimicMotionPipeline(parts).run(syntheticInputs(options.frames, width, height), { ...base, steps }, {
        onFrame: (i, rgb) => void (frames[i] = rgb),
      });
      paths.push({
        path,
        steps,
        unetCalls: stats.unetCalls,
        denoiseMs: stats.denoiseMs,
        unetCallsPerSecond: stats.unetCalls / (stats.denoiseMs / 1000),
        maps: meter.maps,
        getDataCalls: readbacks.count - getData0,
      });
      return frames;
    };
    let gpuFrames: Float32Array[] = [];
    let peakGpuBytes = 0;
    let sessionGpuBytes = 0;
    try {
      const gpu = await enqueue(() => createPackRunners(ort, manifest, files, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' }, ['unet', 'pose_net']));
      sessionGpuBytes = meter.liveBytes;
      const denoiser = (await this.denoiserFor(gpu, manifest))!;
      try {
        for (const steps of options.steps) gpuFrames = await run('gpu', { ...this.partsOf(gpu, manifest), denoiser }, steps);
        for (const steps of options.steps) await run('cpu-on-webgpu', this.partsOf(gpu, manifest), steps);
      } finally {
        denoiser.dispose();
        await gpu.release();
      }
      peakGpuBytes = meter.peakBytes;
    } finally {
      meter.stop();
    }
    const wasm = await enqueue(() => createPackRunners(ort, manifest, files, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));
    let maxAbsDiff = 0;
    try {
      const cpuFrames = await run('wasm', this.partsOf(wasm, manifest), options.steps[options.steps.length - 1]!);
      cpuFrames.forEach((f, i) => f.forEach((v, j) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - gpuFrames[i]![j]!)))));
    } finally {
      await wasm.release();
    }
    const plannerPeakBytes = estimateMemory(manifest, { width, height, tileSize: manifest.sampling.tileSize, decodeChunk: manifest.sampling.decodeChunk }).peakBytes;
    return { width, height, frames: options.frames, paths, maxAbsDiff, peakGpuBytes, sessionGpuBytes, plannerPeakBytes };
  }

  async unload(): Promise<void> {
    await this.engine?.dispose();
    this.engine = null;
    this.manifest = null;
    this.files = null;
  }
}

async function readText(files: PackFiles, name: string): Promise<string> {
  const src = await files.open(name);
  if (!src) throw new Error(`${name} is missing.`);
  return new TextDecoder().decode(await src.read(0, src.size));
}
