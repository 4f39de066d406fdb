/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { GpuRoot } from '../gpu/device';
import { probeAdapter, type GpuCapabilities } from '../gpu/probe';
import { guidanceSelfTest } from '../guidance';
import { analyzeClip, AnalysisCanceled, type AnalysisClip, type AnalysisOptions, type AnalysisProgress } from '../pose/analysis';
import type { PoseTrack } from '../pose/track';
import type { MediaWorkerApi } from './media.worker';

/**
 * The compute worker: owns the WebGPU device and everything on it (onnxruntime-web sessions,
 * kernels). Reads frames straight from the media worker over a MessagePort.
 */
let root: Promise<GpuRoot> | null = null;
const getRoot = () => (root ??= GpuRoot.create());
let media: Comlink.Remote<MediaWorkerApi> | null = null;
const canceled = new Set<string>();

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
    const gpu = await getRoot();
    if (!gpu.device) throw new Error(gpu.caps.reason ?? 'no WebGPU device');
    return guidanceSelfTest(gpu.device);
  },

  cancelAnalysis(clipId: string): void {
    canceled.add(clipId);
  },
};

export type ComputeWorkerApi = typeof api;
Comlink.expose(api);
