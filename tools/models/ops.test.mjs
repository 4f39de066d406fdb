// @vitest-environment node
// Op translation on tiny hand-built TF.js graphs: each converted ONNX graph runs in
// onnxruntime-web (wasm, Node) and must match the same graph run by TF.js on the CPU backend.

import { describe, expect, it } from 'vitest';
import { readGraphModel } from './tfjs-graph.mjs';
import { SUPPORTED_OPS, convertGraph, unsupportedOps, UnsupportedError } from './translate.mjs';
import { decodeModel, encodeModel } from './onnx-writer.mjs';
import {
  A,
  loadTf,
  loadTfGraph,
  makeGraphModel,
  maxAbsDiff,
  nchwToNhwc,
  nhwcToNchw,
  randomFloats,
  runOnnx,
  runTfGraph,
} from './test-utils.mjs';

const size = (s) => s.reduce((a, b) => a * b, 1);

function convAttr({ strides = [1, 1], padding = 'SAME', dilations = [1, 1], fused = null, explicit = [] } = {}) {
  const attr = {
    strides: A.ints([1, ...strides, 1]),
    padding: A.s(padding),
    dilations: A.ints([1, ...dilations, 1]),
    data_format: A.s('NHWC'),
    explicit_paddings: A.ints(explicit),
    use_cudnn_on_gpu: A.b(true),
  };
  if (fused) {
    attr.fused_ops = A.strs(fused);
    attr.num_args = A.i(fused.includes('Prelu') ? 2 : 1);
    attr.epsilon = A.f(0);
    attr.leakyrelu_alpha = A.f(0.1);
  }
  return attr;
}

const fconst = (name, shape, seed, lo = -1, hi = 1, extra = {}) => ({ name, shape, data: randomFloats(size(shape), seed, lo, hi), ...extra });
const iconst = (name, shape, data) => ({ name, shape, data, dtype: 'int32' });

/**
 * Convert `spec` (makeGraphModel input), run both sides on random inputs, compare every output.
 * Returns { diff, diff16 } (max abs differences of the fp32 and fp16 conversions).
 */
async function parity(spec, { tol = 1e-5, tol16 = null } = {}) {
  const source = makeGraphModel(spec);
  const graph = readGraphModel(source.json, source.weightData);
  const feedsTf = {};
  const feedsOnnx = {};
  const { inputs: onnxInputs } = convertGraph(graph);
  spec.inputs.forEach((inp, k) => {
    const data = randomFloats(size(inp.shape), 100 + k, -2, 2);
    feedsTf[inp.name] = { data, shape: inp.shape };
    // NHWC image inputs are fed as NCHW; channels-first ones (ONNX shape = TF shape) as they are.
    const { shape: onnxShape } = onnxInputs.find((i) => i.name === `${inp.name}:0`);
    const transposed = onnxShape.join() !== inp.shape.join();
    feedsOnnx[`${inp.name}:0`] = { data: transposed ? nhwcToNchw(data, inp.shape) : data, shape: onnxShape };
  });
  const model = await loadTfGraph(source);
  const { tf } = await loadTf();
  const inputs = Object.fromEntries(Object.entries(feedsTf).map(([n, { data, shape }]) => [n, tf.tensor(data, shape)]));
  const tfOuts = model.execute(inputs, spec.outputs);
  const ref = (Array.isArray(tfOuts) ? tfOuts : [tfOuts]).map((t) => Float32Array.from(t.dataSync()));
  const result = {};
  for (const float16 of [false, true]) {
    const { ir, outputs } = convertGraph(graph, { float16 });
    const out = await runOnnx(encodeModel(ir), feedsOnnx);
    let worst = 0;
    outputs.forEach((o, i) => {
      const got = o.layout === 'NCHW' ? nchwToNhwc(out[o.name], o.shape) : out[o.name];
      expect(got.length).toBe(ref[i].length);
      worst = Math.max(worst, maxAbsDiff(got, ref[i]));
    });
    result[float16 ? 'diff16' : 'diff'] = worst;
  }
  expect(result.diff).toBeLessThanOrEqual(tol);
  if (tol16 !== null) expect(result.diff16).toBeLessThanOrEqual(tol16);
  return result;
}

/** One-op graph on input x (NHWC `shape`) with constants. */
function single(op, shape, { consts = [], extraInputs = [], attr = {} } = {}) {
  return {
    inputs: [{ name: 'x', shape }],
    consts,
    nodes: [{ name: 'y', op, inputs: ['x', ...extraInputs], attr }],
    outputs: ['y'],
  };
}

describe('Conv2D / _FusedConv2D', () => {
  const cases = [
    ['SAME 3x3 stride 1', [1, 7, 7, 3], [3, 3, 3, 4], { padding: 'SAME' }],
    ['SAME 3x3 stride 2, even input (asymmetric pads)', [1, 8, 8, 3], [3, 3, 3, 4], { padding: 'SAME', strides: [2, 2] }],
    ['SAME 3x3 stride 2, odd input', [1, 9, 7, 2], [3, 3, 2, 5], { padding: 'SAME', strides: [2, 2] }],
    ['SAME 2x2 stride 1 (pad after only)', [1, 5, 5, 2], [2, 2, 2, 3], { padding: 'SAME' }],
    ['SAME 5x5 stride 2 dilation 1', [1, 10, 11, 2], [5, 5, 2, 3], { padding: 'SAME', strides: [2, 2] }],
    ['SAME 3x3 dilation 2', [1, 9, 9, 2], [3, 3, 2, 3], { padding: 'SAME', dilations: [2, 2] }],
    ['VALID 3x3 stride 2', [1, 9, 8, 3], [3, 3, 3, 4], { padding: 'VALID', strides: [2, 2] }],
    ['EXPLICIT pads', [1, 6, 6, 2], [3, 3, 2, 3], { padding: 'EXPLICIT', explicit: [0, 0, 1, 2, 0, 1, 0, 0] }],
  ];
  for (const [label, xs, ws, opts] of cases) {
    it(`Conv2D ${label}`, async () => {
      await parity(single('Conv2D', xs, { consts: [fconst('w', ws, 3)], extraInputs: ['w'], attr: convAttr(opts) }), { tol16: 2e-2 });
    });
  }
  for (const fused of [['BiasAdd'], ['BiasAdd', 'Relu'], ['BiasAdd', 'Relu6'], ['BiasAdd', 'LeakyRelu'], ['BiasAdd', 'Prelu'], ['BiasAdd', 'Elu']]) {
    it(`_FusedConv2D ${fused.join('+')} SAME stride 2`, async () => {
      const consts = [fconst('w', [3, 3, 3, 4], 5, -2, 2), fconst('b', [4], 6)];
      const extra = ['w', 'b'];
      if (fused.includes('Prelu')) {
        consts.push(fconst('alpha', [4], 7, 0, 0.5));
        extra.push('alpha');
      }
      await parity(single('_FusedConv2D', [1, 8, 8, 3], { consts, extraInputs: extra, attr: convAttr({ strides: [2, 2], fused }) }), { tol16: 5e-2 });
    });
  }
  it('rejects fused ops it does not know', () => {
    const spec = single('_FusedConv2D', [1, 4, 4, 1], {
      consts: [fconst('w', [1, 1, 1, 1], 1), fconst('b', [1], 2)],
      extraInputs: ['w', 'b'],
      attr: convAttr({ fused: ['BiasAdd', 'Softsign'] }),
    });
    const src = makeGraphModel(spec);
    expect(() => convertGraph(readGraphModel(src.json, src.weightData))).toThrow(UnsupportedError);
  });
});

describe('DepthwiseConv2dNative / FusedDepthwiseConv2dNative', () => {
  it('SAME stride 2, channel multiplier 2', async () => {
    await parity(single('DepthwiseConv2dNative', [1, 8, 8, 3], { consts: [fconst('w', [3, 3, 3, 2], 11)], extraInputs: ['w'], attr: convAttr({ strides: [2, 2] }) }));
  });
  it('SAME stride 1, 5x5 kernel', async () => {
    await parity(single('DepthwiseConv2dNative', [1, 7, 6, 4], { consts: [fconst('w', [5, 5, 4, 1], 12)], extraInputs: ['w'], attr: convAttr() }));
  });
  it('fused BiasAdd+Relu6 VALID stride 2', async () => {
    await parity(
      single('FusedDepthwiseConv2dNative', [1, 9, 9, 4], {
        consts: [fconst('w', [3, 3, 4, 1], 13, -3, 3), fconst('b', [4], 14)],
        extraInputs: ['w', 'b'],
        attr: convAttr({ padding: 'VALID', strides: [2, 2], fused: ['BiasAdd', 'Relu6'] }),
      }),
      { tol16: 2e-2 },
    );
  });
});

describe('Conv2DBackpropInput', () => {
  for (const [label, xs, ws, outShape, padding] of [
    ['2x2 stride 2 SAME', [1, 4, 4, 3], [2, 2, 5, 3], [1, 8, 8, 5], 'SAME'],
    ['3x3 stride 2 SAME (output_padding)', [1, 5, 4, 2], [3, 3, 3, 2], [1, 10, 8, 3], 'SAME'],
    ['3x3 stride 2 VALID', [1, 4, 4, 2], [3, 3, 3, 2], [1, 9, 9, 3], 'VALID'],
  ]) {
    it(label, async () => {
      await parity({
        inputs: [{ name: 'x', shape: xs }],
        consts: [iconst('os', [4], outShape), fconst('w', ws, 21)],
        nodes: [{ name: 'y', op: 'Conv2DBackpropInput', inputs: ['os', 'w', 'x'], attr: convAttr({ strides: [2, 2], padding }) }],
        outputs: ['y'],
      });
    });
  }
});

describe('pooling', () => {
  const poolAttr = (k, s, padding) => ({ ksize: A.ints([1, k, k, 1]), strides: A.ints([1, s, s, 1]), padding: A.s(padding), data_format: A.s('NHWC'), explicit_paddings: A.ints([]) });
  for (const [op, k, s, padding, shape] of [
    ['MaxPool', 2, 2, 'VALID', [1, 8, 8, 3]],
    ['MaxPool', 2, 2, 'SAME', [1, 7, 7, 3]],
    ['MaxPool', 3, 2, 'SAME', [1, 8, 9, 2]],
    ['AvgPool', 3, 2, 'SAME', [1, 8, 9, 2]],
    ['AvgPool', 2, 2, 'VALID', [1, 8, 8, 2]],
  ]) {
    it(`${op} ${k}x${k} stride ${s} ${padding} on [${shape}]`, async () => {
      await parity(single(op, shape, { attr: poolAttr(k, s, padding) }));
    });
  }
});

describe('elementwise and activations', () => {
  for (const op of ['AddV2', 'Add', 'Sub', 'Mul', 'RealDiv', 'Maximum', 'Minimum', 'BiasAdd']) {
    it(`${op} with a per-channel constant`, async () => {
      const c = op === 'RealDiv' ? fconst('c', [3], 31, 0.5, 2) : fconst('c', [3], 31);
      await parity(single(op, [1, 4, 5, 3], { consts: [c], extraInputs: ['c'] }));
    });
  }
  it('Mul by a scalar constant first, then Add of a [1,1,1,C] constant (BatchNorm pattern)', async () => {
    await parity({
      inputs: [{ name: 'x', shape: [1, 4, 4, 3] }],
      consts: [fconst('s', [], 41), fconst('c', [1, 1, 1, 3], 42)],
      nodes: [
        { name: 'm', op: 'Mul', inputs: ['s', 'x'] },
        { name: 'y', op: 'Add', inputs: ['m', 'c'] },
      ],
      outputs: ['y'],
    });
  });
  it('AddN of three image tensors after convs, and AddV2 of two images', async () => {
    const c = (n, seed) => ({ name: n, op: 'Conv2D', inputs: ['x', `w${seed}`], attr: convAttr() });
    await parity({
      inputs: [{ name: 'x', shape: [1, 5, 5, 2] }],
      consts: [fconst('w1', [1, 1, 2, 3], 1), fconst('w2', [1, 1, 2, 3], 2), fconst('w3', [1, 1, 2, 3], 3)],
      nodes: [c('a', 1), c('b', 2), c('c', 3), { name: 'n', op: 'AddN', inputs: ['a', 'b', 'c'], attr: { N: A.i(3) } }, { name: 'y', op: 'AddV2', inputs: ['n', 'a'] }],
      outputs: ['y'],
    });
  });
  for (const op of ['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Elu']) {
    it(op, async () => {
      await parity(single(op, [1, 3, 4, 5]));
    });
  }
  it('Softmax over channels of an image, and over the last axis of a vector', async () => {
    await parity(single('Softmax', [1, 3, 4, 5]));
    await parity(single('Softmax', [2, 7]));
  });
  it('LeakyRelu and Prelu', async () => {
    await parity(single('LeakyRelu', [1, 3, 4, 5], { attr: { alpha: A.f(0.3) } }));
    await parity(single('Prelu', [1, 3, 4, 5], { consts: [fconst('a', [5], 51, 0, 0.5)], extraInputs: ['a'] }));
  });
});

describe('shape ops', () => {
  it('Pad spatially and on channels (NHWC paddings remapped to NCHW)', async () => {
    await parity(single('Pad', [1, 4, 5, 3], { consts: [iconst('p', [4, 2], [0, 0, 1, 2, 2, 1, 0, 3])], extraInputs: ['p'] }));
  });
  it('MirrorPad REFLECT', async () => {
    await parity(single('MirrorPad', [1, 5, 5, 2], { consts: [iconst('p', [4, 2], [0, 0, 2, 1, 1, 2, 0, 0])], extraInputs: ['p'], attr: { mode: A.s('REFLECT') } }));
  });
  it('Reshape of an image to [1,-1,C] (transposes back to NHWC order first)', async () => {
    await parity(single('Reshape', [1, 3, 4, 6], { consts: [iconst('s', [3], [1, -1, 2])], extraInputs: ['s'] }));
  });
  it('ConcatV2 on channels and on a reshaped axis', async () => {
    await parity({
      inputs: [{ name: 'x', shape: [1, 4, 4, 2] }],
      consts: [fconst('w', [1, 1, 2, 3], 61), iconst('ax3', [], [3]), iconst('ax1', [], [1]), iconst('s', [3], [1, -1, 5])],
      nodes: [
        { name: 'c', op: 'Conv2D', inputs: ['x', 'w'], attr: convAttr() },
        { name: 'cat', op: 'ConcatV2', inputs: ['x', 'c', 'ax3'], attr: { N: A.i(2), Tidx: A.type('DT_INT32') } },
        { name: 'r', op: 'Reshape', inputs: ['cat', 's'] },
        { name: 'y', op: 'ConcatV2', inputs: ['r', 'r', 'ax1'], attr: { N: A.i(2), Tidx: A.type('DT_INT32') } },
      ],
      outputs: ['y'],
    });
  });
  it('dynamic-batch reshape folded away: Shape -> StridedSlice -> Pack -> Reshape', async () => {
    await parity({
      inputs: [{ name: 'x', shape: [1, 4, 4, 6] }],
      consts: [iconst('b', [1], [0]), iconst('e', [1], [1]), iconst('st', [1], [1]), iconst('d1', [], [-1]), iconst('d2', [], [3])],
      nodes: [
        { name: 'sh', op: 'Shape', inputs: ['x'], attr: { out_type: A.type('DT_INT32') } },
        {
          name: 'n',
          op: 'StridedSlice',
          inputs: ['sh', 'b', 'e', 'st'],
          attr: { T: A.type('DT_INT32'), Index: A.type('DT_INT32'), begin_mask: A.i(0), end_mask: A.i(0), ellipsis_mask: A.i(0), new_axis_mask: A.i(0), shrink_axis_mask: A.i(1) },
        },
        { name: 'p', op: 'Pack', inputs: ['n', 'd1', 'd2'], attr: { T: A.type('DT_INT32'), N: A.i(3), axis: A.i(0) } },
        { name: 'y', op: 'Reshape', inputs: ['x', 'p'] },
      ],
      outputs: ['y'],
    });
  });
  for (const [label, attr] of [
    ['half_pixel_centers', { align_corners: A.b(false), half_pixel_centers: A.b(true) }],
    ['align_corners', { align_corners: A.b(true), half_pixel_centers: A.b(false) }],
    ['asymmetric (neither)', { align_corners: A.b(false), half_pixel_centers: A.b(false) }],
  ]) {
    it(`ResizeBilinear ${label}, up 2x and to an odd size`, async () => {
      await parity(single('ResizeBilinear', [1, 5, 4, 3], { consts: [iconst('sz', [2], [10, 8])], extraInputs: ['sz'], attr }));
      await parity(single('ResizeBilinear', [1, 5, 4, 3], { consts: [iconst('sz', [2], [7, 11])], extraInputs: ['sz'], attr }));
    });
    it(`ResizeNearestNeighbor ${label}`, async () => {
      await parity(single('ResizeNearestNeighbor', [1, 5, 4, 3], { consts: [iconst('sz', [2], [10, 8])], extraInputs: ['sz'], attr }));
    });
  }
  it('DepthToSpace block 2 (DCR)', async () => {
    await parity(single('DepthToSpace', [1, 3, 4, 8], { attr: { block_size: A.i(2), data_format: A.s('NHWC') } }));
  });
});

/** The ONNX op types of a converted spec (fp32). */
function onnxOps(spec) {
  const src = makeGraphModel(spec);
  return decodeModel(encodeModel(convertGraph(readGraphModel(src.json, src.weightData)).ir)).graph.node.map((n) => n.op_type);
}

const perm = (name, p) => iconst(name, [p.length], p);
const tAttr = { Tperm: A.type('DT_INT32') };

describe('channels-first graphs (ONNX exports): Transpose, SplitV, SparseToDense', () => {
  /**
   * The pattern of a graph exported from ONNX: a channels-first input, Pad in NCHW order, a
   * Transpose to NHWC around each Conv2D and back, LeakyRelu and Concat on channels-first tensors.
   */
  const onnxExportSpec = {
    inputs: [{ name: 'x', shape: [1, 3, 9, 8] }],
    consts: [
      iconst('pads', [4, 2], [0, 0, 0, 0, 1, 1, 1, 1]),
      perm('to_nhwc', [0, 2, 3, 1]),
      perm('to_nchw', [0, 3, 1, 2]),
      fconst('w', [3, 3, 3, 4], 201),
      fconst('b', [4], 202),
      iconst('ax1', [], [1]),
    ],
    nodes: [
      { name: 'p', op: 'Pad', inputs: ['x', 'pads'] },
      { name: 't1', op: 'Transpose', inputs: ['p', 'to_nhwc'], attr: tAttr },
      { name: 'c', op: 'Conv2D', inputs: ['t1', 'w'], attr: convAttr({ padding: 'VALID', strides: [2, 2] }) },
      { name: 'cb', op: 'Add', inputs: ['c', 'b'] },
      { name: 't2', op: 'Transpose', inputs: ['cb', 'to_nchw'], attr: tAttr },
      { name: 'r', op: 'LeakyRelu', inputs: ['t2'], attr: { alpha: A.f(0.1) } },
      { name: 'y', op: 'ConcatV2', inputs: ['r', 't2', 'ax1'], attr: { N: A.i(2), Tidx: A.type('DT_INT32') } },
    ],
    outputs: ['y'],
  };

  it('a channels-first input is fed as it is, and the Transposes around a Conv2D cost nothing', async () => {
    const src = makeGraphModel(onnxExportSpec);
    const { inputs, outputs } = convertGraph(readGraphModel(src.json, src.weightData));
    expect(inputs[0]).toMatchObject({ shape: [1, 3, 9, 8], tfShape: [1, 3, 9, 8], layout: 'NCHW' });
    expect(outputs[0]).toMatchObject({ shape: [1, 8, 5, 4], layout: 'plain' });
    expect(onnxOps(onnxExportSpec)).toEqual(['Pad', 'Conv', 'Add', 'LeakyRelu', 'Concat', 'Identity']);
    // The same input shape used directly (no Transpose to NHWC) is an NHWC image, fed as NCHW.
    const direct = makeGraphModel(single('Relu', [1, 3, 9, 8]));
    expect(convertGraph(readGraphModel(direct.json, direct.weightData)).inputs[0]).toMatchObject({ shape: [1, 8, 3, 9], tfShape: [1, 3, 9, 8] });
    await parity(onnxExportSpec, { tol16: 2e-2 });
  });

  it('PadV2 with -inf before a MaxPool, ResizeBilinear and Add on channels-first tensors', async () => {
    await parity({
      inputs: [{ name: 'x', shape: [1, 2, 6, 7] }],
      consts: [
        iconst('pads', [4, 2], [0, 0, 0, 0, 1, 1, 1, 1]),
        { name: 'ninf', shape: [], data: [-Infinity] },
        perm('to_nhwc', [0, 2, 3, 1]),
        perm('to_nchw', [0, 3, 1, 2]),
        iconst('sz', [2], [6, 7]),
        fconst('c', [2, 1, 1], 203),
      ],
      nodes: [
        { name: 'p', op: 'PadV2', inputs: ['x', 'pads', 'ninf'] },
        { name: 't1', op: 'Transpose', inputs: ['p', 'to_nhwc'], attr: tAttr },
        { name: 'm', op: 'MaxPool', inputs: ['t1'], attr: { ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('VALID'), data_format: A.s('NHWC') } },
        { name: 't2', op: 'Transpose', inputs: ['m', 'to_nchw'], attr: tAttr },
        { name: 't3', op: 'Transpose', inputs: ['t2', 'to_nhwc'], attr: tAttr },
        { name: 'rs', op: 'ResizeBilinear', inputs: ['t3', 'sz'], attr: { align_corners: A.b(false), half_pixel_centers: A.b(true) } },
        { name: 't4', op: 'Transpose', inputs: ['rs', 'to_nchw'], attr: tAttr },
        { name: 'y', op: 'Add', inputs: ['t4', 'c'] }, // a per-channel constant, channels-first
      ],
      outputs: ['y'],
    });
  });

  it('Transpose with other perms: images (H<->W), channels-first tensors, rank 3, and constants folded', async () => {
    // NHWC image input ('nchw' in ONNX): swap H and W, then a perm that leaves a plain tensor.
    await parity({
      inputs: [{ name: 'x', shape: [1, 4, 5, 3] }],
      consts: [perm('hw', [0, 2, 1, 3]), perm('odd', [3, 1, 0, 2])],
      nodes: [
        { name: 'a', op: 'Transpose', inputs: ['x', 'hw'], attr: tAttr },
        { name: 'r', op: 'Relu', inputs: ['a'] },
        { name: 'y', op: 'Transpose', inputs: ['r', 'odd'], attr: tAttr },
      ],
      outputs: ['r', 'y'],
    });
    // A channels-first tensor (plain 4-D): a perm that is no layout change, and the rank-3 [0,2,1]
    // after a Reshape.
    await parity({
      inputs: [{ name: 'x', shape: [1, 3, 4, 6] }],
      consts: [perm('to_nhwc', [0, 2, 3, 1]), perm('to_nchw', [0, 3, 1, 2]), perm('p', [0, 1, 3, 2]), iconst('s', [3], [1, 3, -1]), perm('p3', [0, 2, 1])],
      nodes: [
        { name: 'i', op: 'Transpose', inputs: ['x', 'to_nhwc'], attr: tAttr },
        { name: 'e', op: 'Elu', inputs: ['i'] },
        { name: 'cf', op: 'Transpose', inputs: ['e', 'to_nchw'], attr: tAttr },
        { name: 'a', op: 'Transpose', inputs: ['cf', 'p'], attr: tAttr },
        { name: 'r', op: 'Reshape', inputs: ['a', 's'] },
        { name: 'y', op: 'Transpose', inputs: ['r', 'p3'], attr: tAttr },
      ],
      outputs: ['y'],
    });
    // An image transposed to channels-first and back is the same ONNX tensor: no Transpose at all.
    const roundTrip = {
      inputs: [{ name: 'x', shape: [1, 4, 5, 3] }],
      consts: [perm('to_nchw', [0, 3, 1, 2]), perm('to_nhwc', [0, 2, 3, 1]), fconst('c', [5], 211)],
      nodes: [
        { name: 'a', op: 'Transpose', inputs: ['x', 'to_nchw'], attr: tAttr },
        { name: 'b', op: 'Add', inputs: ['a', 'c'] }, // broadcasts over W of the channels-first tensor
        { name: 'y', op: 'Transpose', inputs: ['b', 'to_nhwc'], attr: tAttr },
      ],
      outputs: ['y'],
    };
    expect(onnxOps(roundTrip)).toEqual(['Add', 'Identity']);
    await parity(roundTrip);
    // A transposed constant is folded.
    const folded = {
      inputs: [{ name: 'x', shape: [2, 3] }],
      consts: [fconst('c', [3, 2], 212), perm('p', [1, 0])],
      nodes: [
        { name: 'ct', op: 'Transpose', inputs: ['c', 'p'], attr: tAttr },
        { name: 'y', op: 'Mul', inputs: ['x', 'ct'] },
      ],
      outputs: ['y'],
    };
    expect(onnxOps(folded)).toEqual(['Mul', 'Identity']);
    await parity(folded);
  });

  it('SplitV on a channels-first tensor (sizes with -1) feeding Sigmoid and Reshape, as NanoDet\'s head', async () => {
    await parity({
      inputs: [{ name: 'x', shape: [1, 7, 3, 4] }],
      consts: [perm('to_nhwc', [0, 2, 3, 1]), perm('to_nchw', [0, 3, 1, 2]), iconst('sizes', [2], [4, -1]), iconst('dim', [], [1]), iconst('s', [3], [1, 3, -1]), perm('p3', [0, 2, 1])],
      nodes: [
        { name: 't1', op: 'Transpose', inputs: ['x', 'to_nhwc'], attr: tAttr },
        { name: 'e', op: 'Relu', inputs: ['t1'] },
        { name: 't2', op: 'Transpose', inputs: ['e', 'to_nchw'], attr: tAttr },
        { name: 'sp', op: 'SplitV', inputs: ['t2', 'sizes', 'dim'], attr: { num_split: A.i(2), Tlen: A.type('DT_INT32') } },
        { name: 'sg', op: 'Sigmoid', inputs: ['sp'] },
        { name: 'r', op: 'Reshape', inputs: ['sp:1', 's'] },
        { name: 'y', op: 'Transpose', inputs: ['r', 'p3'], attr: tAttr },
      ],
      outputs: ['sg', 'y'],
    });
  });

  it('SplitV of an image on channels (axis 3 -> ONNX 1) and on W (negative split_dim), three parts', async () => {
    await parity({
      inputs: [{ name: 'x', shape: [1, 4, 6, 5] }],
      consts: [iconst('sizes', [3], [1, 3, 1]), iconst('dim', [], [3]), iconst('sizesW', [2], [2, 4]), iconst('dimW', [], [-2])],
      nodes: [
        { name: 'sp', op: 'SplitV', inputs: ['x', 'sizes', 'dim'], attr: { num_split: A.i(3), Tlen: A.type('DT_INT32') } },
        { name: 'a', op: 'Relu', inputs: ['sp:2'] },
        { name: 'b', op: 'AddV2', inputs: ['sp', 'a'] },
        { name: 'w', op: 'SplitV', inputs: ['x', 'sizesW', 'dimW'], attr: { num_split: A.i(2), Tlen: A.type('DT_INT32') } },
        { name: 'c', op: 'Sigmoid', inputs: ['w:1'] },
        { name: 'o1', op: 'Identity', inputs: ['sp:1'] },
      ],
      outputs: ['b', 'c', 'o1'], // in the converter's (sorted) output order
    });
  });

  it('SparseToDense of constants is folded into the shape arithmetic (empty and non-empty indices)', async () => {
    const spec = {
      inputs: [{ name: 'x', shape: [1, 4, 3, 2] }],
      consts: [
        { name: 'idx0', shape: [0, 1], data: [], dtype: 'int32' },
        iconst('shape3', [1], [3]),
        { name: 'vals0', shape: [0], data: [], dtype: 'int32' },
        iconst('zero', [], [0]),
        iconst('base', [3], [1, 0, 0]),
        iconst('idx', [2, 1], [1, 2]),
        iconst('vals', [2], [4, -1]),
      ],
      nodes: [
        { name: 'sd0', op: 'SparseToDense', inputs: ['idx0', 'shape3', 'vals0', 'zero'], attr: { T: A.type('DT_INT32'), Tindices: A.type('DT_INT32'), validate_indices: A.b(true) } },
        { name: 'sd', op: 'SparseToDense', inputs: ['idx', 'shape3', 'vals', 'zero'], attr: { T: A.type('DT_INT32'), Tindices: A.type('DT_INT32'), validate_indices: A.b(true) } },
        { name: 'a0', op: 'AddV2', inputs: ['base', 'sd0'], attr: { T: A.type('DT_INT32') } },
        { name: 'target', op: 'AddV2', inputs: ['a0', 'sd'], attr: { T: A.type('DT_INT32') } },
        { name: 'y', op: 'Reshape', inputs: ['x', 'target'] },
      ],
      outputs: ['y'],
    };
    expect(onnxOps(spec)).toEqual(['Transpose', 'Reshape', 'Identity']);
    await parity(spec);
    const dynamic = {
      inputs: [{ name: 'x', shape: [3] }],
      consts: [iconst('idx', [1, 1], [0]), iconst('shape3', [1], [3]), fconst('zero', [], 1)],
      nodes: [{ name: 'y', op: 'SparseToDense', inputs: ['idx', 'shape3', 'x', 'zero'] }],
      outputs: ['y'],
    };
    const src = makeGraphModel(dynamic);
    expect(() => convertGraph(readGraphModel(src.json, src.weightData))).toThrow(/not a constant/);
  });
});

describe('reductions and dense layers', () => {
  it('Mean over H,W then _FusedMatMul with bias + Relu and plain MatMul', async () => {
    await parity({
      inputs: [{ name: 'x', shape: [1, 5, 6, 4] }],
      consts: [iconst('ax', [2], [1, 2]), fconst('k', [4, 7], 71), fconst('bias', [7], 72), fconst('k2', [7, 3], 73)],
      nodes: [
        { name: 'm', op: 'Mean', inputs: ['x', 'ax'], attr: { keep_dims: A.b(false), Tidx: A.type('DT_INT32') } },
        {
          name: 'd',
          op: '_FusedMatMul',
          inputs: ['m', 'k', 'bias'],
          attr: { transpose_a: A.b(false), transpose_b: A.b(false), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1), epsilon: A.f(0) },
        },
        { name: 'y', op: 'MatMul', inputs: ['d', 'k2'], attr: { transpose_a: A.b(false), transpose_b: A.b(false) } },
      ],
      outputs: ['y'],
    });
  });
  it('Mean keep_dims, Mean over channels, Mean over W only (needs a transpose)', async () => {
    for (const [axes, keep] of [[[1, 2], true], [[3], false], [[2], false]]) {
      await parity(single('Mean', [1, 3, 4, 5], { consts: [iconst('ax', [axes.length], axes)], extraInputs: ['ax'], attr: { keep_dims: A.b(keep), Tidx: A.type('DT_INT32') } }));
    }
  });
});

describe('weights and graph plumbing', () => {
  it('float16-quantized weights are dequantized exactly', async () => {
    await parity(single('Conv2D', [1, 5, 5, 3], { consts: [fconst('w', [3, 3, 3, 2], 81, -1, 1, { float16: true })], extraInputs: ['w'], attr: convAttr() }));
  });
  it('a graph with two image inputs and two outputs', async () => {
    await parity({
      inputs: [
        { name: 'a', shape: [1, 4, 4, 2] },
        { name: 'b', shape: [1, 4, 4, 2] },
      ],
      nodes: [
        { name: 'y', op: 'AddV2', inputs: ['a', 'b'] },
        { name: 'z', op: 'Relu', inputs: ['y'] },
      ],
      outputs: ['y', 'z'],
    });
  });
  it('lists unsupported ops before converting', () => {
    const src = makeGraphModel(single('Softplus', [1, 2, 2, 1]));
    const graph = readGraphModel(src.json, src.weightData);
    expect(unsupportedOps(graph)).toEqual(['Softplus']);
    expect(() => convertGraph(graph)).toThrow(/unsupported TF ops: Softplus/);
  });
  it('covers every op the six shipped graphs use', async () => {
    const fs = await import('node:fs');
    const { MODELS } = await import('./models.mjs');
    const { sourceModelsDir } = await import('./test-utils.mjs');
    const used = new Set();
    for (const m of MODELS) {
      const json = JSON.parse(fs.readFileSync(`${sourceModelsDir}/${m.source}.json`, 'utf8'));
      for (const n of json.modelTopology.node) used.add(n.op);
    }
    expect([...used].filter((op) => !SUPPORTED_OPS.includes(op))).toEqual([]);
  });
  it('writes a well-formed ModelProto (opset 17, NCHW input, fp16 casts)', () => {
    const src = makeGraphModel(single('Relu6', [1, 4, 4, 3]));
    const graph = readGraphModel(src.json, src.weightData);
    const m32 = decodeModel(encodeModel(convertGraph(graph).ir));
    expect(m32.ir_version).toBe(8);
    expect(m32.opset_import).toEqual([{ domain: '', version: 17 }]);
    expect(m32.graph.input[0].name).toBe('x:0');
    expect(m32.graph.input[0].type.tensor_type.shape.dim.map((d) => d.dim_value)).toEqual([1, 3, 4, 4]);
    expect(m32.graph.node.map((n) => n.op_type)).toEqual(['Clip', 'Identity']);
    const m16 = decodeModel(encodeModel(convertGraph(graph, { float16: true }).ir));
    expect(m16.graph.node.map((n) => n.op_type)).toEqual(['Cast', 'Clip', 'Clip', 'Cast']);
    expect(m16.graph.initializer.every((t) => t.data_type === 10)).toBe(true);
    expect(m16.graph.input[0].type.tensor_type.elem_type).toBe(1);
    expect(m16.graph.output[0].type.tensor_type.elem_type).toBe(1);
  });
});
