import { BufferTarget, Mp4OutputFormat, Output, QUALITY_VERY_HIGH, VideoSample, VideoSampleSource, type InputAudioTrack, type Target } from 'mediabunny';
import { avcCodecString } from '../avc';
import { MediaError } from '../errors';

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

/** Audio to carry into an output: a track (and its file, for ffmpeg.wasm) and the range of it, in file seconds. */
export interface EncoderAudio {
  track: InputAudioTrack;
  file: File;
  startS: number;
  durationS: number;
}

/**
 * Encodes RGBA frames into an H.264 MP4, frame by frame, so a producer elsewhere (the compute
 * worker rendering guidance maps or engine output) streams frames in without holding them all.
 */
export class RgbaVideoEncoder {
  private constructor(
    private readonly output: Output,
    private readonly source: VideoSampleSource,
    readonly width: number,
    readonly height: number,
    readonly fps: number,
    readonly codec: string,
  ) {}

  private frames = 0;

  /** `target` defaults to memory; a streaming target (an OPFS file) keeps the MP4 out of memory. */
  static async create(width: number, height: number, fps: number, target: Target = new BufferTarget()): Promise<RgbaVideoEncoder> {
    if (width % 2 || height % 2) throw new RangeError(`width and height must be even for H.264; got ${width}x${height}.`);
    const codec = await findAvcEncoder(width, height, fps);
    if (!codec) throw new MediaError('encode-failed', 'This browser has no H.264 encoder (WebCodecs).');
    const output = new Output({ format: new Mp4OutputFormat({ fastStart: target instanceof BufferTarget ? 'in-memory' : false }), target });
    // The output is the user's final copy: mediabunny's "very high" (H.264 at about QP 16 where
    // the encoder takes a quantizer, else about twice "high"'s bitrate) keeps the fine detail of
    // faces and scenery that "high" (QP 22) smoothed away; the ffmpeg.wasm path uses CRF 18.
    const source = new VideoSampleSource({ codec: 'avc', bitrate: QUALITY_VERY_HIGH, fullCodecString: codec });
    output.addVideoTrack(source, { frameRate: fps });
    await output.start();
    return new RgbaVideoEncoder(output, source, width, height, fps, codec);
  }

  /** Adds the next frame: `width * height * 4` bytes of RGBA. */
  async add(rgba: Uint8Array | Uint8ClampedArray): Promise<void> {
    if (rgba.byteLength !== this.width * this.height * 4) {
      throw new RangeError(`frame must be ${this.width}x${this.height} RGBA (${this.width * this.height * 4} bytes); got ${rgba.byteLength}.`);
    }
    const sample = new VideoSample(rgba, {
      format: 'RGBA',
      codedWidth: this.width,
      codedHeight: this.height,
      timestamp: this.frames / this.fps,
      duration: 1 / this.fps,
    });
    this.frames++;
    try {
      await this.source.add(sample);
    } finally {
      sample.close();
    }
  }

  /** Finishes the MP4 in its target. */
  async finish(): Promise<number> {
    this.source.close();
    await this.output.finalize();
    return this.frames;
  }

  async cancel(): Promise<void> {
    await this.output.cancel();
  }
}
