// TensorFlow.js graph -> ONNX IR (see onnx-writer.mjs for the IR).
//
// Every TF tensor is tracked as a value:
//   { kind: 'const', dtype, shape, data }                     compile-time constant, TF layout
//   { kind: 'tensor', name, dtype: 'float', shape, layout }   runtime tensor in the ONNX graph
// `shape` is always the TF (NHWC) logical shape with the batch fixed to 1. Runtime 4-D image
// tensors live as NCHW in ONNX (`layout: 'nchw'`); everything else keeps TF order ('plain').
// Transposes are inserted only where a plain consumer (Reshape, MatMul, ...) needs NHWC order.
// A 4-D tensor in 'plain' layout is the same ONNX tensor as its NHWC transpose seen as 'nchw', so
// the TF Transpose pairs of graphs exported from ONNX (channels-first, [0,2,3,1] before each
// Conv2D and [0,3,1,2] after) cost nothing; a channels-first graph input ([1,3,H,W], see
// `channelsFirstInputs`) enters as such a plain tensor.
//
// `float16: true` builds the fp16 compute graph: float initializers are stored as float16, the
// graph input is Cast to float16 right after entry and every output is Cast back to float32.

import { topoOrder } from './tfjs-graph.mjs';
import {
  NHWC_TO_NCHW_AXIS,
  PERM_TO_NCHW,
  PERM_TO_NHWC,
  broadcastShape,
  constToNCHW,
  convFilterToOIHW,
  deconvFilterToIOHW,
  depthwiseFilterToOIHW,
  foldBinary,
  foldStridedSlice1D,
  permuteShape,
  resolveReshape,
  transposeData,
  size,
  spatialPads,
  convOutSize,
} from './layout.mjs';

export const OPSET = 17;
const CAST_FLOAT = 1;
const CAST_FLOAT16 = 10;
export const FLOAT16_MAX = 65504;

export class UnsupportedError extends Error {}

const ints = (v) => ({ ints: v });
const int = (v) => ({ int: v });
const str = (v) => ({ string: v });
const flt = (v) => ({ float: v });

/** Conversion state: the ONNX nodes/initializers being built and helpers to emit them. */
class Context {
  constructor(graph, { float16 = false } = {}) {
    this.graph = graph;
    this.float16 = float16;
    this.nodes = [];
    this.initializers = [];
    this.inputs = [];
    this.names = new Set();
    this.cache = new Map();
    this.channelsFirst = channelsFirstInputs(graph);
  }

  uniq(base) {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  emit(op, inputs, outputs, attrs = {}, name = outputs[0]) {
    this.nodes.push({ op, name, inputs, outputs, attrs });
    return outputs[0];
  }

  /** Float initializer in the graph's float type; returns its name. */
  floatInit(base, data, dims) {
    const name = this.uniq(base);
    this.initializers.push({ name, dtype: this.float16 ? 'float16' : 'float32', dims, data: Float32Array.from(data) });
    return name;
  }

  int64Init(base, values, dims = [values.length]) {
    const name = this.uniq(base);
    this.initializers.push({ name, dtype: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(v)) });
    return name;
  }

  /** A shared scalar float constant (Clip bounds and the like). */
  scalar(value) {
    const key = `scalar:${value}`;
    if (!this.cache.has(key)) this.cache.set(key, this.floatInit(`const_${String(value).replace('-', 'm')}`, [value], []));
    return this.cache.get(key);
  }

  /** ONNX name of `v` stored as NCHW (4-D); constants are rewritten to broadcast against NCHW. */
  nchw(v, base) {
    if (v.kind === 'const') {
      const c = constToNCHW(asFloatConst(v, base));
      return this.floatInit(base, c.data, c.shape);
    }
    if (v.layout === 'nchw') return v.name;
    if (v.shape.length !== 4) throw new UnsupportedError(`${base}: rank-${v.shape.length} tensor used as an image`);
    return this.transposeCached(v.name, PERM_TO_NCHW);
  }

  /** ONNX name of `v` in TF order. */
  plain(v, base) {
    if (v.kind === 'const') return this.floatInit(base, asFloatConst(v, base).data, v.shape);
    if (v.layout === 'plain') return v.name;
    return this.transposeCached(v.name, PERM_TO_NHWC);
  }

  transposeCached(name, perm) {
    const key = `T:${name}:${perm}`;
    if (!this.cache.has(key)) {
      const out = this.uniq(`${name}/${perm.join('') === '0312' ? 'to_nchw' : 'to_nhwc'}`);
      this.emit('Transpose', [name], [out], { perm: ints(perm) });
      this.cache.set(key, out);
    }
    return this.cache.get(key);
  }
}

function asFloatConst(v, what) {
  if (v.kind !== 'const') throw new UnsupportedError(`${what}: expected a constant`);
  if (v.dtype !== 'float32' && v.dtype !== 'int32') throw new UnsupportedError(`${what}: constant of type ${v.dtype}`);
  return v.dtype === 'float32' ? v : { ...v, dtype: 'float32', data: Float32Array.from(v.data) };
}

function constOf(v, what) {
  if (!v || v.kind !== 'const') throw new UnsupportedError(`${what}: input must be a constant (dynamic shapes are not supported)`);
  return v;
}

function tensor(name, shape, layout) {
  return { kind: 'tensor', name, dtype: 'float', shape, layout };
}

function requireFloatTensor(v, what) {
  if (v.kind !== 'tensor') throw new UnsupportedError(`${what}: a runtime tensor is required here`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Activations (standalone ops and the ones fused into _FusedConv2D / _FusedMatMul)

/** Emit activation `act` on ONNX value `x`; `extra` carries Prelu slopes / LeakyRelu alpha. */
function emitActivation(ctx, act, x, out, extra = {}) {
  switch (act) {
    case 'Relu':
      return ctx.emit('Relu', [x], [out]);
    case 'Relu6':
      return ctx.emit('Clip', [x, ctx.scalar(0), ctx.scalar(6)], [out]);
    case 'Sigmoid':
      return ctx.emit('Sigmoid', [x], [out]);
    case 'Tanh':
      return ctx.emit('Tanh', [x], [out]);
    case 'Elu':
      return ctx.emit('Elu', [x], [out], { alpha: flt(1) });
    case 'LeakyRelu':
      return ctx.emit('LeakyRelu', [x], [out], { alpha: flt(extra.alpha ?? 0.2) });
    case 'Prelu':
      return ctx.emit('PRelu', [x, extra.slope], [out]);
    default:
      throw new UnsupportedError(`activation ${act} not supported`);
  }
}

const FUSABLE_ACTIVATIONS = new Set(['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Elu', 'LeakyRelu', 'Prelu']);

/**
 * Split a fused node's `fused_ops` into the bias (as a constant) and the activation, reading the
 * extra args (node inputs from `firstArg` on) in order.
 */
function parseFused(node, vals, firstArg) {
  const fused = node.attr.fused_ops ?? [];
  let arg = firstArg;
  let bias = null;
  let act = null;
  let preluAlpha = null;
  for (const op of fused) {
    if (op === 'BiasAdd') bias = asFloatConst(constOf(vals[arg++], `${node.name} bias`), node.name);
    else if (FUSABLE_ACTIVATIONS.has(op) && !act) {
      act = op;
      if (op === 'Prelu') preluAlpha = constOf(vals[arg++], `${node.name} prelu alpha`);
    } else throw new UnsupportedError(`${node.op} ${node.name}: fused op ${op} not supported (fused_ops=${fused})`);
  }
  return { bias, act, preluAlpha, leakyAlpha: node.attr.leakyrelu_alpha };
}

/** Apply the fused activation of `node` to conv output `x` (NCHW or plain). */
function finishFused(ctx, node, fused, x, layout) {
  if (!fused.act) return x;
  const out = ctx.uniq(node.name);
  let slope;
  if (fused.act === 'Prelu') {
    const a = asFloatConst(fused.preluAlpha, node.name);
    slope = layout === 'nchw' ? ctx.nchw(a, `${node.name}/alpha`) : ctx.floatInit(`${node.name}/alpha`, a.data, a.shape);
  }
  return emitActivation(ctx, fused.act, x, out, { slope, alpha: fused.leakyAlpha });
}

// ---------------------------------------------------------------------------------------------
// Convolutions and pooling

function strideDilation(node) {
  const s = node.attr.strides ?? [1, 1, 1, 1];
  const d = node.attr.dilations ?? [1, 1, 1, 1];
  if ((node.attr.data_format ?? 'NHWC') !== 'NHWC') throw new UnsupportedError(`${node.name}: data_format ${node.attr.data_format}`);
  if (s[0] !== 1 || s[3] !== 1) throw new UnsupportedError(`${node.name}: batch/channel strides`);
  return { strides: [s[1], s[2]], dilations: [d[1], d[2]] };
}

function convLike(ctx, node, vals, kind) {
  const x = requireFloatTensor(vals[0], node.name);
  const filter = asFloatConst(constOf(vals[1], `${node.name} filter`), node.name);
  const { strides, dilations } = strideDilation(node);
  const [n, inH, inW, inC] = x.shape;
  const [kh, kw] = filter.shape;
  let w;
  let group = 1;
  let outC;
  const depthwise = kind === 'depthwise' || kind === 'depthwise-fused';
  if (depthwise) {
    w = depthwiseFilterToOIHW(filter.data, filter.shape);
    group = inC;
    outC = inC * filter.shape[3];
    if (filter.shape[2] !== inC) throw new UnsupportedError(`${node.name}: depthwise filter channels ${filter.shape[2]} != input ${inC}`);
  } else {
    w = convFilterToOIHW(filter.data, filter.shape);
    outC = filter.shape[3];
    if (filter.shape[2] !== inC) throw new UnsupportedError(`${node.name}: grouped Conv2D (filter cin ${filter.shape[2]}, input ${inC})`);
  }
  const pads = spatialPads(node.attr.padding, [inH, inW], [kh, kw], strides, dilations, node.attr.explicit_paddings);
  const outH = convOutSize(inH, kh, strides[0], dilations[0], pads[0], pads[2]);
  const outW = convOutSize(inW, kw, strides[1], dilations[1], pads[1], pads[3]);
  const fused = kind === 'fused' || kind === 'depthwise-fused' ? parseFused(node, vals, 2) : { act: null, bias: null };
  const inputs = [ctx.nchw(x, node.name), ctx.floatInit(`${node.name}/W`, w.data, w.shape)];
  if (fused.bias) inputs.push(ctx.floatInit(`${node.name}/B`, fused.bias.data, [outC]));
  const convOut = ctx.uniq(fused.act ? `${node.name}/conv` : node.name);
  ctx.emit('Conv', inputs, [convOut], {
    kernel_shape: ints([kh, kw]),
    strides: ints(strides),
    dilations: ints(dilations),
    pads: ints(pads),
    group: int(group),
  });
  const out = finishFused(ctx, node, fused, convOut, 'nchw');
  return tensor(out, [n, outH, outW, outC], 'nchw');
}

function conv2DBackpropInput(ctx, node, vals) {
  const outShape = Array.from(constOf(vals[0], `${node.name} output_shape`).data);
  const filter = asFloatConst(constOf(vals[1], `${node.name} filter`), node.name);
  const x = requireFloatTensor(vals[2], node.name);
  const { strides, dilations } = strideDilation(node);
  const [kh, kw, oc, ic] = filter.shape;
  const [, inH, inW, inC] = x.shape;
  if (ic !== inC) throw new UnsupportedError(`${node.name}: filter in-channels ${ic} != input ${inC}`);
  const [outN, outH, outW, outC] = outShape;
  if (outC !== oc) throw new UnsupportedError(`${node.name}: output channels mismatch`);
  // The pads are those of the forward conv that maps the output back to the input.
  let pads = [0, 0, 0, 0];
  if (node.attr.padding === 'SAME') {
    const pad1 = (inS, outS, k, s, d) => {
      const total = Math.max((inS - 1) * s + (k - 1) * d + 1 - outS, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    };
    const [t, b] = pad1(inH, outH, kh, strides[0], dilations[0]);
    const [l, r] = pad1(inW, outW, kw, strides[1], dilations[1]);
    pads = [t, l, b, r];
  } else if (node.attr.padding !== 'VALID') throw new UnsupportedError(`${node.name}: padding ${node.attr.padding}`);
  const natural = (inS, k, s, d, pb, pe) => s * (inS - 1) + (k - 1) * d + 1 - pb - pe;
  const outputPadding = [
    outH - natural(inH, kh, strides[0], dilations[0], pads[0], pads[2]),
    outW - natural(inW, kw, strides[1], dilations[1], pads[1], pads[3]),
  ];
  if (outputPadding.some((p, i) => p < 0 || p >= Math.max(strides[i], dilations[i]))) {
    throw new UnsupportedError(`${node.name}: output shape [${outShape}] not reachable by ConvTranspose`);
  }
  const w = deconvFilterToIOHW(filter.data, filter.shape);
  const out = ctx.uniq(node.name);
  ctx.emit('ConvTranspose', [ctx.nchw(x, node.name), ctx.floatInit(`${node.name}/W`, w.data, w.shape)], [out], {
    kernel_shape: ints([kh, kw]),
    strides: ints(strides),
    dilations: ints(dilations),
    pads: ints(pads),
    output_padding: ints(outputPadding),
  });
  return tensor(out, [outN, outH, outW, outC], 'nchw');
}

function pool(ctx, node, vals, onnxOp) {
  const x = requireFloatTensor(vals[0], node.name);
  const k = node.attr.ksize;
  const s = node.attr.strides;
  if ((node.attr.data_format ?? 'NHWC') !== 'NHWC' || k[0] !== 1 || k[3] !== 1 || s[0] !== 1 || s[3] !== 1) {
    throw new UnsupportedError(`${node.name}: pooling over batch/channels or non-NHWC`);
  }
  const [n, inH, inW, c] = x.shape;
  const pads = spatialPads(node.attr.padding, [inH, inW], [k[1], k[2]], [s[1], s[2]], [1, 1], node.attr.explicit_paddings);
  const out = ctx.uniq(node.name);
  const attrs = { kernel_shape: ints([k[1], k[2]]), strides: ints([s[1], s[2]]), pads: ints(pads) };
  // TF averages over the valid (unpadded) window: count_include_pad = 0, the ONNX default.
  ctx.emit(onnxOp, [ctx.nchw(x, node.name)], [out], attrs);
  const outH = convOutSize(inH, k[1], s[1], 1, pads[0], pads[2]);
  const outW = convOutSize(inW, k[2], s[2], 1, pads[1], pads[3]);
  return tensor(out, [n, outH, outW, c], 'nchw');
}

// ---------------------------------------------------------------------------------------------
// Elementwise

const BINARY = {
  Add: ['Add', (a, b) => a + b],
  AddV2: ['Add', (a, b) => a + b],
  BiasAdd: ['Add', (a, b) => a + b],
  Sub: ['Sub', (a, b) => a - b],
  Mul: ['Mul', (a, b) => a * b],
  RealDiv: ['Div', (a, b) => a / b],
  Maximum: ['Max', (a, b) => Math.max(a, b)],
  Minimum: ['Min', (a, b) => Math.min(a, b)],
};

/** One binary elementwise op on two values; `outName` names the result. */
function binary(ctx, tfOp, a, b, outName) {
  const [onnxOp, fn] = BINARY[tfOp];
  if (a.kind === 'const' && b.kind === 'const') {
    const r = foldBinary(a, b, fn);
    if (r.dtype === 'int32') for (let i = 0; i < r.data.length; i++) r.data[i] = Math.trunc(r.data[i]);
    return { kind: 'const', ...r };
  }
  const shape = broadcastShape(a.shape, b.shape);
  const runtime = [a, b].filter((v) => v.kind === 'tensor');
  const useNCHW = shape.length === 4 && runtime.some((v) => v.layout === 'nchw');
  const operand = (v, i) => {
    if (useNCHW) {
      if (v.kind === 'tensor' && v.shape.length !== 4) {
        throw new UnsupportedError(`${outName}: rank-${v.shape.length} runtime tensor broadcast against an image`);
      }
      return ctx.nchw(v, `${outName}/${'xy'[i]}`);
    }
    return ctx.plain(v, `${outName}/${'xy'[i]}`);
  };
  const out = ctx.uniq(outName);
  ctx.emit(onnxOp, [operand(a, 0), operand(b, 1)], [out]);
  return tensor(out, shape, useNCHW ? 'nchw' : 'plain');
}

function addN(ctx, node, vals) {
  if (vals.length === 1) return vals[0];
  let acc = vals[0];
  for (let i = 1; i < vals.length; i++) {
    acc = binary(ctx, 'AddV2', acc, vals[i], i === vals.length - 1 ? node.name : `${node.name}/partial${i}`);
  }
  return acc;
}

function unary(ctx, node, vals, act) {
  const x = requireFloatTensor(vals[0], node.name);
  const out = ctx.uniq(node.name);
  let extra = {};
  if (act === 'Prelu') {
    const a = asFloatConst(constOf(vals[1], `${node.name} alpha`), node.name);
    extra.slope = x.layout === 'nchw' ? ctx.nchw(a, `${node.name}/alpha`) : ctx.floatInit(`${node.name}/alpha`, a.data, a.shape);
  }
  if (act === 'LeakyRelu') extra.alpha = node.attr.alpha;
  emitActivation(ctx, act, x.name, out, extra);
  return tensor(out, x.shape, x.layout);
}

/** TF Softmax normalises over the last axis; on an image held as NCHW that is the channel axis (1). */
function softmax(ctx, node, vals) {
  const x = requireFloatTensor(vals[0], node.name);
  const out = ctx.uniq(node.name);
  ctx.emit('Softmax', [x.name], [out], { axis: int(x.layout === 'nchw' ? 1 : -1) });
  return tensor(out, x.shape, x.layout);
}

// ---------------------------------------------------------------------------------------------
// Shape ops

function pad(ctx, node, vals) {
  const x = requireFloatTensor(vals[0], node.name);
  const p = constOf(vals[1], `${node.name} paddings`);
  const rank = x.shape.length;
  const pairs = [];
  for (let i = 0; i < rank; i++) pairs.push([Number(p.data[2 * i]), Number(p.data[2 * i + 1])]);
  const shape = x.shape.map((d, i) => d + pairs[i][0] + pairs[i][1]);
  let mode = 'constant';
  if (node.op === 'MirrorPad') {
    if (node.attr.mode !== 'REFLECT') throw new UnsupportedError(`${node.name}: MirrorPad mode ${node.attr.mode}`);
    mode = 'reflect';
  }
  const useNCHW = x.layout === 'nchw';
  const ordered = useNCHW ? PERM_TO_NCHW.map((ax) => pairs[ax]) : pairs;
  const padsInit = ctx.int64Init(`${node.name}/pads`, [...ordered.map((q) => q[0]), ...ordered.map((q) => q[1])]);
  const inputs = [useNCHW ? x.name : ctx.plain(x, node.name), padsInit];
  if (node.op === 'PadV2') {
    const cv = asFloatConst(constOf(vals[2], `${node.name} constant_values`), node.name);
    if (cv.data[0] !== 0) inputs.push(ctx.floatInit(`${node.name}/value`, [cv.data[0]], []));
  }
  const out = ctx.uniq(node.name);
  ctx.emit('Pad', inputs, [out], { mode: str(mode) });
  return tensor(out, shape, useNCHW ? 'nchw' : 'plain');
}

function reshape(ctx, node, vals) {
  const x = vals[0];
  const target = Array.from(constOf(vals[1], `${node.name} shape`).data, Number);
  const shape = resolveReshape(target, size(x.shape));
  if (x.kind === 'const') return { ...x, shape };
  const out = ctx.uniq(node.name);
  ctx.emit('Reshape', [ctx.plain(x, node.name), ctx.int64Init(`${node.name}/shape`, shape)], [out]);
  return tensor(out, shape, 'plain');
}

function concat(ctx, node, vals) {
  const axisVal = constOf(vals[vals.length - 1], `${node.name} axis`);
  const parts = vals.slice(0, -1);
  const rank = parts[0].shape.length;
  let axis = Number(axisVal.data[0]);
  if (axis < 0) axis += rank;
  const shape = [...parts[0].shape];
  shape[axis] = parts.reduce((s, v) => s + v.shape[axis], 0);
  if (parts.every((v) => v.kind === 'const')) {
    if (rank !== 1) throw new UnsupportedError(`${node.name}: folding a rank-${rank} constant concat`);
    const data = new parts[0].data.constructor(shape[0]);
    let o = 0;
    for (const v of parts) {
      data.set(v.data, o);
      o += v.data.length;
    }
    return { kind: 'const', dtype: parts[0].dtype, shape, data };
  }
  const useNCHW = rank === 4 && parts.some((v) => v.kind === 'tensor' && v.layout === 'nchw');
  const names = parts.map((v, i) => (useNCHW ? ctx.nchw(v, `${node.name}/in${i}`) : ctx.plain(v, `${node.name}/in${i}`)));
  const out = ctx.uniq(node.name);
  ctx.emit('Concat', names, [out], { axis: int(useNCHW ? NHWC_TO_NCHW_AXIS[axis] : axis) });
  return tensor(out, shape, useNCHW ? 'nchw' : 'plain');
}

const isIdentityPerm = (perm) => perm.every((p, i) => p === i);

/**
 * TF Transpose. The result is the input's own ONNX tensor when the layouts absorb the perm: a plain
 * 4-D tensor with perm [0,2,3,1] becomes 'nchw', an 'nchw' one with [0,3,1,2] becomes plain. Any
 * other perm is one ONNX Transpose, its perm mapped through the input's layout; an 'nchw' input of
 * rank 4 keeps 'nchw', everything else comes out plain. Constants are folded.
 */
function transpose(ctx, node, vals) {
  const x = vals[0];
  const perm = Array.from(constOf(vals[1], `${node.name} perm`).data, Number);
  const rank = x.shape.length;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new UnsupportedError(`${node.name}: perm [${perm}] for a rank-${rank} tensor`);
  }
  const shape = permuteShape(x.shape, perm);
  if (x.kind === 'const') return { kind: 'const', dtype: x.dtype, shape, data: transposeData(x.data, x.shape, perm) };
  // ONNX axis of each TF axis of the input.
  const onnxAxis = x.layout === 'nchw' ? NHWC_TO_NCHW_AXIS : perm.map((_, i) => i);
  // ONNX perms that produce the output in TF order (plain), or stored as NCHW (rank 4).
  const plainPerm = perm.map((a) => onnxAxis[a]);
  const nchwPerm = rank === 4 ? PERM_TO_NCHW.map((j) => onnxAxis[perm[j]]) : null;
  if (isIdentityPerm(plainPerm)) return tensor(x.name, shape, 'plain');
  if (nchwPerm && isIdentityPerm(nchwPerm)) return tensor(x.name, shape, 'nchw');
  const layout = x.layout === 'nchw' && nchwPerm ? 'nchw' : 'plain';
  const out = ctx.uniq(node.name);
  ctx.emit('Transpose', [x.name], [out], { perm: ints(layout === 'nchw' ? nchwPerm : plainPerm) });
  return tensor(out, shape, layout);
}

/** TF SplitV: ONNX Split with the sizes (one -1 resolved) on the axis mapped through the layout. */
function splitV(ctx, node, vals) {
  const x = requireFloatTensor(vals[0], node.name);
  const sizes = Array.from(constOf(vals[1], `${node.name} size_splits`).data, Number);
  const rank = x.shape.length;
  let axis = Number(constOf(vals[2], `${node.name} split_dim`).data[0]);
  if (axis < 0) axis += rank;
  if (!(axis >= 0 && axis < rank)) throw new UnsupportedError(`${node.name}: split_dim ${axis} for rank ${rank}`);
  const unknown = sizes.filter((d) => d === -1).length;
  const known = sizes.reduce((a, d) => (d === -1 ? a : a + d), 0);
  if (unknown > 1 || (unknown === 0 && known !== x.shape[axis]) || known > x.shape[axis]) {
    throw new UnsupportedError(`${node.name}: size_splits [${sizes}] do not split ${x.shape[axis]}`);
  }
  const resolved = sizes.map((d) => (d === -1 ? x.shape[axis] - known : d));
  const outs = resolved.map((_, k) => ctx.uniq(k === 0 ? node.name : `${node.name}:${k}`));
  const onnxAxis = x.layout === 'nchw' ? NHWC_TO_NCHW_AXIS[axis] : axis;
  ctx.emit('Split', [x.name, ctx.int64Init(`${node.name}/split`, resolved)], outs, { axis: int(onnxAxis) });
  return resolved.map((d, k) => {
    const shape = [...x.shape];
    shape[axis] = d;
    return tensor(outs[k], shape, x.layout);
  });
}

/** TF SparseToDense, folded: every input must be a constant (an ONNX export's shape arithmetic). */
function sparseToDense(ctx, node, vals) {
  const [indices, outShape, values, dflt] = vals.map((v, i) => {
    if (!v || v.kind !== 'const') throw new UnsupportedError(`${node.name}: input ${i} is not a constant (only constant SparseToDense is folded)`);
    return v;
  });
  const shape = Array.from(outShape.data, Number);
  const rank = shape.length;
  const n = size(shape);
  const data = new values.data.constructor(n).fill(dflt.data[0]);
  // indices: scalar, [N] (rank 1) or [N, rank]; values: scalar or [N].
  const count = indices.shape.length === 0 ? 1 : indices.shape[0];
  const width = indices.shape.length === 2 ? indices.shape[1] : 1;
  if (width !== rank && !(rank <= 1 && width === 1)) throw new UnsupportedError(`${node.name}: indices [${indices.shape}] for rank ${rank}`);
  const strides = shape.map((_, i) => size(shape.slice(i + 1)));
  for (let k = 0; k < count; k++) {
    let offset = 0;
    for (let d = 0; d < width; d++) {
      const idx = Number(indices.data[k * width + d]);
      if (!(idx >= 0 && idx < (shape[d] ?? 1))) throw new UnsupportedError(`${node.name}: index ${idx} out of range`);
      offset += idx * (strides[d] ?? 1);
    }
    data[offset] = values.shape.length === 0 ? values.data[0] : values.data[k];
  }
  return { kind: 'const', dtype: values.dtype, shape, data };
}

const REDUCE = { Mean: 'ReduceMean', Max: 'ReduceMax', Sum: 'ReduceSum' };

function reduce(ctx, node, vals) {
  const x = requireFloatTensor(vals[0], node.name);
  const rank = x.shape.length;
  const axes = [...new Set(Array.from(constOf(vals[1], `${node.name} axes`).data, (a) => (Number(a) + rank) % rank))].sort();
  const keep = Boolean(node.attr.keep_dims);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const finalShape = keep ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
  const op = REDUCE[node.op];
  if (x.layout !== 'nchw') {
    const out = ctx.uniq(node.name);
    ctx.emit(op, [x.name], [out], { axes: ints(axes), keepdims: int(keep ? 1 : 0) });
    return tensor(out, finalShape, 'plain');
  }
  const onnxAxes = axes.map((a) => NHWC_TO_NCHW_AXIS[a]).sort();
  const remaining = [0, 1, 2, 3].filter((a) => !axes.includes(a));
  // Without keepdims the NCHW result is in TF order unless channels precede kept H/W.
  const orderSafe = !(remaining.includes(3) && (remaining.includes(1) || remaining.includes(2)));
  if (keep || !orderSafe) {
    const r = ctx.uniq(keep ? node.name : `${node.name}/keep`);
    ctx.emit(op, [x.name], [r], { axes: ints(onnxAxes), keepdims: int(1) });
    if (keep) return tensor(r, keptShape, 'nchw');
    const out = ctx.uniq(node.name);
    ctx.emit('Reshape', [ctx.plain(tensor(r, keptShape, 'nchw')), ctx.int64Init(`${node.name}/shape`, finalShape)], [out]);
    return tensor(out, finalShape, 'plain');
  }
  const out = ctx.uniq(node.name);
  ctx.emit(op, [x.name], [out], { axes: ints(onnxAxes), keepdims: int(0) });
  return tensor(out, finalShape, 'plain');
}

function matMul(ctx, node, vals) {
  const a = requireFloatTensor(vals[0], node.name);
  const b = vals[1];
  const ta = Boolean(node.attr.transpose_a);
  const tb = Boolean(node.attr.transpose_b);
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new UnsupportedError(`${node.name}: MatMul of rank > 2`);
  const m = ta ? a.shape[1] : a.shape[0];
  const n = tb ? b.shape[0] : b.shape[1];
  const fused = node.op === '_FusedMatMul' ? parseFused(node, vals, 2) : { bias: null, act: null };
  const mmOut = ctx.uniq(fused.act ? `${node.name}/gemm` : node.name);
  if (b.kind !== 'const') throw new UnsupportedError(`${node.name}: MatMul with a runtime right-hand side`);
  const inputs = [ctx.plain(a, node.name), ctx.floatInit(`${node.name}/B`, asFloatConst(b, node.name).data, b.shape)];
  if (fused.bias) inputs.push(ctx.floatInit(`${node.name}/C`, fused.bias.data, fused.bias.shape));
  ctx.emit('Gemm', inputs, [mmOut], { transA: int(ta ? 1 : 0), transB: int(tb ? 1 : 0) });
  const out = finishFused(ctx, node, fused, mmOut, 'plain');
  return tensor(out, [m, n], 'plain');
}

function resize(ctx, node, vals, mode) {
  const x = requireFloatTensor(vals[0], node.name);
  const [outH, outW] = Array.from(constOf(vals[1], `${node.name} size`).data, Number);
  const [n, , , c] = x.shape;
  const alignCorners = Boolean(node.attr.align_corners);
  const halfPixel = Boolean(node.attr.half_pixel_centers);
  const attrs = { mode: str(mode) };
  if (mode === 'linear') {
    attrs.coordinate_transformation_mode = str(alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric');
  } else {
    attrs.coordinate_transformation_mode = str(alignCorners ? 'align_corners' : halfPixel ? 'tf_half_pixel_for_nn' : 'asymmetric');
    attrs.nearest_mode = str(alignCorners ? 'round_prefer_ceil' : 'floor');
  }
  const out = ctx.uniq(node.name);
  const sizes = ctx.int64Init(`${node.name}/sizes`, [n, c, outH, outW]);
  ctx.emit('Resize', [ctx.nchw(x, node.name), '', '', sizes], [out], attrs);
  return tensor(out, [n, outH, outW, c], 'nchw');
}

function depthToSpace(ctx, node, vals) {
  const x = requireFloatTensor(vals[0], node.name);
  const bs = node.attr.block_size;
  if ((node.attr.data_format ?? 'NHWC') !== 'NHWC') throw new UnsupportedError(`${node.name}: data_format`);
  const [n, h, w, c] = x.shape;
  const out = ctx.uniq(node.name);
  // TF NHWC DepthToSpace reads channel (i*bs + j)*C' + c: ONNX mode DCR.
  ctx.emit('DepthToSpace', [ctx.nchw(x, node.name)], [out], { blocksize: int(bs), mode: str('DCR') });
  return tensor(out, [n, h * bs, w * bs, c / (bs * bs)], 'nchw');
}

// Constant-only shape arithmetic (batch is fixed to 1, so dynamic-shape subgraphs fold away).

function shapeOp(ctx, node, vals) {
  return { kind: 'const', dtype: 'int32', shape: [vals[0].shape.length], data: Int32Array.from(vals[0].shape) };
}

function stridedSlice(ctx, node, vals) {
  const [input, begin, end, stride] = vals.map((v, i) => constOf(v, `${node.name} input ${i}`));
  return { kind: 'const', ...foldStridedSlice1D(input, Array.from(begin.data), Array.from(end.data), Array.from(stride.data), node.attr) };
}

function pack(ctx, node, vals) {
  const parts = vals.map((v, i) => constOf(v, `${node.name} input ${i}`));
  const axis = node.attr.axis ?? 0;
  const shape0 = parts[0].shape;
  if (axis !== 0 && shape0.length !== 0) throw new UnsupportedError(`${node.name}: Pack of constants along axis ${axis}`);
  const data = new parts[0].data.constructor(parts.length * size(shape0));
  parts.forEach((p, i) => data.set(p.data, i * size(shape0)));
  return { kind: 'const', dtype: parts[0].dtype, shape: [parts.length, ...shape0], data };
}

function placeholder(ctx, node) {
  const sig = ctx.graph.inputs.find((i) => i.name === node.name);
  const tfShape = (node.attr.shape?.length ? node.attr.shape : sig?.shape ?? []).map((d) => (d < 0 ? 1 : d));
  if ((node.attr.dtype ?? 'float32') !== 'float32') throw new UnsupportedError(`input ${node.name}: dtype ${node.attr.dtype}`);
  const image = tfShape.length === 4;
  // A channels-first input is already NCHW: it enters as a plain tensor of that shape.
  const channelsFirst = image && ctx.channelsFirst.has(node.name);
  const onnxShape = image && !channelsFirst ? permuteShape(tfShape, PERM_TO_NCHW) : tfShape;
  const name = sig?.tensor ?? `${node.name}:0`;
  ctx.names.add(name);
  ctx.inputs.push({ name, dtype: 'float32', shape: onnxShape, tfName: sig?.tensor ?? name, tfShape, layout: image ? 'NCHW' : 'plain' });
  let internal = name;
  if (ctx.float16) {
    internal = ctx.uniq(`${node.name}/fp16`);
    ctx.emit('Cast', [name], [internal], { to: int(CAST_FLOAT16) });
  }
  return tensor(internal, tfShape, image && !channelsFirst ? 'nchw' : 'plain');
}

/** Ops that do not care which axis holds the channels, followed when looking for the input's layout. */
const LAYOUT_NEUTRAL = new Set(['Identity', 'Pad', 'PadV2', 'MirrorPad']);

/**
 * Names of the 4-D Placeholders the graph itself holds channels-first: every use of the input
 * (through Identity and padding) is a Transpose with perm [0,2,3,1] to NHWC, as in graphs exported
 * from ONNX (NanoDet's [1,3,416,416]). Such an input is fed as it is ([N,C,H,W]); any other 4-D
 * input is taken as NHWC and fed transposed to NCHW. Decided from the graph, not the shape.
 */
export function channelsFirstInputs(graph) {
  const consumers = new Map();
  for (const n of graph.nodes.values()) {
    for (const ref of n.inputs) {
      if (!consumers.has(ref)) consumers.set(ref, []);
      consumers.get(ref).push(n);
    }
  }
  const toNhwc = (n) => {
    const p = graph.consts.get(n.inputs[1]);
    return n.op === 'Transpose' && p && Array.from(p.data, Number).join() === PERM_TO_NHWC.join();
  };
  const result = new Set();
  for (const input of graph.nodes.values()) {
    if (input.op !== 'Placeholder') continue;
    let uses = 0;
    let ok = true;
    const stack = [input.name];
    while (stack.length && ok) {
      const name = stack.pop();
      for (const n of consumers.get(name) ?? []) {
        if (n.inputs[0] === name && LAYOUT_NEUTRAL.has(n.op)) stack.push(n.name);
        else if (n.inputs[0] === name && toNhwc(n)) uses++;
        else ok = false;
      }
    }
    if (ok && uses > 0) result.add(input.name);
  }
  return result;
}

/** TF op -> handler(ctx, node, inputValues) returning the node's value. */
export const OP_HANDLERS = {
  Placeholder: (ctx, node) => placeholder(ctx, node),
  Const: (ctx, node) => ({ kind: 'const', ...ctx.graph.consts.get(node.name) }),
  Identity: (ctx, node, vals) => vals[0],
  StopGradient: (ctx, node, vals) => vals[0],
  Conv2D: (ctx, node, vals) => convLike(ctx, node, vals, 'plain'),
  _FusedConv2D: (ctx, node, vals) => convLike(ctx, node, vals, 'fused'),
  DepthwiseConv2dNative: (ctx, node, vals) => convLike(ctx, node, vals, 'depthwise'),
  FusedDepthwiseConv2dNative: (ctx, node, vals) => convLike(ctx, node, vals, 'depthwise-fused'),
  Conv2DBackpropInput: conv2DBackpropInput,
  MaxPool: (ctx, node, vals) => pool(ctx, node, vals, 'MaxPool'),
  AvgPool: (ctx, node, vals) => pool(ctx, node, vals, 'AveragePool'),
  ...Object.fromEntries(Object.keys(BINARY).map((op) => [op, (ctx, node, vals) => binary(ctx, op, vals[0], vals[1], node.name)])),
  AddN: addN,
  Relu: (ctx, node, vals) => unary(ctx, node, vals, 'Relu'),
  Relu6: (ctx, node, vals) => unary(ctx, node, vals, 'Relu6'),
  Sigmoid: (ctx, node, vals) => unary(ctx, node, vals, 'Sigmoid'),
  Tanh: (ctx, node, vals) => unary(ctx, node, vals, 'Tanh'),
  Elu: (ctx, node, vals) => unary(ctx, node, vals, 'Elu'),
  LeakyRelu: (ctx, node, vals) => unary(ctx, node, vals, 'LeakyRelu'),
  Prelu: (ctx, node, vals) => unary(ctx, node, vals, 'Prelu'),
  Softmax: softmax,
  Pad: pad,
  PadV2: pad,
  MirrorPad: pad,
  Reshape: reshape,
  ConcatV2: concat,
  Transpose: transpose,
  SplitV: splitV,
  SparseToDense: sparseToDense,
  Mean: reduce,
  Max: reduce,
  Sum: reduce,
  MatMul: matMul,
  _FusedMatMul: matMul,
  ResizeBilinear: (ctx, node, vals) => resize(ctx, node, vals, 'linear'),
  ResizeNearestNeighbor: (ctx, node, vals) => resize(ctx, node, vals, 'nearest'),
  DepthToSpace: depthToSpace,
  Shape: shapeOp,
  StridedSlice: stridedSlice,
  Pack: pack,
};

export const SUPPORTED_OPS = Object.keys(OP_HANDLERS).sort();

/** TF op names used by a graph (from readGraphModel) that the converter cannot translate. */
export function unsupportedOps(graph) {
  return [...new Set([...graph.nodes.values()].map((n) => n.op))].filter((op) => !OP_HANDLERS[op]).sort();
}

/**
 * Convert a graph read by readGraphModel to the ONNX IR.
 * Returns { ir, inputs, outputs } where inputs/outputs describe the ONNX I/O
 * ({ name, dtype, shape, layout, tfName, tfShape }).
 * extraOutputs: TF node names to expose as additional outputs named '<node>:debug' (for
 * layer-by-layer comparisons while adding ops; never used for the shipped files).
 */
export function convertGraph(graph, { float16 = false, name = 'model', metadata = {}, extraOutputs = [] } = {}) {
  const missing = unsupportedOps(graph);
  if (missing.length) throw new UnsupportedError(`unsupported TF ops: ${missing.join(', ')}`);
  const ctx = new Context(graph, { float16 });
  for (const o of graph.outputs) ctx.names.add(o.tensor);
  for (const n of extraOutputs) ctx.names.add(`${n}:debug`);
  const values = new Map();
  for (const node of topoOrder(graph.nodes, [...graph.outputs.map((o) => o.name), ...extraOutputs])) {
    const vals = node.inputs.map((i) => {
      if (!values.has(i)) throw new Error(`${node.op} ${node.name}: no value for input ${i}`);
      return values.get(i);
    });
    let v;
    try {
      v = OP_HANDLERS[node.op](ctx, node, vals);
    } catch (e) {
      if (e instanceof UnsupportedError && !e.message.includes(node.name)) e.message = `${node.op} ${node.name}: ${e.message}`;
      throw e;
    }
    // Multi-output ops (SplitV) return one value per output: 'node', 'node:1', ...
    const outs = Array.isArray(v) ? v : [v];
    outs.forEach((o, k) => {
      if (o.kind === 'tensor') ctx.names.add(o.name);
      values.set(k === 0 ? node.name : `${node.name}:${k}`, o);
    });
  }
  const wanted = [
    ...graph.outputs,
    ...extraOutputs.map((n) => ({ name: n, tensor: `${n}:debug`, key: n, shape: [] })),
  ];
  const outputs = wanted.map((o) => {
    const v = values.get(o.name);
    if (!v) throw new Error(`no value for output ${o.name}`);
    if (v.kind !== 'tensor') throw new UnsupportedError(`output ${o.tensor} is a constant`);
    const expected = o.shape.map((d) => (d < 0 ? 1 : d));
    if (expected.length && expected.join() !== v.shape.join()) {
      throw new Error(`output ${o.tensor}: converted shape [${v.shape}] != signature [${expected}]`);
    }
    const image = v.layout === 'nchw';
    const shape = image ? permuteShape(v.shape, PERM_TO_NCHW) : v.shape;
    if (float16) {
      // Saturate instead of overflowing to +-Inf (the pose detector has an anchor channel whose
      // logits are ~ -8e5 in fp32; sigmoid gives 0 either way). NaN would still pass through.
      const clipped = ctx.uniq(`${o.name}/saturate`);
      ctx.emit('Clip', [v.name, ctx.scalar(-FLOAT16_MAX), ctx.scalar(FLOAT16_MAX)], [clipped]);
      ctx.emit('Cast', [clipped], [o.tensor], { to: int(CAST_FLOAT) });
    }
    else ctx.emit('Identity', [v.name], [o.tensor]);
    return { name: o.tensor, dtype: 'float32', shape, layout: image ? 'NCHW' : 'plain', tfName: o.tensor, tfShape: v.shape, key: o.key };
  });
  const ir = {
    name,
    opset: OPSET,
    irVersion: 8,
    metadata,
    inputs: ctx.inputs.map(({ name: n, dtype, shape }) => ({ name: n, dtype, shape })),
    outputs: outputs.map(({ name: n, dtype, shape }) => ({ name: n, dtype, shape })),
    initializers: ctx.initializers,
    nodes: ctx.nodes,
  };
  return { ir, inputs: ctx.inputs, outputs };
}
