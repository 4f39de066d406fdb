/**
 * Reads what a pack check needs from an ONNX file — IR and opset versions, the graph's inputs and
 * outputs (names, element types, shapes with `dim_param`s), the operator types, and the external
 * data files its initializers point to — without loading the weights: a minimal protobuf reader
 * walks ModelProto → GraphProto over a `ByteSource` and skips initializer payloads by length.
 * Field numbers follow onnx.proto (ModelProto.graph = 7, GraphProto.node = 1,
 * initializer = 5, input = 11, output = 12; ValueInfoProto.name = 1, type = 2; ...).
 */
import type { ByteSource } from './bytes';

/** ONNX TensorProto.DataType numbers → names used in pack.json. */
export const ONNX_DTYPES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  21: 'uint4',
  22: 'int4',
};

/** One graph input or output. A dim is a number (fixed), a string (`dim_param`) or null (unknown). */
export interface OnnxTensorInfo {
  name: string;
  /** Element type name ('float32', 'float16', 'int64', ...), 'non-tensor' for sequences/maps, or 'type N' for unknown numbers. */
  dtype: string;
  /** Dimensions, or null when the file declares no shape. */
  shape: Array<number | string | null> | null;
}

/** What `readOnnxInfo` finds. */
export interface OnnxModelInfo {
  irVersion: number;
  producer: string;
  /** Operator sets: domain ('' = ai.onnx) and version. */
  opsets: Array<{ domain: string; version: number }>;
  /** Graph inputs that are not initializers (IR < 4 lists weights as inputs too). */
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  /** Distinct operator types, prefixed by their domain when not ai.onnx ('com.microsoft.MatMulNBits'). */
  opTypes: string[];
  initializerCount: number;
  /** Files that initializers keep their data in (TensorProto.external_data "location"), in first-seen order. */
  externalDataFiles: string[];
}

/** The file is not a protobuf we can read as an ONNX model. */
export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

const CHUNK = 1 << 16;

/** Buffered forward reader over a ByteSource; skipping is free. */
class StreamReader {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  constructor(private readonly src: ByteSource) {}

  /** Makes [pos, pos+n) available (or up to the end of the file); returns the buffer offset of pos. */
  private async ensure(n: number): Promise<number> {
    const end = Math.min(this.src.size, this.pos + n);
    if (this.pos < this.bufStart || end > this.bufStart + this.buf.length) {
      this.buf = await this.src.read(this.pos, Math.min(this.src.size - this.pos, Math.max(n, CHUNK)));
      this.bufStart = this.pos;
    }
    return this.pos - this.bufStart;
  }

  async varint(): Promise<number> {
    if (this.pos >= this.src.size) throw new OnnxFormatError('unexpected end of file');
    const o = await this.ensure(10);
    const { value, length } = readVarint(this.buf, o);
    this.pos += length;
    return value;
  }

  async bytes(n: number): Promise<Uint8Array> {
    if (this.pos + n > this.src.size) throw new OnnxFormatError('unexpected end of file');
    const o = await this.ensure(n);
    this.pos += n;
    return this.buf.subarray(o, o + n);
  }

  /** Skips a field's value of wire type `wire`. */
  async skip(wire: number): Promise<void> {
    if (wire === 0) await this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else if (wire === 2) {
      const n = await this.varint(); // not `pos += await ...`: that would add to the pos read before the await
      this.pos += n;
    } else throw new OnnxFormatError(`unsupported protobuf wire type ${wire}`);
    if (this.pos > this.src.size) throw new OnnxFormatError('unexpected end of file');
  }
}

function readVarint(b: Uint8Array, o: number): { value: number; length: number } {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const byte = b[o + i];
    if (byte === undefined) throw new OnnxFormatError('unexpected end of file in a varint');
    value += (byte & 0x7f) * mul;
    if (byte < 0x80) return { value, length: i + 1 };
    mul *= 128;
  }
  throw new OnnxFormatError('malformed varint');
}

/** Synchronous reader over a small message held in memory. */
class MemReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    const { value, length } = readVarint(this.buf, this.pos);
    this.pos += length;
    return value;
  }
  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.buf.length) throw new OnnxFormatError('length past the end of a message');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  string(): string {
    return new TextDecoder().decode(this.bytes());
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else if (wire === 2) this.bytes();
    else throw new OnnxFormatError(`unsupported protobuf wire type ${wire}`);
  }
  /** Iterates the fields of the whole buffer. */
  *fields(): Generator<[field: number, wire: number]> {
    while (!this.done) {
      const tag = this.varint();
      yield [Math.floor(tag / 8), tag & 7];
    }
  }
}

function parseShape(buf: Uint8Array): Array<number | string | null> {
  const dims: Array<number | string | null> = [];
  const r = new MemReader(buf);
  for (const [f, w] of r.fields()) {
    if (f === 1 && w === 2) {
      const d = new MemReader(r.bytes());
      let dim: number | string | null = null;
      for (const [df, dw] of d.fields()) {
        if (df === 1 && dw === 0) {
          const v = d.varint();
          dim = v < 2 ** 53 ? v : null; // negative int64 values come out huge: unknown
        } else if (df === 2 && dw === 2) dim = d.string() || null;
        else d.skip(dw);
      }
      dims.push(dim);
    } else r.skip(w);
  }
  return dims;
}

function parseValueInfo(buf: Uint8Array): OnnxTensorInfo {
  const info: OnnxTensorInfo = { name: '', dtype: 'non-tensor', shape: null };
  const r = new MemReader(buf);
  for (const [f, w] of r.fields()) {
    if (f === 1 && w === 2) info.name = r.string();
    else if (f === 2 && w === 2) {
      const t = new MemReader(r.bytes());
      for (const [tf, tw] of t.fields()) {
        if (tf === 1 && tw === 2) {
          // TypeProto.tensor_type
          const tt = new MemReader(t.bytes());
          for (const [xf, xw] of tt.fields()) {
            if (xf === 1 && xw === 0) {
              const n = tt.varint();
              info.dtype = ONNX_DTYPES[n] ?? `type ${n}`;
            } else if (xf === 2 && xw === 2) info.shape = parseShape(tt.bytes());
            else tt.skip(xw);
          }
        } else t.skip(tw);
      }
    } else r.skip(w);
  }
  return info;
}

function parseNode(buf: Uint8Array): { op: string; domain: string } {
  let op = '';
  let domain = '';
  const r = new MemReader(buf);
  for (const [f, w] of r.fields()) {
    if (f === 4 && w === 2) op = r.string();
    else if (f === 7 && w === 2) domain = r.string();
    else r.skip(w);
  }
  return { op, domain };
}

/** Reads TensorProto fields, skipping data payloads without reading them. */
async function parseInitializer(r: StreamReader, end: number): Promise<{ name: string; location: string | null }> {
  let name = '';
  let location: string | null = null;
  while (r.pos < end) {
    const tag = await r.varint();
    const f = Math.floor(tag / 8);
    const w = tag & 7;
    if (f === 8 && w === 2) name = new TextDecoder().decode(await r.bytes(await r.varint()));
    else if (f === 13 && w === 2) {
      // StringStringEntryProto { key = 1; value = 2 }
      const e = new MemReader(await r.bytes(await r.varint()));
      let key = '';
      let value = '';
      for (const [ef, ew] of e.fields()) {
        if (ef === 1 && ew === 2) key = e.string();
        else if (ef === 2 && ew === 2) value = e.string();
        else e.skip(ew);
      }
      if (key === 'location') location = value;
    } else await r.skip(w);
  }
  if (r.pos !== end) throw new OnnxFormatError('a tensor runs past its message');
  return { name, location };
}

const NODE_READ_LIMIT = 1 << 20;

/** Reads an ONNX file's header information (see `OnnxModelInfo`). Throws `OnnxFormatError` when the bytes are not an ONNX model. */
export async function readOnnxInfo(source: ByteSource): Promise<OnnxModelInfo> {
  const r = new StreamReader(source);
  const info: OnnxModelInfo = { irVersion: 0, producer: '', opsets: [], inputs: [], outputs: [], opTypes: [], initializerCount: 0, externalDataFiles: [] };
  const initNames = new Set<string>();
  const ops = new Set<string>();
  let sawGraph = false;
  while (r.pos < source.size) {
    const tag = await r.varint();
    const f = Math.floor(tag / 8);
    const w = tag & 7;
    if (f === 1 && w === 0) info.irVersion = await r.varint();
    else if (f === 2 && w === 2) info.producer = new TextDecoder().decode(await r.bytes(await r.varint()));
    else if (f === 8 && w === 2) {
      const m = new MemReader(await r.bytes(await r.varint()));
      const set = { domain: '', version: 0 };
      for (const [mf, mw] of m.fields()) {
        if (mf === 1 && mw === 2) set.domain = m.string();
        else if (mf === 2 && mw === 0) set.version = m.varint();
        else m.skip(mw);
      }
      info.opsets.push(set);
    } else if (f === 7 && w === 2) {
      sawGraph = true;
      const len = await r.varint();
      const graphEnd = r.pos + len;
      if (graphEnd > source.size) throw new OnnxFormatError('the graph runs past the end of the file');
      while (r.pos < graphEnd) {
        const gtag = await r.varint();
        const gf = Math.floor(gtag / 8);
        const gw = gtag & 7;
        if (gw !== 2) {
          await r.skip(gw);
          continue;
        }
        const len = await r.varint();
        if (gf === 1) {
          if (len <= NODE_READ_LIMIT) {
            const { op, domain } = parseNode(await r.bytes(len));
            ops.add(domain && domain !== 'ai.onnx' ? `${domain}.${op}` : op);
          } else r.pos += len; // a node carrying a large constant: its type is not needed
        } else if (gf === 5) {
          info.initializerCount++;
          const { name, location } = await parseInitializer(r, r.pos + len);
          initNames.add(name);
          if (location !== null && !info.externalDataFiles.includes(location)) info.externalDataFiles.push(location);
        } else if (gf === 11) info.inputs.push(parseValueInfo(await r.bytes(len)));
        else if (gf === 12) info.outputs.push(parseValueInfo(await r.bytes(len)));
        else r.pos += len;
      }
      if (r.pos !== graphEnd) throw new OnnxFormatError('a graph field runs past the graph');
    } else await r.skip(w);
  }
  if (!sawGraph || info.irVersion === 0) throw new OnnxFormatError('no ModelProto graph or IR version');
  info.inputs = info.inputs.filter((i) => !initNames.has(i.name));
  info.opTypes = [...ops].sort();
  return info;
}
