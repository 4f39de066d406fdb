// Small pure helpers for shapes, layouts, padding and constant folding.

export const size = (shape) => shape.reduce((a, b) => a * b, 1);

/** NHWC axis -> position of that axis in NCHW. */
export const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];
/** Transpose perms: data in NHWC -> NCHW, and back. */
export const PERM_TO_NCHW = [0, 3, 1, 2];
export const PERM_TO_NHWC = [0, 2, 3, 1];

export function permuteShape(shape, perm) {
  return perm.map((p) => shape[p]);
}

function strides(shape) {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Transpose row-major `data` of `shape` by `perm` (out.shape[i] = shape[perm[i]]). */
export function transposeData(data, shape, perm) {
  const outShape = permuteShape(shape, perm);
  const inStrides = strides(shape);
  const rank = shape.length;
  const out = new data.constructor(data.length);
  const srcStride = perm.map((p) => inStrides[p]);
  const idx = new Array(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src];
    // increment the output multi-index, keeping `src` in step
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += srcStride[d];
      if (idx[d] < outShape[d]) break;
      src -= srcStride[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** TF Conv2D filter [kh, kw, cin, cout] -> ONNX Conv weight [cout, cin, kh, kw]. */
export function convFilterToOIHW(data, shape) {
  return { data: transposeData(data, shape, [3, 2, 0, 1]), shape: permuteShape(shape, [3, 2, 0, 1]) };
}

/** TF depthwise filter [kh, kw, cin, mult] -> ONNX grouped Conv weight [cin*mult, 1, kh, kw]. */
export function depthwiseFilterToOIHW(data, shape) {
  const [kh, kw, cin, mult] = shape;
  return { data: transposeData(data, shape, [2, 3, 0, 1]), shape: [cin * mult, 1, kh, kw] };
}

/** TF Conv2DBackpropInput filter [kh, kw, cout, cin] -> ONNX ConvTranspose weight [cin, cout, kh, kw]. */
export function deconvFilterToIOHW(data, shape) {
  return { data: transposeData(data, shape, [3, 2, 0, 1]), shape: permuteShape(shape, [3, 2, 0, 1]) };
}

/** TF 'SAME' padding for one spatial axis: [before, after] (extra pixel goes after). */
export function samePads(inSize, kernel, stride, dilation = 1) {
  const eff = (kernel - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + eff - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Output size of a forward conv/pool along one axis with explicit pads. */
export function convOutSize(inSize, kernel, stride, dilation, padBefore, padAfter) {
  const eff = (kernel - 1) * dilation + 1;
  return Math.floor((inSize + padBefore + padAfter - eff) / stride) + 1;
}

/**
 * Spatial pads [top, left, bottom, right] for TF padding mode 'SAME' | 'VALID' | 'EXPLICIT'.
 * `explicit` is TF's explicit_paddings (NHWC pairs, 8 values).
 */
export function spatialPads(mode, [inH, inW], [kh, kw], [sh, sw], [dh, dw], explicit = []) {
  if (mode === 'VALID') return [0, 0, 0, 0];
  if (mode === 'SAME') {
    const [t, b] = samePads(inH, kh, sh, dh);
    const [l, r] = samePads(inW, kw, sw, dw);
    return [t, l, b, r];
  }
  if (mode === 'EXPLICIT') return [explicit[2], explicit[4], explicit[3], explicit[5]];
  throw new Error(`padding mode ${mode} not supported`);
}

/** Broadcast result shape of two shapes (numpy / TF rules). */
export function broadcastShape(a, b) {
  const rank = Math.max(a.length, b.length);
  const out = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Elementwise op on two constant tensors with broadcasting. */
export function foldBinary(a, b, fn) {
  const shape = broadcastShape(a.shape, b.shape);
  const n = size(shape);
  const Out = a.data.constructor;
  const out = new Out(n);
  const rank = shape.length;
  const pad = (s) => [...new Array(rank - s.length).fill(1), ...s];
  const as = pad(a.shape);
  const bs = pad(b.shape);
  const ast = strides(as).map((s, i) => (as[i] === 1 ? 0 : s));
  const bst = strides(bs).map((s, i) => (bs[i] === 1 ? 0 : s));
  const ost = strides(shape);
  for (let o = 0; o < n; o++) {
    let ia = 0;
    let ib = 0;
    let r = o;
    for (let d = 0; d < rank; d++) {
      const q = Math.floor(r / ost[d]);
      r -= q * ost[d];
      ia += q * ast[d];
      ib += q * bst[d];
    }
    out[o] = fn(a.data[ia], b.data[ib]);
  }
  return { dtype: a.dtype, shape, data: out };
}

/**
 * A constant that broadcasts against an NHWC tensor, rewritten to broadcast against the same
 * tensor stored as NCHW: pad to rank 4 with leading 1s, then transpose NHWC -> NCHW.
 */
export function constToNCHW(c) {
  if (c.shape.length > 4) throw new Error(`constant of rank ${c.shape.length} against a 4-D tensor`);
  const shape4 = [...new Array(4 - c.shape.length).fill(1), ...c.shape];
  return { dtype: c.dtype, shape: permuteShape(shape4, PERM_TO_NCHW), data: transposeData(c.data, shape4, PERM_TO_NCHW) };
}

/** TF StridedSlice on a constant 1-D tensor (the shape-arithmetic case). */
export function foldStridedSlice1D(input, begin, end, stride, attr) {
  if (input.shape.length !== 1) throw new Error('StridedSlice folding supports 1-D inputs only');
  if (attr.ellipsis_mask || attr.new_axis_mask) throw new Error('StridedSlice ellipsis/new_axis masks not supported');
  const n = input.shape[0];
  const s = stride[0];
  if (!s) throw new Error('StridedSlice stride 0');
  const norm = (v) => (v < 0 ? v + n : v);
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
  let b = attr.begin_mask & 1 ? (s > 0 ? 0 : n - 1) : norm(begin[0]);
  if (attr.shrink_axis_mask & 1) {
    if (b < 0 || b >= n) throw new Error('StridedSlice index out of range');
    return { dtype: input.dtype, shape: [], data: input.data.slice(b, b + 1) };
  }
  let e = attr.end_mask & 1 ? (s > 0 ? n : -1) : norm(end[0]);
  b = s > 0 ? clamp(b, 0, n) : clamp(b, -1, n - 1);
  e = s > 0 ? clamp(e, 0, n) : clamp(e, -1, n - 1);
  const vals = [];
  for (let i = b; s > 0 ? i < e : i > e; i += s) vals.push(input.data[i]);
  return { dtype: input.dtype, shape: [vals.length], data: input.data.constructor.from(vals) };
}

/** Resolve a TF reshape target (one -1 allowed) against an element count. */
export function resolveReshape(target, count) {
  const known = target.filter((d) => d !== -1);
  const prod = size(known);
  const unknown = target.length - known.length;
  if (unknown > 1) throw new Error(`reshape target [${target}] has more than one -1`);
  if (unknown === 1) {
    if (count % prod) throw new Error(`cannot reshape ${count} elements to [${target}]`);
    return target.map((d) => (d === -1 ? count / prod : d));
  }
  if (prod !== count) throw new Error(`cannot reshape ${count} elements to [${target}]`);
  return [...target];
}
