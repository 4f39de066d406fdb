/**
 * Node-only helpers for the builtin engine's real-media tests: frames decoded at a chosen size and
 * images written to PNG with the `ffmpeg` CLI, and a temporary folder. Never imported by the app
 * (index.ts does not export it). Node built-ins are loaded by name and typed by the little used
 * here, as in src/pose/node-testing.ts, so that @types/node stays out of src/'s type-check.
 */
interface NodeChildProcess {
  execFileSync(command: string, args: string[], options?: { input?: Uint8Array; maxBuffer?: number; stdio?: 'ignore' | Array<'pipe' | 'ignore'> }): Uint8Array;
}
interface NodeFs {
  mkdirSync(path: string, options: { recursive: boolean }): void;
}
interface NodeOs {
  tmpdir(): string;
}
interface NodePath {
  join(...parts: string[]): string;
}

const builtin = <T>(name: string): Promise<T> => import(/* @vite-ignore */ name) as Promise<T>;
const [childProcess, fs, os, path] = await Promise.all([
  builtin<NodeChildProcess>('node:child_process'),
  builtin<NodeFs>('node:fs'),
  builtin<NodeOs>('node:os'),
  builtin<NodePath>('node:path'),
]);

/** A folder under the system's temporary directory (created when missing). */
export function tempDir(name: string): string {
  const dir = path.join(os.tmpdir(), name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export const joinPath = (...parts: string[]): string => path.join(...parts);

/** Writes RGBA pixels to a PNG file. */
export function writePng(file: string, rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): void {
  const input = new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  childProcess.execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${width}x${height}`, '-i', '-', '-frames:v', '1', file], {
    input,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
}

/** `images` (same height) side by side in one RGBA buffer. */
export function sideBySide(images: Array<Uint8Array | Uint8ClampedArray>, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * images.length * height * 4);
  images.forEach((img, k) => {
    for (let y = 0; y < height; y++) out.set(img.subarray(y * width * 4, (y + 1) * width * 4), (y * width * images.length + k * width) * 4);
  });
  return out;
}
