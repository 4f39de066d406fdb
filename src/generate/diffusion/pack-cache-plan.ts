/**
 * The bookkeeping of the pack cache (packs kept in the browser's origin-private file system so
 * that they survive a reload), as pure functions: the cache key of a pack, the record written
 * next to its files, which files a new copy can skip, and whether a record still describes a
 * manifest. The OPFS side lives in src/generate/pack-cache.ts.
 */
import type { FileSpec, PackManifest } from './pack';
import { formatBytes } from './memory';
import { PACK_ROLES } from './pack';

/** What `cache.json` in a cached pack's folder says. Written last: a folder without it is incomplete. */
export interface PackCacheRecord {
  format: 'motionpaste-pack-cache';
  version: 1;
  /** The folder name in the cache (`packCacheKey(name)`). */
  key: string;
  /** The pack's name (pack.json). */
  name: string;
  /** Every file of the pack except pack.json, with the size and sha256 it was verified against. */
  files: FileSpec[];
  /** Sum of the files' sizes, in bytes. */
  totalBytes: number;
  /** When the copy was finished, in milliseconds since the epoch. */
  cachedAt: number;
}

/** The cache folder of a pack: its name in lowercase letters, digits and dashes (at most 64). */
export function packCacheKey(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug || 'pack';
}

/** Every file a pack consists of besides pack.json: the models and their external data. */
export function packFileList(manifest: PackManifest): FileSpec[] {
  const out: FileSpec[] = [];
  for (const role of PACK_ROLES) {
    const m = manifest.models[role];
    out.push({ file: m.file, bytes: m.bytes, sha256: m.sha256 }, ...m.externalData.map((x) => ({ file: x.file, bytes: x.bytes, sha256: x.sha256 })));
  }
  return out;
}

/** The record of a finished copy of `manifest`. */
export function cacheRecord(manifest: PackManifest, cachedAt: number): PackCacheRecord {
  const files = packFileList(manifest);
  return { format: 'motionpaste-pack-cache', version: 1, key: packCacheKey(manifest.name), name: manifest.name, files, totalBytes: files.reduce((s, f) => s + f.bytes, 0), cachedAt };
}

/** Reads a `cache.json`; null when it is not a record this version wrote. */
export function parseCacheRecord(text: string): PackCacheRecord | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const r = json as Partial<PackCacheRecord> | null;
  if (!r || r.format !== 'motionpaste-pack-cache' || r.version !== 1 || typeof r.key !== 'string' || typeof r.name !== 'string' || !Array.isArray(r.files)) return null;
  const files = r.files.filter((f): f is FileSpec => typeof f?.file === 'string' && Number.isInteger(f.bytes) && typeof f.sha256 === 'string');
  if (files.length !== r.files.length) return null;
  return { format: r.format, version: 1, key: r.key, name: r.name, files, totalBytes: files.reduce((s, f) => s + f.bytes, 0), cachedAt: Number(r.cachedAt) || 0 };
}

/**
 * Files of `manifest` that must be copied into a cache folder that holds `record` (or nothing) and
 * files of the sizes in `present` (file → bytes on disk). A file is kept when the record lists it
 * with the same sha256 and size and it is on disk at that size: the cache is keyed by pack name
 * plus each file's sha256 and size.
 */
export function filesToCopy(manifest: PackManifest, record: PackCacheRecord | null, present: ReadonlyMap<string, number>): FileSpec[] {
  const known = new Map((record?.files ?? []).map((f) => [f.file, f]));
  return packFileList(manifest).filter((f) => {
    const k = known.get(f.file);
    return !(k && k.sha256 === f.sha256 && k.bytes === f.bytes && present.get(f.file) === f.bytes);
  });
}

/** Files in a cache folder that the new copy does not use (an older version's leftovers). */
export function staleFiles(manifest: PackManifest, present: Iterable<string>): string[] {
  const keep = new Set([...packFileList(manifest).map((f) => f.file), 'pack.json', 'cache.json']);
  return [...present].filter((f) => !keep.has(f));
}

/**
 * Why a record does not describe `manifest` (a file missing from the record, or another hash or
 * size), or null when it does: the cached copy was verified against exactly these files.
 */
export function recordMismatch(record: PackCacheRecord, manifest: PackManifest): string | null {
  const known = new Map(record.files.map((f) => [f.file, f]));
  for (const f of packFileList(manifest)) {
    const k = known.get(f.file);
    if (!k) return `${f.file} was not part of the cached copy`;
    if (k.sha256 !== f.sha256 || k.bytes !== f.bytes) return `${f.file} in the cache is another version (sha256 or size differ)`;
  }
  return null;
}

/** The message for a cache copy that does not fit the browser's storage quota. */
export function quotaMessage(name: string, neededBytes: number, freeBytes: number | null): string {
  const free = freeBytes === null ? '' : ` (the browser grants this site about ${formatBytes(Math.max(0, Math.round(freeBytes)))} more)`;
  return `The pack "${name}" needs ${formatBytes(neededBytes)} of browser storage to be kept for the next visit${free}. It is loaded for this session only. Remove cached packs you no longer need, or free disk space, then load it again.`;
}
