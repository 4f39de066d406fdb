/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { probeAdapter, type GpuCapabilities } from '../gpu';
import { renderGuidance, type GuidanceExportJob } from '../guidance';
import { BUILTIN_BODY_MODEL, loadBodyModelFile, type BodyModel } from '../body';
import { analyzeClip, type AnalysisOptions } from '../pose/analysis';
import type { CachedPack, DiffusionCheck, OriginPack, PackInfo, PackLoadProgress, PackSource } from '../generate';
import type { FollowPoint, GenerateProgress, GenerateRequest, GenerateResult, PlacementSettings, ProjectClip, ProjectEvent } from '../project';
import { MediaError, type Slot } from '../media';
import { connectMedia, forgetRoot, getRoot, loadedPacks, mediaSource, packService, preview, project, readFrame } from './compute-context';
import { installErrorTransfer } from './errors';

// Errors this worker receives (from the media worker) keep their class; those it throws are rebuilt by the page.
installErrorTransfer({ MediaError });

/**
 * The compute worker: owns the WebGPU device and everything on it (onnxruntime-web sessions,
 * kernels) and the project core, so pose and body tracks are made, kept and used on this side of
 * the boundary. Reads frames straight from the media worker over a MessagePort. Its API is what
 * the page calls; what it holds is in compute-context.ts.
 */
const api = {
  async probe(): Promise<GpuCapabilities> {
    try {
      return (await getRoot()).caps;
    } catch (e) {
      forgetRoot();
      const { caps } = await probeAdapter();
      return { ...caps, available: false, reason: `The GPU device could not be created: ${(e as Error).message}` };
    }
  },

  /** Receives the port on which the media worker serves frames. */
  connectMedia(port: MessagePort): void {
    connectMedia(port);
  },

  // ---- the project core: its view follows it through these events ----

  /** Follows the project core's events (each track arrives once, when it is made). */
  subscribe(listener: (event: ProjectEvent) => void): void {
    project.subscribe(listener);
  },

  /** Puts a loaded clip in a slot (null empties it); its pose analysis starts, from the cache when it can. */
  setClip(slot: Slot, clip: ProjectClip | null): void {
    void project.setClip(slot, clip);
  },

  swapClips(): void {
    project.swap();
  },

  /** Analyses the clip in `slot` again, following the person at a clicked point. */
  follow(slot: Slot, point: FollowPoint): Promise<void> {
    return project.follow(slot, point);
  },

  setPlacement(placement: PlacementSettings): void {
    project.setPlacement(placement);
  },

  /** Reads and checks a user's SMPL model file (.npz) and fits with it; throws BodyModelError with what to fix. */
  async loadBodyModel(bytes: ArrayBuffer, fileName: string): Promise<BodyModel> {
    const model = await loadBodyModelFile(new Uint8Array(bytes), fileName);
    project.setBodyModel(model);
    return model;
  },

  /** Fits with the built-in body again. */
  resetBodyModel(): void {
    project.setBodyModel(BUILTIN_BODY_MODEL);
  },

  /** Frames an earlier builtin run of this request left on disk (a reload or Cancel stopped it), with its key. */
  resumable(request: GenerateRequest): Promise<{ key: string; framesDone: number; frameCount: number } | null> {
    return project.resumable(request);
  },

  /** Runs Generate's engine over the project's clips and returns the encoded MP4; rejects with CanceledError when canceled. */
  generate(request: GenerateRequest, onProgress: (p: GenerateProgress) => void, onPreview: ((frame: ImageBitmap, index: number) => void) | null = null): Promise<GenerateResult> {
    return project.generate(request, { onProgress, onFrame: onPreview ? (rgba, width, height, i) => preview(rgba, width, height, i, onPreview) : undefined });
  },

  cancelGenerate(): void {
    project.cancelGenerate();
  },

  /** Renders one guidance map of the retargeted body over its frames into an H.264 MP4. */
  async exportGuidance(job: Omit<GuidanceExportJob, 'body'>, onProgress: (done: number, total: number) => void): Promise<{ file: File; frameCount: number }> {
    const body = project.retargetedBody();
    if (!body) throw new Error('Both clips need a fitted 3D body first.');
    const source = mediaSource();
    const gpu = await getRoot();
    const { id } = await source.encodeStart({ width: job.width, height: job.height, fps: job.fps, frameCount: job.frames.length, fileName: `${job.kind}.mp4` });
    try {
      await renderGuidance(
        gpu.device,
        { ...job, body },
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

  // ---- model packs ----

  /**
   * Validates a model pack (every file against pack.json, sha256 included; a cached copy was
   * hashed when it was made), keeps a copy in the pack cache, and creates its sessions.
   */
  async loadPack(source: PackSource, onProgress: (p: PackLoadProgress) => void): Promise<PackInfo> {
    return (await packService()).loadPack(source, onProgress);
  },

  /** Packs this site serves and packs in the pack cache. */
  async listPacks(): Promise<{ origin: OriginPack[]; cached: CachedPack[] }> {
    return (await packService()).listPacks();
  },

  async removeCachedPack(key: string): Promise<void> {
    await (await packService()).removeCached(key);
  },

  async unloadPack(): Promise<void> {
    await loadedPacks()?.unload();
  },

  // ---- benchmark and browser-test hooks (?bench) ----

  /**
   * Benchmark: pose over the first `frames` frames of a loaded clip with one model and execution
   * provider. The first frame (session warm-up, shader compilation) is timed separately.
   */
  async benchPose(clip: ProjectClip, model: AnalysisOptions['model'], ep: 'webgpu' | 'wasm', frames: number): Promise<{ ep: string; frames: number; firstFrameS: number; fps: number }> {
    const gpu = await getRoot();
    const n = Math.min(frames, clip.frameCount);
    const stamps: number[] = [];
    const t0 = performance.now();
    const track = await analyzeClip(gpu, { ...clip, frameCount: n }, (i) => readFrame(clip.id, i), { model, ep, hands: true, follow: null }, () => stamps.push(performance.now()), () => false);
    const first = (stamps[0]! - t0) / 1000;
    const rest = (stamps[n - 1]! - stamps[0]!) / 1000;
    return { ep: track.ep, frames: n, firstFrameS: first, fps: n > 1 ? (n - 1) / rest : 1 / first };
  },

  /** Self-check and benchmark of the loaded pack: GPU loop vs CPU loops, buffer maps, GPU memory. */
  async diffusionCheck(options: { frames: number; steps: number[]; seed?: number }): Promise<DiffusionCheck> {
    const packs = loadedPacks();
    if (!packs) throw new Error('No model pack is loaded.');
    return packs.check(options);
  },
};

export type ComputeWorkerApi = typeof api;
Comlink.expose(api);
