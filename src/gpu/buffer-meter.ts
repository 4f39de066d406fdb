/**
 * A meter on one GPUDevice for tests and the benchmark: bytes of the GPU buffers created on it
 * (by onnxruntime-web, which receives the device, and by the app's kernels) that are alive, their
 * peak, and how many buffer maps (`mapAsync`, the only way WebGPU data reaches the CPU) happen
 * anywhere. It measures buffers, not textures or the driver's own allocations, and only those
 * created while it runs. Installed by wrapping `device.createBuffer` and the GPUBuffer prototype's
 * `destroy` and `mapAsync`; `stop()` restores them.
 */
export interface BufferMeter {
  /** Bytes of buffers created since `start` and not destroyed. */
  readonly liveBytes: number;
  /** The largest `liveBytes` seen. */
  readonly peakBytes: number;
  /** `mapAsync` calls on any buffer since `start` (or the last `resetMaps`). */
  readonly maps: number;
  resetMaps(): void;
  stop(): void;
}

let active: BufferMeter | null = null;

/** Starts a meter on `device` (one at a time). */
export function startBufferMeter(device: GPUDevice): BufferMeter {
  if (active) throw new Error('A GPU buffer meter is already running.');
  const sizes = new WeakMap<GPUBuffer, number>();
  const proto = GPUBuffer.prototype;
  const create = device.createBuffer;
  const destroy = proto.destroy;
  const mapAsync = proto.mapAsync;
  const m = { liveBytes: 0, peakBytes: 0, maps: 0 };
  device.createBuffer = function (this: GPUDevice, desc: GPUBufferDescriptor) {
    const b = create.call(this, desc);
    sizes.set(b, b.size);
    m.liveBytes += b.size;
    m.peakBytes = Math.max(m.peakBytes, m.liveBytes);
    return b;
  };
  proto.destroy = function (this: GPUBuffer) {
    const size = sizes.get(this);
    if (size !== undefined) {
      sizes.delete(this);
      m.liveBytes -= size;
    }
    return destroy.call(this);
  };
  proto.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
    m.maps++;
    return mapAsync.apply(this, args);
  };
  const meter: BufferMeter = {
    get liveBytes() {
      return m.liveBytes;
    },
    get peakBytes() {
      return m.peakBytes;
    },
    get maps() {
      return m.maps;
    },
    resetMaps() {
      m.maps = 0;
    },
    stop() {
      // Restore what was there: the instance goes back to the prototype's createBuffer.
      delete (device as { createBuffer?: unknown }).createBuffer;
      if (device.createBuffer !== create) device.createBuffer = create;
      proto.destroy = destroy;
      proto.mapAsync = mapAsync;
      active = null;
    },
  };
  active = meter;
  return meter;
}
