// Reading a TensorFlow.js graph model (model.json + weight shards): nodes with decoded
// attributes, and the Const tensors decoded (and dequantized) from the weight bytes.

import { halfToFloat32Array } from './float16.mjs';

const QUANT_BYTES = { float16: 2, uint8: 1, uint16: 2 };
const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1 };

/** Byte size of one weight spec inside the concatenated shards. */
export function weightByteSize(spec) {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const per = spec.quantization ? QUANT_BYTES[spec.quantization.dtype] : DTYPE_BYTES[spec.dtype];
  if (!per) throw new Error(`weight ${spec.name}: unsupported dtype ${spec.dtype}/${spec.quantization?.dtype}`);
  return n * per;
}

/**
 * Decode one weight from its bytes. Returns { dtype: 'float32'|'int32'|'bool', shape, data }.
 * Quantized weights (float16, or uint8/uint16 affine with scale and min) become float32.
 */
export function decodeWeight(spec, bytes) {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const copy = bytes.slice(); // aligned, owned buffer
  const buf = copy.buffer;
  const q = spec.quantization;
  if (q) {
    if (spec.dtype !== 'float32') throw new Error(`weight ${spec.name}: quantized ${spec.dtype} not supported`);
    if (q.dtype === 'float16') return { dtype: 'float32', shape: spec.shape, data: halfToFloat32Array(new Uint16Array(buf, 0, n)) };
    const ints = q.dtype === 'uint8' ? new Uint8Array(buf, 0, n) : new Uint16Array(buf, 0, n);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = ints[i] * q.scale + q.min;
    return { dtype: 'float32', shape: spec.shape, data };
  }
  if (spec.dtype === 'float32') return { dtype: 'float32', shape: spec.shape, data: new Float32Array(buf, 0, n) };
  if (spec.dtype === 'int32') return { dtype: 'int32', shape: spec.shape, data: new Int32Array(buf, 0, n) };
  if (spec.dtype === 'bool') return { dtype: 'bool', shape: spec.shape, data: new Uint8Array(buf, 0, n) };
  throw new Error(`weight ${spec.name}: unsupported dtype ${spec.dtype}`);
}

/** All weights of the manifest, decoded, by name. `weightData` is the shards concatenated. */
export function decodeWeights(weightsManifest, weightData) {
  const bytes = weightData instanceof Uint8Array ? weightData : new Uint8Array(weightData);
  const out = new Map();
  let offset = 0;
  for (const group of weightsManifest) {
    for (const spec of group.weights) {
      const size = weightByteSize(spec);
      if (offset + size > bytes.length) throw new Error(`weights truncated at ${spec.name}`);
      out.set(spec.name, decodeWeight(spec, bytes.subarray(offset, offset + size)));
      offset += size;
    }
  }
  if (offset !== bytes.length) throw new Error(`weight data has ${bytes.length} bytes, manifest describes ${offset}`);
  return out;
}

const TF_DTYPES = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_BOOL: 'bool', DT_HALF: 'float16', DT_INT64: 'int64' };

function decodeB64(s) {
  return Buffer.from(s, 'base64').toString('utf8');
}

/** One tfjs/TF AttrValue (JSON form) to a plain JS value. */
export function decodeAttr(v) {
  if (v == null) return undefined;
  if ('s' in v) return decodeB64(v.s);
  if ('i' in v) return Number(v.i);
  if ('f' in v) return Number(v.f);
  if ('b' in v) return Boolean(v.b);
  if ('type' in v) return TF_DTYPES[v.type] ?? v.type;
  if ('shape' in v) return (v.shape.dim ?? []).map((d) => Number(d.size));
  if ('list' in v) {
    const l = v.list;
    if (l.s) return l.s.map(decodeB64);
    if (l.i) return l.i.map(Number);
    if (l.f) return l.f.map(Number);
    if (l.b) return l.b.map(Boolean);
    if (l.type) return l.type.map((t) => TF_DTYPES[t] ?? t);
    return [];
  }
  if ('tensor' in v) return v.tensor;
  return undefined;
}

/** Strip ':0' from a tensor reference; control inputs ('^x') return null. */
export function parseInputRef(ref) {
  if (ref.startsWith('^')) return null;
  const m = /^(.*):(\d+)$/.exec(ref);
  if (!m) return { node: ref, index: 0 };
  return { node: m[1], index: Number(m[2]) };
}

/**
 * The key of an input reference in `node.inputs`: the node name for its first output, and
 * 'node:k' for output k > 0 of a multi-output op (SplitV).
 */
export function inputKey({ node, index }) {
  return index === 0 ? node : `${node}:${index}`;
}

/**
 * Parse model.json (object) and the weight bytes into
 * { nodes: Map<name, {name, op, inputs: string[], attr}>, consts: Map<name, tensor>,
 *   inputs: [{name, tensor, shape, dtype}], outputs: [{name, tensor, shape, dtype, key}] }.
 * Tensor names in inputs/outputs are the signature's ('input_1:0'); node names drop ':0'.
 */
export function readGraphModel(modelJson, weightData) {
  if (modelJson.format !== 'graph-model') throw new Error(`not a graph model (format ${modelJson.format})`);
  const weights = decodeWeights(modelJson.weightsManifest, weightData);
  const nodes = new Map();
  for (const n of modelJson.modelTopology.node) {
    const attr = {};
    for (const [k, v] of Object.entries(n.attr ?? {})) attr[k] = decodeAttr(v);
    const inputs = [];
    for (const ref of n.input ?? []) {
      const r = parseInputRef(ref);
      if (!r) continue;
      inputs.push(inputKey(r));
    }
    nodes.set(n.name, { name: n.name, op: n.op, inputs, attr });
  }
  const consts = new Map();
  for (const n of nodes.values()) {
    if (n.op !== 'Const') continue;
    const w = weights.get(n.name);
    if (!w) throw new Error(`Const ${n.name} has no weight`);
    consts.set(n.name, w);
  }
  const sig = modelJson.signature ?? {};
  const sigList = (obj) =>
    Object.entries(obj ?? {}).map(([key, s]) => ({
      key,
      tensor: s.name,
      name: parseInputRef(s.name).node,
      dtype: TF_DTYPES[s.dtype] ?? s.dtype,
      shape: (s.tensorShape?.dim ?? []).map((d) => Number(d.size)),
    }));
  let inputs = sigList(sig.inputs);
  let outputs = sigList(sig.outputs);
  if (!inputs.length) {
    inputs = [...nodes.values()]
      .filter((n) => n.op === 'Placeholder')
      .map((n) => ({ key: n.name, tensor: `${n.name}:0`, name: n.name, dtype: n.attr.dtype, shape: n.attr.shape }));
  }
  if (!outputs.length) throw new Error('graph has no signature outputs');
  outputs.sort(byTensorName);
  return { nodes, consts, inputs, outputs };
}

/** Order 'Identity:0' < 'Identity_1:0' < 'Identity_10:0' (name, then numeric suffix). */
export function byTensorName(a, b) {
  const key = (t) => {
    const m = /^(.*?)(?:_(\d+))?:(\d+)$/.exec(t.tensor);
    return m ? [m[1], Number(m[2] ?? -1), Number(m[3])] : [t.tensor, -1, 0];
  };
  const [ka, kb] = [key(a), key(b)];
  if (ka[0] !== kb[0]) return ka[0] < kb[0] ? -1 : 1;
  return ka[1] - kb[1] || ka[2] - kb[2];
}

/** Nodes needed for `outputNames`, in dependency order (inputs first); inputs may be 'node:k'. */
export function topoOrder(nodes, outputNames) {
  const order = [];
  const state = new Map(); // 1 = visiting, 2 = done
  const stack = outputNames.map((name) => ({ name, expanded: false }));
  while (stack.length) {
    const top = stack.pop();
    const s = state.get(top.name);
    if (s === 2) continue;
    const node = nodes.get(top.name);
    if (!node) throw new Error(`missing node ${top.name}`);
    if (top.expanded) {
      state.set(top.name, 2);
      order.push(node);
      continue;
    }
    if (s === 1) throw new Error(`cycle at ${top.name}`);
    state.set(top.name, 1);
    stack.push({ name: top.name, expanded: true });
    for (const ref of node.inputs) {
      const i = parseInputRef(ref).node;
      if (state.get(i) !== 2) stack.push({ name: i, expanded: false });
    }
  }
  return order;
}
