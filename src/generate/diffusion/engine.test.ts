import { describe, expect, it } from 'vitest';
import type { ModelRunner } from '../../pose';
import type { EngineInputs, EngineProgress } from '../engine';
import { createDiffusionEngine } from './engine';
import { MIMICMOTION_CONTRACT, PACK_ROLES, parsePackManifest } from './pack';
import { drawMimicMotionPoseMap, type PoseMapCanvas } from './pose-maps';
import { EulerDiscreteSampler } from './samplers/euler-discrete';

function manifest() {
  const models: Record<string, unknown> = {};
  for (const role of PACK_ROLES) {
    const io = (l: (typeof MIMICMOTION_CONTRACT)[typeof role]['inputs']) => l.map((t) => ({ name: t.name, dtype: t.dtypes[0], shape: t.shape }));
    models[role] = { file: `${role}.onnx`, bytes: 10, sha256: 'a'.repeat(64), inputs: io(MIMICMOTION_CONTRACT[role].inputs), outputs: io(MIMICMOTION_CONTRACT[role].outputs) };
  }
  return parsePackManifest({ format: 'motionpaste-pack', version: 1, name: 'fake', family: 'mimicmotion', fp16: false, sampling: { steps: 2, tileSize: 3, tileOverlap: 1, decodeChunk: 2 }, models });
}

describe('diffusion engine (Engine over the pipeline)', () => {
  it('maps engine inputs to pipeline inputs and frames back to RGBA', async () => {
    const runner = (out: (f: Record<string, { data: Float32Array; dims: number[] }>) => Record<string, Float32Array>): ModelRunner => async (f) => out(f);
    const rendered: number[] = [];
    const engine = createDiffusionEngine({
      manifest: manifest(),
      parts: {
        imageEncoder: runner(() => ({ image_embeds: new Float32Array(1024) })),
        vaeEncoder: runner(() => ({ latent: new Float32Array(4 * 4) })),
        poseNet: runner((f) => ({ pose_latents: new Float32Array(f.pose_maps!.dims[0]! * 320 * 4) })),
        unet: runner((f) => ({ out_sample: new Float32Array(f.sample!.data.length / 2) })),
        vaeDecoder: runner((f) => ({ frames: new Float32Array(f.latents!.dims[0]! * 3 * 256).fill(1) })),
        sampler: new EulerDiscreteSampler(),
      },
      renderPoseMap: (kp, w, h) => {
        rendered.push(kp[0]!);
        return { data: new Uint8ClampedArray(w * h * 4), width: w, height: h };
      },
    });
    const inputs: EngineInputs = {
      frameCount: 4,
      width: 16,
      height: 16,
      fps: 15,
      referenceFrame: async () => ({ data: new Uint8ClampedArray(16 * 16 * 4), width: 16, height: 16 }),
      referenceFrameIndex: (i) => 10 + i,
      referencePose: (r) => new Float32Array(180).fill(r),
      motionPose: (i) => new Float32Array(180).fill(i),
    };
    const frames: number[] = [];
    const progress: EngineProgress[] = [];
    await engine.run(inputs, { seed: 1 }, { onFrame: (i, f) => void (frames.push(i), expect(f.data[0]).toBe(255)), onProgress: (p) => progress.push(p) });
    expect(frames).toEqual([0, 1, 2, 3]);
    // The anchor (drawn once): the reference's own pose at reference frame 10; then frames 0..3.
    expect(rendered).toEqual([10, 0, 1, 2, 3]);
    // 5 slots, windows of 3 with overlap 1: [0,1,2], [0,3,4] → 2 steps × 2 chunks.
    expect(progress.filter((p) => p.stage === 'denoise')).toEqual([
      { stage: 'denoise', step: 0, steps: 2, chunk: 0, chunks: 2 },
      { stage: 'denoise', step: 0, steps: 2, chunk: 1, chunks: 2 },
      { stage: 'denoise', step: 1, steps: 2, chunk: 0, chunks: 2 },
      { stage: 'denoise', step: 1, steps: 2, chunk: 1, chunks: 2 },
    ]);
    expect(progress.some((p) => p.stage === 'render')).toBe(true);
    await engine.dispose();
    await expect(engine.run(inputs, {}, { onFrame: () => undefined })).rejects.toThrow(/disposed/);
  });

  it('draws pose maps on black in MimicMotion colours', () => {
    const log: string[] = [];
    const ctx = {
      fillStyle: '' as unknown,
      strokeStyle: '' as unknown,
      lineWidth: 1,
      beginPath: () => undefined,
      moveTo: () => undefined,
      lineTo: () => undefined,
      ellipse: () => undefined,
      arc: () => undefined,
      fill() {
        log.push(`fill ${String(this.fillStyle)}`);
      },
      stroke: () => undefined,
      save: () => undefined,
      restore: () => undefined,
      fillRect(x: number, y: number, w: number, h: number) {
        log.push(`rect ${String(this.fillStyle)} ${x},${y},${w},${h}`);
      },
      getImageData: (_x: number, _y: number, w: number, h: number) => ({ data: new Uint8ClampedArray(w * h * 4), width: w, height: h }),
    } satisfies PoseMapCanvas;
    const kp = new Float32Array(18 * 3);
    kp.set([10, 10, 1], 0); // nose
    kp.set([10, 20, 1], 3); // neck
    const img = drawMimicMotionPoseMap(ctx, kp, 40, 30);
    expect(img.width).toBe(40);
    expect(log[0]).toBe('rect rgb(0, 0, 0) 0,0,40,30');
    // Limb neck→nose is limb 12 ([0, 0, 255] dimmed by 0.6): in BGR order red carries the 153.
    expect(log).toContain('fill rgb(153, 0, 0)');
  });
});
