/**
 * onnxruntime-web on the one device: its own module (inside gpu) so that importing src/gpu, as the
 * page does for the capability text, loads no onnxruntime-web; only the compute worker's code
 * imports this.
 */
import * as ort from 'onnxruntime-web/webgpu';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import mjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import type { GpuRoot } from '../device';

/** Which onnxruntime-web execution provider runs a session. */
export type ExecutionProvider = 'webgpu' | 'wasm';

let configured = false;

/**
 * Points onnxruntime-web at the wasm files this app serves itself (no CDN) and hands it the app's
 * one WebGPU device, so models, kernels and rendering share GPU memory.
 */
function configure(root: GpuRoot): void {
  if (configured) return;
  configured = true;
  const base = self.location.href;
  ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, base).href, mjs: new URL(mjsUrl, base).href };
  ort.env.wasm.numThreads = Math.max(1, Math.min(4, (self.navigator?.hardwareConcurrency ?? 2) - 1));
  ort.env.logLevel = 'error';
  if (root.device) ort.env.webgpu.device = root.device;
}

/** onnxruntime-web, set up for this app (own wasm files, the shared WebGPU device). */
export function configuredOrt(root: GpuRoot): typeof ort {
  configure(root);
  return ort;
}

/** Every session create and run goes through one queue: concurrent runs on one backend fail on the web. */
let queue: Promise<unknown> = Promise.resolve();
/** Runs `job` alone on onnxruntime-web: no other session create or run overlaps it. */
export function enqueue<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job);
  queue = run.catch(() => undefined);
  return run;
}

export interface OrtModel {
  ep: ExecutionProvider;
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** Runs the model; returns the requested outputs (all when `fetches` is omitted) as float32 data. */
  run(inputs: Record<string, { data: Float32Array; dims: number[] }>, fetches?: string[]): Promise<Record<string, Float32Array>>;
  release(): Promise<void>;
}

/**
 * Creates a session from model bytes on WebGPU when the device exists and `ep` allows it, else
 * on wasm. A WebGPU failure (unsupported op, out of memory) falls back to wasm.
 */
export async function createOrtModel(root: GpuRoot, bytes: Uint8Array, ep: ExecutionProvider | 'auto' = 'auto'): Promise<OrtModel> {
  configure(root);
  const wantGpu = ep !== 'wasm' && root.device !== null;
  let session: ort.InferenceSession | null = null;
  let used: ExecutionProvider = 'wasm';
  if (wantGpu) {
    try {
      session = await enqueue(() => ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' }));
      used = 'webgpu';
    } catch (e) {
      if (ep === 'webgpu') throw e;
      session = null;
    }
  }
  session ??= await enqueue(() => ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));
  const s = session;
  return {
    ep: used,
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    run: (inputs, fetches) =>
      enqueue(async () => {
        const feeds: Record<string, ort.Tensor> = {};
        for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor('float32', t.data, t.dims);
        const results = fetches ? await s.run(feeds, fetches) : await s.run(feeds);
        const out: Record<string, Float32Array> = {};
        for (const [name, tensor] of Object.entries(results)) {
          out[name] = (await tensor.getData(true)) as Float32Array;
        }
        return out;
      }),
    release: () => enqueue(() => s.release()),
  };
}
