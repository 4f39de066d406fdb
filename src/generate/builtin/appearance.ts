import type { Intrinsics } from '../../guidance';
import { halfToFloat32 } from '../diffusion';
import type { FaceLandmarks } from '../../body';
import { FACE_SEEN_TRUST, faceTrust, facePalette, paintFace, skinTone } from './face-fill';
import { nonzeroBox } from './mask';
import { fillUnseenVertices, mirrorUnseenVertices, mirrorVertices, texelTrust, typicalPartColours, weldVertices } from './surface-fill';

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

/** Head and neck: their unseen back takes the hair seen at their sides, not their seen front's (face, throat) typical colour. */
const RING_FILL_PARTS = new Set([12, 15]);

/** Parts usually bare, whose colour a face no view showed takes: hands, then wrists (SMPL joints). */
const SKIN_PARTS = [22, 23, 20, 21];

const PROJECT = /* wgsl */ `
struct Camera { fx: f32, fy: f32, cx: f32, cy: f32, width: f32, height: f32, weight: f32, pad: f32, gain: vec4f };
@group(0) @binding(0) var<uniform> cam: Camera;
fn toClip(p: vec3f) -> vec4f {
  let z = max(p.z, 1e-4);
  let px = cam.fx * p.x / z + cam.cx;
  let py = cam.fy * p.y / z + cam.cy;
  let ndc = vec2f(px / cam.width * 2.0 - 1.0, 1.0 - py / cam.height * 2.0);
  return vec4f(ndc * z, clamp(z / 100.0, 0.0, 1.0) * z, z);
}
fn toPixel(p: vec3f) -> vec2f {
  let z = max(p.z, 1e-4);
  return vec2f(cam.fx * p.x / z + cam.cx, cam.fy * p.y / z + cam.cy);
}
`;

const DEPTH_SHADER = PROJECT + /* wgsl */ `
struct VOut { @builtin(position) pos: vec4f, @location(0) @interpolate(flat) limb: f32 };
@vertex fn vs(@location(0) p: vec3f, @location(1) limb: f32) -> VOut { return VOut(toClip(p), limb); }
@fragment fn fs(i: VOut) -> @location(0) vec4f { return vec4f(i.limb, 0.0, 0.0, 0.0); }
`;

const GATHER_SHADER = PROJECT + /* wgsl */ `
@group(0) @binding(1) var frame: texture_2d<f32>;
@group(0) @binding(2) var depth: texture_depth_2d;
@group(0) @binding(3) var limbs: texture_2d<f32>;
@group(0) @binding(4) var prior: texture_2d<f32>;
struct VOut { @builtin(position) pos: vec4f, @location(0) p: vec3f, @location(1) n: vec3f, @location(2) sharpness: f32, @location(3) @interpolate(flat) limb: f32 };
@vertex fn vs(@location(0) p: vec3f, @location(1) n: vec3f, @location(2) uv: vec2f, @location(3) sharpness: f32, @location(4) limb: f32) -> VOut {
  var o: VOut;
  o.pos = vec4f(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, 0.5, 1.0);
  o.p = p;
  o.n = n;
  o.sharpness = sharpness;
  o.limb = limb;
  return o;
}
@fragment fn fs(i: VOut) -> @location(0) vec4f {
  let px = toPixel(i.p);
  if (px.x < 0.0 || px.y < 0.0 || px.x >= cam.width || px.y >= cam.height || i.p.z <= 0.0) { discard; }
  let texel = vec2i(px);
  // Visible only if this surface point is the body's nearest at that pixel: within 4 cm on the
  // same limb (a sloped surface samples differently in UV and screen space), within 5 mm when
  // another limb is nearest (a hand resting on the hip hides the hip).
  let nearest = textureLoad(depth, texel, 0);
  let own = clamp(i.p.z / 100.0, 0.0, 1.0);
  let sameLimb = abs(textureLoad(limbs, texel, 0).r - i.limb) < 0.5;
  if (own > nearest + select(0.00005, 0.0004, sameLimb)) { discard; }
  let facing = max(0.0, dot(normalize(i.n), -normalize(i.p)));
  let c = textureLoad(frame, texel, 0);
  // The frame's alpha is the person mask: silhouette-edge samples that hit the background drop out.
  var w = pow(cam.weight, 0.5 * i.sharpness) * pow(facing, i.sharpness) * c.a * c.a;
  if (w <= 0.0001) { discard; }
  // Second gather (cam.pad = spread): a sample far from the first's colour is mostly something that
  // passed in front. Floored, so a texel whose views all disagree keeps their mean (in half floats).
  if (cam.pad > 0.0) {
    let m = textureLoad(prior, vec2i(i.pos.xy), 0);
    let d = c.rgb - m.rgb / max(m.a, 1e-6);
    w *= max(exp(-dot(d, d) / (2.0 * cam.pad * cam.pad)), 1e-3);
  }
  return vec4f(c.rgb * w, w);
}
`;

const RENDER_SHADER = PROJECT + /* wgsl */ `
@group(0) @binding(1) var atlas: texture_2d<f32>;
@group(0) @binding(2) var linear: sampler;
struct VOut { @builtin(position) pos: vec4f, @location(0) uv: vec2f, @location(1) fill: vec4f };
@vertex fn vs(@location(0) p: vec3f, @location(1) uv: vec2f, @location(2) fill: vec4f) -> VOut {
  var o: VOut;
  o.pos = toClip(p);
  o.uv = uv;
  o.fill = fill;
  return o;
}
@fragment fn fs(i: VOut) -> @location(0) vec4f {
  let acc = textureSample(atlas, linear, i.uv);
  // Texels no frame saw take the fill colour (see surface-fill.ts); texels seen only at a grazing
  // angle lean towards it by how little they are trusted (fill.a, 1 = the atlas alone).
  let seen = mix(i.fill.rgb, acc.rgb / max(acc.a, 1e-6), i.fill.a);
  var c = select(i.fill.rgb, seen, acc.a > 1e-4);
  return vec4f(clamp(c * cam.gain.rgb, vec3f(0.0), vec3f(1.0)), 1.0);
}
`;

const LAYER_SHADER = PROJECT + /* wgsl */ `
struct VOut { @builtin(position) pos: vec4f, @location(0) c: vec4f };
@vertex fn vs(@location(0) p: vec3f, @location(1) c: vec4f) -> VOut {
  var o: VOut;
  // A fading layer (cam.pad > 0) is drawn this many metres towards the camera, over the layer replacing it.
  o.pos = toClip(p * max(0.0, 1.0 - cam.pad / max(length(p), 1e-4)));
  o.c = c;
  return o;
}
@fragment fn fs(i: VOut) -> @location(0) vec4f { return vec4f(i.c.rgb, cam.weight); }
`;

/** How far (metres) a fading layer is drawn towards the camera: in front of the face that replaces it, behind a hand before it. */
const FADE_PULL = 0.01;

export interface BodyGeometry {
  positions: Float32Array;
  normals: Float32Array;
  uvs: Float32Array;
  indices: Uint32Array;
}

export const ATLAS_SIZE = 1024;

/** RGB distance (0-1) at which a view's sample weighs e^-1/2 in the second gather: farther is an occluder or a misaligned view. */
const ROBUST_SPREAD = 0.12;

interface KeptView {
  source: GPUTexture;
  positions: Float32Array;
  normals: Float32Array;
  k: Intrinsics;
  weight: number;
}

/** The body mesh as the atlas sees it; rest `positions` let the unseen fill cross UV seams. */
export interface AppearanceTopology {
  uvs: Float32Array;
  indices: Uint32Array;
  vertexCount: number;
  parts: Uint8Array;
  positions?: Float32Array;
  /** Where the face's features sit on the rest mesh; with `positions`, a face no view showed is painted in (see face-fill.ts). */
  face?: FaceLandmarks;
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
    const layerVertex: GPUVertexState = { module: layerModule, entryPoint: 'vs', buffers: [f3(0), { arrayStride: 4, attributes: [{ shaderLocation: 1, offset: 0, format: 'unorm8x4' }] }] };
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
    const { uvs, indices, vertexCount, positions, parts, face } = this.topology;
    const colours = new Float32Array(vertexCount * 3);
    const seen = new Uint8Array(vertexCount);
    const confidence = new Float32Array(vertexCount);
    const sum = [0, 0, 0];
    for (let v = 0; v < vertexCount; v++) {
      const x = Math.min(ATLAS_SIZE - 1, Math.max(0, Math.floor(uvs[v * 2]! * ATLAS_SIZE)));
      const y = Math.min(ATLAS_SIZE - 1, Math.max(0, Math.floor(uvs[v * 2 + 1]! * ATLAS_SIZE)));
      const t = (y * ATLAS_SIZE + x) * 4;
      const a = texels[t + 3]!;
      if (!(a > 1e-4 && seenBy[t + 3]! > 1e-4)) continue;
      seen[v] = 1;
      confidence[v] = seenBy[t + 3]!;
      for (let c = 0; c < 3; c++) {
        colours[v * 3 + c] = texels[t + c]! / a;
        sum[c]! += colours[v * 3 + c]!;
      }
    }
    const seenCount = seen.reduce((a, b) => a + b, 0);
    const mean = seenCount ? (sum.map((x) => x / seenCount) as [number, number, number]) : ([0.5, 0.5, 0.5] as const);
    // Vertices seen only at a grazing angle are filled too; the render blends towards that fill by their trust.
    const trust = texelTrust(confidence, seen, parts);
    const trusted = Uint8Array.from(trust, (t) => (t >= 1 ? 1 : 0));
    const typical = typicalPartColours(colours, seen, parts, confidence);
    // A side no view showed well takes the other side's colours first; what neither side showed is filled over the surface.
    if (positions) mirrorUnseenVertices(colours, trusted, mirrorVertices(positions));
    fillUnseenVertices(colours, trusted, indices, { weld: positions ? weldVertices(positions) : undefined, fallback: mean, parts, confidence, ringParts: RING_FILL_PARTS });
    // A person seen only from behind gets a generic face rather than hair all round the head.
    if (positions && face && faceTrust(trust, positions, face) < FACE_SEEN_TRUST) {
      paintFace(colours, trust, positions, face, facePalette(skinTone(SKIN_PARTS.map((p) => typical.get(p)))));
    }
    const fill = new Float32Array(vertexCount * 4);
    for (let v = 0; v < vertexCount; v++) {
      fill.set(colours.subarray(v * 3, v * 3 + 3), v * 4);
      fill[v * 4 + 3] = trust[v]!;
    }
    d.queue.writeBuffer(this.fill, 0, fill);
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
  renderLayer(target: GPUTexture, depth: GPUTexture, layer: { positions: Float32Array; colours: Uint8Array; indices: Uint32Array }, k: Intrinsics, opacity = 1): void {
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
    const colour = upload(layer.colours, GPUBufferUsage.VERTEX);
    const index = upload(layer.indices, GPUBufferUsage.INDEX);
    const e = d.createCommandEncoder();
    const pass = e.beginRenderPass({
      colorAttachments: [{ view: target.createView(), loadOp: 'load', storeOp: 'store' }],
      depthStencilAttachment: { view: depth.createView(), depthLoadOp: 'load', depthStoreOp: 'store' },
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, d.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: this.camera } }] }));
    pass.setVertexBuffer(0, position);
    pass.setVertexBuffer(1, colour);
    pass.setIndexBuffer(index, 'uint32');
    pass.drawIndexed(layer.indices.length);
    pass.end();
    d.queue.submit([e.finish()]);
    void d.queue.onSubmittedWorkDone().then(() => [position, colour, index].forEach((b) => b.destroy()));
  }

  dispose(): void {
    this.atlas.destroy();
    this.emptyPrior.destroy();
    for (const view of this.kept) view.source.destroy();
    for (const b of [this.camera, this.fill, this.index, this.uv, this.position, this.normal, this.sharpness, this.limb]) b.destroy();
  }
}

/**
 * Gathers one synthetic view and renders it back (browser tests): a hand (red) held 1.5 cm in
 * front of the left half of a hip (blue), both facing the camera. Rendered with the hand moved
 * away, the hip's hidden half must not wear the hand's colour. Returns RGB at the hip's hidden
 * half and seen half, and at the hand when it is in front; and at the seen hip with a green layer
 * in front of it and a red one behind it, both at half opacity. Last, RGB at the left half of the
 * hip alone gathered from four views, in one of which something red passed in front of that half.
 */
export async function appearanceSelfTest(device: GPUDevice): Promise<{ hiddenHip: number[]; seenHip: number[]; hand: number[]; faded: number[]; passedOver: number[] }> {
  const size = 64;
  const k = { fx: 200, fy: 200, cx: size / 2, cy: size / 2 };
  const positions: number[] = [];
  const uvs: number[] = [];
  const parts: number[] = [];
  const indices: number[] = [];
  // A grid of n x n vertices over [x0, x1] x [-0.2, 0.2] at depth z, UVs in [u0, u1] x [0.05, 0.95].
  const grid = (n: number, x0: number, x1: number, z: number, u0: number, u1: number, part: number) => {
    const first = positions.length / 3;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const s = i / (n - 1);
        const t = j / (n - 1);
        positions.push(x0 + (x1 - x0) * s, -0.2 + 0.4 * t, z);
        uvs.push(u0 + (u1 - u0) * s, 0.05 + 0.9 * t);
        parts.push(part);
      }
    }
    for (let j = 0; j + 1 < n; j++) {
      for (let i = 0; i + 1 < n; i++) {
        const a = first + j * n + i;
        indices.push(a, a + 1, a + n, a + 1, a + n + 1, a + n);
      }
    }
    return first;
  };
  grid(9, -0.2, 0.2, 2, 0.05, 0.45, 0); // hip: pelvis, the trunk
  const handStart = grid(3, -0.2, 0, 1.985, 0.55, 0.95, 22); // left hand
  const vertexCount = positions.length / 3;
  const normals = new Float32Array(vertexCount * 3).map((_, i) => (i % 3 === 2 ? -1 : 0));
  const front = Float32Array.from(positions);
  const behind = Float32Array.from(positions, (v, i) => (i >= handStart * 3 && i % 3 === 2 ? 3 : v));
  // The frame: the hand's pixels red, the hip's blue; the person mask leaves out the 16 columns on
  // the left, so the view is cropped there (read 16 pixels off, the hand would come out blue).
  const frame = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) frame.set(x < size / 2 ? [220, 30, 30, x < 16 ? 0 : 255] : [30, 30, 220, 255], (y * size + x) * 4);
  }
  const appearance = new BodyAppearance(device, { uvs: Float32Array.from(uvs), indices: Uint32Array.from(indices), vertexCount, parts: Uint8Array.from(parts) });
  const target = device.createTexture({ size: [size, size], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
  const depth = device.createTexture({ size: [size, size], format: 'depth32float', usage: GPUTextureUsage.RENDER_ATTACHMENT });
  const readback = device.createBuffer({ size: size * size * 4, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  /** A square layer over the whole view at depth z, one colour. */
  const square = (z: number, rgb: number[]) => ({
    positions: Float32Array.from([-1, -1, z, 1, -1, z, 1, 1, z, -1, 1, z]),
    colours: Uint8Array.from([...rgb, 255, ...rgb, 255, ...rgb, 255, ...rgb, 255]),
    indices: Uint32Array.from([0, 1, 2, 0, 2, 3]),
  });
  const renderAt = async (p: Float32Array, layers: { layer: ReturnType<typeof square>; opacity: number }[] = [], from = appearance) => {
    from.render(target, depth, { positions: p, normals: normals.subarray(0, p.length) }, k);
    for (const { layer, opacity } of layers) from.renderLayer(target, depth, layer, k, opacity);
    const e = device.createCommandEncoder();
    e.copyTextureToBuffer({ texture: target }, { buffer: readback, bytesPerRow: size * 4 }, [size, size]);
    device.queue.submit([e.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const px = new Uint8Array(readback.getMappedRange().slice(0));
    readback.unmap();
    return (x: number, y: number) => Array.from(px.subarray((y * size + x) * 4, (y * size + x) * 4 + 3));
  };
  try {
    appearance.addView({ data: frame, width: size, height: size }, { positions: front, normals }, k, 1);
    await appearance.finish();
    const moved = await renderAt(behind);
    const hiddenHip = moved(20, size / 2);
    const seenHip = moved(44, size / 2);
    const hand = (await renderAt(front))(20, size / 2);
    // A green layer at half opacity in front of the hip, and a red one behind it.
    const faded = (await renderAt(front, [{ layer: square(1.9, [0, 255, 0]), opacity: 0.5 }, { layer: square(2.1, [255, 0, 0]), opacity: 0.5 }]))(44, size / 2);
    // The hip alone, seen in four views; in one of them an arm (red) passes in front of its left half.
    const hip = { uvs: Float32Array.from(uvs.slice(0, 81 * 2)), indices: Uint32Array.from(indices.slice(0, 8 * 8 * 6)), vertexCount: 81, parts: new Uint8Array(81) };
    const paint = (left: number[]) => {
      const data = new Uint8ClampedArray(size * size * 4);
      for (let p = 0; p < size * size; p++) data.set(p % size < size / 2 ? left : [30, 30, 220, 255], p * 4);
      return data;
    };
    const blue = paint([30, 30, 220, 255]);
    const passing = paint([220, 30, 30, 255]);
    const hipAt = front.slice(0, 81 * 3);
    const gathered = new BodyAppearance(device, hip);
    let passedOver: number[];
    try {
      for (const data of [blue, passing, blue, blue]) gathered.addView({ data, width: size, height: size }, { positions: hipAt, normals: normals.subarray(0, 81 * 3) }, k, 1);
      await gathered.finish();
      passedOver = (await renderAt(hipAt, [], gathered))(20, size / 2);
    } finally {
      gathered.dispose();
    }
    return { hiddenHip, seenHip, hand, faded, passedOver };
  } finally {
    appearance.dispose();
    target.destroy();
    depth.destroy();
    readback.destroy();
  }
}
