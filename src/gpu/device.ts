import { probeAdapter, type GpuCapabilities } from './probe';

/**
 * The one WebGPU device of the app. Lives in the compute worker; everything GPU (onnxruntime-web
 * sessions, WGSL kernels, guidance rendering) will share it, so GPU data never crosses threads.
 */
export class GpuRoot {
  private constructor(
    readonly caps: GpuCapabilities,
    readonly device: GPUDevice | null,
  ) {}

  static async create(): Promise<GpuRoot> {
    const { caps, adapter } = await probeAdapter();
    if (!adapter) return new GpuRoot(caps, null);
    const device = await adapter.requestDevice({
      requiredFeatures: caps.shaderF16 ? ['shader-f16'] : [],
      requiredLimits: {
        maxBufferSize: caps.limits.maxBufferSize,
        maxStorageBufferBindingSize: caps.limits.maxStorageBufferBindingSize,
      },
    });
    return new GpuRoot(caps, device);
  }

  dispose(): void {
    this.device?.destroy();
  }
}
