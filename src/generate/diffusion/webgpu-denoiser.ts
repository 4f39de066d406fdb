/**
 * The denoising loop on the WebGPU device that onnxruntime-web uses (`ort.env.webgpu.device`):
 * the latents, the fused model output and the PoseNet latents live in GPU buffers for the whole
 * loop. The UNet (session created with `preferredOutputLocation: 'gpu-buffer'`) reads its sample
 * from a buffer built by a WGSL kernel (`Tensor.fromGpuBuffer`) and leaves its output in a GPU
 * buffer; two more kernels combine the CFG passes with the fusion weights and apply the Euler step
 * (x ← a·x + b·m, see `EulerDiscreteSampler.stepAffine`). Nothing is read back until
 * `readLatents` at the end of the loop.
 *
 * UNet inputs and outputs may be float32 or float16; float16 data is packed two per u32 and
 * converted with `pack2x16float` / `unpack2x16float`, which need no `shader-f16`. The latents and
 * the fused output are float32. Kernels work on pairs of values: a latent frame (4·h·w values) is
 * always an even count.
 */
import type * as Ort from 'onnxruntime-web';
import type { TensorData } from '../../pose';
import type { DenoiseLayout, DenoiserCounters, LatentDenoiser, UnetConditioning } from './latent-denoiser';
import type { ModelSpec } from './pack';
import { toTensor, type OrtModule } from './ort-runner';

type IoType = 'float32' | 'float16';
const WG = 64;
const POSE_CHANNELS = 320;

/** WGSL for a storage array of UNet I/O values read and written as pairs (vec2<f32>). */
function ioArray(name: string, binding: number, type: IoType, access: 'read' | 'read_write'): string {
  const load =
    type === 'float16'
      ? `fn load_${name}(i: u32) -> vec2<f32> { return unpack2x16float(${name}[i]); }`
      : `fn load_${name}(i: u32) -> vec2<f32> { return vec2<f32>(${name}[2u * i], ${name}[2u * i + 1u]); }`;
  const store =
    access === 'read'
      ? ''
      : type === 'float16'
        ? `fn store_${name}(i: u32, v: vec2<f32>) { ${name}[i] = pack2x16float(v); }`
        : `fn store_${name}(i: u32, v: vec2<f32>) { ${name}[2u * i] = v.x; ${name}[2u * i + 1u] = v.y; }`;
  return `@group(0) @binding(${binding}) var<storage, ${access}> ${name}: array<${type === 'float16' ? 'u32' : 'f32'}>;\n${load}\n${store}`;
}

/** sample[k] = (latents[frame_k]·c_in, reference[frame_k] or 0), as [F, 8, h, w]. */
const sampleKernel = (io: IoType) => /* wgsl */ `
struct P { pairs: u32, half: u32, offset: u32, withRef: u32, cIn: f32, stride: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> latents: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> refs: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> frames: array<u32>;
${ioArray('sample', 4, io, 'read_write')}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let q = g.x + g.y * p.stride;
  if (q >= p.pairs) { return; }
  let k = q / (2u * p.half);
  let r = q % (2u * p.half);
  let f = frames[p.offset + k];
  var v = vec2<f32>(0.0, 0.0);
  if (r < p.half) { v = latents[f * p.half + r] * p.cIn; }
  else if (p.withRef != 0u) { v = refs[f * p.half + r - p.half]; }
  store_sample(q, v);
}`;

/** fused[frame_k] += weight_k · (u + s_frame · (c − u)) (u = c without the unconditional pass). */
const accumulateKernel = (io: IoType) => /* wgsl */ `
struct P { pairs: u32, half: u32, offset: u32, hasUncond: u32, stride: u32 };
@group(0) @binding(0) var<uniform> p: P;
${ioArray('cond', 1, io, 'read')}
${ioArray('uncond', 2, io, 'read')}
@group(0) @binding(3) var<storage, read> frames: array<u32>;
@group(0) @binding(4) var<storage, read> weights: array<f32>;
@group(0) @binding(5) var<storage, read> scales: array<f32>;
@group(0) @binding(6) var<storage, read_write> fused: array<vec2<f32>>;
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let q = g.x + g.y * p.stride;
  if (q >= p.pairs) { return; }
  let k = q / p.half;
  let f = frames[p.offset + k];
  let c = load_cond(q);
  var m = c;
  if (p.hasUncond != 0u) {
    let u = load_uncond(q);
    m = u + scales[f] * (c - u);
  }
  let o = f * p.half + q % p.half;
  fused[o] = fused[o] + weights[p.offset + k] * m;
}`;

/** latents = a·latents + b·fused; fused = 0. */
const stepKernel = /* wgsl */ `
struct P { pairs: u32, stride: u32, a: f32, b: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> latents: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> fused: array<vec2<f32>>;
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let q = g.x + g.y * p.stride;
  if (q >= p.pairs) { return; }
  latents[q] = p.a * latents[q] + p.b * fused[q];
  fused[q] = vec2<f32>(0.0, 0.0);
}`;

const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** Sessions and specs the denoiser runs. */
export interface WebGpuDenoiserOptions {
  ort: OrtModule;
  device: GPUDevice;
  /** Created with executionProviders ['webgpu'] and preferredOutputLocation 'gpu-buffer'. */
  unet: Ort.InferenceSession;
  unetSpec: ModelSpec;
  poseNet: Ort.InferenceSession;
  poseNetSpec: ModelSpec;
  /** Serialises session runs with the app's other onnxruntime-web work. */
  queue?: <T>(job: () => Promise<T>) => Promise<T>;
}

interface RunBuffers {
  layout: DenoiseLayout;
  half: number;
  latents: GPUBuffer;
  fused: GPUBuffer;
  refs: GPUBuffer;
  frames: GPUBuffer;
  weights: GPUBuffer;
  scales: GPUBuffer;
  /** Offset of each chunk in `frames` / `weights`. */
  offsets: number[];
  /** Sample buffer [F, 8, h, w] per chunk length F (UNet input dtype). */
  samples: Map<number, GPUBuffer>;
  /** Zero pose latents [F, 320, h, w] per chunk length (the unconditional pass). */
  zeroPose: Map<number, GPUBuffer>;
  /** Device-resident PoseNet output per chunk. */
  pose: Array<Ort.Tensor | null>;
}

function ioType(spec: ModelSpec, name: string, inputs = true): IoType {
  const t = (inputs ? spec.inputs : spec.outputs).find((x) => x.name === name)?.dtype;
  if (t !== 'float32' && t !== 'float16') throw new RangeError(`${spec.file}: "${name}" must be float32 or float16 to stay on the GPU; pack.json says ${t}.`);
  return t;
}

/** The denoising loop on WebGPU (see the module comment). */
export class WebGpuDenoiser implements LatentDenoiser {
  readonly counters: DenoiserCounters = { readbacks: 0, unetCalls: 0, poseNetCalls: 0 };
  private readonly sampleIo: IoType;
  private readonly outIo: IoType;
  private readonly poseIo: IoType;
  private readonly pipelines: { sample: GPUComputePipeline; accumulate: GPUComputePipeline; step: GPUComputePipeline };
  private readonly uniform: { sample: GPUBuffer; accumulate: GPUBuffer; step: GPUBuffer };
  private run: RunBuffers | null = null;
  /** Bytes of the buffers this denoiser holds now. */
  bytes = 0;

  constructor(private readonly o: WebGpuDenoiserOptions) {
    this.sampleIo = ioType(o.unetSpec, 'sample');
    this.outIo = ioType(o.unetSpec, 'out_sample', false);
    this.poseIo = ioType(o.unetSpec, 'pose_latents');
    const poseOut = ioType(o.poseNetSpec, 'pose_latents', false);
    if (poseOut !== this.poseIo) throw new RangeError(`PoseNet returns ${poseOut} pose latents but the UNet takes ${this.poseIo}; the GPU loop needs them equal.`);
    const make = (code: string, label: string) =>
      o.device.createComputePipeline({ label, layout: 'auto', compute: { module: o.device.createShaderModule({ label, code }), entryPoint: 'main' } });
    this.pipelines = {
      sample: make(sampleKernel(this.sampleIo), 'denoise-sample'),
      accumulate: make(accumulateKernel(this.outIo), 'denoise-accumulate'),
      step: make(stepKernel, 'denoise-step'),
    };
    const u = () => o.device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.uniform = { sample: u(), accumulate: u(), step: u() };
  }

  private buffer(size: number, label: string, data?: ArrayBufferView): GPUBuffer {
    const b = this.o.device.createBuffer({ label, size: Math.max(16, Math.ceil(size / 4) * 4), usage: STORAGE() });
    this.bytes += b.size;
    if (data) this.o.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    return b;
  }

  private free(b: GPUBuffer): void {
    this.bytes -= b.size;
    b.destroy();
  }

  private get r(): RunBuffers {
    if (!this.run) throw new Error('WebGpuDenoiser: call begin() first.');
    return this.run;
  }

  async begin(layout: DenoiseLayout): Promise<void> {
    this.end();
    const frameSize = 4 * layout.h * layout.w;
    const frames: number[] = [];
    const weights: number[] = [];
    const offsets: number[] = [];
    for (const seg of layout.plan.segments) {
      offsets.push(frames.length);
      frames.push(...seg.frames);
      weights.push(...seg.weights);
    }
    const fused = this.buffer(layout.slots * frameSize * 4, 'denoise-fused');
    this.run = {
      layout,
      half: frameSize / 2,
      latents: this.buffer(layout.latents.byteLength, 'denoise-latents', layout.latents),
      fused,
      refs: this.buffer(layout.slotReference.byteLength, 'denoise-refs', layout.slotReference),
      frames: this.buffer(frames.length * 4, 'denoise-frames', Uint32Array.from(frames)),
      weights: this.buffer(weights.length * 4, 'denoise-weights', Float32Array.from(weights)),
      scales: this.buffer(layout.scales.byteLength, 'denoise-scales', layout.scales),
      offsets,
      samples: new Map(),
      zeroPose: new Map(),
      pose: layout.plan.segments.map(() => null),
    };
  }

  hasPose(c: number): boolean {
    return this.r.pose[c] != null;
  }

  async pose(c: number, maps: TensorData): Promise<void> {
    const { ort, poseNet, poseNetSpec } = this.o;
    const run = this.r;
    const feeds = { pose_maps: toTensor(ort, poseNetSpec.inputs.find((i) => i.name === 'pose_maps')!.dtype, maps) };
    const out = await this.session(() => poseNet.run(feeds, ['pose_latents']));
    this.counters.poseNetCalls++;
    const t = out.pose_latents!;
    run.pose[c]?.dispose();
    run.pose[c] = t;
  }

  private session<T>(job: () => Promise<T>): Promise<T> {
    return this.o.queue ? this.o.queue(job) : job();
  }

  private dispatch(pipeline: GPUComputePipeline, uniform: GPUBuffer, params: ArrayBuffer, buffers: GPUBuffer[], pairs: number, stride: number): void {
    const { device } = this.o;
    device.queue.writeBuffer(uniform, 0, params);
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [uniform, ...buffers].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    const groups = Math.ceil(pairs / WG);
    pass.dispatchWorkgroups(Math.min(groups, stride / WG), Math.ceil(groups / (stride / WG)));
    pass.end();
    device.queue.submit([enc.finish()]);
  }

  /** Threads per row of the 2D dispatch grid (a multiple of the workgroup size). */
  private stride(pairs: number): number {
    return Math.min(Math.ceil(pairs / WG), this.o.device.limits.maxComputeWorkgroupsPerDimension) * WG;
  }

  private buildSample(c: number, F: number, cIn: number, withRef: boolean): GPUBuffer {
    const run = this.r;
    const bytesPer = this.sampleIo === 'float16' ? 2 : 4;
    let sample = run.samples.get(F);
    if (!sample) {
      sample = this.buffer(F * 8 * run.layout.h * run.layout.w * bytesPer, `denoise-sample-${F}`);
      run.samples.set(F, sample);
    }
    const pairs = F * 2 * run.half;
    const stride = this.stride(pairs);
    const p = new ArrayBuffer(24);
    new Uint32Array(p, 0, 4).set([pairs, run.half, run.offsets[c]!, withRef ? 1 : 0]);
    new Float32Array(p, 16, 1)[0] = cIn;
    new Uint32Array(p, 20, 1)[0] = stride;
    this.dispatch(this.pipelines.sample, this.uniform.sample, p, [run.latents, run.refs, run.frames, sample], pairs, stride);
    return sample;
  }

  private zeroPose(F: number): GPUBuffer {
    const run = this.r;
    let z = run.zeroPose.get(F);
    if (!z) {
      // New buffers are zero-initialised.
      z = this.buffer(F * POSE_CHANNELS * run.layout.h * run.layout.w * (this.poseIo === 'float16' ? 2 : 4), `denoise-zero-pose-${F}`);
      run.zeroPose.set(F, z);
    }
    return z;
  }

  async chunk(c: number, cIn: number, cond: UnetConditioning): Promise<number> {
    const { ort, unet, unetSpec } = this.o;
    const run = this.r;
    const { h, w } = run.layout;
    const seg = run.layout.plan.segments[c]!;
    const F = seg.frames.length;
    const pose = run.pose[c];
    if (!pose) throw new Error(`WebGpuDenoiser: chunk ${c} has no pose latents; call pose() first.`);
    const dtype = (name: string) => unetSpec.inputs.find((i) => i.name === name)!.dtype;
    const small = (name: string, t: TensorData) => toTensor(ort, dtype(name), t);
    const call = async (withRef: boolean, embed: TensorData, poseTensor: Ort.Tensor): Promise<Ort.Tensor> => {
      const sample = this.buildSample(c, F, cIn, withRef);
      const feeds: Record<string, Ort.Tensor> = {
        sample: ort.Tensor.fromGpuBuffer(sample, { dataType: this.sampleIo, dims: [1, F, 8, h, w] }),
        timestep: small('timestep', cond.timestep),
        encoder_hidden_states: small('encoder_hidden_states', embed),
        added_time_ids: small('added_time_ids', cond.addedTimeIds),
        pose_latents: poseTensor,
      };
      const out = await this.session(() => unet.run(feeds, ['out_sample']));
      this.counters.unetCalls++;
      const t = out.out_sample!;
      if (t.location !== 'gpu-buffer') throw new Error('The UNet session does not leave its output on the GPU (preferredOutputLocation).');
      return t;
    };
    const condOut = await call(true, cond.embed, pose);
    let uncondOut: Ort.Tensor | null = null;
    if (run.layout.cfg) {
      const zero = ort.Tensor.fromGpuBuffer(this.zeroPose(F), { dataType: this.poseIo, dims: [F, POSE_CHANNELS, h, w] });
      uncondOut = await call(false, { data: new Float32Array(1024), dims: [1, 1, 1024] }, zero);
    }
    const pairs = F * run.half;
    const stride = this.stride(pairs);
    const p = new ArrayBuffer(20);
    new Uint32Array(p).set([pairs, run.half, run.offsets[c]!, uncondOut ? 1 : 0, stride]);
    const condBuf = condOut.gpuBuffer as GPUBuffer;
    const uncondBuf = (uncondOut?.gpuBuffer as GPUBuffer | undefined) ?? condBuf;
    this.dispatch(this.pipelines.accumulate, this.uniform.accumulate, p, [condBuf, uncondBuf, run.frames, run.weights, run.scales, run.fused], pairs, stride);
    // The kernel is queued after the UNet's work and before any reuse of these buffers.
    condOut.dispose();
    uncondOut?.dispose();
    if (!run.layout.cachePose) {
      pose.dispose();
      run.pose[c] = null;
    }
    return uncondOut ? 2 : 1;
  }

  step(a: number, b: number): void {
    const run = this.r;
    const pairs = run.layout.slots * run.half;
    const stride = this.stride(pairs);
    const p = new ArrayBuffer(16);
    new Uint32Array(p, 0, 2).set([pairs, stride]);
    new Float32Array(p, 8, 2).set([a, b]);
    this.dispatch(this.pipelines.step, this.uniform.step, p, [run.latents, run.fused], pairs, stride);
  }

  finish(): Promise<void> {
    return this.o.device.queue.onSubmittedWorkDone();
  }

  async readLatents(): Promise<Float32Array> {
    const run = this.r;
    const { device } = this.o;
    const size = run.latents.size;
    const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(run.latents, 0, staging, 0, size);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    this.counters.readbacks++;
    const out = new Float32Array(staging.getMappedRange().slice(0)).subarray(0, run.layout.latents.length);
    staging.destroy();
    return out;
  }

  end(): void {
    const run = this.run;
    if (!run) return;
    this.run = null;
    for (const b of [run.latents, run.fused, run.refs, run.frames, run.weights, run.scales, ...run.samples.values(), ...run.zeroPose.values()]) this.free(b);
    for (const t of run.pose) t?.dispose();
  }

  /** Frees everything, the kernels' uniforms included. */
  dispose(): void {
    this.end();
    for (const b of Object.values(this.uniform)) b.destroy();
  }
}
