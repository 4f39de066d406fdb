/**
 * Test media: real clips from ../shared/media when present, and clips the tests make themselves
 * with Debian's ffmpeg (which also serves as the independent decoder the app is checked against).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_FORMATS, BufferTarget, EncodedVideoPacketSource, FilePathSource, Input, Mp4OutputFormat, Output } from 'mediabunny';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED_MEDIA = path.resolve(repoRoot, '../shared/media');
export const hasSharedMedia = existsSync(SHARED_MEDIA);
export const SHARED_SKIP_REASON = `../shared/media not found at ${SHARED_MEDIA}: tests on real footage are skipped`;
if (!hasSharedMedia) {
  if (process.env.CI) throw new Error(`CI needs the real test media: ${SHARED_SKIP_REASON}`);
  console.log(SHARED_SKIP_REASON);
}
export const shared = (name: string) => path.join(SHARED_MEDIA, name);

const GEN_DIR = path.join(tmpdir(), 'motionpaste-e2e-media');
mkdirSync(GEN_DIR, { recursive: true });

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Makes a file once per machine; written under a temporary name so a failed run leaves nothing behind. */
function once(name: string, make: (out: string) => void | Promise<void>): () => Promise<string> {
  return async () => {
    const out = path.join(GEN_DIR, name);
    if (!existsSync(out)) {
      const partial = path.join(GEN_DIR, `partial-${process.pid}-${name}`);
      await make(partial);
      renameSync(partial, out);
    }
    return out;
  };
}

/**
 * The first `seconds` of a real clip (re-encoded; its sound as AAC when `audio`, else none): less to
 * analyse where the test needs only a little.
 */
export function sharedStart(name: string, seconds: number, { audio = false } = {}): Promise<string> {
  const sound = audio ? ['-c:a', 'aac'] : ['-an'];
  return once(`${path.basename(name, '.mp4')}_first_${seconds}s${audio ? '_audio' : ''}.mp4`, (out) => ffmpeg(['-i', shared(name), '-t', String(seconds), ...h264, ...sound, out]))();
}

/** `seconds` of a clip from ../shared/media starting `from` seconds in, re-encoded (no audio): a moment of a clip without its start. */
export function sharedCut(name: string, from: number, seconds: number): Promise<string> {
  return once(`${path.basename(name, '.mp4')}_${from}s_${seconds}s.mp4`, (out) => ffmpeg(['-ss', String(from), '-i', shared(name), '-t', String(seconds), ...h264, '-an', out]))();
}

/** Presentation times of every frame, in seconds from the first, sorted (ffprobe's packet index). */
export function frameTimes(file: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  });
  const times = out.split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
  return times.map((t) => t - times[0]!);
}

const h264 = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'veryfast', '-crf', '12', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'];

/** 2 s, 320x240, 25 fps, frame counter pattern, with a 440 Hz AAC tone. */
export const genLandscape = once('landscape_25fps_audio.mp4', (out) =>
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=2', '-f', 'lavfi', '-i', 'sine=f=440:d=2', ...h264, '-c:a', 'aac', '-shortest', out]),
);

/** 3 s, 240x320, 30 fps, no audio. */
export const genPortrait = once('portrait_30fps.mp4', (out) =>
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=s=240x320:r=30:d=3', ...h264, out]),
);

/** 20 s, 640x360, 30 fps: long enough that a render can be canceled midway. */
export const genLong = once('long_640x360_30fps.mp4', (out) =>
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=30:d=20', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', out]),
);

/** A text file named .mp4. */
export const genNotAVideo = once('not_a_video.mp4', (out) => writeFileSync(out, 'this is a text file, not a video\n'));

/** An MP4 whose header lists every frame but whose data stops at 40 %. */
export const genTruncated = once('truncated.mp4', async (out) => {
  const full = path.join(GEN_DIR, 'truncate_source.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=4', ...h264, '-movflags', '+faststart', full]);
  const bytes = readFileSync(full);
  writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
});

/** An audio-only file. */
export const genAudioOnly = once('audio_only.m4a', (out) => ffmpeg(['-f', 'lavfi', '-i', 'sine=f=330:d=1', '-c:a', 'aac', out]));

/** An MP4 with a video track that holds no frames. */
export const genZeroLength = once('zero_length.mp4', async (out) => {
  const input = new Input({ source: new FilePathSource(await genLandscape()), formats: ALL_FORMATS });
  const track = (await input.getPrimaryVideoTrack())!;
  const decoderConfig = (await track.getDecoderConfig())!;
  const output = new Output({ format: new Mp4OutputFormat(), target: new BufferTarget() });
  output.addVideoTrack(new EncodedVideoPacketSource('avc'), { decoderConfig } as never);
  await output.start();
  await output.finalize();
  writeFileSync(out, new Uint8Array(output.target.buffer!));
  input.dispose();
});

/** One 4K frame (3840x2160 coded) with 4:3 pixels: 5120x2160 on screen. */
export const genUhdWidePixels = once('uhd_3840x2160_sar_4_3.mp4', (out) =>
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=3840x2160:r=1:d=1', '-vf', 'setsar=4/3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', out]),
);

/** One frame larger than 4K (4096x2304). */
export const genOver4K = once('over_4k_4096x2304.mp4', (out) =>
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=4096x2304:r=1:d=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast', out]),
);

/** A sparse 2.1 GB file: over the size limit without using the disk. */
export const genOver2GB = once('over_2gb.mp4', (out) => {
  const fd = openSync(out, 'w');
  ftruncateSync(fd, Math.floor(2.1 * 2 ** 30));
  closeSync(fd);
});

/** Frame `n` of a video decoded by ffmpeg, as RGB24 bytes at the video's display size. */
export function decodeFrame(file: string, n: number): Buffer {
  return execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${n})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { maxBuffer: 1 << 28 },
  );
}

/** Any image ffmpeg reads (a PNG from the page) as RGB24 bytes. */
export function imageToRgb(png: Buffer): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    input: png,
    maxBuffer: 1 << 28,
  });
}

/** Any image ffmpeg reads as RGBA bytes (keeps the alpha of a PNG). */
export function imageToRgba(png: Buffer): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], {
    input: png,
    maxBuffer: 1 << 28,
  });
}

/**
 * Peak signal-to-noise ratio in dB of the luma (BT.709 weights) of two same-size RGB24 images.
 * Luma, because two correct decoders differ in chroma upsampling and rounding, not in the picture.
 */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`image sizes differ: ${a.length} vs ${b.length} bytes`);
  let sum = 0;
  for (let i = 0; i < a.length; i += 3) {
    const d =
      0.2126 * (a[i]! - b[i]!) + 0.7152 * (a[i + 1]! - b[i + 1]!) + 0.0722 * (a[i + 2]! - b[i + 2]!);
    sum += d * d;
  }
  const mse = sum / (a.length / 3);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_read_frames?: string;
  profile?: string;
  level?: number;
}

/** ffprobe's view of a file, counting frames by decoding them. */
export function probe(file: string): { streams: ProbedStream[]; format: { duration: string } } {
  const json = execFileSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,r_frame_rate,avg_frame_rate,nb_read_frames,profile,level:format=duration', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  return JSON.parse(json);
}
