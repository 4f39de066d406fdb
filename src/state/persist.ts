import { createStore, del, get, set } from 'idb-keyval';
import type { Slot } from '../media';

/**
 * What survives a reload: the two input files (in OPFS, which holds large files well) and the
 * project settings (in IndexedDB).
 */
const db = () => createStore('motionpaste', 'project');
const SLOTS_KEY = 'slots';
const SETTINGS_KEY = 'settings';

interface StoredInput {
  id: string;
  name: string;
  type: string;
  lastModified: number;
}
type StoredSlots = Partial<Record<Slot, StoredInput>>;

async function inputsDir(): Promise<FileSystemDirectoryHandle | null> {
  try {
    const root = await navigator.storage.getDirectory();
    return await root.getDirectoryHandle('inputs', { create: true });
  } catch {
    return null; // OPFS unavailable (private window): inputs are not kept.
  }
}

/** Copies a loaded input into OPFS and records it for `slot`, replacing what was there. */
export async function keepInput(slot: Slot, file: File): Promise<void> {
  const dir = await inputsDir();
  if (!dir) return;
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const handle = await dir.getFileHandle(id, { create: true });
  const writable = await handle.createWritable();
  await file.stream().pipeTo(writable);
  const slots = ((await get<StoredSlots>(SLOTS_KEY, db())) ?? {}) as StoredSlots;
  const previous = slots[slot];
  slots[slot] = { id, name: file.name, type: file.type, lastModified: file.lastModified };
  await set(SLOTS_KEY, slots, db());
  if (previous) await dir.removeEntry(previous.id).catch(() => undefined);
}

export async function forgetInput(slot: Slot): Promise<void> {
  const slots = ((await get<StoredSlots>(SLOTS_KEY, db())) ?? {}) as StoredSlots;
  const previous = slots[slot];
  delete slots[slot];
  await set(SLOTS_KEY, slots, db());
  const dir = await inputsDir();
  if (previous && dir) await dir.removeEntry(previous.id).catch(() => undefined);
}

export async function swapInputs(): Promise<void> {
  const slots = ((await get<StoredSlots>(SLOTS_KEY, db())) ?? {}) as StoredSlots;
  await set(SLOTS_KEY, { reference: slots.motion, motion: slots.reference }, db());
}

/** The inputs kept from the last session, as Files with their original names. */
export async function restoreInputs(): Promise<Partial<Record<Slot, File>>> {
  const slots = ((await get<StoredSlots>(SLOTS_KEY, db())) ?? {}) as StoredSlots;
  const dir = await inputsDir();
  const out: Partial<Record<Slot, File>> = {};
  if (!dir) return out;
  for (const slot of ['reference', 'motion'] as const) {
    const stored = slots[slot];
    if (!stored) continue;
    try {
      const blob = await (await dir.getFileHandle(stored.id)).getFile();
      out[slot] = new File([blob], stored.name, { type: stored.type, lastModified: stored.lastModified });
    } catch {
      /* the stored copy is gone; nothing to restore */
    }
  }
  return out;
}

const BODY_MODEL_KEY = 'body-model';

/** Keeps the user's body model file (stays on this device, in IndexedDB), or forgets it (null). */
export async function keepBodyModelFile(file: File | null): Promise<void> {
  if (file) await set(BODY_MODEL_KEY, { name: file.name, blob: new Blob([await file.arrayBuffer()]) }, db());
  else await del(BODY_MODEL_KEY, db());
}

/** The body model file kept from the last session, or null. */
export async function restoreBodyModelFile(): Promise<File | null> {
  const kept = await get<{ name: string; blob: Blob }>(BODY_MODEL_KEY, db());
  return kept ? new File([kept.blob], kept.name) : null;
}

export async function keepSettings<T>(settings: T): Promise<void> {
  await set(SETTINGS_KEY, settings, db());
}

export async function restoreSettings<T>(): Promise<T | undefined> {
  return get<T>(SETTINGS_KEY, db());
}

export async function clearProject(): Promise<void> {
  await del(SLOTS_KEY, db());
  await del(SETTINGS_KEY, db());
}
