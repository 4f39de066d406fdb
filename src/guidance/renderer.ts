import { PART_COLORS } from './encodings';

/** Pinhole intrinsics in pixels of the output frame. */
export interface Intrinsics {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}

/** A triangle mesh in camera space (OpenCV axes, metres) with a semantic part per vertex. */
export interface GuidanceMesh {
  /** n x 3 camera-space positions. */
  positions: Float32Array;
  /** n x 3 camera-space unit normals. */
  normals: Float32Array;
  /** Triangle indices. */
  indices: Uint32Array;
  /** n part labels 0..23 (SMPL joints). */
  parts: Uint8Array | Uint32Array;
}

export type GuidanceMap = 'depth' | 'normal' | 'parts';
export const GUIDANCE_MAPS: readonly GuidanceMap[] = ['depth', 'normal', 'parts'];

const SHADER = /* wgsl */ `
struct Uniforms { fx: f32, fy: f32, cx: f32, cy: f32, width: f32, height: f32, zMin: f32, zMax: f32 };
@group(0) @binding(0) var<uniform> u: Uniforms;
@group(0) @binding(1) var<uniform> palette: array<vec4f, 24>;

struct VOut {
  @builtin(position) clip: vec4f,
  @location(0) normal: vec3f,
  @location(1) z: f32,
  @location(2) @interpolate(flat) part: u32,
};

@vertex fn vs(@location(0) p: vec3f, @location(1) n: vec3f, @location(2) part: u32) -> VOut {
  var o: VOut;
  let z = max(p.z, 1e-4);
  // Pinhole projection to pixels, then to NDC (y up); w = z keeps interpolation perspective-correct.
  let px = u.fx * p.x / z + u.cx;
  let py = u.fy * p.y / z + u.cy;
  let ndc = vec2f(px / u.width * 2.0 - 1.0, 1.0 - py / u.height * 2.0);
  let depth = clamp(z / 100.0, 0.0, 1.0);
  o.clip = vec4f(ndc * z, depth * z, z);
  o.normal = n;
  o.z = p.z;
  o.part = part;
  return o;
}

struct FOut {
  @location(0) depth: vec4f,
  @location(1) normal: vec4f,
  @location(2) parts: vec4f,
};

@fragment fn fs(i: VOut) -> FOut {
  var o: FOut;
  let range = max(u.zMax - u.zMin, 1e-6);
  let d = clamp(1.0 - (i.z - u.zMin) / range, 0.0, 1.0);
  o.depth = vec4f(d, d, d, 1.0);
  let n = normalize(i.normal);
  o.normal = vec4f((n.x + 1.0) * 0.5, (1.0 - n.y) * 0.5, (1.0 - n.z) * 0.5, 1.0);
  o.parts = vec4f(palette[min(i.part, 23u)].rgb, 1.0);
  return o;
}
`;

/**
 * Renders depth, normal and semantic-part maps of a body mesh with the reference camera, on the
 * app's WebGPU device, in one pass with three colour targets.
 */
export class GuidanceRenderer {
  private readonly pipeline: GPURenderPipeline;
  private readonly uniforms: GPUBuffer;
  private readonly palette: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;
  private readonly targets: GPUTexture[];
  private readonly depthTexture: GPUTexture;
  private readonly readback: GPUBuffer;
  private readonly bytesPerRow: number;
  private buffers: { positions: GPUBuffer; normals: GPUBuffer; parts: GPUBuffer; indices: GPUBuffer; vertexCount: number; indexCount: number } | null = null;

  constructor(
    private readonly device: GPUDevice,
    readonly width: number,
    readonly height: number,
  ) {
    const module = device.createShaderModule({ code: SHADER });
    const format: GPUTextureFormat = 'rgba8unorm';
    this.pipeline = device.createRenderPipeline({
      layout: 'auto',
      vertex: {
        module,
        entryPoint: 'vs',
        buffers: [
          { arrayStride: 12, attributes: [{ shaderLocation: 0, offset: 0, format: 'float32x3' }] },
          { arrayStride: 12, attributes: [{ shaderLocation: 1, offset: 0, format: 'float32x3' }] },
          { arrayStride: 4, attributes: [{ shaderLocation: 2, offset: 0, format: 'uint32' }] },
        ],
      },
      fragment: { module, entryPoint: 'fs', targets: [{ format }, { format }, { format }] },
      primitive: { topology: 'triangle-list', cullMode: 'none' },
      depthStencil: { format: 'depth32float', depthWriteEnabled: true, depthCompare: 'less' },
    });
    this.uniforms = device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.palette = device.createBuffer({ size: 24 * 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.palette, 0, new Float32Array(PART_COLORS.flatMap(([r, g, b]) => [r / 255, g / 255, b / 255, 1])));
    this.bindGroup = device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.uniforms } },
        { binding: 1, resource: { buffer: this.palette } },
      ],
    });
    const usage = GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC | GPUTextureUsage.TEXTURE_BINDING;
    this.targets = GUIDANCE_MAPS.map(() => device.createTexture({ size: [width, height], format, usage }));
    this.depthTexture = device.createTexture({ size: [width, height], format: 'depth32float', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    this.bytesPerRow = Math.ceil((width * 4) / 256) * 256;
    this.readback = device.createBuffer({ size: this.bytesPerRow * height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  }

  /** Uploads a posed mesh; topology and parts may change between calls. */
  setMesh(mesh: GuidanceMesh): void {
    const d = this.device;
    const vertexCount = mesh.positions.length / 3;
    const make = (data: ArrayBufferView, usage: number) => {
      const buffer = d.createBuffer({ size: Math.max(16, Math.ceil(data.byteLength / 4) * 4), usage: usage | GPUBufferUsage.COPY_DST });
      d.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      return buffer;
    };
    const same = this.buffers && this.buffers.vertexCount === vertexCount && this.buffers.indexCount === mesh.indices.length;
    if (same) {
      d.queue.writeBuffer(this.buffers!.positions, 0, mesh.positions.buffer, mesh.positions.byteOffset, mesh.positions.byteLength);
      d.queue.writeBuffer(this.buffers!.normals, 0, mesh.normals.buffer, mesh.normals.byteOffset, mesh.normals.byteLength);
      return;
    }
    this.disposeMesh();
    this.buffers = {
      positions: make(mesh.positions, GPUBufferUsage.VERTEX),
      normals: make(mesh.normals, GPUBufferUsage.VERTEX),
      parts: make(mesh.parts instanceof Uint32Array ? mesh.parts : Uint32Array.from(mesh.parts), GPUBufferUsage.VERTEX),
      indices: make(mesh.indices, GPUBufferUsage.INDEX),
      vertexCount,
      indexCount: mesh.indices.length,
    };
  }

  /** Draws the current mesh (or nothing, for a frame without a person) into the three maps. */
  render(k: Intrinsics, zRange: { zMin: number; zMax: number }, drawMesh = true): void {
    const d = this.device;
    d.queue.writeBuffer(this.uniforms, 0, new Float32Array([k.fx, k.fy, k.cx, k.cy, this.width, this.height, zRange.zMin, zRange.zMax]));
    const encoder = d.createCommandEncoder();
    const pass = encoder.beginRenderPass({
      colorAttachments: this.targets.map((t) => ({ view: t.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } })),
      depthStencilAttachment: { view: this.depthTexture.createView(), depthLoadOp: 'clear', depthStoreOp: 'store', depthClearValue: 1 },
    });
    if (drawMesh && this.buffers) {
      pass.setPipeline(this.pipeline);
      pass.setBindGroup(0, this.bindGroup);
      pass.setVertexBuffer(0, this.buffers.positions);
      pass.setVertexBuffer(1, this.buffers.normals);
      pass.setVertexBuffer(2, this.buffers.parts);
      pass.setIndexBuffer(this.buffers.indices, 'uint32');
      pass.drawIndexed(this.buffers.indexCount);
    }
    pass.end();
    d.queue.submit([encoder.finish()]);
  }

  /** Reads one map back as tightly packed RGBA bytes (for encoding to video or for tests). */
  async read(map: GuidanceMap): Promise<Uint8ClampedArray> {
    const texture = this.targets[GUIDANCE_MAPS.indexOf(map)]!;
    const encoder = this.device.createCommandEncoder();
    encoder.copyTextureToBuffer({ texture }, { buffer: this.readback, bytesPerRow: this.bytesPerRow }, [this.width, this.height]);
    this.device.queue.submit([encoder.finish()]);
    await this.readback.mapAsync(GPUMapMode.READ);
    const padded = new Uint8Array(this.readback.getMappedRange());
    const out = new Uint8ClampedArray(this.width * this.height * 4);
    for (let y = 0; y < this.height; y++) out.set(padded.subarray(y * this.bytesPerRow, y * this.bytesPerRow + this.width * 4), y * this.width * 4);
    this.readback.unmap();
    return out;
  }

  private disposeMesh(): void {
    if (!this.buffers) return;
    for (const b of [this.buffers.positions, this.buffers.normals, this.buffers.parts, this.buffers.indices]) b.destroy();
    this.buffers = null;
  }

  dispose(): void {
    this.disposeMesh();
    for (const t of [...this.targets, this.depthTexture]) t.destroy();
    for (const b of [this.uniforms, this.palette, this.readback]) b.destroy();
  }
}
