import {
  CanvasSink,
  CanvasSource,
  EncodedAudioPacketSource,
  EncodedPacketSink,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  type InputAudioTrack,
} from 'mediabunny';
import { avcCodecString } from '../avc';
import type { OpenClip } from './clip';
import { MediaError, mediaErrors } from '../errors';
import { encodeFramesWithFfmpeg, type FfmpegAudio } from './ffmpeg';
import { sideBySideLayout } from '../layout';
import { resultTarget } from './results';
import { outputDuration, outputFrameTimes, sourceTimes } from '../timeline';
import type { Progress, RenderJob, RenderResult } from '../types';

/** Audio codecs an MP4 can carry as they are, without re-encoding. */
const MP4_AUDIO_PASSTHROUGH = new Set(['aac', 'opus', 'mp3', 'flac', 'ac3', 'eac3']);

/** H.264 profiles in order of preference: High, Main, Constrained Baseline (software encoders). */
const AVC_PROFILES = ['6400', '4d00', '42e0'];

/** The first H.264 codec string this browser's WebCodecs can encode at this size and rate, or null. */
export async function findAvcEncoder(width: number, height: number, fps: number): Promise<string | null> {
  if (typeof VideoEncoder === 'undefined') return null;
  const level = avcCodecString(width, height, fps).slice(-2);
  for (const profile of AVC_PROFILES) {
    const codec = `avc1.${profile}${level}`;
    try {
      const { supported } = await VideoEncoder.isConfigSupported({ codec, width, height, framerate: fps, bitrate: 4e6 });
      if (supported) return codec;
    } catch {
      /* try the next profile */
    }
  }
  return null;
}

interface RenderContext {
  reference: OpenClip;
  motion: OpenClip;
  job: RenderJob;
  onProgress: (p: Progress) => void;
  isCanceled: () => boolean;
}

/**
 * Renders the shared timeline as a side-by-side video (reference | motion) into an MP4, with the
 * audio of the chosen clip. The stand-in for an engine until one exists.
 */
export async function renderSideBySide(ctx: RenderContext): Promise<RenderResult> {
  const started = performance.now();
  const { reference, motion, job } = ctx;
  const fps = motion.info.fps;
  const layout = sideBySideLayout(reference.info, motion.info, job.maxHeight);
  const times = outputFrameTimes(job.timeline, fps);
  const canvas = new OffscreenCanvas(layout.width, layout.height);
  const g = canvas.getContext('2d', { alpha: false })!;
  const refSink = new CanvasSink(reference.video, { width: layout.reference.width, height: layout.reference.height, fit: 'fill' });
  const motionSink = new CanvasSink(motion.video, { width: layout.motion.width, height: layout.motion.height, fit: 'fill' });
  const refFrames = refSink.canvasesAtTimestamps(
    times.map((t) => reference.firstTimestamp + sourceTimes(job.timeline, t).reference),
  );
  const motionFrames = motionSink.canvasesAtTimestamps(
    times.map((t) => motion.firstTimestamp + sourceTimes(job.timeline, t).motion),
  );

  /** Draws output frame k into `canvas`. */
  const drawNext = async () => {
    const [r, m] = await Promise.all([refFrames.next(), motionFrames.next()]);
    g.fillStyle = '#000';
    g.fillRect(0, 0, layout.width, layout.height);
    if (!r.done && r.value) g.drawImage(r.value.canvas, layout.reference.x, layout.reference.y);
    if (!m.done && m.value) g.drawImage(m.value.canvas, layout.motion.x, layout.motion.y);
  };

  const audioClip = job.audio === 'reference' ? reference : job.audio === 'motion' ? motion : null;
  const audioRange = audioClip ? audioRangeFor(job, audioClip) : null;
  const codec = job.encoder === 'ffmpeg' ? null : await findAvcEncoder(layout.width, layout.height, fps);
  if (job.encoder === 'webcodecs' && !codec) {
    throw new MediaError('encode-failed', 'This browser has no H.264 encoder (WebCodecs). Use the automatic encoder choice.');
  }

  const report = (done: number) =>
    ctx.onProgress({ phase: 'render', fraction: done / times.length, done, total: times.length });

  try {
    if (codec) {
      const { target, file } = await resultTarget('side-by-side.mp4');
      const output = new Output({ format: new Mp4OutputFormat({ fastStart: false }), target });
      const video = new CanvasSource(canvas, { codec: 'avc', bitrate: QUALITY_HIGH, fullCodecString: codec });
      output.addVideoTrack(video, { frameRate: fps });
      const audio = audioClip?.audio && audioRange ? await prepareAudioPassthrough(audioClip.audio) : null;
      if (audio) output.addAudioTrack(audio.source);
      await output.start();
      const feedVideo = async () => {
        for (let k = 0; k < times.length; k++) {
          if (ctx.isCanceled()) throw mediaErrors.canceled();
          await drawNext();
          await video.add(times[k]!, 1 / fps);
          report(k + 1);
        }
        video.close();
      };
      const feedAudio = async () => {
        if (audio && audioRange) await audio.copy(audioRange.startS, audioRange.startS + audioRange.durationS, ctx.isCanceled);
        audio?.source.close();
      };
      try {
        await Promise.all([feedVideo(), feedAudio()]);
      } catch (e) {
        await output.cancel();
        throw e;
      }
      ctx.onProgress({ phase: 'encode', fraction: 1 });
      await output.finalize();
      return {
        file: await file(),
        width: layout.width,
        height: layout.height,
        fps,
        frameCount: times.length,
        durationS: times.length / fps,
        videoCodec: codec,
        audioCodec: audio ? audio.codec : null,
        encoder: 'webcodecs',
        seconds: (performance.now() - started) / 1000,
      };
    }

    // No WebCodecs H.264 encoder (or ffmpeg asked for): JPEG frames through ffmpeg.wasm.
    const jpegs: Uint8Array[] = [];
    for (let k = 0; k < times.length; k++) {
      if (ctx.isCanceled()) throw mediaErrors.canceled();
      await drawNext();
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 });
      jpegs.push(new Uint8Array(await blob.arrayBuffer()));
      ctx.onProgress({ phase: 'render', fraction: (0.5 * (k + 1)) / times.length, done: k + 1, total: times.length });
    }
    const ffAudio: FfmpegAudio | null = audioClip?.audio && audioRange ? { file: audioClip.file, ...audioRange } : null;
    const data = await encodeFramesWithFfmpeg(jpegs, fps, ffAudio, (f) =>
      ctx.onProgress({ phase: 'encode', fraction: 0.5 + 0.5 * f, done: times.length, total: times.length }),
    );
    return {
      file: new File([data as Uint8Array<ArrayBuffer>], 'side-by-side.mp4', { type: 'video/mp4' }),
      width: layout.width,
      height: layout.height,
      fps,
      frameCount: times.length,
      durationS: times.length / fps,
      videoCodec: 'avc1 (libx264)',
      audioCodec: ffAudio ? 'aac' : null,
      encoder: 'ffmpeg',
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await refFrames.return();
    await motionFrames.return();
  }
}

/** The range of the audio clip that plays under the output, in file seconds. */
function audioRangeFor(job: RenderJob, clip: OpenClip): { startS: number; durationS: number } {
  const durationS = outputDuration(job.timeline);
  const start =
    job.audio === 'reference' ? job.timeline.reference.inS + job.timeline.offsetS : job.timeline.motion.inS;
  return { startS: clip.firstTimestamp + Math.max(0, start), durationS };
}

/**
 * Copies the audio packets of [startS, endS) into the output unchanged (no re-encode), shifted so
 * the range starts at 0. Returns null when the codec cannot go into an MP4 as it is.
 */
export async function prepareAudioPassthrough(track: InputAudioTrack) {
  const codec = await track.getCodec();
  if (!codec || !MP4_AUDIO_PASSTHROUGH.has(codec)) return null;
  const decoderConfig = await track.getDecoderConfig();
  if (!decoderConfig) return null;
  const source = new EncodedAudioPacketSource(codec);
  const sink = new EncodedPacketSink(track);
  return {
    codec,
    source,
    async copy(startS: number, endS: number, isCanceled: () => boolean) {
      let first = true;
      const startPacket = (await sink.getPacket(startS)) ?? (await sink.getFirstPacket());
      if (!startPacket) return;
      for await (const packet of sink.packets(startPacket)) {
        if (isCanceled()) return;
        if (packet.timestamp >= endS) break;
        const timestamp = packet.timestamp - startS;
        if (timestamp < 0) continue;
        await source.add(packet.clone({ timestamp }), first ? { decoderConfig } : undefined);
        first = false;
      }
    },
  };
}
