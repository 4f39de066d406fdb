/**
 * NumPy array files: `.npy` (one array) and `.npz` (a zip of `.npy` files, as `numpy.savez` and
 * `numpy.savez_compressed` write them). Pure TypeScript; reading a compressed `.npz` uses the
 * platform's `DecompressionStream('deflate-raw')` (browsers and Node 18+), so no dependency.
 *
 * Supported dtypes: little-endian (or byte-order-free) float32, float64, int8/16/32/64,
 * uint8/16/32/64 and bool. C-order arrays are returned as they are; Fortran-order arrays are
 * transposed into C order. Errors are `NpyFormatError` with a message naming the entry.
 */

/** A file that is not a readable .npy / .npz (or holds a dtype this reader does not support). */
export class NpyFormatError extends Error {
  override name = 'NpyFormatError';
}

/** Element types this reader returns. */
export type NpyDtype = 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1';

/** A parsed array in C (row-major) order. 64-bit integers are returned as float64 (exact below 2^53). */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const SIZES: Record<NpyDtype, number> = { f4: 4, f8: 8, i1: 1, i2: 2, i4: 4, i8: 8, u1: 1, u2: 2, u4: 4, u8: 8, b1: 1 };

/** Parses the Python-literal header dict of a .npy file: {'descr': '<f8', 'fortran_order': False, 'shape': (6890, 3), }. */
function parseHeader(text: string, what: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    if (/'descr'\s*:\s*\[/.test(text)) throw new NpyFormatError(`${what} holds a structured (record) array, which is not supported; save plain numeric arrays.`);
    throw new NpyFormatError(`${what} has an unreadable .npy header: ${text.trim().slice(0, 120)}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyFormatError(`${what} has an invalid shape (${shapeText}).`);
  return { descr, fortran: fortran === 'True', shape };
}

function dtypeOf(descr: string, what: string): NpyDtype {
  const order = descr[0];
  const kind = descr.slice(1);
  if (order === '>' && !['i1', 'u1', 'b1'].includes(kind)) {
    throw new NpyFormatError(`${what} is stored big-endian (${descr}); re-save it little-endian, e.g. with array.astype('<f8').`);
  }
  if (order !== '<' && order !== '|' && order !== '=' && order !== '>') throw new NpyFormatError(`${what} has an unknown dtype "${descr}".`);
  if (kind in SIZES) return kind as NpyDtype;
  if (kind === 'O') throw new NpyFormatError(`${what} holds Python objects (dtype object), which cannot be read outside Python; convert it to a numeric array (e.g. scipy sparse -> .toarray()).`);
  throw new NpyFormatError(`${what} has dtype "${descr}", which is not supported (use float32, float64 or an integer type).`);
}

/** Element count of a shape (1 for a scalar). */
export const shapeSize = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function typedView(dtype: NpyDtype, bytes: Uint8Array, count: number): NpyArray['data'] {
  // Copy into an aligned buffer (the payload offset inside a file is rarely aligned).
  const buf = bytes.slice(0, count * SIZES[dtype]).buffer;
  switch (dtype) {
    case 'f4':
      return new Float32Array(buf);
    case 'f8':
      return new Float64Array(buf);
    case 'i1':
      return new Int8Array(buf);
    case 'i2':
      return new Int16Array(buf);
    case 'i4':
      return new Int32Array(buf);
    case 'u1':
    case 'b1':
      return new Uint8Array(buf);
    case 'u2':
      return new Uint16Array(buf);
    case 'u4':
      return new Uint32Array(buf);
    case 'i8':
      return Float64Array.from(new BigInt64Array(buf), (v) => Number(v));
    case 'u8':
      return Float64Array.from(new BigUint64Array(buf), (v) => Number(v));
  }
}

/** Fortran (column-major) data of `shape` rewritten in C (row-major) order. */
function fortranToC<T extends NpyArray['data']>(data: T, shape: readonly number[]): T {
  const n = shape.length;
  if (n < 2) return data;
  const out = new (data.constructor as new (len: number) => T)(data.length);
  const cStride = new Array<number>(n);
  const fStride = new Array<number>(n);
  cStride[n - 1] = 1;
  for (let k = n - 2; k >= 0; k--) cStride[k] = cStride[k + 1]! * shape[k + 1]!;
  fStride[0] = 1;
  for (let k = 1; k < n; k++) fStride[k] = fStride[k - 1]! * shape[k - 1]!;
  const idx = new Array<number>(n).fill(0);
  for (let i = 0; i < data.length; i++) {
    let f = 0;
    for (let k = 0; k < n; k++) f += idx[k]! * fStride[k]!;
    out[i] = data[f]!;
    for (let k = n - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Parses one .npy file. `what` names it in error messages (e.g. "shapedirs.npy"). */
export function parseNpy(bytes: Uint8Array, what = 'the .npy file'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyFormatError(`${what} is not a .npy array (its first bytes are not \\x93NUMPY).`);
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = dv.getUint32(8, true);
    start = 12;
  } else {
    throw new NpyFormatError(`${what} uses .npy format version ${major}, which is not supported (1, 2 and 3 are).`);
  }
  if (start + headerLen > bytes.length) throw new NpyFormatError(`${what} is truncated (its header runs past the end of the file).`);
  const header = parseHeader(new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen)), what);
  const dtype = dtypeOf(header.descr, what);
  const count = shapeSize(header.shape);
  const payload = bytes.subarray(start + headerLen);
  if (payload.length < count * SIZES[dtype]) {
    throw new NpyFormatError(`${what} is truncated: shape (${header.shape.join(', ')}) needs ${count * SIZES[dtype]} bytes of ${header.descr}, the file has ${payload.length}.`);
  }
  let data = typedView(dtype, payload, count);
  if (header.fortran) data = fortranToC(data, header.shape);
  return { dtype, shape: header.shape, data };
}

const DESCR: Record<NpyDtype, string> = { f4: '<f4', f8: '<f8', i1: '|i1', i2: '<i2', i4: '<i4', i8: '<i8', u1: '|u1', u2: '<u2', u4: '<u4', u8: '<u8', b1: '|b1' };

/**
 * Writes a .npy file (version 1.0, C order). `data` is converted to `dtype`; 64-bit integer
 * dtypes take whole numbers. Used by tests and tools that make SMPL-format files.
 */
export function encodeNpy(data: ArrayLike<number>, shape: readonly number[], dtype: NpyDtype = 'f4', fortranOrder = false): Uint8Array {
  if (shapeSize(shape) !== data.length) throw new NpyFormatError(`encodeNpy: shape (${shape.join(', ')}) holds ${shapeSize(shape)} values, the data has ${data.length}.`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const size = SIZES[dtype];
  const out = new Uint8Array(10 + header.length + data.length * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  dv.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const o = 10 + header.length;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const at = o + i * size;
    switch (dtype) {
      case 'f4':
        dv.setFloat32(at, v, true);
        break;
      case 'f8':
        dv.setFloat64(at, v, true);
        break;
      case 'i1':
        dv.setInt8(at, v);
        break;
      case 'u1':
      case 'b1':
        dv.setUint8(at, v);
        break;
      case 'i2':
        dv.setInt16(at, v, true);
        break;
      case 'u2':
        dv.setUint16(at, v, true);
        break;
      case 'i4':
        dv.setInt32(at, v, true);
        break;
      case 'u4':
        dv.setUint32(at, v, true);
        break;
      case 'i8':
        dv.setBigInt64(at, BigInt(Math.round(v)), true);
        break;
      case 'u8':
        dv.setBigUint64(at, BigInt(Math.round(v)), true);
        break;
    }
  }
  return out;
}
