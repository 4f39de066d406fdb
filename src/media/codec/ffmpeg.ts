import { FFmpeg } from '@ffmpeg/ffmpeg';
import coreURL from '@ffmpeg/core?url';
import wasmURL from '@ffmpeg/core/wasm?url';

/**
 * ffmpeg.wasm, for inputs WebCodecs cannot decode and for export when no H.264 encoder exists.
 * The core is served from the app's own origin (Vite copies it into the build). One instance is
 * loaded on demand and terminated after each job, because it holds hundreds of MB.
 */
async function withFfmpeg<T>(
  onProgress: ((fraction: number) => void) | undefined,
  job: (ff: FFmpeg) => Promise<T>,
): Promise<T> {
  const ff = new FFmpeg();
  const base = self.location.href;
  await ff.load({ coreURL: new URL(coreURL, base).href, wasmURL: new URL(wasmURL, base).href });
  const listener = ({ progress }: { progress: number }) => onProgress?.(Math.min(1, Math.max(0, progress)));
  ff.on('progress', listener);
  try {
    return await job(ff);
  } finally {
    ff.off('progress', listener);
    ff.terminate();
  }
}

/**
 * Converts any file ffmpeg can read into an H.264/AAC MP4 that WebCodecs decodes.
 * Throws when ffmpeg cannot read it either.
 */
export async function transcodeToMp4(file: File, onProgress?: (fraction: number) => void): Promise<File> {
  return withFfmpeg(onProgress, async (ff) => {
    await ff.createDir('/in');
    await ff.mount('WORKERFS' as never, { files: [file] }, '/in');
    const code = await ff.exec([
      '-i', `/in/${file.name}`,
      '-map', '0:v:0', '-map', '0:a:0?',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '16', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '160k',
      '-movflags', '+faststart', '/out.mp4',
    ]);
    if (code !== 0) throw new Error(`ffmpeg could not convert the file (exit ${code})`);
    const data = (await ff.readFile('/out.mp4')) as Uint8Array;
    if (data.byteLength === 0) throw new Error('ffmpeg produced an empty file');
    return new File([data as BlobPart], file.name.replace(/\.[^.]*$/, '') + '.converted.mp4', { type: 'video/mp4' });
  });
}

/** Audio to mux with the frames: a source file and the range to take from it, in seconds. */
export interface FfmpegAudio {
  file: File;
  startS: number;
  durationS: number;
}

/**
 * Encodes still frames (JPEG, numbered in order) into an H.264 MP4 at `fps`, with optional audio.
 * Used when the browser has no H.264 encoder, and by the benchmark for comparison.
 */
export async function encodeFramesWithFfmpeg(
  frames: Uint8Array[],
  fps: number,
  audio: FfmpegAudio | null,
  onProgress?: (fraction: number) => void,
): Promise<Uint8Array> {
  return withFfmpeg(onProgress, async (ff) => {
    for (let i = 0; i < frames.length; i++) {
      await ff.writeFile(`/f${String(i).padStart(6, '0')}.jpg`, frames[i]!);
    }
    const args = ['-framerate', String(fps), '-i', '/f%06d.jpg'];
    if (audio) {
      await ff.createDir('/a');
      await ff.mount('WORKERFS' as never, { files: [audio.file] }, '/a');
      args.push('-ss', audio.startS.toFixed(3), '-t', audio.durationS.toFixed(3), '-i', `/a/${audio.file.name}`);
      args.push('-map', '0:v', '-map', '1:a:0', '-c:a', 'aac', '-b:a', '160k', '-shortest');
    }
    args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-r', String(fps));
    args.push('-movflags', '+faststart', '/out.mp4');
    const code = await ff.exec(args);
    if (code !== 0) throw new Error(`ffmpeg could not encode the frames (exit ${code})`);
    return (await ff.readFile('/out.mp4')) as Uint8Array;
  });
}
