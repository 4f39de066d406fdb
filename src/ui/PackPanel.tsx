import { useRef, useState, type DragEvent } from 'react';
import { loadPack, unloadPack, useEditor } from '../state';

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
        <span data-testid="pack-info">
          Model pack <strong>{pack.info.name}</strong> · {mb(pack.info.totalBytes)} · {pack.info.fp16 ? 'fp16' : 'fp32'} · runs on{' '}
          {pack.info.ep === 'webgpu' ? 'WebGPU' : 'the CPU (wasm)'} · {pack.info.defaults.steps} steps
        </span>
      ) : pack.status === 'loading' ? (
        <span>
          Checking the pack… {Math.round(pack.progress * 100)}% <progress value={pack.progress} max={1} />
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
      {pack.status === 'failed' && (
        <p className="error" role="alert" data-testid="pack-error">
          <span>{pack.error}</span>
        </p>
      )}
    </div>
  );
}
