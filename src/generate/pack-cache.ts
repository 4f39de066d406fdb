/**
 * The pack cache: model packs copied into the browser's origin-private file system (OPFS) under
 * `packs/KEY/` (KEY = `packCacheKey(name)`), so that a pack loaded once is there after a reload.
 * Files stream in (8 MiB reads or the network's chunks, written in place with a sync access
 * handle): a 3 GB file is never held in memory. `cache.json` is written last and only for a copy
 * that passed validation; a folder without it is an unfinished copy and is not listed.
 * Bookkeeping (keys, which files to skip, the record) is pure: see diffusion/pack-cache-plan.ts.
 * Runs in the compute worker.
 */
import {
  blobSource,
  cacheRecord,
  filesToCopy,
  packFileList,
  parseCacheRecord,
  quotaMessage,
  staleFiles,
  type PackCacheRecord,
  type PackFiles,
  type PackManifest,
} from './diffusion';

/** A pack in the cache, as the Pack panel lists it. */
export interface CachedPack {
  key: string;
  name: string;
  /** Bytes of its files. */
  totalBytes: number;
  /** When it was cached, in milliseconds since the epoch. */
  cachedAt: number;
}

export type PackCacheErrorCode = 'quota' | 'unavailable';

/** The cache could not keep a pack; the message says why and what to do. */
export class PackCacheError extends Error {
  override name = 'PackCacheError';
  constructor(
    readonly code: PackCacheErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const READ_CHUNK = 8 << 20;

/** The cache's folder; throws what OPFS throws (no OPFS, or a quota refusing to create it). */
async function openPacksDir(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle('packs', { create: true });
}

async function packsDir(): Promise<FileSystemDirectoryHandle | null> {
  try {
    return await openPacksDir();
  } catch {
    return null; // No OPFS (private window, old browser): packs are not kept.
  }
}

async function readText(dir: FileSystemDirectoryHandle, name: string): Promise<string | null> {
  try {
    return await (await (await dir.getFileHandle(name)).getFile()).text();
  } catch {
    return null;
  }
}

async function fileSizes(dir: FileSystemDirectoryHandle): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind === 'file') sizes.set(name, (await (handle as FileSystemFileHandle).getFile()).size);
  }
  return sizes;
}

function isQuota(e: unknown): boolean {
  return (e as { name?: unknown } | null)?.name === 'QuotaExceededError';
}

/** Cached packs whose copy finished, newest first. Files cut short (a cleared site) are left out. */
export async function listCachedPacks(): Promise<CachedPack[]> {
  const packs = await packsDir();
  if (!packs) return [];
  const out: CachedPack[] = [];
  for await (const [key, handle] of (packs as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
    if (handle.kind !== 'directory') continue;
    const dir = handle as FileSystemDirectoryHandle;
    const record = parseCacheRecord((await readText(dir, 'cache.json')) ?? '');
    if (!record || record.key !== key) continue;
    const sizes = await fileSizes(dir);
    if (!sizes.has('pack.json') || record.files.some((f) => sizes.get(f.file) !== f.bytes)) continue;
    out.push({ key, name: record.name, totalBytes: record.totalBytes, cachedAt: record.cachedAt });
  }
  return out.sort((a, b) => b.cachedAt - a.cachedAt);
}

/** The files of a cached pack (read from OPFS in ranges) and its record; null when not cached. */
export async function cachedPackFiles(key: string): Promise<{ files: PackFiles; record: PackCacheRecord } | null> {
  const packs = await packsDir();
  if (!packs) return null;
  let dir: FileSystemDirectoryHandle;
  try {
    dir = await packs.getDirectoryHandle(key);
  } catch {
    return null;
  }
  const record = parseCacheRecord((await readText(dir, 'cache.json')) ?? '');
  if (!record) return null;
  return { files: directoryFiles(dir), record };
}

/** Pack files of an OPFS folder. */
function directoryFiles(dir: FileSystemDirectoryHandle): PackFiles {
  return {
    open: async (p) => {
      try {
        return blobSource(p, await (await dir.getFileHandle(p)).getFile());
      } catch {
        return null;
      }
    },
  };
}

/** Deletes a cached pack. */
export async function removeCachedPack(key: string): Promise<void> {
  const packs = await packsDir();
  await packs?.removeEntry(key, { recursive: true }).catch(() => undefined);
}

/** Where a copy reads a file from: a stream of its bytes. */
export type PackFileStream = (file: string) => Promise<ReadableStream<Uint8Array>>;

/** A stream over a ByteSource-like Blob in 8 MiB slices. */
export function blobStream(blob: Blob): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= blob.size) return controller.close();
      const end = Math.min(blob.size, offset + READ_CHUNK);
      controller.enqueue(new Uint8Array(await blob.slice(offset, end).arrayBuffer()));
      offset = end;
    },
  });
}

/** Writes a stream into an OPFS file in place (sync access handle: no swap copy of a 3 GB file). */
async function writeFile(dir: FileSystemDirectoryHandle, name: string, stream: ReadableStream<Uint8Array>, onBytes: (n: number) => void): Promise<number> {
  const handle = await dir.getFileHandle(name, { create: true });
  const access = await handle.createSyncAccessHandle();
  let at = 0;
  try {
    access.truncate(0);
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let written = 0;
      while (written < value.byteLength) written += access.write(value.subarray(written), { at: at + written });
      at += value.byteLength;
      onBytes(value.byteLength);
    }
    access.flush();
  } finally {
    access.close();
  }
  return at;
}

/** Options of `copyPackToCache`. */
export interface CopyOptions {
  /** Bytes copied so far and the bytes to copy. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Copies a pack into the cache: pack.json (`manifestText`) and every file `filesToCopy` says is
 * not there yet, read from `stream`. Leaves the folder unfinished (no cache.json): call
 * `commitCachedPack` once the copy is validated. Returns the folder's files. Throws
 * `PackCacheError` ('quota' with the sizes, 'unavailable' without OPFS).
 */
export async function copyPackToCache(manifest: PackManifest, manifestText: string, key: string, stream: PackFileStream, options: CopyOptions = {}): Promise<PackFiles> {
  let packs: FileSystemDirectoryHandle;
  try {
    packs = await openPacksDir();
  } catch (e) {
    if (isQuota(e)) throw new PackCacheError('quota', quotaMessage(manifest.name, packBytes(manifest), null));
    throw new PackCacheError('unavailable', 'This browser gives the page no private file storage (OPFS), so the pack cannot be kept for the next visit.');
  }
  const estimate = await navigator.storage.estimate().catch(() => null);
  const free = estimate?.quota !== undefined && estimate.usage !== undefined ? estimate.quota - estimate.usage : null;
  let total = packBytes(manifest);
  try {
    const dir = await packs.getDirectoryHandle(key, { create: true });
    const record = parseCacheRecord((await readText(dir, 'cache.json')) ?? '');
    const present = await fileSizes(dir);
    const copy = filesToCopy(manifest, record, present);
    total = copy.reduce((s, f) => s + f.bytes, 0);
    if (free !== null && free < total) throw new PackCacheError('quota', quotaMessage(manifest.name, total, free));
    await dir.removeEntry('cache.json').catch(() => undefined);
    let done = 0;
    await writeFile(dir, 'pack.json', new Blob([manifestText]).stream(), () => undefined);
    for (const f of copy) {
      options.signal?.throwIfAborted();
      const n = await writeFile(dir, f.file, await stream(f.file), (k) => options.onProgress?.((done += k), total));
      if (n !== f.bytes) throw new Error(`${f.file}: copied ${n} bytes, pack.json says ${f.bytes}.`);
    }
    for (const name of staleFiles(manifest, present.keys())) await dir.removeEntry(name).catch(() => undefined);
    options.onProgress?.(total, total);
    return directoryFiles(dir);
  } catch (e) {
    // A copy that did not finish is not kept (its cache.json is already gone).
    await removeCachedPack(key);
    // A refused write: the browser's estimate was too kind, so it is not quoted.
    if (isQuota(e)) throw new PackCacheError('quota', quotaMessage(manifest.name, total, null));
    throw e;
  }
}

/** Marks a validated copy as finished (writes cache.json). Throws `PackCacheError` when the quota refuses it. */
export async function commitCachedPack(manifest: PackManifest, key: string): Promise<void> {
  const packs = await packsDir();
  if (!packs) return;
  try {
    const dir = await packs.getDirectoryHandle(key);
    const record = { ...cacheRecord(manifest, Date.now()), key };
    await writeFile(dir, 'cache.json', new Blob([JSON.stringify(record)]).stream(), () => undefined);
  } catch (e) {
    if (!isQuota(e)) throw e;
    await removeCachedPack(key);
    throw new PackCacheError('quota', quotaMessage(manifest.name, packBytes(manifest), null));
  }
}

/** Total bytes of a manifest's files (what a cached copy takes besides pack.json). */
export const packBytes = (manifest: PackManifest): number => packFileList(manifest).reduce((s, f) => s + f.bytes, 0);
