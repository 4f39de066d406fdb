/**
 * Random-access byte sources: the one way this module reads pack files, so that a 3 GB model is
 * never read whole just to be checked. Works on browser `File`/`Blob` (a dropped folder, OPFS) and
 * on in-memory bytes; Node tests use `fs.openAsBlob`.
 */
import { Sha256 } from './sha256';

/** A file that can be read in ranges. */
export interface ByteSource {
  /** File name as pack.json names it (for messages). */
  readonly name: string;
  /** Size, in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset` (fewer only at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** The Blob behind the source, when there is one (lets onnxruntime-web stream large files). */
  readonly blob?: Blob;
}

/** A source over bytes in memory. */
export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + length))),
  };
}

/** A source over a Blob or File (reads slices; never the whole file at once). */
export function blobSource(name: string, blob: Blob): ByteSource {
  return {
    name,
    size: blob.size,
    blob,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, Math.min(blob.size, offset + length)).arrayBuffer()),
  };
}

/** Options of `hashSource`. */
export interface HashOptions {
  /** Bytes per read; default 8 MiB. */
  chunkBytes?: number;
  /** Called after each chunk with bytes hashed so far and the total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Files up to this size (bytes, default 256 MiB) are read whole and hashed by WebCrypto when
   * available (native, ~1 GB/s); larger ones stream through the TypeScript SHA-256 (~170 MB/s).
   */
  nativeUpTo?: number;
}

/** SHA-256 of a whole source, as hex, reading it in chunks. */
export async function hashSource(source: ByteSource, options: HashOptions = {}): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle && source.size <= (options.nativeUpTo ?? 256 << 20)) {
    options.signal?.throwIfAborted();
    const bytes = await source.read(0, source.size);
    const digest = new Uint8Array(await subtle.digest('SHA-256', bytes.slice()));
    options.onProgress?.(source.size, source.size);
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  const chunk = options.chunkBytes ?? 8 << 20;
  const h = new Sha256();
  for (let o = 0; o < source.size; o += chunk) {
    options.signal?.throwIfAborted();
    h.update(await source.read(o, Math.min(chunk, source.size - o)));
    options.onProgress?.(Math.min(source.size, o + chunk), source.size);
  }
  return h.hex();
}
