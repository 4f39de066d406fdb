/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { CanvasSink } from 'mediabunny';
import { clearStale, closeClip, discardJob, FrameReader, jobProgress, openClip, openOutput, releaseResult, thumbnails, type EncoderAudio, type EngineOutput, type JobResult, type OpenClip } from '../media/codec';
import { MediaError, mediaErrors, type ClipInfo, type EncoderChoice, type Progress, type Slot } from '../media';
import { createPreviewEngine, type EngineProgress, type EngineReport, type PreviewJob } from '../generate';
import { installErrorTransfer } from './errors';

/**
 * The media worker: owns every opened input and decoder. Frames leave it as transferred
 * ImageBitmaps; encoded results as Files in the origin's private file system.
 */
interface Entry {
  clip: OpenClip;
  /** Preview frames for the editor panes. */
  reader: FrameReader;
  /** Frames for analysis (pose), read in order on their own decoder so scrubbing does not disturb them. */
  analysis: FrameReader | null;
  /** Frames at an engine's exact size (the side-by-side preview), on their own decoder too. */
  scaled: FrameReader | null;
}
const clips: Partial<Record<Slot, Entry>> = {};
/** Longest side of frames handed to analysis, in pixels. */
const ANALYSIS_MAX_SIDE = 1280;
const encoders = new Map<number, { job: EngineOutput; width: number; height: number; audio: EncoderAudio | null; fileName: string }>();
/** Side-by-side preview runs in progress, by the output they write into. */
const previewRuns = new Map<number, AbortController>();
let nextEncoder = 1;
/** Length of a resumable output's segments: the most output a reload loses, in seconds. */
const RESUME_SEGMENT_S = 1;
void clearStale();

installErrorTransfer({ MediaError });

function slotOf(slot: Slot) {
  const entry = clips[slot];
  if (!entry) throw new Error(`No ${slot} clip is loaded.`);
  return entry;
}

/**
 * Frame `index` of the loaded clip with id `clipId` as RGBA pixels scaled to exactly
 * `width` × `height` (the side-by-side preview), on a decoder of its own. Throws when that clip is
 * no longer loaded.
 */
async function scaledFrame(clipId: string, index: number, width: number, height: number): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const entry = Object.values(clips).find((e) => e?.clip.info.id === clipId);
  if (!entry) throw new Error(`clip ${clipId} is no longer loaded`);
  if (entry.scaled?.width !== width || entry.scaled.height !== height) {
    await entry.scaled?.dispose();
    entry.scaled = new FrameReader(entry.clip, { width, height });
  }
  return entry.scaled.rgba(index);
}

const api = {
  async open(slot: Slot, file: File, onProgress?: (p: Progress) => void): Promise<ClipInfo> {
    const clip = await openClip(file, (fraction) => onProgress?.({ phase: 'convert', fraction }));
    const reader = new FrameReader(clip);
    // Decode the first frame now so a file whose data cannot be decoded fails here, not later.
    try {
      (await reader.frame(0)).close();
    } catch (e) {
      closeClip(clip);
      throw mediaErrors.truncated(file.name, `its first frame cannot be decoded: ${(e as Error).message}`);
    }
    await api.close(slot);
    clips[slot] = { clip, reader, analysis: null, scaled: null };
    return clip.info;
  },

  async close(slot: Slot): Promise<void> {
    const entry = clips[slot];
    if (!entry) return;
    delete clips[slot];
    await entry.reader.dispose();
    await entry.analysis?.dispose();
    await entry.scaled?.dispose();
    closeClip(entry.clip);
  },

  swap(): void {
    const { reference, motion } = clips;
    if (motion) clips.reference = motion;
    else delete clips.reference;
    if (reference) clips.motion = reference;
    else delete clips.motion;
  },

  /** The frame at `index` of the clip in `slot`, at preview size. */
  async frame(slot: Slot, index: number): Promise<ImageBitmap> {
    const bitmap = await slotOf(slot).reader.frame(index);
    return Comlink.transfer(bitmap, [bitmap]);
  },

  /**
   * Frame `index` of the loaded clip with id `clipId` as RGBA pixels (long side at most 1280 px),
   * for analysis. Throws when that clip is no longer loaded.
   */
  async analysisFrame(clipId: string, index: number): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
    const entry = Object.values(clips).find((e) => e?.clip.info.id === clipId);
    if (!entry) throw new Error(`clip ${clipId} is no longer loaded`);
    entry.analysis ??= new FrameReader(entry.clip, ANALYSIS_MAX_SIDE);
    const frame = await entry.analysis.rgba(index);
    return Comlink.transfer(frame, [frame.data.buffer]);
  },

  /**
   * Runs the side-by-side preview engine here, beside the decoders and the encoder: output frames
   * from `startFrame` on go straight into the open output `id`, none crosses a worker boundary.
   * Rejects when `stopPreview(id)` stops it or a clip is no longer loaded.
   */
  async renderPreview(job: PreviewJob, id: number, startFrame: number, onProgress: (progress: EngineProgress) => void): Promise<EngineReport | void> {
    const controller = new AbortController();
    previewRuns.get(id)?.abort();
    previewRuns.set(id, controller);
    try {
      return await createPreviewEngine({ readFrame: scaledFrame }).run(
        job,
        async (width, height) => {
          const encoder = encoders.get(id);
          if (!encoder) throw new Error(`no encoder ${id}`);
          if (encoder.width !== width || encoder.height !== height) throw new RangeError(`encoder ${id} is ${encoder.width}x${encoder.height}; the preview is ${width}x${height}`);
          return { sink: (rgba) => encoder.job.add(rgba), startFrame, outputId: id };
        },
        { signal: controller.signal, onProgress },
      );
    } finally {
      if (previewRuns.get(id) === controller) previewRuns.delete(id);
    }
  },

  stopPreview(id: number): void {
    previewRuns.get(id)?.abort();
  },

  /**
   * Starts an MP4 of RGBA frames and returns its handle: encoded as they come into segments on
   * disk (WebCodecs, see JobOutput), or through ffmpeg.wasm when `spec.encoder` asks for it or
   * ('auto', the default) the browser has no H.264 encoder. With `resumeKey` it picks up that
   * job's finished frames: the caller starts at `framesDone`. `audio` is the range of a loaded
   * clip's sound to carry.
   */
  async encodeStart(
    spec: { width: number; height: number; fps: number; frameCount: number; fileName?: string; encoder?: EncoderChoice },
    audio: { slot: Slot; startS: number; durationS: number } | null = null,
    resumeKey: string | null = null,
  ): Promise<{ id: number; framesDone: number }> {
    const segmentFrames = resumeKey ? Math.max(8, Math.round(spec.fps * RESUME_SEGMENT_S)) : Math.max(1, spec.frameCount);
    const job = await openOutput(resumeKey, { width: spec.width, height: spec.height, fps: spec.fps, frameCount: spec.frameCount, segmentFrames }, spec.encoder ?? 'auto');
    const clip = audio ? clips[audio.slot]?.clip : undefined;
    const track = clip?.audio ?? null;
    const carried = audio && clip && track ? { track, file: clip.file, startS: clip.firstTimestamp + Math.max(0, audio.startS), durationS: audio.durationS } : null;
    const id = nextEncoder++;
    encoders.set(id, { job, width: spec.width, height: spec.height, audio: carried, fileName: spec.fileName ?? 'result.mp4' });
    return { id, framesDone: job.framesDone };
  },

  async encodeFrame(id: number, rgba: Uint8ClampedArray): Promise<void> {
    const encoder = encoders.get(id);
    if (!encoder) throw new Error(`no encoder ${id}`);
    await encoder.job.add(rgba);
  },

  /**
   * Finishes the MP4: a File (on disk where the browser has OPFS); `releaseResult(file.name)` frees
   * it. `onProgress` (0-1) hears how far finishing got where it takes a while (ffmpeg.wasm).
   */
  async encodeFinish(id: number, onProgress?: (fraction: number) => void): Promise<JobResult> {
    const encoder = encoders.get(id);
    if (!encoder) throw new Error(`no encoder ${id}`);
    encoders.delete(id);
    return encoder.job.finish(encoder.audio, encoder.fileName, onProgress);
  },

  /** Stops an output; a resumable one keeps its finished segments for the next start with its key. */
  async encodeCancel(id: number): Promise<void> {
    await encoders.get(id)?.job.cancel();
    encoders.delete(id);
  },

  /** How far the resumable output `key` got, or null when nothing of it is kept. */
  resumable(key: string): Promise<{ framesDone: number; frameCount: number } | null> {
    return jobProgress(key);
  },

  discardResumable(key: string): Promise<void> {
    return discardJob(key);
  },

  releaseResult(name: string): Promise<void> {
    return releaseResult(name);
  },

  /** Serves this API on `port` too, so the compute worker can read frames without the main thread. */
  connect(port: MessagePort): void {
    Comlink.expose(api, port);
  },

  async thumbnails(slot: Slot, count: number, height: number): Promise<ImageBitmap[]> {
    const bitmaps = await thumbnails(slotOf(slot).clip, count, height);
    return Comlink.transfer(bitmaps, bitmaps);
  },

  /** Decodes every frame of a clip at full size once; for the benchmark. Returns frames and seconds. */
  async benchDecode(slot: Slot): Promise<{ frames: number; seconds: number }> {
    const { clip } = slotOf(slot);
    const sink = new CanvasSink(clip.video, { poolSize: 2 });
    const t0 = performance.now();
    let frames = 0;
    for await (const _ of sink.canvases()) frames++;
    return { frames, seconds: (performance.now() - t0) / 1000 };
  },
};

export type MediaWorkerApi = typeof api;
Comlink.expose(api);
