// ffmpeg / ffprobe helpers of the evaluation harness (Debian's ffmpeg on the PATH).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const FFMPEG = process.env.FFMPEG ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE ?? 'ffprobe';

/** An error the user can fix; main prints its message without a stack trace. */
export class EvalError extends Error {
  name = 'EvalError';
}

async function run(cmd, args, options = {}) {
  try {
    return await exec(cmd, args, { maxBuffer: 2 ** 32, encoding: 'buffer', ...options });
  } catch (e) {
    if (e.code === 'ENOENT') throw new EvalError(`${cmd} was not found; install it (apt-get install -y ffmpeg).`);
    const stderr = e.stderr ? e.stderr.toString().trim().split('\n').slice(-3).join(' / ') : '';
    throw new EvalError(`${cmd} failed (${args.find((a, i) => args[i - 1] === '-i') ?? args.at(-1)}): ${stderr || e.message}`);
  }
}

/** Width, height, frame rate (rational string and number) and frame count of a video's first stream. */
export async function probe(file) {
  const { stdout } = await run(FFPROBE, [
    '-v', 'error', '-select_streams', 'v:0', '-count_packets',
    '-show_entries', 'stream=width,height,r_frame_rate,avg_frame_rate,nb_read_packets', '-of', 'json', file,
  ]);
  const s = JSON.parse(stdout.toString()).streams?.[0];
  if (!s) throw new EvalError(`${file} has no video stream.`);
  const rate = s.r_frame_rate && s.r_frame_rate !== '0/0' ? s.r_frame_rate : s.avg_frame_rate;
  const [n, d] = rate.split('/').map(Number);
  return { width: s.width, height: s.height, rate, fps: d ? n / d : n, frameCount: Number(s.nb_read_packets) };
}

/** Presentation times of every frame (packet), in seconds from the first, sorted. */
export async function frameTimes(file) {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  const t = stdout
    .toString()
    .split('\n')
    .map((l) => Number.parseFloat(l))
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
  return t.map((v) => v - t[0]);
}

const ENCODE = ['-c:v', 'libx264', '-preset', 'medium', '-crf', '12', '-pix_fmt', 'yuv420p', '-an'];

/** Cuts frames [start, end) of `file` into `out`, re-encoded with libx264 (frame-accurate), timestamps from 0. */
export async function cutFrames(file, start, end, out) {
  const vf = `trim=start_frame=${start}:end_frame=${end},setpts=PTS-STARTPTS`;
  await run(FFMPEG, ['-v', 'error', '-y', '-i', file, '-vf', vf, '-fps_mode', 'passthrough', ...ENCODE, out]);
}

/** The first `count` frames of `file` scaled to width x height, as rgb24 buffers (one per frame). */
export async function decodeFrames(file, { width, height, count }) {
  const { stdout } = await run(FFMPEG, [
    '-v', 'error', '-i', file, '-an', '-fps_mode', 'passthrough', '-frames:v', String(count),
    '-vf', `scale=${width}:${height}:flags=bicubic`, '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-',
  ]);
  const size = width * height * 3;
  const frames = [];
  for (let o = 0; o + size <= stdout.length; o += size) frames.push(new Uint8Array(stdout.buffer, stdout.byteOffset + o, size));
  return frames;
}

/** Encodes rgb24 frames (width x height) at `rate` (e.g. "30000/1001") into an H.264 MP4. */
export function encodeFrames(frames, { width, height, rate }, out) {
  return new Promise((resolve, reject) => {
    const args = ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', rate, '-i', '-', ...ENCODE, out];
    const p = spawn(FFMPEG, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e) => reject(e.code === 'ENOENT' ? new EvalError('ffmpeg was not found; install it (apt-get install -y ffmpeg).') : e));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new EvalError(`ffmpeg could not encode ${out}: ${err.trim()}`))));
    p.stdin.on('error', () => undefined);
    (async () => {
      for (const f of frames) if (!p.stdin.write(f)) await new Promise((r) => p.stdin.once('drain', r));
      p.stdin.end();
    })();
  });
}

/** Writes one rgb24 image (width x height) as a PNG with ffmpeg. */
export function writePng(rgb, { width, height }, out) {
  return new Promise((resolve, reject) => {
    const args = ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-i', '-', '-frames:v', '1', '-c:v', 'png', '-f', 'image2', out];
    const p = spawn(FFMPEG, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e) => reject(e.code === 'ENOENT' ? new EvalError('ffmpeg was not found; install it (apt-get install -y ffmpeg).') : e));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new EvalError(`ffmpeg could not write ${out}: ${err.trim()}`))));
    p.stdin.on('error', () => undefined);
    p.stdin.end(rgb);
  });
}
