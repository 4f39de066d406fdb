import { MediaError } from '../errors';
import type { EncoderChoice } from '../types';
import { findAvcEncoder, type EncoderAudio } from './encode';
import { encodeFramesWithFfmpeg } from './ffmpeg';
import { JobOutput, type JobResult, type JobSpec } from './job-output';

/** An engine's output being encoded, frame by frame: what the media worker's encoder API drives. */
export interface EngineOutput {
  /** Output frames already made (a resumed job's): the engine starts at this one. */
  readonly framesDone: number;
  /** Adds the next frame: `width * height * 4` bytes of RGBA. */
  add(rgba: Uint8Array | Uint8ClampedArray): Promise<void>;
  /** Finishes the MP4 with `audio` beside the video; `onProgress` (0-1) where finishing takes a while. */
  finish(audio: EncoderAudio | null, fileName: string, onProgress?: (fraction: number) => void): Promise<JobResult>;
  /** Stops without finishing (a resumable job keeps its finished segments). */
  cancel(): Promise<void>;
}

/**
 * Opens an engine's output with the encoder `choice` asks for: WebCodecs H.264 into resumable
 * segments on disk (`JobOutput`), or ffmpeg.wasm when asked for or when this browser has no H.264
 * encoder at this size and rate (`auto`). The one place the app chooses between them.
 */
export async function openOutput(key: string | null, spec: JobSpec, choice: EncoderChoice): Promise<EngineOutput> {
  if (choice !== 'ffmpeg') {
    if (await findAvcEncoder(spec.width, spec.height, spec.fps)) return JobOutput.open(key, spec);
    if (choice === 'webcodecs') throw new MediaError('encode-failed', 'This browser has no H.264 encoder (WebCodecs). Use the automatic encoder choice.');
  }
  return new FfmpegOutput(spec.width, spec.height, spec.fps);
}

/**
 * Output through ffmpeg.wasm: each frame is kept as a JPEG in memory, and finishing encodes them
 * all with libx264 (and the audio range as AAC). Nothing resumes it.
 */
class FfmpegOutput implements EngineOutput {
  private readonly jpegs: Uint8Array[] = [];
  private readonly canvas: OffscreenCanvas;
  private readonly g: OffscreenCanvasRenderingContext2D;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly fps: number,
  ) {
    this.canvas = new OffscreenCanvas(width, height);
    this.g = this.canvas.getContext('2d', { alpha: false })!;
  }

  readonly framesDone = 0;

  async add(rgba: Uint8Array | Uint8ClampedArray): Promise<void> {
    const { width, height } = this;
    if (rgba.byteLength !== width * height * 4) throw new RangeError(`frame must be ${width}x${height} RGBA (${width * height * 4} bytes); got ${rgba.byteLength}.`);
    const pixels = new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, rgba.byteLength);
    this.g.putImageData(new ImageData(pixels, width, height), 0, 0);
    const blob = await this.canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 });
    this.jpegs.push(new Uint8Array(await blob.arrayBuffer()));
  }

  async finish(audio: EncoderAudio | null, fileName: string, onProgress?: (fraction: number) => void): Promise<JobResult> {
    const ffAudio = audio ? { file: audio.file, startS: audio.startS, durationS: audio.durationS } : null;
    const data = await encodeFramesWithFfmpeg(this.jpegs, this.fps, ffAudio, onProgress);
    const frameCount = this.jpegs.length;
    this.jpegs.length = 0;
    return {
      file: new File([data as Uint8Array<ArrayBuffer>], fileName, { type: 'video/mp4' }),
      frameCount,
      codec: 'avc1 (libx264)',
      audioCodec: ffAudio ? 'aac' : null,
      encoder: 'ffmpeg',
    };
  }

  async cancel(): Promise<void> {
    this.jpegs.length = 0;
  }
}
