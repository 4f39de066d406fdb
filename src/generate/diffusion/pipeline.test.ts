/**
 * The MimicMotion pipeline end to end on a generated proxy pack with onnxruntime-web (wasm) in
 * Node: more frames than one chunk, both fusion modes, refine mode, fp16 I/O with external data,
 * reproducibility, cancellation; plus the stage logic against instrumented fake parts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelRunner, RgbaImage } from '../../pose';
import { makeProxyPack, nodeOrt, nodePackFiles, removeTemps } from './node-testing';
import { createPackRunners, type PackRunners } from './ort-runner';
import { loadPack, type PackManifest } from './pack';
import { MimicMotionPipeline, settingsFromPack, type MimicMotionInputs, type MimicMotionParts, type MimicMotionSettings } from './pipeline';
import { EulerDiscreteSampler } from './samplers/euler-discrete';
import type { DenoiseLayout, LatentDenoiser, UnetConditioning } from './latent-denoiser';

const W = 64;
const H = 64;

/** A deterministic RGBA test image: gradient + a bright square that moves with `t`. */
function image(t: number, hue: number): RgbaImage {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 4;
      const inBox = Math.abs(x - 16 - 3 * t) < 6 && Math.abs(y - 32) < 10;
      data[o] = inBox ? 250 : (x * 4 + hue) & 255;
      data[o + 1] = inBox ? 250 : y * 4;
      data[o + 2] = (hue * 3) & 255;
      data[o + 3] = 255;
    }
  }
  return { data, width: W, height: H };
}

function inputs(frameCount: number, extra: Partial<MimicMotionInputs> = {}): MimicMotionInputs {
  return {
    frameCount,
    width: W,
    height: H,
    referenceFrame: (i) => image(0, 20 + i),
    poseMap: (i) => image(i, 200),
    referencePoseMap: () => image(0, 200),
    ...extra,
  };
}

function partsOf(r: PackRunners, manifest: PackManifest): MimicMotionParts {
  return {
    imageEncoder: r.runners.image_encoder,
    vaeEncoder: r.runners.vae_encoder,
    poseNet: r.runners.pose_net,
    unet: r.runners.unet,
    vaeDecoder: r.runners.vae_decoder,
    sampler: EulerDiscreteSampler.fromConfig(manifest.sampling.scheduler),
  };
}

async function generate(parts: MimicMotionParts, inp: MimicMotionInputs, settings: MimicMotionSettings) {
  const frames: Float32Array[] = [];
  const events: Array<[number, number, boolean]> = [];
  const stats = await new MimicMotionPipeline(parts).run(inp, settings, {
    onFrame: (i, rgb) => void (frames[i] = rgb),
    onStepEnd: (step, chunk, state) => void events.push([step, chunk, state.predOriginal !== null]),
  });
  return { frames, events, stats };
}

function expectValidFrames(frames: Float32Array[], count: number) {
  expect(frames).toHaveLength(count);
  for (const f of frames) {
    expect(f.length).toBe(3 * W * H);
    for (const v of f) if (!(v >= 0 && v <= 1)) throw new Error(`frame value ${v} is not in [0, 1]`);
  }
  // Not constant: the proxy decoder produces structure.
  const f0 = frames[0]!;
  expect(Math.max(...f0) - Math.min(...f0)).toBeGreaterThan(0.01);
}

const same = (a: Float32Array[], b: Float32Array[]) => a.length === b.length && a.every((f, i) => f.every((v, j) => v === b[i]![j]));

describe('MimicMotion pipeline on a proxy pack (onnxruntime-web wasm)', () => {
  let runners: PackRunners;
  let manifest: PackManifest;
  let parts: MimicMotionParts;

  beforeAll(async () => {
    const dir = makeProxyPack({ width: W, height: H, frames: 4, overlap: 1 });
    const files = nodePackFiles(dir);
    manifest = (await loadPack(files)).manifest;
    runners = await createPackRunners(nodeOrt(), manifest, files);
    parts = partsOf(runners, manifest);
  });
  afterAll(async () => {
    await runners?.release();
    removeTemps();
  });

  it('10 frames, chunk 4 overlap 1, paper fusion: right count, size, finite in [0,1]; same seed → same output', async () => {
    const settings = settingsFromPack(manifest, { fusion: 'paper', steps: 6, seed: 7, tileSize: 4, tileOverlap: 1 });
    const a = await generate(parts, inputs(10), settings);
    expectValidFrames(a.frames, 10);
    // Paper plan for 10 frames: [0-3], [3-6], [6-9] → 3 chunks × 6 steps × 2 passes.
    expect(a.stats.chunks).toBe(3);
    expect(a.stats.unetCalls).toBe(36);
    expect(a.stats.poseNetCalls).toBe(3); // cached across steps
    expect(a.stats.vaeEncoderCalls).toBe(10); // per-frame reference latents
    expect(a.stats.imageEncoderCalls).toBe(3); // one CLIP embedding per chunk (its middle frame)
    expect(a.stats.decoderCalls).toBe(3); // decode chunks of 4: 4 + 4 + 2
    expect(a.events).toHaveLength(18);
    expect(a.events.slice(0, 3)).toEqual([
      [0, 0, false],
      [0, 1, false],
      [0, 2, true],
    ]);
    const b = await generate(parts, inputs(10), settings);
    expect(same(a.frames, b.frames)).toBe(true);
    const c = await generate(parts, inputs(10), { ...settings, seed: 8 });
    expect(same(a.frames, c.frames)).toBe(false);
    console.log(`[pipeline] proxy UNet: ${(a.stats.unetMs / a.stats.unetCalls).toFixed(2)} ms per call (F=4, 8×8 latents, wasm, 1 thread); run ${a.stats.totalMs.toFixed(0)} ms`);
  });

  it('repository fusion (anchor frame 0 in every window), first-frame reference, PoseNet recomputed per step', async () => {
    const settings = settingsFromPack(manifest, { fusion: 'repository', steps: 4, seed: 3, tileSize: 4, tileOverlap: 2, reference: 'first', poseLatentCacheBytes: 0 });
    const r = await generate(parts, inputs(10), settings);
    expectValidFrames(r.frames, 10);
    // 11 slots (anchor + 10); windows [0,1,2,3], [0,3,4,5], [0,5,6,7], [0,7,8,9], [0,8,9,10].
    expect(r.stats.chunks).toBe(5);
    expect(r.stats.unetCalls).toBe(4 * 5 * 2);
    expect(r.stats.poseNetCalls).toBe(4 * 5);
    expect(r.stats.vaeEncoderCalls).toBe(1);
    expect(r.stats.imageEncoderCalls).toBe(1);
    // Same result with the PoseNet cache on.
    const cached = await generate(parts, inputs(10), { ...settings, poseLatentCacheBytes: 1 << 30 });
    expect(cached.stats.poseNetCalls).toBe(5);
    expect(same(r.frames, cached.frames)).toBe(true);
  });

  it('refine mode starts from noised init frames at the step the strength selects', async () => {
    const init = (i: number) => image(i, 90);
    const settings = settingsFromPack(manifest, { fusion: 'paper', steps: 10, seed: 1, strength: 0.3 });
    const r = await generate(parts, inputs(6, { initFrame: init }), settings);
    expectValidFrames(r.frames, 6);
    expect(r.stats.startStep).toBe(7);
    expect(r.stats.unetCalls).toBe(3 * 2 * 2); // 3 steps × 2 chunks × cond/uncond
    expect(r.stats.vaeEncoderCalls).toBe(6 + 6); // references + init frames
    expect(r.events[0]![0]).toBe(7);
    // Strength 0: no denoising, output = decode(encode(init)).
    const none = await generate(parts, inputs(6, { initFrame: init }), { ...settings, strength: 0 });
    expect(none.stats.unetCalls).toBe(0);
    expectValidFrames(none.frames, 6);
    expect(same(none.frames, r.frames)).toBe(false);
  });

  it('guidance 1 skips the unconditional pass; a ramp changes the result', async () => {
    const base = settingsFromPack(manifest, { fusion: 'paper', steps: 3, seed: 2 });
    const one = await generate(parts, inputs(5), { ...base, guidance: 1 });
    expect(one.stats.unetCalls).toBe(3 * 2); // 2 chunks × 3 steps, no uncond
    const ramp = await generate(parts, inputs(5), { ...base, guidance: { min: 1, max: 3 } });
    expect(ramp.stats.unetCalls).toBe(3 * 2 * 2);
    expect(same(one.frames, ramp.frames)).toBe(false);
  });

  it('cancels with an AbortSignal between model calls', async () => {
    const controller = new AbortController();
    const settings = settingsFromPack(manifest, { fusion: 'paper', steps: 6, seed: 1 });
    const run = new MimicMotionPipeline(parts).run(inputs(10), settings, {
      signal: controller.signal,
      onFrame: () => undefined,
      onStepEnd: (step) => {
        if (step === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses inputs of the wrong size', async () => {
    const settings = settingsFromPack(manifest, { steps: 2 });
    const bad = inputs(3, { referenceFrame: () => ({ data: new Uint8ClampedArray(32 * 32 * 4), width: 32, height: 32 }) });
    await expect(new MimicMotionPipeline(parts).run(bad, settings, { onFrame: () => undefined })).rejects.toThrow(/is 32×32; the output is 64×64/);
  });
});

describe('pipeline with fp16 I/O and external data', () => {
  afterAll(removeTemps);
  it('runs and gives the same shapes', async () => {
    const dir = makeProxyPack({ width: 48, height: 32, fp16: true, externalData: ['unet'], frames: 3, overlap: 1 });
    const files = nodePackFiles(dir);
    const { manifest } = await loadPack(files);
    const r = await createPackRunners(nodeOrt(), manifest, files);
    try {
      const frames: Float32Array[] = [];
      const inp: MimicMotionInputs = {
        frameCount: 4,
        width: 48,
        height: 32,
        referenceFrame: () => ({ data: new Uint8ClampedArray(48 * 32 * 4).fill(120), width: 48, height: 32 }),
        poseMap: (i) => ({ data: new Uint8ClampedArray(48 * 32 * 4).fill(i * 40), width: 48, height: 32 }),
      };
      await new MimicMotionPipeline(partsOf(r, manifest)).run(inp, settingsFromPack(manifest, { steps: 3 }), { onFrame: (i, f) => void (frames[i] = f) });
      expect(frames).toHaveLength(4);
      for (const f of frames) {
        expect(f.length).toBe(3 * 48 * 32);
        expect(f.every((v) => v >= 0 && v <= 1)).toBe(true);
      }
    } finally {
      await r.release();
    }
  });
});

describe('pipeline stages against fake parts', () => {
  /** Parts that record their feeds; the UNet returns v = 0 so the math is predictable. */
  function fakes() {
    const calls: Record<string, Array<Record<string, { data: Float32Array; dims: number[] }>>> = { img: [], vae: [], pose: [], unet: [], dec: [] };
    const rec =
      (key: string, out: (feeds: Record<string, { data: Float32Array; dims: number[] }>) => Record<string, Float32Array>): ModelRunner =>
      async (feeds) => {
        calls[key]!.push(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { data: v.data.slice(), dims: [...v.dims] }])));
        return out(feeds);
      };
    const parts: MimicMotionParts = {
      imageEncoder: rec('img', () => ({ image_embeds: new Float32Array(1024).fill(0.5) })),
      vaeEncoder: rec('vae', (f) => ({ latent: new Float32Array((f.image!.dims[2]! / 8) * (f.image!.dims[3]! / 8) * 4).fill(f.image!.data[0]!) })),
      poseNet: rec('pose', (f) => ({ pose_latents: new Float32Array(f.pose_maps!.dims[0]! * 320 * 4).fill(1) })),
      unet: rec('unet', (f) => ({ out_sample: new Float32Array(f.sample!.data.length / 2) })),
      vaeDecoder: rec('dec', (f) => ({ frames: new Float32Array(f.latents!.dims[0]! * 3 * 16 * 16) })),
      sampler: new EulerDiscreteSampler(),
    };
    return { parts, calls };
  }
  const inp = (n: number): MimicMotionInputs => ({
    frameCount: n,
    width: 16,
    height: 16,
    referenceFrame: (i) => ({ data: new Uint8ClampedArray(16 * 16 * 4).fill(10 * i), width: 16, height: 16 }),
    poseMap: () => ({ data: new Uint8ClampedArray(16 * 16 * 4), width: 16, height: 16 }),
  });
  const settings: MimicMotionSettings = {
    steps: 2,
    guidance: 2,
    fps: 7,
    motionBucketId: 127,
    noiseAugStrength: 0,
    tileSize: 3,
    tileOverlap: 1,
    fusion: 'paper',
    decodeChunk: 2,
    latentScaling: 0.18215,
    seed: 5,
    noise: 'tile',
    reference: 'per-frame',
    strength: 1,
    poseLatentCacheBytes: 1 << 30,
  };

  it('feeds the UNet per the contract: cond with reference latent and pose, uncond with zeros', async () => {
    const { parts, calls } = fakes();
    await new MimicMotionPipeline(parts).run(inp(5), settings, { onFrame: () => undefined });
    const [cond, uncond] = calls.unet as [Record<string, { data: Float32Array; dims: number[] }>, Record<string, { data: Float32Array; dims: number[] }>];
    expect(cond.sample!.dims).toEqual([1, 3, 8, 2, 2]);
    expect(cond.timestep!.data[0]).toBeCloseTo(0.25 * Math.log(700), 5);
    expect(Array.from(cond.added_time_ids!.data)).toEqual([6, 127, 0]);
    expect(cond.encoder_hidden_states!.dims).toEqual([1, 1, 1024]);
    expect(cond.pose_latents!.dims).toEqual([3, 320, 2, 2]);
    // Frame k of the sample: 16 scaled noise values, then 16 reference-latent values = the fake
    // encoder's first pixel value (10k/127.5 - 1 for reference frame k).
    for (let k = 0; k < 3; k++) {
      const ref = cond.sample!.data.subarray(k * 32 + 16, k * 32 + 32);
      expect(ref[0]).toBeCloseTo((10 * k) / 127.5 - 1, 5);
      const noise = cond.sample!.data.subarray(k * 32, k * 32 + 16);
      // c_in · σ_init · n ≈ n (unit variance): not all zero, modest size.
      expect(Math.max(...noise.map(Math.abs))).toBeLessThan(6);
    }
    expect(uncond.encoder_hidden_states!.data.every((v) => v === 0)).toBe(true);
    expect(uncond.pose_latents!.data.every((v) => v === 0)).toBe(true);
    for (let k = 0; k < 3; k++) expect(uncond.sample!.data.subarray(k * 32 + 16, k * 32 + 32).every((v) => v === 0)).toBe(true);
    expect(Array.from(uncond.sample!.data.subarray(0, 16))).toEqual(Array.from(cond.sample!.data.subarray(0, 16)));
    // Decoder: latents divided by the scaling factor, num_frames = chunk length.
    expect(calls.dec!.map((c) => c.num_frames!.data[0])).toEqual([2, 2, 1]);
    expect(calls.dec![2]!.latents!.dims).toEqual([1, 4, 2, 2]);
  });

  it("'tile' noise repeats along time; 'frame' noise does not", async () => {
    const first = async (noise: 'tile' | 'frame') => {
      const { parts, calls } = fakes();
      await new MimicMotionPipeline(parts).run(inp(7), { ...settings, noise }, { onFrame: () => undefined });
      // Chunk 1 (frames 2..4) of step 0; frame 3 = tile slot 0 when tile size is 3.
      const c0 = calls.unet![0]!.sample!.data;
      const c1 = calls.unet![2]!.sample!.data;
      return { f0: Array.from(c0.subarray(0, 16)), f3: Array.from(c1.subarray(32, 48)) };
    };
    const tile = await first('tile');
    expect(tile.f3).toEqual(tile.f0);
    const frame = await first('frame');
    expect(frame.f3).not.toEqual(frame.f0);
  });

  it('with v ≡ 0 the latents follow the closed-form Euler product', async () => {
    const { parts, calls } = fakes();
    const latents: Float32Array[] = [];
    await new MimicMotionPipeline(parts).run(inp(3), { ...settings, steps: 3 }, {
      onFrame: () => undefined,
      onStepEnd: (_s, _c, st) => void (st.predOriginal && latents.push(st.latents!.slice())),
    });
    const s = new EulerDiscreteSampler().setTimesteps(3);
    let k = s.initNoiseSigma;
    for (let i = 0; i < 3; i++) {
      const sg = s.sigmas[i]!;
      k *= 1 + (sg / (sg * sg + 1)) * (s.sigmas[i + 1]! - sg);
    }
    // First UNet input / c_in(σ0) = initial latent = σ_init · n.
    const c0 = 1 / Math.sqrt(700 * 700 + 1);
    const n0 = calls.unet![0]!.sample!.data[0]! / c0 / s.initNoiseSigma;
    expect(latents[2]![0]).toBeCloseTo(n0 * k, 4);
    expect(calls.dec![0]!.latents!.data[0]).toBeCloseTo((n0 * k) / 0.18215, 3);
  });
});

/**
 * The device loop's contract (`LatentDenoiser`) implemented over Float32Arrays with the same
 * runners: the pipeline's device path (stepAffine, c_in, per-chunk frames and weights, one
 * readback) must give what its CPU loop gives. The WebGPU implementation is checked against wasm
 * in the browser (e2e/diffusion.spec.ts).
 */
class ArrayDenoiser implements LatentDenoiser {
  readonly counters = { readbacks: 0, unetCalls: 0, poseNetCalls: 0 };
  private l!: DenoiseLayout;
  private latents!: Float32Array;
  private fused!: Float32Array;
  private poses: Array<Float32Array | null> = [];
  constructor(private readonly parts: MimicMotionParts) {}
  async begin(layout: DenoiseLayout) {
    this.l = layout;
    this.latents = layout.latents.slice();
    this.fused = new Float32Array(layout.latents.length);
    this.poses = layout.plan.segments.map(() => null);
  }
  hasPose(c: number) {
    return this.poses[c] != null;
  }
  async pose(c: number, maps: { data: Float32Array; dims: number[] }) {
    this.poses[c] = (await this.parts.poseNet({ pose_maps: maps })).pose_latents!;
    this.counters.poseNetCalls++;
  }
  async chunk(c: number, cIn: number, cond: UnetConditioning) {
    const { h, w, plan } = this.l;
    const seg = plan.segments[c]!;
    const F = seg.frames.length;
    const size = 4 * h * w;
    const sample = (withRef: boolean) => {
      const out = new Float32Array(F * 2 * size);
      seg.frames.forEach((f, k) => {
        for (let i = 0; i < size; i++) out[2 * k * size + i] = this.latents[f * size + i]! * cIn;
        if (withRef) out.set(this.l.slotReference.subarray(f * size, (f + 1) * size), (2 * k + 1) * size);
      });
      return { data: out, dims: [1, F, 8, h, w] };
    };
    const run = async (withRef: boolean, embed: { data: Float32Array; dims: number[] }, pose: Float32Array) =>
      (await this.parts.unet({ sample: sample(withRef), timestep: cond.timestep, encoder_hidden_states: embed, added_time_ids: cond.addedTimeIds, pose_latents: { data: pose, dims: [F, 320, h, w] } })).out_sample!;
    const c1 = await run(true, cond.embed, this.poses[c]!);
    const u = this.l.cfg ? await run(false, { data: new Float32Array(1024), dims: [1, 1, 1024] }, new Float32Array(F * 320 * h * w)) : null;
    seg.frames.forEach((f, k) => {
      const s = this.l.scales[f]!;
      for (let i = 0; i < size; i++) {
        const cv = c1[k * size + i]!;
        const m = u ? u[k * size + i]! + s * (cv - u[k * size + i]!) : cv;
        this.fused[f * size + i]! += seg.weights[k]! * m;
      }
    });
    if (!this.l.cachePose) this.poses[c] = null;
    return u ? 2 : 1;
  }
  step(a: number, b: number) {
    for (let i = 0; i < this.latents.length; i++) {
      this.latents[i] = a * this.latents[i]! + b * this.fused[i]!;
      this.fused[i] = 0;
    }
  }
  async finish() {}
  async readLatents() {
    this.counters.readbacks++;
    return this.latents.slice();
  }
  end() {}
}

describe('the device loop contract', () => {
  afterAll(removeTemps);
  it('gives the CPU loop frames on a proxy pack (both fusions, refine, no CFG) with one readback', async () => {
    const dir = makeProxyPack({ width: W, height: H, frames: 4, overlap: 1 });
    const files = nodePackFiles(dir);
    const { manifest } = await loadPack(files, { checkHashes: false });
    const r = await createPackRunners(nodeOrt(), manifest, files);
    try {
      const cases: Array<[Partial<MimicMotionSettings>, MimicMotionInputs]> = [
        [{ fusion: 'paper', steps: 3, seed: 4 }, inputs(7)],
        [{ fusion: 'repository', steps: 3, seed: 5, poseLatentCacheBytes: 0 }, inputs(6)],
        [{ fusion: 'paper', steps: 6, seed: 6, strength: 0.5 }, inputs(5, { initFrame: (i) => image(i, 90) })],
        [{ fusion: 'paper', steps: 2, seed: 7, guidance: 1 }, inputs(5)],
      ];
      for (const [over, inp] of cases) {
        const settings = settingsFromPack(manifest, over);
        const cpu = await generate(partsOf(r, manifest), inp, settings);
        const denoiser = new ArrayDenoiser(partsOf(r, manifest));
        const dev = await generate({ ...partsOf(r, manifest), denoiser }, inp, settings);
        expect(dev.stats.denoiseOn).toBe('device');
        expect(dev.stats.unetCalls).toBe(cpu.stats.unetCalls);
        expect(dev.stats.poseNetCalls).toBe(cpu.stats.poseNetCalls);
        expect(dev.stats.startStep).toBe(cpu.stats.startStep);
        expect(denoiser.counters.readbacks).toBe(1);
        let diff = 0;
        cpu.frames.forEach((f, i) => f.forEach((v, j) => (diff = Math.max(diff, Math.abs(v - dev.frames[i]![j]!)))));
        expect(diff).toBeLessThan(1e-5);
      }
    } finally {
      await r.release();
    }
  });
});
