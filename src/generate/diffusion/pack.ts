/**
 * The model-pack contract of the diffusion engine (docs/model-packs.md): `pack.json` parsing and
 * validation against the MimicMotion contract, and the check of every file of a pack against
 * `pack.json` (presence, size, ONNX inputs/outputs, external data, sha256). Browser-safe: files are
 * read through `ByteSource`s in ranges, never whole.
 */
import { blobSource, hashSource, type ByteSource } from './bytes';
import type { GuidanceSetting } from './cfg';
import { PackError, type PackErrorCode, type PackProblem } from './errors';
import type { FusionMode } from './fusion';
import { OnnxFormatError, readOnnxInfo, type OnnxModelInfo, type OnnxTensorInfo } from './onnx-io';
import { eulerConfigFrom, type EulerDiscreteConfig } from './samplers/euler-discrete';

/** The five models of a MimicMotion pack. */
export type PackRole = 'image_encoder' | 'vae_encoder' | 'pose_net' | 'unet' | 'vae_decoder';
export const PACK_ROLES: readonly PackRole[] = ['image_encoder', 'vae_encoder', 'pose_net', 'unet', 'vae_decoder'];

/** Element types a pack may declare for model inputs and outputs. */
export type TensorDtype = 'float32' | 'float16' | 'int64' | 'int32';
const DTYPES: readonly TensorDtype[] = ['float32', 'float16', 'int64', 'int32'];

/** A dimension: a fixed size or a symbol (ONNX `dim_param`, e.g. "F", "H"). */
export type Dim = number | string;

/** One model input or output as pack.json declares it. */
export interface TensorSpec {
  name: string;
  dtype: TensorDtype;
  shape: Dim[];
}

/** A file with its size and hash. */
export interface FileSpec {
  /** Path relative to the pack folder. */
  file: string;
  /** Size, in bytes. */
  bytes: number;
  /** SHA-256, 64 lowercase hex characters. */
  sha256: string;
}

/** One model of a pack. */
export interface ModelSpec extends FileSpec {
  role: PackRole;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Weight files the ONNX file refers to (needed over 2 GB); their `file` is the initializers' location. */
  externalData: FileSpec[];
  /** 'int4' / 'int8': MatMul weights quantised to MatMulNBits (com.microsoft); 'none' otherwise. */
  quantization: 'none' | 'int4' | 'int8';
}

/** Sampling defaults of a pack (REFERENCES.md for MimicMotion's values). */
export interface SamplingDefaults {
  /** Denoising steps. */
  steps: number;
  /** CFG: a uniform scale or a per-frame ramp. */
  guidance: GuidanceSetting;
  /** Frame rate conditioning; the UNet receives fps - 1. */
  fps: number;
  motionBucketId: number;
  /** Gaussian noise added to the reference image before VAE encoding (also the third added_time_id). */
  noiseAugStrength: number;
  /** Frames per UNet call. */
  tileSize: number;
  /** Frames shared by neighbouring calls. */
  tileOverlap: number;
  fusion: FusionMode;
  /** Frames per VAE decoder call. */
  decodeChunk: number;
  /** Default output size, in pixels (multiples of 8; 64 recommended). */
  width: number;
  height: number;
  /** The sampler config (camelCase or diffusers' scheduler_config.json keys). */
  scheduler: EulerDiscreteConfig;
}

/** Optional planner hints (see memory.ts); absent fields take the defaults there. */
export interface PackMemoryHints {
  /** UNet activation memory per frame per latent pixel, in bytes, at the pack's precision. */
  unetActivationBytesPerFramePixel?: number;
  /** VAE decoder activation memory per output pixel per frame, in bytes. */
  decoderActivationBytesPerPixel?: number;
  /** Channels of the widest UNet tensor at the top resolution (largest single buffer per frame per latent pixel). */
  unetWidestChannels?: number;
  /** 'unfused' when the UNet's attention materialises [F·heads, hw, hw] score matrices. */
  attention?: 'fused' | 'unfused';
  /** Attention heads at the top resolution (SVD: 5). */
  attentionHeads?: number;
  /** Channels of the widest VAE decoder tensor at full resolution (SVD: 128). */
  decoderWidestChannels?: number;
}

/** A parsed, validated pack.json. */
export interface PackManifest {
  format: 'motionpaste-pack';
  version: 1;
  name: string;
  family: 'mimicmotion';
  description: string;
  license: string;
  /** The models compute in float16 (WebGPU needs the adapter feature shader-f16). */
  fp16: boolean;
  /** VAE latent scaling factor (SVD: 0.18215). */
  latentScaling: number;
  sampling: SamplingDefaults;
  models: Record<PackRole, ModelSpec>;
  memory: PackMemoryHints;
}

interface ContractTensor {
  name: string;
  dtypes: readonly TensorDtype[];
  /** Numbers are fixed; strings are symbols a pack may keep symbolic or fix. */
  shape: readonly Dim[];
}

const FLOAT: readonly TensorDtype[] = ['float32', 'float16'];
const INT: readonly TensorDtype[] = ['int64', 'int32'];

/**
 * What the MimicMotion pipeline feeds and reads, per role. Symbols: F frames, H×W pixels,
 * h×w = H/8×W/8 latent pixels.
 */
export const MIMICMOTION_CONTRACT: Readonly<Record<PackRole, { inputs: readonly ContractTensor[]; outputs: readonly ContractTensor[] }>> = {
  image_encoder: {
    inputs: [{ name: 'pixel_values', dtypes: FLOAT, shape: [1, 3, 224, 224] }],
    outputs: [{ name: 'image_embeds', dtypes: FLOAT, shape: [1, 1024] }],
  },
  vae_encoder: {
    inputs: [{ name: 'image', dtypes: FLOAT, shape: [1, 3, 'H', 'W'] }],
    outputs: [{ name: 'latent', dtypes: FLOAT, shape: [1, 4, 'h', 'w'] }],
  },
  pose_net: {
    inputs: [{ name: 'pose_maps', dtypes: FLOAT, shape: ['F', 3, 'H', 'W'] }],
    outputs: [{ name: 'pose_latents', dtypes: FLOAT, shape: ['F', 320, 'h', 'w'] }],
  },
  unet: {
    inputs: [
      { name: 'sample', dtypes: FLOAT, shape: [1, 'F', 8, 'h', 'w'] },
      { name: 'timestep', dtypes: FLOAT, shape: [1] },
      { name: 'encoder_hidden_states', dtypes: FLOAT, shape: [1, 1, 1024] },
      { name: 'added_time_ids', dtypes: FLOAT, shape: [1, 3] },
      { name: 'pose_latents', dtypes: FLOAT, shape: ['F', 320, 'h', 'w'] },
    ],
    outputs: [{ name: 'out_sample', dtypes: FLOAT, shape: [1, 'F', 4, 'h', 'w'] }],
  },
  vae_decoder: {
    inputs: [
      { name: 'latents', dtypes: FLOAT, shape: ['F', 4, 'h', 'w'] },
      { name: 'num_frames', dtypes: INT, shape: [1] },
    ],
    outputs: [{ name: 'frames', dtypes: FLOAT, shape: ['F', 3, 'H', 'W'] }],
  },
};

/** `[1,F,8,h,w]`; unknown dims as `?`. */
export function formatShape(shape: ReadonlyArray<Dim | null> | null): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]` : '(no shape)';
}

// ---------------------------------------------------------------------------------------------
// pack.json parsing

class ManifestReader {
  readonly problems: PackProblem[] = [];
  add(code: PackErrorCode, message: string): void {
    this.problems.push({ code, file: 'pack.json', message: `pack.json: ${message}` });
  }
  obj(path: string, v: unknown): Record<string, unknown> | null {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    this.add('manifest', `${path} must be an object; got ${describe(v)}.`);
    return null;
  }
  str(path: string, v: unknown, fallback?: string): string {
    if (typeof v === 'string' && v.length > 0) return v;
    if (v === undefined && fallback !== undefined) return fallback;
    this.add('manifest', `${path} must be a non-empty string; got ${describe(v)}.`);
    return fallback ?? '';
  }
  num(path: string, v: unknown, check: (n: number) => boolean, what: string, fallback?: number): number {
    if (typeof v === 'number' && Number.isFinite(v) && check(v)) return v;
    if (v === undefined && fallback !== undefined) return fallback;
    this.add('manifest', `${path} must be ${what}; got ${describe(v)}.`);
    return fallback ?? 0;
  }
  int(path: string, v: unknown, min: number, fallback?: number): number {
    return this.num(path, v, (n) => Number.isInteger(n) && n >= min, `an integer ≥ ${min}`, fallback);
  }
  oneOf<T extends string>(path: string, v: unknown, allowed: readonly T[], fallback?: T): T {
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    if (v === undefined && fallback !== undefined) return fallback;
    this.add('manifest', `${path} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}; got ${describe(v)}.`);
    return fallback ?? allowed[0]!;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const SHA = /^[0-9a-f]{64}$/;
const DEFAULT_SAMPLING = {
  steps: 25,
  guidance: 2,
  fps: 7,
  motionBucketId: 127,
  noiseAugStrength: 0,
  tileSize: 16,
  tileOverlap: 6,
  fusion: 'repository' as FusionMode,
  decodeChunk: 8,
  width: 576,
  height: 1024,
};

function readFileSpec(m: ManifestReader, path: string, v: unknown): FileSpec | null {
  const o = m.obj(path, v);
  if (!o) return null;
  const file = m.str(`${path}.file`, o.file);
  if (file.includes('..') || file.startsWith('/')) m.add('manifest', `${path}.file must be a path inside the pack folder; got ${describe(file)}.`);
  const bytes = m.int(`${path}.bytes`, o.bytes, 1);
  let sha256 = '';
  if (typeof o.sha256 === 'string' && SHA.test(o.sha256.toLowerCase())) sha256 = o.sha256.toLowerCase();
  else m.add('manifest', `${path}.sha256 must be 64 hex characters; got ${describe(o.sha256)}.`);
  return { file, bytes, sha256 };
}

function readTensors(m: ManifestReader, path: string, v: unknown): TensorSpec[] {
  if (!Array.isArray(v)) {
    m.add('manifest', `${path} must be an array of { name, dtype, shape }; got ${describe(v)}.`);
    return [];
  }
  return v.flatMap((t, i) => {
    const p = `${path}[${i}]`;
    const o = m.obj(p, t);
    if (!o) return [];
    const name = m.str(`${p}.name`, o.name);
    const dtype = m.oneOf(`${p}.dtype`, o.dtype, DTYPES);
    let shape: Dim[] = [];
    if (Array.isArray(o.shape) && o.shape.every((d) => (typeof d === 'number' && Number.isInteger(d) && d > 0) || (typeof d === 'string' && d.length > 0))) {
      shape = o.shape as Dim[];
    } else m.add('manifest', `${p}.shape must be an array of positive integers and symbol names; got ${describe(o.shape)}.`);
    return [{ name, dtype, shape }];
  });
}

/** Checks one role's declared I/O against the contract. */
function checkContract(m: ManifestReader, role: PackRole, spec: ModelSpec): void {
  const contract = MIMICMOTION_CONTRACT[role];
  for (const kind of ['inputs', 'outputs'] as const) {
    const noun = kind === 'inputs' ? 'input' : 'output';
    const declared = spec[kind];
    const needed = contract[kind];
    for (const c of needed) {
      const t = declared.find((d) => d.name === c.name);
      if (!t) {
        m.add('contract', `models.${role} has no ${noun} "${c.name}"; the MimicMotion contract needs ${noun}s ${needed.map((n) => `"${n.name}"`).join(', ')}.`);
        continue;
      }
      if (!c.dtypes.includes(t.dtype)) m.add('contract', `models.${role} ${noun} "${c.name}" has dtype ${t.dtype}; the contract allows ${c.dtypes.join(' or ')}.`);
      const bad =
        t.shape.length !== c.shape.length || c.shape.some((d, i) => typeof d === 'number' && t.shape[i] !== d);
      if (bad) m.add('contract', `models.${role} ${noun} "${c.name}" has shape ${formatShape(t.shape)}; the contract needs ${formatShape(c.shape as Dim[])}.`);
    }
    if (kind === 'inputs') {
      for (const t of declared) {
        if (!needed.some((c) => c.name === t.name)) m.add('contract', `models.${role} declares input "${t.name}", which the MimicMotion pipeline does not feed.`);
      }
    }
  }
}

/**
 * Parses and validates pack.json (text or parsed JSON). Throws `PackError` (code 'manifest' or
 * 'contract') listing every problem, each message starting with "pack.json:".
 */
export function parsePackManifest(json: unknown): PackManifest {
  const m = new ManifestReader();
  let data = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (e) {
      throw new PackError({ code: 'manifest', file: 'pack.json', message: `pack.json: not valid JSON (${(e as Error).message}).` });
    }
  }
  const o = m.obj('the top level', data) ?? {};
  m.oneOf('format', o.format, ['motionpaste-pack'] as const);
  m.num('version', o.version, (v) => v === 1, '1');
  const name = m.str('name', o.name);
  const family = m.oneOf('family', o.family, ['mimicmotion'] as const);
  const description = typeof o.description === 'string' ? o.description : '';
  const license = typeof o.license === 'string' ? o.license : '';
  let fp16 = false;
  if (typeof o.fp16 === 'boolean') fp16 = o.fp16;
  else m.add('manifest', `fp16 must be true or false; got ${describe(o.fp16)}.`);
  const latentScaling = m.num('latentScaling', o.latentScaling, (v) => v > 0, 'a positive number', 0.18215);

  const so = m.obj('sampling', o.sampling ?? {}) ?? {};
  let guidance: GuidanceSetting = DEFAULT_SAMPLING.guidance;
  if (typeof so.guidance === 'number' && Number.isFinite(so.guidance) && so.guidance >= 0) guidance = so.guidance;
  else if (so.guidance !== undefined) {
    const g = m.obj('sampling.guidance', so.guidance);
    if (g) guidance = { min: m.num('sampling.guidance.min', g.min, (v) => v >= 0, 'a number ≥ 0'), max: m.num('sampling.guidance.max', g.max, (v) => v >= 0, 'a number ≥ 0') };
  }
  let scheduler: EulerDiscreteConfig | null = null;
  try {
    scheduler = eulerConfigFrom(so.scheduler === undefined ? {} : (m.obj('sampling.scheduler', so.scheduler) ?? {}));
  } catch (e) {
    m.add('manifest', `sampling.scheduler: ${(e as Error).message}`);
  }
  const sampling: SamplingDefaults = {
    steps: m.int('sampling.steps', so.steps, 1, DEFAULT_SAMPLING.steps),
    guidance,
    fps: m.num('sampling.fps', so.fps, (v) => v >= 1, 'a number ≥ 1', DEFAULT_SAMPLING.fps),
    motionBucketId: m.num('sampling.motionBucketId', so.motionBucketId, (v) => v >= 0, 'a number ≥ 0', DEFAULT_SAMPLING.motionBucketId),
    noiseAugStrength: m.num('sampling.noiseAugStrength', so.noiseAugStrength, (v) => v >= 0, 'a number ≥ 0', DEFAULT_SAMPLING.noiseAugStrength),
    tileSize: m.int('sampling.tileSize', so.tileSize, 2, DEFAULT_SAMPLING.tileSize),
    tileOverlap: m.int('sampling.tileOverlap', so.tileOverlap, 0, DEFAULT_SAMPLING.tileOverlap),
    fusion: m.oneOf('sampling.fusion', so.fusion, ['paper', 'repository'] as const, DEFAULT_SAMPLING.fusion),
    decodeChunk: m.int('sampling.decodeChunk', so.decodeChunk, 1, DEFAULT_SAMPLING.decodeChunk),
    width: m.num('sampling.width', so.width, (v) => Number.isInteger(v) && v >= 8 && v % 8 === 0, 'a positive multiple of 8', DEFAULT_SAMPLING.width),
    height: m.num('sampling.height', so.height, (v) => Number.isInteger(v) && v >= 8 && v % 8 === 0, 'a positive multiple of 8', DEFAULT_SAMPLING.height),
    scheduler: scheduler ?? eulerConfigFrom({}),
  };
  if (sampling.tileOverlap >= sampling.tileSize) m.add('manifest', `sampling.tileOverlap (${sampling.tileOverlap}) must be smaller than sampling.tileSize (${sampling.tileSize}).`);

  const mo = m.obj('models', o.models) ?? {};
  const models = {} as Record<PackRole, ModelSpec>;
  for (const role of PACK_ROLES) {
    const p = `models.${role}`;
    if (mo[role] === undefined) {
      m.add('contract', `${p} is missing; a MimicMotion pack needs ${PACK_ROLES.join(', ')}.`);
      continue;
    }
    const file = readFileSpec(m, p, mo[role]);
    const ro = m.obj(p, mo[role]);
    if (!file || !ro) continue;
    let externalData: FileSpec[] = [];
    if (ro.externalData !== undefined) {
      if (Array.isArray(ro.externalData)) externalData = ro.externalData.flatMap((x, i) => readFileSpec(m, `${p}.externalData[${i}]`, x) ?? []);
      else m.add('manifest', `${p}.externalData must be an array of { file, bytes, sha256 }; got ${describe(ro.externalData)}.`);
    }
    const spec: ModelSpec = {
      role,
      ...file,
      inputs: readTensors(m, `${p}.inputs`, ro.inputs),
      outputs: readTensors(m, `${p}.outputs`, ro.outputs),
      externalData,
      quantization: m.oneOf(`${p}.quantization`, ro.quantization, ['none', 'int4', 'int8'] as const, 'none'),
    };
    models[role] = spec;
    checkContract(m, role, spec);
  }
  for (const k of Object.keys(mo)) if (!(PACK_ROLES as readonly string[]).includes(k)) m.add('manifest', `models.${k} is not a role of a MimicMotion pack (${PACK_ROLES.join(', ')}).`);

  const memory: PackMemoryHints = {};
  if (o.memory !== undefined) {
    const me = m.obj('memory', o.memory);
    if (me) {
      const positive = (k: keyof PackMemoryHints) => {
        if (me[k] !== undefined) (memory as Record<string, number>)[k] = m.num(`memory.${k}`, me[k], (v) => v > 0, 'a positive number');
      };
      positive('unetActivationBytesPerFramePixel');
      positive('decoderActivationBytesPerPixel');
      positive('unetWidestChannels');
      positive('attentionHeads');
      positive('decoderWidestChannels');
      if (me.attention !== undefined) memory.attention = m.oneOf('memory.attention', me.attention, ['fused', 'unfused'] as const);
    }
  }

  if (m.problems.length > 0) throw new PackError(m.problems);
  return { format: 'motionpaste-pack', version: 1, name, family, description, license, fp16, latentScaling, sampling, models, memory };
}

// ---------------------------------------------------------------------------------------------
// File checks

/** Compares one ONNX file's graph inputs/outputs with its pack.json entry; returns the problems. */
export function compareModelIo(spec: ModelSpec, info: OnnxModelInfo): PackProblem[] {
  const problems: PackProblem[] = [];
  const file = spec.file;
  const add = (code: PackErrorCode, message: string) => problems.push({ code, file, message: `${file}: ${message}` });
  for (const kind of ['inputs', 'outputs'] as const) {
    const noun = kind === 'inputs' ? 'input' : 'output';
    const actual: OnnxTensorInfo[] = info[kind];
    for (const want of spec[kind]) {
      const got = actual.find((a) => a.name === want.name);
      if (!got) {
        add('io-name', `pack.json lists ${noun} "${want.name}", but the file has no such ${noun} (its ${noun}s: ${actual.map((a) => a.name).join(', ') || 'none'}).`);
        continue;
      }
      if (got.dtype !== want.dtype) add('io-dtype', `${noun} "${want.name}" has dtype ${got.dtype}, pack.json says ${want.dtype}.`);
      if (got.shape) {
        const mismatch = dimMismatch(want.shape, got.shape);
        if (mismatch) add('io-shape', `${noun} "${want.name}" has shape ${formatShape(got.shape)}, pack.json says ${formatShape(want.shape)} (${mismatch}).`);
      }
    }
    if (kind === 'inputs') {
      for (const a of actual) {
        if (!spec.inputs.some((w) => w.name === a.name)) add('io-name', `the file has input "${a.name}", which pack.json does not list (the pipeline would not feed it).`);
      }
    }
  }
  return problems;
}

/**
 * Why a file's shape disagrees with the declared one, or null. A declared number must match a
 * fixed dim (a symbolic or unknown dim in the file accepts it); a declared symbol needs a symbolic
 * or unknown dim in the file (a fixed dim would pin a size pack.json leaves free).
 */
function dimMismatch(want: readonly Dim[], got: ReadonlyArray<Dim | null>): string | null {
  if (want.length !== got.length) return `rank ${got.length}, not ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (typeof w === 'number' && typeof g === 'number' && w !== g) return `dim ${i} is ${g}, not ${w}`;
    if (typeof w === 'string' && typeof g === 'number') return `dim ${i} is fixed at ${g} in the file, pack.json says symbolic "${w}"`;
  }
  return null;
}

/** Opens pack files by their path relative to the pack folder; null when absent. */
export interface PackFiles {
  open(path: string): Promise<ByteSource | null>;
}

/** Options of `checkPackFiles` and `loadPack`. */
export interface PackCheckOptions {
  /** Verify sha256 of every file (default true; reads every byte once). */
  checkHashes?: boolean;
  /** Progress of the hashing: bytes done and total over all files. */
  onProgress?: (done: number, total: number, file: string) => void;
  signal?: AbortSignal;
}

/** Result of `checkPackFiles`. */
export interface PackReport {
  problems: PackProblem[];
  /** What each readable model file declares. */
  models: Partial<Record<PackRole, OnnxModelInfo>>;
}

/** Checks every file of a pack against its manifest. Collects all problems; throws only on abort. */
export async function checkPackFiles(manifest: PackManifest, files: PackFiles, options: PackCheckOptions = {}): Promise<PackReport> {
  const problems: PackProblem[] = [];
  const models: Partial<Record<PackRole, OnnxModelInfo>> = {};
  const toHash: Array<{ spec: FileSpec; source: ByteSource }> = [];
  const add = (code: PackErrorCode, file: string, message: string) => problems.push({ code, file, message: `${file}: ${message}` });

  const present = async (spec: FileSpec, role: PackRole, what: string): Promise<ByteSource | null> => {
    const source = await files.open(spec.file);
    if (!source) {
      add('missing-file', spec.file, `the file is missing from the pack (pack.json names it as the ${what} of "${role}").`);
      return null;
    }
    if (source.size !== spec.bytes) {
      add('size', spec.file, `the file has ${source.size} bytes, pack.json says ${spec.bytes}.`);
      return null;
    }
    toHash.push({ spec, source });
    return source;
  };

  for (const role of PACK_ROLES) {
    options.signal?.throwIfAborted();
    const spec = manifest.models[role];
    const source = await present(spec, role, 'model');
    for (const ext of spec.externalData) await present(ext, role, 'external data');
    if (!source) continue;
    let info: OnnxModelInfo;
    try {
      info = await readOnnxInfo(source);
    } catch (e) {
      if (!(e instanceof OnnxFormatError)) throw e;
      add('not-onnx', spec.file, `not a readable ONNX model (${e.message}).`);
      continue;
    }
    models[role] = info;
    problems.push(...compareModelIo(spec, info));
    const declared = spec.externalData.map((x) => x.file);
    for (const loc of info.externalDataFiles) {
      if (!declared.includes(loc)) add('external-data', spec.file, `its weights are in "${loc}", which pack.json does not list in externalData.`);
    }
    for (const d of declared) {
      if (!info.externalDataFiles.includes(d)) add('external-data', spec.file, `pack.json lists external data "${d}", but no weight of the file refers to it.`);
    }
    if (spec.quantization !== 'none' && !info.opTypes.includes('com.microsoft.MatMulNBits')) {
      add('io-dtype', spec.file, `pack.json says quantization "${spec.quantization}", but the file has no MatMulNBits node.`);
    }
  }

  if (options.checkHashes ?? true) {
    const total = toHash.reduce((s, x) => s + x.source.size, 0);
    let before = 0;
    for (const { spec, source } of toHash) {
      const hex = await hashSource(source, {
        signal: options.signal,
        onProgress: (done) => options.onProgress?.(before + done, total, spec.file),
      });
      before += source.size;
      if (hex !== spec.sha256) add('sha256', spec.file, `sha256 is ${hex}, pack.json says ${spec.sha256} (the file is damaged or from another export).`);
    }
  }
  return { problems, models };
}

/** Reads pack.json from `files`, validates it and every file; throws `PackError` when anything disagrees. */
export async function loadPack(files: PackFiles, options: PackCheckOptions = {}): Promise<{ manifest: PackManifest; report: PackReport }> {
  const src = await files.open('pack.json');
  if (!src) throw new PackError({ code: 'missing-file', file: 'pack.json', message: 'pack.json: the folder has no pack.json, so it is not a model pack.' });
  const text = new TextDecoder().decode(await src.read(0, src.size));
  const manifest = parsePackManifest(text);
  const report = await checkPackFiles(manifest, files, options);
  if (report.problems.length > 0) throw new PackError(report.problems);
  return { manifest, report };
}

/**
 * Pack files from a dropped folder or a file list: paths are taken relative to the folder that
 * holds pack.json (`webkitRelativePath` when present, else the name).
 */
export function packFilesFromList(list: Iterable<File>): PackFiles {
  const all = [...list].map((f) => ({ path: (f.webkitRelativePath || f.name).replace(/\\/g, '/'), file: f }));
  const manifest = all.find((x) => x.path === 'pack.json' || x.path.endsWith('/pack.json'));
  const prefix = manifest ? manifest.path.slice(0, manifest.path.length - 'pack.json'.length) : '';
  const byPath = new Map(all.filter((x) => x.path.startsWith(prefix)).map((x) => [x.path.slice(prefix.length), x.file]));
  return { open: async (p) => (byPath.has(p) ? blobSource(p, byPath.get(p)!) : null) };
}

/**
 * Pack files served over HTTP under `baseUrl` (e.g. `/models/packs/NAME/`). A 404 is an absent file.
 * Each file is fetched into a Blob once (the browser keeps large blobs on disk).
 */
export function packFilesFromUrl(baseUrl: string, fetchFn: typeof fetch = fetch): PackFiles {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const cache = new Map<string, Promise<ByteSource | null>>();
  return {
    open: (p) => {
      let hit = cache.get(p);
      if (!hit) {
        hit = (async () => {
          const res = await fetchFn(base + p.split('/').map(encodeURIComponent).join('/'));
          if (res.status === 404) return null;
          if (!res.ok) throw new Error(`Could not read ${p} from ${base}: HTTP ${res.status}.`);
          return blobSource(p, await res.blob());
        })();
        cache.set(p, hit);
      }
      return hit;
    },
  };
}
