import { describe, expect, it } from 'vitest';
import { estimateMemory, fixedDims, formatBytes, planMemory } from './memory';
import { MIMICMOTION_CONTRACT, PACK_ROLES, parsePackManifest, type PackManifest } from './pack';

const GB = 1e9;
const MB = 1e6;

/** A MimicMotion-sized fp16 pack.json (sizes as REFERENCES.md reports them). */
function mimicMotionManifest(overrides: Record<string, unknown> = {}, fixed: Partial<Record<string, number>> = {}): PackManifest {
  const bytes = { image_encoder: 1.26 * GB, vae_encoder: 68 * MB, pose_net: 1.2 * MB, unet: 0.4 * MB, vae_decoder: 128 * MB };
  const models: Record<string, unknown> = {};
  for (const role of PACK_ROLES) {
    const c = MIMICMOTION_CONTRACT[role];
    const io = (list: typeof c.inputs) => list.map((t) => ({ name: t.name, dtype: t.dtypes.includes('float16') ? 'float16' : 'int64', shape: t.shape.map((d) => (typeof d === 'string' && fixed[d] ? fixed[d] : d)) }));
    models[role] = {
      file: `${role}.onnx`,
      bytes: Math.round(bytes[role]),
      sha256: '0'.repeat(64),
      inputs: io(c.inputs),
      outputs: io(c.outputs),
      ...(role === 'unet' ? { externalData: [{ file: 'unet.onnx.data', bytes: 3.05 * GB, sha256: '1'.repeat(64) }] } : {}),
    };
  }
  return parsePackManifest({
    format: 'motionpaste-pack',
    version: 1,
    name: 'MimicMotion 1.1 fp16',
    family: 'mimicmotion',
    fp16: true,
    latentScaling: 0.18215,
    sampling: { steps: 25, guidance: 2, tileSize: 16, tileOverlap: 6, decodeChunk: 8, width: 576, height: 1024 },
    models,
    ...overrides,
  });
}

const bigGpu = { maxBufferSize: 4 * 2 ** 30, maxStorageBufferBindingSize: 2 ** 31 - 4 };
const portrait = { width: 720, height: 1280 };

describe('memory planner', () => {
  it('estimates a MimicMotion setting from the pack sizes', () => {
    const est = estimateMemory(mimicMotionManifest(), { width: 576, height: 1024, tileSize: 16, decodeChunk: 4 });
    const p = 72 * 128;
    expect(est.unetWeightsBytes).toBeCloseTo(3.05 * GB + 1.6 * MB, -5);
    expect(est.denoiseBytes).toBeCloseTo(est.unetWeightsBytes + 16 * p * 16 * 1024 + 16 * p * 332 * 4, -3);
    expect(est.largestBufferBytes).toBe(16 * p * 2560 * 2);
    expect(est.largestBuffer).toBe('the widest UNet tensor for 16 frames');
    expect(est.decodeBytes).toBeCloseTo(128 * MB + 4 * 576 * 1024 * 1536, -3);
    // With 8 frames per decoder call, the decoder's widest tensor (8·H·W·128·2) is the largest buffer.
    const est8 = estimateMemory(mimicMotionManifest(), { width: 576, height: 1024, tileSize: 16, decodeChunk: 8 });
    expect(est8.largestBuffer).toBe('the widest VAE decoder tensor for 8 frames');
    expect(est8.largestBufferBytes).toBe(8 * 576 * 1024 * 128 * 2);
  });

  it('keeps the pack defaults on a large GPU', () => {
    const plan = planMemory({ manifest: mimicMotionManifest(), limits: bigGpu, budgetBytes: 20 * GB, aspect: portrait });
    expect(plan).toMatchObject({ ok: true, width: 576, height: 1024, tileSize: 16, decodeChunk: 8, notes: [] });
    const landscape = planMemory({ manifest: mimicMotionManifest(), limits: bigGpu, budgetBytes: 20 * GB, aspect: { width: 1920, height: 1080 } });
    expect(landscape).toMatchObject({ ok: true, width: 1024, height: 576 });
  });

  it('shrinks the decode chunk, then the resolution, to fit a smaller budget', () => {
    const plan = planMemory({ manifest: mimicMotionManifest(), limits: bigGpu, budgetBytes: 6 * GB, aspect: portrait });
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.width).toBe(576);
    expect(plan.decodeChunk).toBeLessThan(8);
    expect(plan.estimate.peakBytes).toBeLessThanOrEqual(6 * GB);
    expect(plan.notes.join(' ')).toMatch(/Decoding \d frames at a time/);
  });

  it('respects a small per-buffer limit', () => {
    const plan = planMemory({ manifest: mimicMotionManifest(), limits: { maxBufferSize: 256 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20 }, budgetBytes: 20 * GB, aspect: portrait });
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.tileSize).toBeGreaterThanOrEqual(8);
    expect(plan.width).toBeLessThan(576);
    expect(plan.estimate.largestBufferBytes).toBeLessThanOrEqual(128 * 2 ** 20);
    expect(plan.width % 64).toBe(0);
    expect(plan.height % 64).toBe(0);
  });

  it('says plainly when nothing can fit', () => {
    const weights = planMemory({ manifest: mimicMotionManifest(), limits: bigGpu, budgetBytes: 2 * GB, aspect: portrait });
    expect(weights.ok).toBe(false);
    if (!weights.ok) expect(weights.reason).toBe('The UNet and PoseNet weights alone need 3.1 GB, more than the GPU memory budget of 2.0 GB. Use a pack with 4-bit UNet weights or a GPU with more memory.');
    const fixed = planMemory({ manifest: mimicMotionManifest(), limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 128 * 2 ** 20 }, budgetBytes: 20 * GB, aspect: portrait, width: 576, height: 1024, tileSize: 16 });
    expect(fixed.ok).toBe(false);
    if (!fixed.ok) {
      expect(fixed.reason).toBe(
        'At 576×1024 with 16 frames per chunk, the widest UNet tensor for 16 frames needs 755 MB in one buffer, but this GPU allows 134 MB per buffer (maxStorageBufferBindingSize). Lower the resolution or the frames per chunk, or use a GPU with more memory.',
      );
    }
    const unfused = planMemory({ manifest: mimicMotionManifest({ memory: { attention: 'unfused', attentionHeads: 5 } }), limits: bigGpu, budgetBytes: 20 * GB, aspect: portrait, width: 576, height: 1024, tileSize: 16 });
    expect(unfused.ok).toBe(false);
    if (!unfused.ok) expect(unfused.reason).toMatch(/the UNet attention scores for 16 frames needs 13.6 GB in one buffer/);
  });

  it('a pack that pins its dims is only checked at those dims', () => {
    const m = mimicMotionManifest({}, { F: 14, H: 576, W: 320, h: 72, w: 40 });
    expect(fixedDims(m)).toEqual({ width: 320, height: 576, frames: 14 });
    const plan = planMemory({ manifest: m, limits: bigGpu, budgetBytes: 20 * GB, aspect: portrait });
    expect(plan).toMatchObject({ ok: true, width: 320, height: 576, tileSize: 14 });
  });

  it('formats bytes for people', () => {
    expect(formatBytes(3.06e9)).toBe('3.1 GB');
    expect(formatBytes(755e6)).toBe('755 MB');
    expect(formatBytes(2048)).toBe('2 kB');
  });
});
