import { useRef, useState, type DragEvent } from 'react';
import { loadCachedPack, loadPack, loadSitePack, removeCachedPack, unloadPack, useEditor } from '../state';

/** Collects the files of a dropped folder (one level deep is enough for a pack). */
async function filesFromDrop(e: DragEvent): Promise<File[]> {
  const entries = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry?.()).filter((x): x is FileSystemEntry => Boolean(x));
  const files: File[] = [];
  const walk = async (entry: FileSystemEntry, depth: number): Promise<void> => {
    if (entry.isFile) {
      files.push(await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail)));
    } else if (entry.isDirectory && depth < 2) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, depth + 1);
      }
    }
  };
  for (const entry of entries) await walk(entry, 0);
  return files.length ? files : [...e.dataTransfer.files];
}

const mb = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : `${(n / 1e6).toFixed(1)} MB`);

const STAGE_LABEL = {
  download: 'Copying the pack from this site into browser storage…',
  check: 'Checking the pack…',
  cache: 'Keeping a copy in browser storage…',
  sessions: 'Creating the model sessions…',
} as const;

/** Packs this site serves and packs kept in the browser's storage, each with a Load button. */
function PackLists({ busy }: { busy: boolean }) {
  const origin = useEditor((s) => s.pack.origin);
  const cached = useEditor((s) => s.pack.cached);
  const loaded = useEditor((s) => (s.pack.status === 'ready' ? s.pack.info?.cacheKey : null));
  const [name, setName] = useState('');
  return (
    <div className="pack-lists">
      {cached.length > 0 && (
        <ul data-testid="cached-packs" aria-label="Packs kept in this browser">
          {cached.map((p) => (
            <li key={p.key} data-testid="cached-pack" data-key={p.key}>
              <strong>{p.name}</strong> · {mb(p.totalBytes)} in browser storage{loaded === p.key ? ' · loaded' : ''}{' '}
              <button type="button" disabled={busy} onClick={() => void loadCachedPack(p.key)} data-testid="cached-pack-load">
                Load
              </button>{' '}
              <button type="button" disabled={busy} onClick={() => void removeCachedPack(p.key)} data-testid="cached-pack-remove">
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {origin.length > 0 && (
        <ul data-testid="site-packs" aria-label="Packs on this site">
          {origin.map((p) => (
            <li key={p.folder} data-testid="site-pack" data-folder={p.folder}>
              <strong>{p.name}</strong> · {mb(p.totalBytes)} on this site (models/packs/{p.folder}/){' '}
              <button type="button" disabled={busy} onClick={() => void loadSitePack(p.folder)} data-testid="site-pack-load">
                Load
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="site-pack-name"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void loadSitePack(name.trim());
        }}
      >
        <label>
          Pack folder on this site: models/packs/
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="NAME" size={16} data-testid="site-pack-name" />
        </label>{' '}
        <button type="submit" disabled={busy || !name.trim()}>
          Load
        </button>
      </form>
    </div>
  );
}

/** Load, show and unload a MimicMotion model pack for the diffusion engine. */
export function PackPanel() {
  const pack = useEditor((s) => s.pack);
  const inputRef = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <div
      className={`pack ${over ? 'drag-over' : ''}`}
      data-testid="pack-panel"
      data-status={pack.status}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={async (e) => {
        e.preventDefault();
        setOver(false);
        void loadPack(await filesFromDrop(e));
      }}
    >
      <input
        ref={inputRef}
        type="file"
        hidden
        multiple
        data-testid="pack-input"
        {...{ webkitdirectory: '' }}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) void loadPack(files);
        }}
      />
      {pack.status === 'ready' && pack.info ? (
        <span data-testid="pack-info" data-denoise={pack.info.denoiseOn} data-source={pack.info.source}>
          Model pack <strong>{pack.info.name}</strong> · {mb(pack.info.totalBytes)} · {pack.info.fp16 ? 'fp16' : 'fp32'} · runs on{' '}
          {pack.info.ep === 'webgpu' ? `WebGPU${pack.info.denoiseOn === 'gpu' ? ' (latents stay on the GPU)' : ''}` : 'the CPU (wasm)'} · {pack.info.defaults.steps} steps
          {pack.info.cacheKey ? ' · kept in this browser' : ''}
        </span>
      ) : pack.status === 'loading' ? (
        <span data-testid="pack-loading">
          {STAGE_LABEL[pack.stage ?? 'check']} {Math.round(pack.progress * 100)}% <progress value={pack.progress} max={1} />
        </span>
      ) : (
        <span className="muted">Drop a MimicMotion model pack folder here (pack.json + ONNX files), or</span>
      )}
      <button type="button" onClick={() => inputRef.current?.click()} disabled={pack.status === 'loading'}>
        {pack.status === 'ready' ? 'Load another pack…' : 'Choose a pack folder…'}
      </button>
      {pack.status === 'ready' && (
        <button type="button" onClick={() => void unloadPack()}>
          Unload
        </button>
      )}
      {pack.status === 'ready' && pack.info?.cacheError && (
        <p className="warning" role="status" data-testid="pack-cache-error">
          {pack.info.cacheError}
        </p>
      )}
      <PackLists busy={pack.status === 'loading'} />
      {pack.status === 'failed' && (
        <p className="error" role="alert" data-testid="pack-error">
          <span>{pack.error}</span>
        </p>
      )}
    </div>
  );
}
