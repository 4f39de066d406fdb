import { describeCapabilities, useEditor } from '../state';

/** A small line about the GPU: which adapter, whether it is software, f16 support. */
export function GpuStatus() {
  const gpu = useEditor((s) => s.gpu);
  if (!gpu) return <span className="gpu muted">Checking GPU…</span>;
  const detail = gpu.available
    ? `${gpu.description}\nshader-f16: ${gpu.shaderF16 ? 'yes' : 'no'}\nmax buffer: ${(gpu.limits.maxBufferSize / 2 ** 20).toFixed(0)} MB\nmax storage binding: ${(gpu.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MB`
    : gpu.reason ?? '';
  return (
    <span className={`gpu ${gpu.available ? (gpu.isFallback ? 'warn' : 'ok') : 'bad'}`} title={detail} data-testid="gpu-status" data-caps={JSON.stringify(gpu)}>
      {describeCapabilities(gpu)}
      {gpu.available && gpu.isFallback ? ' — slow software adapter' : ''}
      {!gpu.available && gpu.reason ? ` — ${gpu.reason}` : ''}
    </span>
  );
}
