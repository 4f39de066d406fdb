/**
 * The models the install step converted into public/models/, described by its manifest.json.
 * Served from the app's own origin; never fetched from anywhere else.
 */
export interface ManifestTensor {
  name: string;
  shape: number[];
  dtype: string;
}

export interface ManifestFile {
  id: string;
  variant: 'fp32' | 'fp16';
  file: string;
  sha256: string;
  bytes?: number;
  size?: number;
  inputs: ManifestTensor[];
  outputs: ManifestTensor[];
}

export interface ModelManifest {
  files: ManifestFile[];
}

export class ModelError extends Error {
  override name = 'ModelError';
}

const MODELS_BASE = new URL('/models/', self.location.href);

let manifest: Promise<ModelManifest> | null = null;

export function loadManifest(): Promise<ModelManifest> {
  manifest ??= fetch(new URL('manifest.json', MODELS_BASE)).then(async (r) => {
    if (!r.ok) {
      manifest = null;
      throw new ModelError(
        'The pose models are missing from this build (models/manifest.json not found). Run "npm install", which converts them into public/models/, then rebuild.',
      );
    }
    return (await r.json()) as ModelManifest;
  });
  return manifest;
}

const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

/** Whether the manifest lists a model (an optional one may be missing from an older install). */
export async function hasModel(id: string, variant: 'fp32' | 'fp16'): Promise<boolean> {
  return (await loadManifest()).files.some((f) => f.id === id && f.variant === variant);
}

/** Fetches a model file and checks it against the manifest's sha256. */
export async function fetchModel(id: string, variant: 'fp32' | 'fp16'): Promise<{ entry: ManifestFile; bytes: Uint8Array }> {
  const m = await loadManifest();
  const entry = m.files.find((f) => f.id === id && f.variant === variant);
  if (!entry) throw new ModelError(`The model "${id}" (${variant}) is not in models/manifest.json. Re-run "npm install".`);
  const response = await fetch(new URL(entry.file, MODELS_BASE));
  if (!response.ok) throw new ModelError(`The model file ${entry.file} could not be loaded (HTTP ${response.status}). Re-run "npm install".`);
  const buffer = await response.arrayBuffer();
  const digest = hex(await crypto.subtle.digest('SHA-256', buffer));
  if (digest !== entry.sha256) {
    throw new ModelError(`The model file ${entry.file} does not match its manifest (sha256 differs). Re-run "npm install" to convert it again.`);
  }
  return { entry, bytes: new Uint8Array(buffer) };
}
