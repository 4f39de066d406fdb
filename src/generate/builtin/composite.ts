/**
 * The last step of a builtin frame, on the GPU: the rendered body over the background plate with
 * a soft edge (its coverage averaged over 3x3 pixels). The edge takes the colour of the body pixels
 * around it: the target is cleared to black, so an edge pixel's own colour would draw a dark
 * outline. The one readback per frame is the finished frame, for the encoder.
 */
const SHADER = /* wgsl */ `
@group(0) @binding(0) var plate: texture_2d<f32>;
@group(0) @binding(1) var body: texture_2d<f32>;
@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4f {
  let xy = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  return vec4f(xy * 2.0 - 1.0, 0.0, 1.0);
}
@fragment fn fs(@builtin(position) pos: vec4f) -> @location(0) vec4f {
  let size = vec2i(textureDimensions(body));
  let p = vec2i(pos.xy);
  var sum = vec4f(0.0);
  var n = 0.0;
  for (var dy = -1; dy <= 1; dy++) {
    for (var dx = -1; dx <= 1; dx++) {
      let q = p + vec2i(dx, dy);
      if (q.x < 0 || q.y < 0 || q.x >= size.x || q.y >= size.y) { continue; }
      let c = textureLoad(body, q, 0);
      sum += vec4f(c.rgb * c.a, c.a);
      n += 1.0;
    }
  }
  let under = textureLoad(plate, p, 0).rgb;
  if (sum.a <= 0.0) { return vec4f(under, 1.0); }
  let over = sum.rgb / sum.a;
  return vec4f(mix(under, over, sum.a / n), 1.0);
}
`;

export class GpuCompositor {
  private readonly pipeline: GPURenderPipeline;
  private readonly plate: GPUTexture;
  private readonly out: GPUTexture;
  private readonly readback: GPUBuffer;
  private readonly bytesPerRow: number;

  constructor(
    private readonly device: GPUDevice,
    readonly width: number,
    readonly height: number,
  ) {
    const module = device.createShaderModule({ code: SHADER });
    this.pipeline = device.createRenderPipeline({
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format: 'rgba8unorm' }] },
      primitive: { topology: 'triangle-list' },
    });
    this.plate = device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    this.out = device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
    this.bytesPerRow = Math.ceil((width * 4) / 256) * 256;
    this.readback = device.createBuffer({ size: this.bytesPerRow * height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  }

  /** `body` (rgba8unorm, alpha = coverage) over `plate` (RGBA, width x height); returns the frame's RGBA. */
  async composite(plate: Uint8ClampedArray, body: GPUTexture): Promise<Uint8ClampedArray> {
    const { device, width, height, bytesPerRow } = this;
    device.queue.writeTexture({ texture: this.plate }, plate, { bytesPerRow: width * 4 }, [width, height]);
    const bind = device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: this.plate.createView() },
        { binding: 1, resource: body.createView() },
      ],
    });
    const e = device.createCommandEncoder();
    const pass = e.beginRenderPass({ colorAttachments: [{ view: this.out.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }] });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bind);
    pass.draw(3);
    pass.end();
    e.copyTextureToBuffer({ texture: this.out }, { buffer: this.readback, bytesPerRow }, [width, height]);
    device.queue.submit([e.finish()]);
    await this.readback.mapAsync(GPUMapMode.READ);
    const rows = new Uint8Array(this.readback.getMappedRange());
    const frame = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++) frame.set(rows.subarray(y * bytesPerRow, y * bytesPerRow + width * 4), y * width * 4);
    this.readback.unmap();
    return frame;
  }

  dispose(): void {
    this.plate.destroy();
    this.out.destroy();
    this.readback.destroy();
  }
}
