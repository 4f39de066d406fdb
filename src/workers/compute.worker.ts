/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { GpuRoot } from '../gpu/device';
import { probeAdapter, type GpuCapabilities } from '../gpu/probe';
import { guidanceSelfTest, renderGuidance, type GuidanceExportJob } from '../guidance';
import { bodyTrackBuffers, fitBodyTrack, loadBodyModelFile, retargetMotion, type BodyModel, type BodyTrack, type RetargetOptions } from '../body';
import { analyzeClip, AnalysisCanceled, type AnalysisClip, type AnalysisOptions, type AnalysisProgress } from '../pose/analysis';
import type { PoseTrack } from '../pose/track';
import { DiffusionService, type DiffusionCheck, type OriginPack, type PackInfo, type PackLoadProgress, type PackSource } from '../generate/diffusion-service';
import type { CachedPack } from '../generate/pack-cache';
import type { DiffusionSettings } from '../generate/diffusion';
import type { EngineProgress } from '../generate/engine';
import type { GenerationJob } from '../generate/job';
import { outputFrameTimes } from '../media/timeline';
import { appearanceSelfTest, compositeSelfTest, runBuiltin, type BuiltinJob } from '../generate/builtin';
import type { MediaWorkerApi } from './media.worker';
import type { RgbaImage } from '../pose';

/**
 * The compute worker: owns the WebGPU device and everything on it (onnxruntime-web sessions,
 * kernels). Reads frames straight from the media worker over a MessagePort.
 */
let root: Promise<GpuRoot> | null = null;
const getRoot = () => (root ??= GpuRoot.create());
/** The WebGPU device, or an error with the adapter's reason (else `missing`). */
async function gpuDevice(missing = 'no WebGPU device'): Promise<GPUDevice> {
  const gpu = await getRoot();
  if (!gpu.device) throw new Error(gpu.caps.reason ?? missing);
  return gpu.device;
}
let media: Comlink.Remote<MediaWorkerApi> | null = null;
const canceled = new Set<string>();
let diffusion: DiffusionService | null = null;

/** Sends a finished frame to the page now and then (at most about once a second) as a live preview. */
let lastPreview = 0;
async function preview(rgba: Uint8ClampedArray, width: number, height: number, index: number, send: (frame: ImageBitmap, index: number) => void): Promise<void> {
  const now = performance.now();
  if (index > 0 && now - lastPreview < 1000) return;
  lastPreview = now;
  const bitmap = await createImageBitmap(new ImageData(new Uint8ClampedArray(rgba), width, height));
  send(Comlink.transfer(bitmap, [bitmap]) as ImageBitmap, index);
}

/** Audio for an engine's output: which clip, and the range of it in clip seconds. */
export interface OutputAudio {
  slot: 'reference' | 'motion';
  startS: number;
  durationS: number;
}

/** An engine's encoded output. */
export interface EngineResult {
  /** The MP4, on disk (OPFS) where the browser has it. */
  file: File;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  videoCodec: string;
  audioCodec: string | null;
  seconds: number;
}
let generation: AbortController | null = null;

/** Plain error objects cross the worker boundary; keep which kind it was. */
function describe(e: unknown): Error {
  if (e instanceof AnalysisCanceled) return Object.assign(new Error('canceled'), { name: 'AnalysisCanceled' });
  return e instanceof Error ? e : new Error(String(e));
}

const api = {
  async probe(): Promise<GpuCapabilities> {
    try {
      return (await getRoot()).caps;
    } catch (e) {
      root = null;
      const { caps } = await probeAdapter();
      return { ...caps, available: false, reason: `The GPU device could not be created: ${(e as Error).message}` };
    }
  },

  /** Receives the port on which the media worker serves frames. */
  connectMedia(port: MessagePort): void {
    media = Comlink.wrap<MediaWorkerApi>(port);
  },

  /** Pose for every frame of a loaded clip. Rejects with name "AnalysisCanceled" when canceled. */
  async analyze(clip: AnalysisClip, options: AnalysisOptions, onProgress: (p: AnalysisProgress) => void): Promise<PoseTrack> {
    if (!media) throw new Error('the compute worker is not connected to the media worker');
    const source = media;
    canceled.delete(clip.id);
    try {
      const track = await analyzeClip(
        await getRoot(),
        clip,
        (i) => source.analysisFrame(clip.id, i),
        options,
        onProgress,
        () => canceled.has(clip.id),
      );
      const buffers = [track.found, track.score, track.keypoints, track.world, track.hands, track.handScore, track.rois, track.masks].map((a) => a.buffer);
      return Comlink.transfer(track, buffers);
    } catch (e) {
      throw describe(e);
    } finally {
      canceled.delete(clip.id);
    }
  },

  /**
   * Benchmark: pose over the first `frames` frames of a loaded clip with one model and execution
   * provider. The first frame (session warm-up, shader compilation) is timed separately.
   */
  async benchPose(
    clip: AnalysisClip,
    model: AnalysisOptions['model'],
    ep: 'webgpu' | 'wasm',
    frames: number,
  ): Promise<{ ep: string; frames: number; firstFrameS: number; fps: number }> {
    if (!media) throw new Error('the compute worker is not connected to the media worker');
    const source = media;
    const gpu = await getRoot();
    const n = Math.min(frames, clip.frameCount);
    const stamps: number[] = [];
    const t0 = performance.now();
    const track = await analyzeClip(
      gpu,
      { ...clip, frameCount: n },
      (i) => source.analysisFrame(clip.id, i),
      { model, ep, hands: true, follow: null },
      () => stamps.push(performance.now()),
      () => false,
    );
    const first = (stamps[0]! - t0) / 1000;
    const rest = (stamps[n - 1]! - stamps[0]!) / 1000;
    return { ep: track.ep, frames: n, firstFrameS: first, fps: n > 1 ? (n - 1) / rest : 1 / first };
  },

  /** Renders known geometry with the guidance renderer and returns pixel samples (browser tests). */
  async guidanceSelfTest() {
    return guidanceSelfTest(await gpuDevice());
  },

  /** Composites a known frame with the builtin engine's compositor and returns pixel samples (browser tests). */
  async compositeSelfTest() {
    return compositeSelfTest(await gpuDevice());
  },

  /** Gathers and renders a synthetic hand in front of a hip with the builtin engine's appearance (browser tests). */
  async appearanceSelfTest() {
    return appearanceSelfTest(await gpuDevice());
  },

  /**
   * Validates a model pack (every file against pack.json, sha256 included; a cached copy was
   * hashed when it was made), keeps a copy in the pack cache, and creates its sessions.
   */
  async loadPack(source: PackSource, onProgress: (p: PackLoadProgress) => void): Promise<PackInfo> {
    diffusion ??= new DiffusionService(await getRoot());
    return diffusion.loadPack(source, onProgress);
  },

  /** Packs this site serves and packs in the pack cache. */
  async listPacks(): Promise<{ origin: OriginPack[]; cached: CachedPack[] }> {
    diffusion ??= new DiffusionService(await getRoot());
    return diffusion.listPacks();
  },

  async removeCachedPack(key: string): Promise<void> {
    diffusion ??= new DiffusionService(await getRoot());
    await diffusion.removeCached(key);
  },

  /** Self-check and benchmark of the loaded pack: GPU loop vs CPU loops, buffer maps, GPU memory. */
  async diffusionCheck(options: { frames: number; steps: number[]; seed?: number }): Promise<DiffusionCheck> {
    if (!diffusion) throw new Error('No model pack is loaded.');
    return diffusion.check(options);
  },

  async unloadPack(): Promise<void> {
    await diffusion?.unload();
  },

  /** Runs the diffusion engine over a job and returns the encoded MP4. Rejects with name "AbortError" when canceled. */
  async generateDiffusion(
    job: Omit<GenerationJob, 'width' | 'height'>,
    settings: DiffusionSettings,
    onProgress: (p: EngineProgress) => void,
    audio: OutputAudio | null = null,
    onPreview: ((frame: ImageBitmap, index: number) => void) | null = null,
    refine: { builtin: BuiltinJob; strength: number } | null = null,
  ): Promise<EngineResult> {
    if (!media) throw new Error('the compute worker is not connected to the media worker');
    if (!diffusion) throw new Error('No model pack is loaded. Drop a pack folder first.');
    const source = media;
    const service = diffusion;
    const started = performance.now();
    generation?.abort();
    const controller = new AbortController();
    generation = controller;
    let encoder: number | null = null;
    try {
      // Refine mode: the builtin engine renders first; its frames are the diffusion's init frames.
      // Its frames are cropped to the diffusion's output size as they come (small in memory).
      let initFrames: ((i: number) => Promise<RgbaImage>) | undefined;
      if (refine) {
        const device = await gpuDevice('Refining the builtin render needs WebGPU for the builtin engine.');
        const { width, height } = refine.builtin;
        const crop = service.outputCrop(job, (clipId, i) => source.analysisFrame(clipId, i));
        const rendered: RgbaImage[] = [];
        await runBuiltin(
          device,
          refine.builtin,
          (clipId, i) => source.analysisFrame(clipId, i),
          async (rgba, i) => void (rendered[i] = crop({ data: rgba, width, height })),
          (p) => p.stage === 'render' && onProgress({ stage: 'prepare', done: p.done, total: p.total, label: `Builtin render to refine ${p.done}/${p.total}` }),
          controller.signal,
        );
        initFrames = async (i) => {
          const frame = rendered[i];
          if (!frame) throw new Error(`The builtin render has no frame ${i}.`);
          return frame;
        };
        settings = { ...settings, strength: refine.strength };
      }
      const size = await service.run(
        job,
        settings,
        (clipId, i) => source.analysisFrame(clipId, i),
        async ({ width, height }) => {
          const frameCount = outputFrameTimes(job.timeline, job.fps).length;
          const { id } = await source.encodeStart({ width, height, fps: job.fps, frameCount, fileName: 'diffusion.mp4' }, audio);
          encoder = id;
          let index = 0;
          return {
            add: async (frame) => {
              if (onPreview) await preview(frame.data as Uint8ClampedArray, frame.width, frame.height, index, onPreview);
              index++;
              await source.encodeFrame(id, Comlink.transfer(frame.data as Uint8ClampedArray, [frame.data.buffer]));
            },
          };
        },
        onProgress,
        controller.signal,
        initFrames,
      );
      const result = await source.encodeFinish(encoder!);
      encoder = null;
      return { ...size, file: result.file, fps: job.fps, videoCodec: result.codec, audioCodec: result.audioCodec, seconds: (performance.now() - started) / 1000 };
    } catch (e) {
      if (encoder !== null) await source.encodeCancel(encoder);
      if (controller.signal.aborted) throw Object.assign(new Error('canceled'), { name: 'AbortError' });
      throw e instanceof Error ? e : new Error(String(e));
    } finally {
      if (generation === controller) generation = null;
    }
  },

  /** Reads and checks a user's SMPL model file (.npz); throws BodyModelError with what to fix. */
  async loadBodyModel(bytes: ArrayBuffer, fileName: string): Promise<BodyModel> {
    return loadBodyModelFile(new Uint8Array(bytes), fileName);
  },

  /** Fits the 3D body to a pose track (rotations, root, camera, one shape) on a body model (default: the built-in body). */
  fitBody(track: PoseTrack, model?: BodyModel): BodyTrack {
    const body = fitBodyTrack(track, model && model.kind !== 'builtin' ? { model } : {});
    return Comlink.transfer(body, bodyTrackBuffers(body));
  },

  /** The motion body on the reference body's shape, placed in the reference camera. */
  retarget(motion: BodyTrack, reference: BodyTrack, options: RetargetOptions): BodyTrack {
    const body = retargetMotion(motion, reference, options);
    return Comlink.transfer(body, bodyTrackBuffers(body));
  },

  /** Renders one guidance map of a body over its frames into an H.264 MP4. */
  async exportGuidance(job: GuidanceExportJob, onProgress: (done: number, total: number) => void): Promise<{ file: File; frameCount: number }> {
    if (!media) throw new Error('the compute worker is not connected to the media worker');
    const source = media;
    const gpu = await getRoot();
    const { id } = await source.encodeStart({ width: job.width, height: job.height, fps: job.fps, frameCount: job.frames.length, fileName: `${job.kind}.mp4` });
    try {
      await renderGuidance(
        gpu.device,
        job,
        async (rgba, i) => {
          await source.encodeFrame(id, Comlink.transfer(rgba, [rgba.buffer]));
          onProgress(i + 1, job.frames.length);
        },
        () => false,
      );
      const out = await source.encodeFinish(id);
      return { file: out.file, frameCount: out.frameCount };
    } catch (e) {
      await source.encodeCancel(id);
      throw e;
    }
  },

  /**
   * Runs the builtin engine over a job and returns the encoded MP4. With `resumeKey`, frames a
   * run under the same key already finished (before a reload or Cancel) are kept and the engine
   * starts after them. Rejects with name "AbortError" when canceled.
   */
  async generateBuiltin(
    job: BuiltinJob,
    onProgress: (p: EngineProgress) => void,
    audio: OutputAudio | null = null,
    onPreview: ((frame: ImageBitmap, index: number) => void) | null = null,
    resumeKey: string | null = null,
  ): Promise<EngineResult & { resumedAt: number }> {
    if (!media) throw new Error('the compute worker is not connected to the media worker');
    const device = await gpuDevice('The builtin engine needs WebGPU.');
    const source = media;
    const started = performance.now();
    generation?.abort();
    const controller = new AbortController();
    generation = controller;
    const frameCount = outputFrameTimes(job.timeline, job.fps).length;
    const { id: encoder, framesDone } = await source.encodeStart({ width: job.width, height: job.height, fps: job.fps, frameCount, fileName: 'builtin.mp4' }, audio, resumeKey);
    try {
      await runBuiltin(
        device,
        { ...job, startFrame: framesDone },
        (clipId, i) => source.analysisFrame(clipId, i),
        async (rgba, i) => {
          if (onPreview) await preview(rgba, job.width, job.height, i, onPreview);
          await source.encodeFrame(encoder, Comlink.transfer(rgba, [rgba.buffer]));
        },
        onProgress,
        controller.signal,
      );
      const result = await source.encodeFinish(encoder);
      return { file: result.file, width: job.width, height: job.height, fps: job.fps, frameCount: result.frameCount, videoCodec: result.codec, audioCodec: result.audioCodec, seconds: (performance.now() - started) / 1000, resumedAt: framesDone };
    } catch (e) {
      await source.encodeCancel(encoder);
      if (controller.signal.aborted) throw Object.assign(new Error('canceled'), { name: 'AbortError' });
      throw e instanceof Error ? e : new Error(String(e));
    } finally {
      if (generation === controller) generation = null;
    }
  },

  cancelGenerate(): void {
    generation?.abort();
  },

  cancelAnalysis(clipId: string): void {
    canceled.add(clipId);
  },
};

export type ComputeWorkerApi = typeof api;
Comlink.expose(api);
