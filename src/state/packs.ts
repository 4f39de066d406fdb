import type { PackLoadProgress, PackSource } from '../generate';
import { proxy } from '../media';
import { set, type PackState } from './editor';
import { computeApi } from './services';

function patchPack(patch: Partial<PackState>): void {
  set((s) => ({ pack: { ...s.pack, ...patch } }));
}

/** Validates and loads a model pack: a dropped or chosen folder, a folder this site serves, or a cached pack. */
async function loadPackFrom(source: PackSource): Promise<void> {
  set({ engine: 'diffusion' });
  patchPack({ status: 'loading', info: null, error: null, progress: 0, stage: null });
  try {
    const info = await computeApi().loadPack(
      source,
      proxy((p: PackLoadProgress) => patchPack({ progress: p.fraction, stage: p.stage })),
    );
    patchPack({ status: 'ready', info, error: null, progress: 1, stage: null });
  } catch (e) {
    patchPack({ status: 'failed', info: null, error: (e as Error)?.message ?? String(e), progress: 0, stage: null });
  }
  await refreshPacks();
}

/** Loads a model pack from the files of a dropped or chosen folder (a copy is kept in the browser). */
export const loadPack = (files: File[]) => loadPackFrom({ kind: 'files', files });
/** Loads the pack this site serves under models/packs/NAME/. */
export const loadSitePack = (name: string) => loadPackFrom({ kind: 'origin', name });
/** Loads a pack kept in the browser's storage. */
export const loadCachedPack = (key: string) => loadPackFrom({ kind: 'cache', key });

/** Re-reads the lists of site packs and cached packs. */
export async function refreshPacks(): Promise<void> {
  try {
    const { origin, cached } = await computeApi().listPacks();
    patchPack({ origin, cached });
  } catch {
    // Lists stay as they were.
  }
}

/** Deletes a pack from the browser's storage (the loaded pack keeps running until unloaded). */
export async function removeCachedPack(key: string): Promise<void> {
  await computeApi().removeCachedPack(key);
  await refreshPacks();
}

export async function unloadPack(): Promise<void> {
  await computeApi().unloadPack();
  patchPack({ status: 'none', info: null, error: null, progress: 0, stage: null });
  set({ engine: 'builtin' });
}
