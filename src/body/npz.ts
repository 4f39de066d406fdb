/**
 * `.npz` archives: a zip of `.npy` files. A small zip reader for what NumPy writes (stored or
 * deflated entries, zip64 sizes and offsets) and a writer of stored (uncompressed) archives for
 * tests and tools. Deflate goes through the platform's `DecompressionStream('deflate-raw')`.
 */
import { type NpyArray, NpyFormatError, parseNpy } from './npy';

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** True when the bytes start like a zip archive (local file header or empty-archive end record). */
export const looksLikeZip = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6);

function centralDirectory(bytes: Uint8Array, what: string): ZipEntry[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new NpyFormatError(`${what} is not a complete zip archive (no end-of-central-directory record; is the file truncated?).`);
  let count = dv.getUint16(eocd + 10, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && dv.getUint32(eocd - 20, true) === EOCD64_LOCATOR) {
    const at = Number(dv.getBigUint64(eocd - 20 + 8, true));
    if (dv.getUint32(at, true) !== EOCD64) throw new NpyFormatError(`${what} has a broken zip64 end record.`);
    count = Number(dv.getBigUint64(at + 32, true));
    cdOffset = Number(dv.getBigUint64(at + 48, true));
  }
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let e = 0; e < count; e++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== CENTRAL) throw new NpyFormatError(`${what} has a broken zip central directory (entry ${e}).`);
    const method = dv.getUint16(p + 10, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localOffset = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // Zip64 extra field: the 64-bit values present are those whose 32-bit fields are 0xFFFFFFFF, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = dv.getUint16(x, true);
      const len = dv.getUint16(x + 2, true);
      if (id === 0x0001) {
        let q = x + 4;
        if (size === 0xffffffff) (size = Number(dv.getBigUint64(q, true))), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = Number(dv.getBigUint64(q, true))), (q += 8);
        if (localOffset === 0xffffffff) localOffset = Number(dv.getBigUint64(q, true));
      }
      x += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, localOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

async function inflateRaw(data: Uint8Array): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') throw new NpyFormatError('This browser cannot decompress zip entries (no DecompressionStream); save the file with numpy.savez instead of savez_compressed.');
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The files of a zip archive by name (stored or deflated entries). */
export async function readZip(bytes: Uint8Array, what = 'the archive'): Promise<Map<string, Uint8Array>> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, Uint8Array>();
  for (const e of centralDirectory(bytes, what)) {
    if (e.name.endsWith('/')) continue;
    if (e.localOffset + 30 > bytes.length || dv.getUint32(e.localOffset, true) !== LOCAL) throw new NpyFormatError(`${what}: the zip entry "${e.name}" points outside the file (truncated?).`);
    const start = e.localOffset + 30 + dv.getUint16(e.localOffset + 26, true) + dv.getUint16(e.localOffset + 28, true);
    const raw = bytes.subarray(start, start + e.compressedSize);
    if (raw.length < e.compressedSize) throw new NpyFormatError(`${what}: the zip entry "${e.name}" is truncated.`);
    if (e.method === 0) out.set(e.name, raw);
    else if (e.method === 8) out.set(e.name, await inflateRaw(raw));
    else throw new NpyFormatError(`${what}: the zip entry "${e.name}" uses compression method ${e.method}; only stored and deflate are supported.`);
  }
  return out;
}

/** Reads an .npz: arrays by name (the ".npy" suffix removed). Entries that are not .npy are ignored. */
export async function readNpz(bytes: Uint8Array, what = 'the .npz file'): Promise<Map<string, NpyArray>> {
  const files = await readZip(bytes, what);
  const out = new Map<string, NpyArray>();
  for (const [name, data] of files) {
    if (!name.endsWith('.npy')) continue;
    out.set(name.slice(0, -4), parseNpy(data, `${what}: array "${name.slice(0, -4)}"`));
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (zip's) of bytes. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of stored (uncompressed) files, as `numpy.savez` writes (without zip64). */
export function writeZip(files: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const n = enc.encode(name);
    const crc = crc32(data);
    const local = new Uint8Array(30 + n.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, LOCAL, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, n.length, true);
    local.set(n, 30);
    const c = new Uint8Array(46 + n.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, CENTRAL, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, offset, true);
    c.set(n, 46);
    parts.push(local, data);
    central.push(c);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, EOCD, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...parts, ...central, end]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}
