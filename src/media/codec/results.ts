import { BufferTarget, StreamTarget, type Target } from 'mediabunny';

/**
 * Finished MP4s live in the origin's private file system (OPFS), so a long result is read from
 * disk, not held in memory; without OPFS (a private window) they fall back to memory.
 */
export const RESULTS_DIR = 'results';

export async function opfsDir(name: string): Promise<FileSystemDirectoryHandle | null> {
  try {
    const root = await navigator.storage.getDirectory();
    return await root.getDirectoryHandle(name, { create: true });
  } catch {
    return null; // no OPFS (private window, old browser): results stay in memory, nothing resumes.
  }
}

/** A file in OPFS as an MP4 target; memory when OPFS is missing. */
export async function fileTarget(dir: FileSystemDirectoryHandle | null, name: string): Promise<{ target: Target; file: () => Promise<File> }> {
  if (!dir) {
    const target = new BufferTarget();
    return { target, file: async () => new File([target.buffer!], name, { type: 'video/mp4' }) };
  }
  const handle = await dir.getFileHandle(name, { create: true });
  const target = new StreamTarget(await handle.createWritable(), { chunked: true, chunkSize: 4 * 2 ** 20 });
  return { target, file: () => handle.getFile() };
}

let resultCount = 0;

/** A name no other result or job of this session has. */
export const nextResultId = () => `${Date.now().toString(36)}-${resultCount++}`;

/**
 * A new finished-MP4 file in OPFS (memory without OPFS). Each result gets its own file, so one
 * being played is not overwritten by the next; `releaseResult` removes it when it is let go.
 */
export async function resultTarget(fileName: string): Promise<{ target: Target; file: () => Promise<File> }> {
  const name = `${nextResultId()}-${fileName.replace(/[^\w.-]/g, '_')}`;
  return fileTarget(await opfsDir(RESULTS_DIR), name);
}

/** Removes a result made by `resultTarget` (by its File's name); a no-op for memory results. */
export async function releaseResult(name: string): Promise<void> {
  const results = await opfsDir(RESULTS_DIR);
  await results?.removeEntry(name).catch(() => undefined);
}


