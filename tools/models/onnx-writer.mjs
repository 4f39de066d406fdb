// Serialising the converter's small model IR to an ONNX ModelProto with protobufjs, using the
// schema in onnx.proto (a subset of the public ONNX spec).
//
// IR:
//   { name, opset, irVersion, producer, metadata: {k: v},
//     inputs:  [{ name, dtype, shape }], outputs: [{ name, dtype, shape }],
//     initializers: [{ name, dtype, dims, data }],   // data: TypedArray matching dtype
//     nodes: [{ op, name, inputs: string[], outputs: string[], attrs: { key: Attr } }] }
//   Attr: { ints: number[] } | { int: n } | { float: x } | { floats: [] } | { string: s }

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { float32ToHalfArray } from './float16.mjs';

export const DATA_TYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10 };
export const DATA_TYPE_NAME = Object.fromEntries(Object.entries(DATA_TYPE).map(([k, v]) => [v, k]));
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 };

let root = null;
/** The protobufjs Root for onnx.proto (parsed once, field names as in the spec). */
export function onnxRoot() {
  if (!root) {
    const text = fs.readFileSync(fileURLToPath(new URL('./onnx.proto', import.meta.url)), 'utf8');
    root = protobuf.parse(text, { keepCase: true }).root;
  }
  return root;
}

/** Little-endian raw bytes of a tensor's data for the given ONNX dtype name. */
export function tensorRawBytes(dtype, data) {
  let typed;
  switch (dtype) {
    case 'float32':
      typed = data instanceof Float32Array ? data : Float32Array.from(data);
      break;
    case 'float16':
      // Uint16Array is taken as half bit patterns; anything else is converted from float.
      typed = data instanceof Uint16Array ? data : float32ToHalfArray(data);
      break;
    case 'int64':
      typed = data instanceof BigInt64Array ? data : BigInt64Array.from(Array.from(data, (v) => BigInt(v)));
      break;
    case 'int32':
      typed = data instanceof Int32Array ? data : Int32Array.from(data);
      break;
    case 'uint8':
    case 'bool':
      typed = data instanceof Uint8Array ? data : Uint8Array.from(data);
      break;
    default:
      throw new Error(`unsupported tensor dtype ${dtype}`);
  }
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

function attrProto(name, a) {
  if ('ints' in a) return { name, type: ATTR_TYPE.INTS, ints: a.ints.map(Number) };
  if ('int' in a) return { name, type: ATTR_TYPE.INT, i: a.int };
  if ('floats' in a) return { name, type: ATTR_TYPE.FLOATS, floats: a.floats };
  if ('float' in a) return { name, type: ATTR_TYPE.FLOAT, f: a.float };
  if ('string' in a) return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(a.string) };
  throw new Error(`attribute ${name}: unknown form ${JSON.stringify(a)}`);
}

function valueInfo({ name, dtype, shape }) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: DATA_TYPE[dtype],
        shape: { dim: shape.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) },
      },
    },
  };
}

/** IR -> plain object shaped like ModelProto. */
export function modelToProtoObject(ir) {
  return {
    ir_version: ir.irVersion ?? 8,
    producer_name: ir.producer?.name ?? 'motionpaste-tools-models',
    producer_version: ir.producer?.version ?? '1',
    opset_import: [{ domain: '', version: ir.opset ?? 17 }],
    doc_string: ir.doc ?? '',
    metadata_props: Object.entries(ir.metadata ?? {}).map(([key, value]) => ({ key, value: String(value) })),
    graph: {
      name: ir.name ?? 'graph',
      node: ir.nodes.map((n) => ({
        op_type: n.op,
        name: n.name ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, a]) => attrProto(k, a)),
      })),
      initializer: ir.initializers.map((t) => ({
        name: t.name,
        dims: t.dims,
        data_type: DATA_TYPE[t.dtype],
        raw_data: tensorRawBytes(t.dtype, t.data),
      })),
      input: ir.inputs.map(valueInfo),
      output: ir.outputs.map(valueInfo),
    },
  };
}

/** IR -> ONNX bytes. */
export function encodeModel(ir) {
  const ModelProto = onnxRoot().lookupType('onnx.ModelProto');
  const obj = modelToProtoObject(ir);
  const msg = ModelProto.fromObject(obj);
  return ModelProto.encode(msg).finish();
}

/** ONNX bytes -> plain object (longs as numbers, bytes as Uint8Array). */
export function decodeModel(bytes) {
  const ModelProto = onnxRoot().lookupType('onnx.ModelProto');
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false, arrays: true });
}
