import * as Comlink from 'comlink';
import { GpuRoot } from '../gpu';
import { bodyFraming, fitBodyTrack, retargetMotion, surfaceCoverage } from '../body';
import { analyzeClip, type AnalysisOptions } from '../pose/analysis';
import { DiffusionService } from '../generate/diffusion-service';
import { createBuiltinEngine } from '../generate/builtin';
import { createPreviewProxy, type Engine, type OpenOutput } from '../generate';
import { Project, idbPoseCache, type DiffusionJob, type OutputService } from '../project';
import type { MediaWorkerApi } from './media.worker';
import type { RgbaImage } from '../pose';

/**
 * What the compute worker holds: the WebGPU device (onnxruntime-web sessions and kernels share it),
 * the connection to the media worker, the loaded model pack, and the project core with the
 * services it runs on here (pose models, body fitting, the engines, the media worker's encoder).
 */
let root: Promise<GpuRoot> | null = null;
export const getRoot = () => (root ??= GpuRoot.create());
/** Forgets a device that could not be created, so the next call tries again. */
export const forgetRoot = () => void (root = null);
/** The WebGPU device, or an error with the adapter's reason (else `missing`). */
export async function gpuDevice(missing = 'no WebGPU device'): Promise<GPUDevice> {
  const gpu = await getRoot();
  if (!gpu.device) throw new Error(gpu.caps.reason ?? missing);
  return gpu.device;
}
let media: Comlink.Remote<MediaWorkerApi> | null = null;
/** Reads frames and encodes through the media worker, on the port it serves them on. */
export const connectMedia = (port: MessagePort) => void (media = Comlink.wrap<MediaWorkerApi>(port));
export const mediaSource = (): Comlink.Remote<MediaWorkerApi> => {
  if (!media) throw new Error('the compute worker is not connected to the media worker');
  return media;
};
export const readFrame = (clipId: string, i: number) => mediaSource().analysisFrame(clipId, i);
let diffusion: DiffusionService | null = null;
/** The model pack service (made on first use). */
export const packService = async () => (diffusion ??= new DiffusionService(await getRoot()));
/** The service when a pack was ever loaded, else null. */
export const loadedPacks = () => diffusion;

/** The pose model every clip is analysed with. */
export const POSE_MODEL: AnalysisOptions['model'] = 'blazepose-full';

/** Sends a finished frame to the page now and then (at most about once a second) as a live preview. */
let lastPreview = 0;
export async function preview(rgba: Uint8ClampedArray, width: number, height: number, index: number, send: (frame: ImageBitmap, index: number) => void): Promise<void> {
  const now = performance.now();
  if (index > 0 && now - lastPreview < 1000) return;
  lastPreview = now;
  const bitmap = await createImageBitmap(new ImageData(new Uint8ClampedArray(rgba), width, height));
  send(Comlink.transfer(bitmap, [bitmap]) as ImageBitmap, index);
}

/** The builtin engine on this worker's device. */
const builtin = createBuiltinEngine({ device: () => gpuDevice('The builtin engine needs WebGPU.'), readFrame });

/**
 * The side-by-side preview needs only the clips: it runs in the media worker beside the decoders
 * and the encoder (here its frames waited behind the pose analysis, five times slower).
 */
const previewEngine = createPreviewProxy({
  render: (job, outputId, startFrame, onProgress) => mediaSource().renderPreview(job, outputId, startFrame, Comlink.proxy(onProgress)),
  stop: (outputId) => mediaSource().stopPreview(outputId),
});

/** The diffusion engine on the loaded model pack; in refine mode the builtin engine renders first. */
const diffusionEngine: Engine<DiffusionJob> = {
  id: 'diffusion',
  async run({ job, refine }, open, { signal, onProgress }) {
    if (!diffusion) throw new Error('No model pack is loaded. Drop a pack folder first.');
    const service = diffusion;
    // Refine mode: the builtin render's frames, cropped to the diffusion's output size as they come
    // (small in memory), are the diffusion's init frames.
    let initFrames: ((i: number) => Promise<RgbaImage>) | undefined;
    if (refine) {
      const { width, height } = refine.builtin;
      const crop = service.outputCrop(job, readFrame);
      const rendered: RgbaImage[] = [];
      const keep: OpenOutput = async () => ({ sink: async (rgba, i) => void (rendered[i] = crop({ data: rgba, width, height })), startFrame: 0 });
      const device = () => gpuDevice('Refining the builtin render needs WebGPU for the builtin engine.');
      await createBuiltinEngine({ device, readFrame }).run(refine.builtin, keep, {
        signal,
        onProgress: (p) => p.stage === 'render' && onProgress({ stage: 'prepare', done: p.done, total: p.total, label: `Builtin render to refine ${p.done}/${p.total}` }),
      });
      initFrames = async (i) => {
        const frame = rendered[i];
        if (!frame) throw new Error(`The builtin render has no frame ${i}.`);
        return frame;
      };
    }
    await service.run(
      job,
      refine ? { strength: refine.strength } : {},
      readFrame,
      async ({ width, height }) => {
        const { sink } = await open(width, height);
        let index = 0;
        return { add: (frame) => sink(frame.data as Uint8ClampedArray, index++) };
      },
      onProgress,
      signal,
      initFrames,
    );
  },
};

/** The media worker's encoder (WebCodecs or ffmpeg.wasm, its choice for 'auto'), as the project core's output service. */
const output: OutputService = {
  start: (spec, audio) => {
    const { resumeKey, ...rest } = spec;
    return mediaSource().encodeStart(rest, audio, resumeKey);
  },
  frame: (id, rgba) => mediaSource().encodeFrame(id, Comlink.transfer(rgba, [rgba.buffer])),
  finish: (id, onProgress) => mediaSource().encodeFinish(id, onProgress && Comlink.proxy(onProgress)),
  cancel: (id) => mediaSource().encodeCancel(id),
  resumable: (key) => mediaSource().resumable(key),
};

export const project = new Project({
  analyzePose: async (clip, follow, onProgress, isCanceled) =>
    analyzeClip(await getRoot(), clip, (i) => readFrame(clip.id, i), { model: POSE_MODEL, follow, hands: true, ep: 'auto' }, onProgress, isCanceled),
  poseCache: idbPoseCache(POSE_MODEL),
  fitBody: (track, model) => fitBodyTrack(track, model.kind !== 'builtin' ? { model } : {}),
  retarget: retargetMotion,
  coverage: surfaceCoverage,
  framing: bodyFraming,
  engines: { builtin, preview: previewEngine, diffusion: diffusionEngine },
  output,
  now: () => performance.now(),
});

