/**
 * onnxruntime-web sessions for a model pack, wrapped as `ModelRunner`s (float32 data + dims in,
 * float32 data out) so the pipeline never sees dtypes: inputs are converted to what pack.json
 * declares (float16 bit patterns, int64, int32) and float16 outputs back to float32.
 *
 * The onnxruntime-web module is passed in (`import * as ort from 'onnxruntime-web'` in Node tests,
 * 'onnxruntime-web/webgpu' in the compute worker), so this file imports no runtime code.
 */
import type * as Ort from 'onnxruntime-web';
import type { ModelRunner, TensorData } from '../../pose';
import type { ByteSource } from './bytes';
import { ModelOutputError } from './errors';
import { float32ToHalf, halfToFloat32 } from './half';
import { PACK_ROLES, type ModelSpec, type PackFiles, type PackManifest, type PackRole, type TensorDtype } from './pack';

/** The onnxruntime-web module (either entry point). */
export type OrtModule = typeof Ort;

/** Converts one float32 input to the declared element type and makes the (CPU) tensor. */
export function toTensor(ort: OrtModule, dtype: TensorDtype, t: TensorData): Ort.Tensor {
  switch (dtype) {
    case 'float32':
      return new ort.Tensor('float32', t.data, t.dims);
    case 'float16':
      return new ort.Tensor('float16', float32ToHalf(t.data), t.dims);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(t.data, (v) => BigInt(Math.round(v))), t.dims);
    case 'int32':
      return new ort.Tensor('int32', Int32Array.from(t.data, (v) => Math.round(v)), t.dims);
  }
}

/** Tensor data of any numeric type → float32. */
export function toFloat32(type: string, data: unknown): Float32Array {
  if (data instanceof Float32Array) return data;
  if (type === 'float16' && data instanceof Uint16Array) return halfToFloat32(data);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, (v) => Number(v));
  if (ArrayBuffer.isView(data) && 'length' in data) return Float32Array.from(data as unknown as ArrayLike<number>);
  throw new ModelOutputError(`A model returned ${type} data the pipeline cannot read.`);
}

/** Device tensors a session runner has read back with `getData` (tests and the benchmark read it). */
export const readbacks = { count: 0 };

/**
 * A `ModelRunner` over a session, converting I/O per `spec`. Fetches only the outputs `spec`
 * declares. Runs go through `queue` when given (concurrent runs on one backend fail on the web).
 */
export function createSessionRunner(ort: OrtModule, session: Ort.InferenceSession, spec: ModelSpec, queue?: <T>(job: () => Promise<T>) => Promise<T>): ModelRunner {
  const types = new Map(spec.inputs.map((i) => [i.name, i.dtype]));
  const fetches = spec.outputs.map((o) => o.name);
  const run = async (inputs: Record<string, TensorData>) => {
    const feeds: Record<string, Ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) {
      const dtype = types.get(name);
      if (!dtype) throw new RangeError(`${spec.file} has no input "${name}" in pack.json.`);
      feeds[name] = toTensor(ort, dtype, t);
    }
    const results = await session.run(feeds, fetches);
    const out: Record<string, Float32Array> = {};
    for (const name of fetches) {
      const tensor = results[name];
      if (!tensor) throw new ModelOutputError(`${spec.file} returned no output "${name}".`);
      const onDevice = tensor.location !== 'cpu' && tensor.location !== undefined;
      const data = onDevice ? await tensor.getData(true) : tensor.data;
      if (onDevice) readbacks.count++;
      out[name] = toFloat32(tensor.type, data);
    }
    return out;
  };
  return queue ? (inputs) => queue(() => run(inputs)) : run;
}

/** The five runners of a pack plus their release. */
export interface PackRunners {
  runners: Record<PackRole, ModelRunner>;
  sessions: Record<PackRole, Ort.InferenceSession>;
  release(): Promise<void>;
}

async function readAll(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}

/** External data at or above this size goes to onnxruntime-web as a (blob) URL, which it streams. */
const STREAM_EXTERNAL_BYTES = 1 << 30;

/**
 * External data for a session: bytes, or for files of 1 GiB and more an object URL of the file's
 * Blob, which onnxruntime-web fetches and streams into its own memory (no second whole copy here,
 * and no 2 GB ArrayBuffer limit).
 */
async function externalBytes(files: PackFiles, file: string): Promise<Uint8Array | string> {
  const src = await files.open(file);
  if (!src) throw new Error(`${file} is missing from the pack.`);
  if (src.size >= STREAM_EXTERNAL_BYTES && src.blob && typeof URL.createObjectURL === 'function') return URL.createObjectURL(src.blob);
  return readAll(src);
}

/**
 * Creates sessions for all five models of a validated pack (model bytes and external data read
 * from `files`) and wraps them as runners. `sessionOptions` are passed through (execution
 * providers, graph optimisation). The bytes are handed to onnxruntime-web and not kept here.
 */
export async function createPackRunners(
  ort: OrtModule,
  manifest: PackManifest,
  files: PackFiles,
  sessionOptions: Ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'] },
  /** Roles whose sessions leave their outputs in GPU buffers (WebGPU only; their runners read them back). */
  gpuOutputs: readonly PackRole[] = [],
): Promise<PackRunners> {
  const sessions = {} as Record<PackRole, Ort.InferenceSession>;
  const runners = {} as Record<PackRole, ModelRunner>;
  try {
    for (const role of PACK_ROLES) {
      const spec = manifest.models[role];
      const open = async (file: string) => {
        const src = await files.open(file);
        if (!src) throw new Error(`${file} is missing from the pack.`);
        return readAll(src);
      };
      const externalData = await Promise.all(spec.externalData.map(async (x) => ({ path: x.file, data: await externalBytes(files, x.file) })));
      let options: Ort.InferenceSession.SessionOptions = externalData.length > 0 ? { ...sessionOptions, externalData } : sessionOptions;
      if (gpuOutputs.includes(role)) options = { ...options, preferredOutputLocation: 'gpu-buffer' };
      try {
        sessions[role] = await ort.InferenceSession.create(await open(spec.file), options);
      } finally {
        for (const x of externalData) if (typeof x.data === 'string') URL.revokeObjectURL(x.data);
      }
      runners[role] = createSessionRunner(ort, sessions[role], spec);
    }
  } catch (e) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw e;
  }
  return { runners, sessions, release: async () => void (await Promise.all(Object.values(sessions).map((s) => s.release()))) };
}
