// @vitest-environment node
// Pure helpers of the converter: float16, layout/padding arithmetic, weight decoding, manifest.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { float32ToHalfArray, floatToHalfBits, halfBitsToFloat, halfToFloat32Array } from './float16.mjs';
import {
  broadcastShape,
  constToNCHW,
  convFilterToOIHW,
  depthwiseFilterToOIHW,
  foldBinary,
  foldStridedSlice1D,
  resolveReshape,
  samePads,
  spatialPads,
  transposeData,
} from './layout.mjs';
import { decodeAttr, decodeWeights, inputKey, parseInputRef, topoOrder } from './tfjs-graph.mjs';
import { manifestEntry, sha256, staleReason } from './manifest.mjs';

describe('float16', () => {
  it('round-trips every finite half exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      const f = halfBitsToFloat(h);
      if (Number.isNaN(f)) continue;
      expect(floatToHalfBits(f)).toBe(h);
    }
  });
  it('rounds to nearest even, handles subnormals, overflow and NaN', () => {
    expect(floatToHalfBits(1)).toBe(0x3c00);
    expect(floatToHalfBits(65504)).toBe(0x7bff);
    expect(floatToHalfBits(65520)).toBe(0x7c00); // rounds up to Inf
    expect(floatToHalfBits(-1e6)).toBe(0xfc00);
    expect(floatToHalfBits(2 ** -24)).toBe(0x0001);
    expect(floatToHalfBits(2 ** -26)).toBe(0x0000);
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(Number.isNaN(halfBitsToFloat(floatToHalfBits(NaN)))).toBe(true);
    expect(Array.from(halfToFloat32Array(float32ToHalfArray([0.5, -2, 0.1])))).toEqual([0.5, -2, 0.0999755859375]);
  });
});

describe('layout and padding', () => {
  it('TF SAME padding puts the odd pixel after', () => {
    expect(samePads(8, 3, 2)).toEqual([0, 1]);
    expect(samePads(9, 3, 2)).toEqual([1, 1]);
    expect(samePads(7, 3, 1)).toEqual([1, 1]);
    expect(samePads(5, 2, 1)).toEqual([0, 1]);
    expect(samePads(9, 3, 1, 2)).toEqual([2, 2]);
    expect(spatialPads('SAME', [8, 9], [3, 3], [2, 2], [1, 1])).toEqual([0, 1, 1, 1]);
    expect(spatialPads('VALID', [8, 9], [3, 3], [2, 2], [1, 1])).toEqual([0, 0, 0, 0]);
    expect(spatialPads('EXPLICIT', [8, 9], [3, 3], [1, 1], [1, 1], [0, 0, 1, 2, 3, 4, 0, 0])).toEqual([1, 3, 2, 4]);
  });
  it('transposes data', () => {
    const d = Float32Array.from([0, 1, 2, 3, 4, 5]); // [2,3]
    expect(Array.from(transposeData(d, [2, 3], [1, 0]))).toEqual([0, 3, 1, 4, 2, 5]);
    const nhwc = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]); // [1,2,2,2]
    expect(Array.from(transposeData(nhwc, [1, 2, 2, 2], [0, 3, 1, 2]))).toEqual([1, 2, 3, 4, 10, 20, 30, 40]);
  });
  it('rewrites conv and depthwise filters to ONNX layouts', () => {
    // [kh=1, kw=2, cin=2, cout=3], value = kw*100 + cin*10 + cout
    const f = Float32Array.from([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    const w = convFilterToOIHW(f, [1, 2, 2, 3]);
    expect(w.shape).toEqual([3, 2, 1, 2]);
    expect(Array.from(w.data.slice(0, 4))).toEqual([0, 100, 10, 110]); // out 0: [cin][kw]
    const dw = depthwiseFilterToOIHW(Float32Array.from([0, 1, 10, 11]), [1, 1, 2, 2]); // [1,1,cin=2,mult=2]
    expect(dw.shape).toEqual([4, 1, 1, 1]);
    expect(Array.from(dw.data)).toEqual([0, 1, 10, 11]); // out channel = c*mult + m
  });
  it('moves per-channel constants to NCHW broadcasting', () => {
    const c = constToNCHW({ dtype: 'float32', shape: [3], data: Float32Array.from([1, 2, 3]) });
    expect(c.shape).toEqual([1, 3, 1, 1]);
    expect(Array.from(c.data)).toEqual([1, 2, 3]);
  });
  it('folds constant shape arithmetic', () => {
    expect(broadcastShape([2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    const r = foldBinary({ dtype: 'int32', shape: [2], data: Int32Array.from([7, 8]) }, { dtype: 'int32', shape: [], data: Int32Array.from([2]) }, (a, b) => a * b);
    expect(Array.from(r.data)).toEqual([14, 16]);
    const shape = { dtype: 'int32', shape: [4], data: Int32Array.from([1, 14, 14, 6]) };
    const masks = { begin_mask: 0, end_mask: 0, ellipsis_mask: 0, new_axis_mask: 0, shrink_axis_mask: 1 };
    expect(Array.from(foldStridedSlice1D(shape, [0], [1], [1], masks).data)).toEqual([1]);
    expect(foldStridedSlice1D(shape, [0], [1], [1], masks).shape).toEqual([]);
    const slice = foldStridedSlice1D(shape, [1], [0], [1], { ...masks, shrink_axis_mask: 0, end_mask: 1 });
    expect(Array.from(slice.data)).toEqual([14, 14, 6]);
    expect(Array.from(foldStridedSlice1D(shape, [-1], [0], [-1], { ...masks, shrink_axis_mask: 0, end_mask: 1 }).data)).toEqual([6, 14, 14, 1]);
    expect(resolveReshape([1, -1, 13], 2254 * 13)).toEqual([1, 2254, 13]);
    expect(() => resolveReshape([5, -1], 12)).toThrow();
  });
});

describe('TF.js graph reading', () => {
  it('decodes attributes and input references', () => {
    expect(decodeAttr({ s: Buffer.from('SAME').toString('base64') })).toBe('SAME');
    expect(decodeAttr({ list: { i: ['1', '2', '2', '1'] } })).toEqual([1, 2, 2, 1]);
    expect(decodeAttr({ type: 'DT_INT32' })).toBe('int32');
    expect(decodeAttr({ shape: { dim: [{ size: '-1' }, { size: '3' }] } })).toEqual([-1, 3]);
    expect(parseInputRef('a/b:0')).toEqual({ node: 'a/b', index: 0 });
    expect(parseInputRef('^ctrl')).toBeNull();
  });
  it('decodes float16, uint8-affine, float32 and int32 weights in manifest order', () => {
    const half = float32ToHalfArray([1.5, -2]);
    const bytes = Buffer.concat([
      Buffer.from(half.buffer),
      Buffer.from(Uint8Array.from([0, 10])),
      Buffer.from(Float32Array.from([0.25]).buffer),
      Buffer.from(Int32Array.from([-7]).buffer),
    ]);
    const w = decodeWeights(
      [
        {
          paths: ['x.bin'],
          weights: [
            { name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } },
            { name: 'q', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
            { name: 'f', shape: [1], dtype: 'float32' },
            { name: 'i', shape: [], dtype: 'int32' },
          ],
        },
      ],
      new Uint8Array(bytes),
    );
    expect(Array.from(w.get('h').data)).toEqual([1.5, -2]);
    expect(Array.from(w.get('q').data)).toEqual([-1, 4]);
    expect(Array.from(w.get('f').data)).toEqual([0.25]);
    expect(Array.from(w.get('i').data)).toEqual([-7]);
    expect(() => decodeWeights([{ paths: [], weights: [{ name: 'f', shape: [2], dtype: 'float32' }] }], new Uint8Array(4))).toThrow(/truncated/);
  });
  it('orders nodes topologically and prunes unused ones', () => {
    const nodes = new Map(
      [
        ['out', ['b', 'a']],
        ['a', ['in']],
        ['b', ['a']],
        ['in', []],
        ['unused', ['in']],
      ].map(([name, inputs]) => [name, { name, op: 'X', inputs }]),
    );
    expect(topoOrder(nodes, ['out']).map((n) => n.name)).toEqual(['in', 'a', 'b', 'out']);
  });
  it('keeps the output index of multi-output inputs (SplitV) as node:k, and orders by the node', () => {
    const nodes = new Map(
      [
        ['out', ['split:1', 'split']],
        ['split', ['in']],
        ['in', []],
      ].map(([name, inputs]) => [name, { name, op: 'X', inputs }]),
    );
    expect(topoOrder(nodes, ['out']).map((n) => n.name)).toEqual(['in', 'split', 'out']);
    expect(inputKey(parseInputRef('s/split:1'))).toBe('s/split:1');
    expect(inputKey(parseInputRef('s/split:0'))).toBe('s/split');
    expect(inputKey(parseInputRef('s/split'))).toBe('s/split');
  });
});

describe('manifest', () => {
  it('is stale until every file matches, and names the reason', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-models-'));
    const bytes = new Uint8Array([1, 2, 3]);
    fs.writeFileSync(path.join(dir, 'm.fp32.onnx'), bytes);
    const entry = manifestEntry(
      { id: 'm', source: 'm', task: 't', outputs: { 'y:0': 'meaning' } },
      { variant: 'fp32', compute: 'float32', inputs: [{ name: 'x:0', shape: [1, 3, 2, 2], dtype: 'float32', layout: 'NCHW', tfShape: [1, 2, 2, 3] }], outputs: [{ name: 'y:0', shape: [1, 2], dtype: 'float32', layout: 'plain', tfShape: [1, 2] }] },
      bytes,
    );
    expect(entry.sha256).toBe(sha256(bytes));
    expect(entry.outputs[0].meaning).toBe('meaning');
    const manifest = { schema: 1, source: { version: '1.0.0' }, converterHash: 'h', files: [entry] };
    const want = { sourceVersion: '1.0.0', converterHash: 'h', expectedFiles: ['m.fp32.onnx'] };
    expect(staleReason(null, dir, want)).toBe('no manifest');
    expect(staleReason(manifest, dir, want)).toBeNull();
    expect(staleReason(manifest, dir, { ...want, sourceVersion: '1.0.1' })).toMatch(/source version/);
    expect(staleReason(manifest, dir, { ...want, converterHash: 'other' })).toBe('converter changed');
    expect(staleReason(manifest, dir, { ...want, expectedFiles: ['m.fp32.onnx', 'm.fp16.onnx'] })).toBe('model list changed');
    fs.writeFileSync(path.join(dir, 'm.fp32.onnx'), new Uint8Array([1, 2, 4]));
    expect(staleReason(manifest, dir, want)).toMatch(/sha256/);
    fs.rmSync(path.join(dir, 'm.fp32.onnx'));
    expect(staleReason(manifest, dir, want)).toMatch(/missing/);
    fs.rmSync(dir, { recursive: true });
  });
});
