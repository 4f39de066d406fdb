import type { Intrinsics } from '../../guidance';
import { halfToFloat32 } from '../diffusion';
import { ATLAS_SIZE, vertexFill, type AppearanceTopology } from './appearance-fill';
import { DEPTH_SHADER, GATHER_SHADER, LAYER_SHADER, RENDER_SHADER } from './appearance-shaders';
import { nonzeroBox } from './mask';

export { ATLAS_SIZE, type AppearanceTopology } from './appearance-fill';

/**
 * The reference person's appearance on the body's UV layout, gathered on the GPU from reference
 * frames: every texel takes the colour of the frames that see it, weighted by how squarely they
 * see it (view angle), whether it is visible at all (depth test against the body itself, strict
 * where another limb lies in front: a hand resting on a hip hides the hip) and the
 * pose confidence of the frame. Face and hands, where averaging slightly misaligned views blurs
 * what people look at most, weigh those factors to a high power: in effect each of their texels
 * comes from its best frames. A second gather over the same views weighs each sample by how close
 * it is to the first's colour (one reweighting step of a robust mean), so what passes in front in
 * a few views (a friend's arm, a swinging bag) and views slightly off the body drop out instead of
 * greying the texture. Then the body is rendered textured from any pose.
 *
 * Files: the WGSL sources in appearance-shaders.ts, the per-vertex fill from the atlas (pure, no
 * GPU) in appearance-fill.ts, the browser self-test in appearance-self-test.ts.
 */

/** Weighting exponent of view angle and confidence: body, and face and hands (near "best view only"). */
const BODY_SHARPNESS = 2;
const DETAIL_SHARPNESS = 12;
/** SMPL joints whose parts are the face and the hands: head, wrists, hands. */
const DETAIL_PARTS = new Set([15, 20, 21, 22, 23]);
/**
 * Limbs for the gather's visibility test (SMPL joints' parts): 0 trunk and head, 1 left arm, 2 right
 * arm, 3 left leg, 4 right leg.
 */
const LIMB_OF_PART = [0, 3, 4, 0, 3, 4, 0, 3, 4, 0, 3, 4, 0, 0, 0, 0, 1, 2, 1, 2, 1, 2, 1, 2];

/** How far (metres) a fading layer is drawn towards the camera: in front of the face that replaces it, behind a hand before it. */
const FADE_PULL = 0.01;

/** An image on the GPU that layers are drawn from (`Appearance.layerImage`). */
export interface LayerImage {
  readonly texture: GPUTexture;
  destroy(): void;
}

export interface BodyGeometry {
  positions: Float32Array;
  normals: Float32Array;
  uvs: Float32Array;
  indices: Uint32Array;
}

/** RGB distance (0-1) at which a view's sample weighs e^-1/2 in the second gather: farther is an occluder or a misaligned view. */
const ROBUST_SPREAD = 0.12;

interface KeptView {
  source: GPUTexture;
  positions: Float32Array;
  normals: Float32Array;
  k: Intrinsics;
  weight: number;
}

/** Gathers the atlas from views, then renders the textured body. Owns its GPU resources. */
export class BodyAppearance {
  private atlas: GPUTexture;
  /** Views kept for the second, robust gather in `finish`. */
  private kept: KeptView[] = [];
  private readonly emptyPrior: GPUTexture;
  private readonly camera: GPUBuffer;
  /** Per vertex, the colour for texels no view saw (see surface-fill.ts) and the trust in what the views saw (RGBA); set by `finish`. */
  private readonly fill: GPUBuffer;
  private readonly topology: AppearanceTopology;
  private readonly sampler: GPUSampler;
  private readonly depthPipeline: GPURenderPipeline;
  private readonly gatherPipeline: GPURenderPipeline;
  private readonly renderPipeline: GPURenderPipeline;
  private readonly layerPipeline: GPURenderPipeline;
  private readonly fadePipeline: GPURenderPipeline;
  private readonly index: GPUBuffer;
  private readonly uv: GPUBuffer;
  private readonly position: GPUBuffer;
  private readonly normal: GPUBuffer;
  private readonly sharpness: GPUBuffer;
  private readonly limb: GPUBuffer;
  private readonly indexCount: number;
  private views = 0;
  private gain: [number, number, number] = [1, 1, 1];

  constructor(
    private readonly device: GPUDevice,
    topology: AppearanceTopology,
  ) {
    const d = device;
    this.topology = topology;
    this.atlas = d.createTexture({
      size: [ATLAS_SIZE, ATLAS_SIZE],
      format: 'rgba16float',
      usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_SRC,
    });
    this.emptyPrior = d.createTexture({ size: [1, 1], format: 'rgba16float', usage: GPUTextureUsage.TEXTURE_BINDING });
    this.camera = d.createBuffer({ size: 48, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.fill = d.createBuffer({ size: topology.vertexCount * 16, usage: GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST });
    d.queue.writeBuffer(this.fill, 0, new Float32Array(topology.vertexCount * 4).fill(1));
    this.sampler = d.createSampler({ magFilter: 'linear', minFilter: 'linear' });
    const vb = (data: ArrayBufferView, usage: number) => {
      const b = d.createBuffer({ size: Math.ceil(data.byteLength / 4) * 4, usage: usage | GPUBufferUsage.COPY_DST });
      d.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
      return b;
    };
    this.index = vb(topology.indices, GPUBufferUsage.INDEX);
    this.uv = vb(topology.uvs, GPUBufferUsage.VERTEX);
    this.sharpness = vb(Float32Array.from(topology.parts, (part) => (DETAIL_PARTS.has(part) ? DETAIL_SHARPNESS : BODY_SHARPNESS)), GPUBufferUsage.VERTEX);
    this.limb = vb(Float32Array.from(topology.parts, (part) => LIMB_OF_PART[part] ?? 0), GPUBufferUsage.VERTEX);
    this.position = d.createBuffer({ size: topology.vertexCount * 12, usage: GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST });
    this.normal = d.createBuffer({ size: topology.vertexCount * 12, usage: GPUBufferUsage.VERTEX | GPUBufferUsage.COPY_DST });
    this.indexCount = topology.indices.length;
    const f3 = (loc: number): GPUVertexBufferLayout => ({ arrayStride: 12, attributes: [{ shaderLocation: loc, offset: 0, format: 'float32x3' }] });
    const f2 = (loc: number): GPUVertexBufferLayout => ({ arrayStride: 8, attributes: [{ shaderLocation: loc, offset: 0, format: 'float32x2' }] });
    const f4 = (loc: number): GPUVertexBufferLayout => ({ arrayStride: 16, attributes: [{ shaderLocation: loc, offset: 0, format: 'float32x4' }] });
    const f1 = (loc: number): GPUVertexBufferLayout => ({ arrayStride: 4, attributes: [{ shaderLocation: loc, offset: 0, format: 'float32' }] });
    const depthModule = d.createShaderModule({ code: DEPTH_SHADER });
    this.depthPipeline = d.createRenderPipeline({
      layout: 'auto',
      vertex: { module: depthModule, entryPoint: 'vs', buffers: [f3(0), f1(1)] },
      fragment: { module: depthModule, entryPoint: 'fs', targets: [{ format: 'r32float' }] },
      primitive: { topology: 'triangle-list', cullMode: 'none' },
      depthStencil: { format: 'depth32float', depthWriteEnabled: true, depthCompare: 'less' },
    });
    const gatherModule = d.createShaderModule({ code: GATHER_SHADER });
    this.gatherPipeline = d.createRenderPipeline({
      layout: 'auto',
      vertex: { module: gatherModule, entryPoint: 'vs', buffers: [f3(0), f3(1), f2(2), f1(3), f1(4)] },
      fragment: {
        module: gatherModule,
        entryPoint: 'fs',
        targets: [{ format: 'rgba16float', blend: { color: { srcFactor: 'one', dstFactor: 'one' }, alpha: { srcFactor: 'one', dstFactor: 'one' } } }],
      },
      primitive: { topology: 'triangle-list', cullMode: 'none' },
    });
    const renderModule = d.createShaderModule({ code: RENDER_SHADER });
    this.renderPipeline = d.createRenderPipeline({
      layout: 'auto',
      vertex: { module: renderModule, entryPoint: 'vs', buffers: [f3(0), f2(1), f4(2)] },
      fragment: { module: renderModule, entryPoint: 'fs', targets: [{ format: 'rgba8unorm' }] },
      primitive: { topology: 'triangle-list', cullMode: 'none' },
      depthStencil: { format: 'depth32float', depthWriteEnabled: true, depthCompare: 'less' },
    });
    const layerModule = d.createShaderModule({ code: LAYER_SHADER });
    const layerVertex: GPUVertexState = { module: layerModule, entryPoint: 'vs', buffers: [f3(0), f2(1)] };
    this.layerPipeline = d.createRenderPipeline({
      layout: 'auto',
      vertex: layerVertex,
      fragment: { module: layerModule, entryPoint: 'fs', targets: [{ format: 'rgba8unorm' }] },
      primitive: { topology: 'triangle-list', cullMode: 'none' },
      depthStencil: { format: 'depth32float', depthWriteEnabled: true, depthCompare: 'less' },
    });
    // A layer at part opacity: blended over what is drawn, leaving the depth to it.
    this.fadePipeline = d.createRenderPipeline({
      layout: 'auto',
      vertex: layerVertex,
      fragment: {
        module: layerModule,
        entryPoint: 'fs',
        targets: [{ format: 'rgba8unorm', blend: { color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha' }, alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha' } } }],
      },
      primitive: { topology: 'triangle-list', cullMode: 'none' },
      depthStencil: { format: 'depth32float', depthWriteEnabled: false, depthCompare: 'less-equal' },
    });
    // Start from an empty atlas.
    const e = d.createCommandEncoder();
    e.beginRenderPass({ colorAttachments: [{ view: this.atlas.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } }] }).end();
    d.queue.submit([e.finish()]);
  }

  private writeCamera(k: Intrinsics, width: number, height: number, weight: number, pad = 0): void {
    this.device.queue.writeBuffer(this.camera, 0, new Float32Array([k.fx, k.fy, k.cx, k.cy, width, height, weight, pad, ...this.gain, 1]));
  }

  private writePose(positions: Float32Array, normals: Float32Array): void {
    this.device.queue.writeBuffer(this.position, 0, positions.buffer, positions.byteOffset, positions.byteLength);
    this.device.queue.writeBuffer(this.normal, 0, normals.buffer, normals.byteOffset, normals.byteLength);
  }

  /** Adds one reference view: the frame (RGBA, alpha = person mask), the body posed as in that frame (camera space), its camera and a weight. */
  addView(frame: { data: Uint8ClampedArray; width: number; height: number }, posed: { positions: Float32Array; normals: Float32Array }, k: Intrinsics, weight: number): void {
    const d = this.device;
    // Only the person's box is kept (views wait for the second gather); cropping moves the principal point.
    const box = nonzeroBox(frame.data, frame.width, frame.height, 4, 3);
    this.views++;
    if (!box) return;
    const width = box.x1 - box.x0;
    const height = box.y1 - box.y0;
    const source = d.createTexture({ size: [width, height], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    d.queue.writeTexture({ texture: source }, frame.data, { offset: (box.y0 * frame.width + box.x0) * 4, bytesPerRow: frame.width * 4 }, [width, height]);
    const view = { source, positions: Float32Array.from(posed.positions), normals: Float32Array.from(posed.normals), k: { ...k, cx: k.cx - box.x0, cy: k.cy - box.y0 }, weight };
    this.gather(view, this.atlas, null);
    this.kept.push(view);
  }

  private gather(view: KeptView, into: GPUTexture, prior: GPUTexture | null): void {
    const d = this.device;
    const { width, height } = view.source;
    const depth = d.createTexture({ size: [width, height], format: 'depth32float', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING });
    const limbs = d.createTexture({ size: [width, height], format: 'r32float', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING });
    this.writeCamera(view.k, width, height, view.weight, prior ? ROBUST_SPREAD : 0);
    this.writePose(view.positions, view.normals);
    const e = d.createCommandEncoder();
    const dp = e.beginRenderPass({ colorAttachments: [{ view: limbs.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: -1, g: 0, b: 0, a: 0 } }], depthStencilAttachment: { view: depth.createView(), depthLoadOp: 'clear', depthStoreOp: 'store', depthClearValue: 1 } });
    dp.setPipeline(this.depthPipeline);
    dp.setBindGroup(0, d.createBindGroup({ layout: this.depthPipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: this.camera } }] }));
    dp.setVertexBuffer(0, this.position);
    dp.setVertexBuffer(1, this.limb);
    dp.setIndexBuffer(this.index, 'uint32');
    dp.drawIndexed(this.indexCount);
    dp.end();
    const gp = e.beginRenderPass({ colorAttachments: [{ view: into.createView(), loadOp: 'load', storeOp: 'store' }] });
    gp.setPipeline(this.gatherPipeline);
    gp.setBindGroup(
      0,
      d.createBindGroup({
        layout: this.gatherPipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.camera } },
          { binding: 1, resource: view.source.createView() },
          { binding: 2, resource: depth.createView() },
          { binding: 3, resource: limbs.createView() },
          { binding: 4, resource: (prior ?? this.emptyPrior).createView() },
        ],
      }),
    );
    gp.setVertexBuffer(0, this.position);
    gp.setVertexBuffer(1, this.normal);
    gp.setVertexBuffer(2, this.uv);
    gp.setVertexBuffer(3, this.sharpness);
    gp.setVertexBuffer(4, this.limb);
    gp.setIndexBuffer(this.index, 'uint32');
    gp.drawIndexed(this.indexCount);
    gp.end();
    d.queue.submit([e.finish()]);
    void d.queue.onSubmittedWorkDone().then(() => {
      depth.destroy();
      limbs.destroy();
    });
  }

  get viewCount(): number {
    return this.views;
  }

  /** An atlas (rgba16float) as floats: one readback, once per job. */
  private async readAtlas(atlas: GPUTexture): Promise<Float32Array> {
    const d = this.device;
    const bytesPerRow = ATLAS_SIZE * 8;
    const buffer = d.createBuffer({ size: bytesPerRow * ATLAS_SIZE, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    const e = d.createCommandEncoder();
    e.copyTextureToBuffer({ texture: atlas }, { buffer, bytesPerRow }, [ATLAS_SIZE, ATLAS_SIZE]);
    d.queue.submit([e.finish()]);
    await buffer.mapAsync(GPUMapMode.READ);
    const texels = halfToFloat32(new Uint16Array(buffer.getMappedRange()));
    buffer.unmap();
    buffer.destroy();
    return texels;
  }

  /**
   * The second, robust gather over the kept views; then colours for the texels no view saw: each
   * mesh vertex reads the atlas at its UV, and the vertices no view saw take colours spread from the
   * seen ones over the surface. Two readbacks per job (the robust atlas, and the first for trust).
   */
  async finish(): Promise<void> {
    const d = this.device;
    const first = this.atlas;
    if (this.kept.length > 1) {
      const robust = d.createTexture({ size: [ATLAS_SIZE, ATLAS_SIZE], format: 'rgba16float', usage: first.usage });
      const e0 = d.createCommandEncoder();
      e0.beginRenderPass({ colorAttachments: [{ view: robust.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } }] }).end();
      d.queue.submit([e0.finish()]);
      for (const view of this.kept) this.gather(view, robust, first);
      this.atlas = robust;
    }
    for (const view of this.kept) view.source.destroy();
    this.kept = [];
    const texels = await this.readAtlas(this.atlas);
    // Trust is how well the views saw a texel (the first gather), not how much they agreed.
    const seenBy = first === this.atlas ? texels : await this.readAtlas(first);
    if (first !== this.atlas) first.destroy();
    d.queue.writeBuffer(this.fill, 0, vertexFill(texels, seenBy, this.topology));
  }

  /** Per-channel gain applied to the rendered body (colour matching to the reference frames). */
  setGain(gain: [number, number, number]): void {
    this.gain = gain;
  }

  /**
   * Renders the textured body at `posed` (camera space) into `target` (rgba8unorm, cleared to
   * transparent), with depth in `depth`.
   */
  render(target: GPUTexture, depth: GPUTexture, posed: { positions: Float32Array; normals: Float32Array }, k: Intrinsics): void {
    const d = this.device;
    this.writeCamera(k, target.width, target.height, 1);
    this.writePose(posed.positions, posed.normals);
    const e = d.createCommandEncoder();
    const pass = e.beginRenderPass({
      colorAttachments: [{ view: target.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } }],
      depthStencilAttachment: { view: depth.createView(), depthLoadOp: 'clear', depthStoreOp: 'store', depthClearValue: 1 },
    });
    pass.setPipeline(this.renderPipeline);
    pass.setBindGroup(
      0,
      d.createBindGroup({
        layout: this.renderPipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.camera } },
          { binding: 1, resource: this.atlas.createView() },
          { binding: 2, resource: this.sampler },
        ],
      }),
    );
    pass.setVertexBuffer(0, this.position);
    pass.setVertexBuffer(1, this.uv);
    pass.setVertexBuffer(2, this.fill);
    pass.setIndexBuffer(this.index, 'uint32');
    pass.drawIndexed(this.indexCount);
    pass.end();
    d.queue.submit([e.finish()]);
  }

  /**
   * Draws a coloured triangle layer (camera space) into `target` after `render`, depth-tested
   * against the body: the person's pixels beyond the mesh (see outside.ts). Below `opacity` 1 it
   * is blended over what is there, drawn a centimetre nearer (a face fading out over its successor).
   */
  /** An image a layer is drawn from (a reference frame, a face view's crop), on the GPU until `destroy`. */
  layerImage(rgba: Uint8ClampedArray, width: number, height: number): LayerImage {
    const texture = this.device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    this.device.queue.writeTexture({ texture }, rgba.buffer, { offset: rgba.byteOffset, bytesPerRow: width * 4 }, [width, height]);
    // Destroyed once the work already submitted with it is done.
    return { texture, destroy: () => void this.device.queue.onSubmittedWorkDone().then(() => texture.destroy()) };
  }

  /**
   * Draws a layer (outside.ts) over `target`: its triangles at their camera-space positions, each
   * pixel sampled from `image` at the layer's source coordinates. At `opacity` < 1 it is blended
   * over what is drawn and pulled towards the camera (a cross-fade between face views).
   */
  renderLayer(target: GPUTexture, depth: GPUTexture, layer: { positions: Float32Array; sources: Float32Array; indices: Uint32Array }, image: LayerImage, k: Intrinsics, opacity = 1): void {
    if (layer.indices.length === 0 || !(opacity > 0)) return;
    const d = this.device;
    const fading = opacity < 1;
    const pipeline = fading ? this.fadePipeline : this.layerPipeline;
    this.writeCamera(k, target.width, target.height, Math.min(1, opacity), fading ? FADE_PULL : 0);
    // Every array here is a whole number of 4-byte values, as writeBuffer needs.
    const upload = (data: ArrayBufferView, usage: number) => {
      const b = d.createBuffer({ size: data.byteLength, usage: usage | GPUBufferUsage.COPY_DST });
      d.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
      return b;
    };
    const position = upload(layer.positions, GPUBufferUsage.VERTEX);
    const source = upload(layer.sources, GPUBufferUsage.VERTEX);
    const index = upload(layer.indices, GPUBufferUsage.INDEX);
    const e = d.createCommandEncoder();
    const pass = e.beginRenderPass({
      colorAttachments: [{ view: target.createView(), loadOp: 'load', storeOp: 'store' }],
      depthStencilAttachment: { view: depth.createView(), depthLoadOp: 'load', depthStoreOp: 'store' },
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(
      0,
      d.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.camera } },
          { binding: 1, resource: image.texture.createView() },
          { binding: 2, resource: this.sampler },
        ],
      }),
    );
    pass.setVertexBuffer(0, position);
    pass.setVertexBuffer(1, source);
    pass.setIndexBuffer(index, 'uint32');
    pass.drawIndexed(layer.indices.length);
    pass.end();
    d.queue.submit([e.finish()]);
    void d.queue.onSubmittedWorkDone().then(() => [position, source, index].forEach((b) => b.destroy()));
  }

  dispose(): void {
    this.atlas.destroy();
    this.emptyPrior.destroy();
    for (const view of this.kept) view.source.destroy();
    for (const b of [this.camera, this.fill, this.index, this.uv, this.position, this.normal, this.sharpness, this.limb]) b.destroy();
  }
}
