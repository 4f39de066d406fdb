/** What the WebGPU adapter offers; everything the app decides about GPU work starts here. */
export interface GpuCapabilities {
  available: boolean;
  /** Why WebGPU is unavailable, in words a user can act on. */
  reason: string | null;
  vendor: string;
  architecture: string;
  description: string;
  /** True for a software adapter (e.g. SwiftShader): correct but slow. */
  isFallback: boolean;
  shaderF16: boolean;
  limits: {
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
  };
}

const NO_LIMITS: GpuCapabilities['limits'] = {
  maxBufferSize: 0,
  maxStorageBufferBindingSize: 0,
  maxComputeWorkgroupStorageSize: 0,
  maxComputeInvocationsPerWorkgroup: 0,
};

function unavailable(reason: string): GpuCapabilities {
  return {
    available: false,
    reason,
    vendor: '',
    architecture: '',
    description: '',
    isFallback: false,
    shaderF16: false,
    limits: NO_LIMITS,
  };
}

/** Requests an adapter and reports its capabilities. Never throws. */
export async function probeAdapter(): Promise<{ caps: GpuCapabilities; adapter: GPUAdapter | null }> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
    return {
      caps: unavailable(
        'WebGPU is not available in this browser. Use Chrome or Edge 113+ (on Linux start it with --enable-unsafe-webgpu).',
      ),
      adapter: null,
    };
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    adapter = null;
  }
  if (!adapter) {
    return { caps: unavailable('No compatible GPU adapter was found. Update your GPU driver or enable WebGPU.'), adapter: null };
  }
  const info = adapter.info;
  const caps: GpuCapabilities = {
    available: true,
    reason: null,
    vendor: info.vendor || 'unknown',
    architecture: info.architecture || '',
    description: info.description || [info.vendor, info.architecture].filter(Boolean).join(' ') || 'WebGPU adapter',
    isFallback: Boolean((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter) ||
      /swiftshader/i.test(`${info.vendor} ${info.architecture} ${info.description}`),
    shaderF16: adapter.features.has('shader-f16'),
    limits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
    },
  };
  return { caps, adapter };
}

/** One line for the status area, e.g. "WebGPU: nvidia ampere · f16". */
export function describeCapabilities(caps: GpuCapabilities): string {
  if (!caps.available) return 'WebGPU unavailable';
  const name = [caps.vendor, caps.architecture].filter(Boolean).join(' ');
  return `WebGPU: ${name}${caps.isFallback ? ' (software)' : ''}${caps.shaderF16 ? ' · f16' : ''}`;
}
