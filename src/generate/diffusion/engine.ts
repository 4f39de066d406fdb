/**
 * The diffusion engine: `FrameEngine` over the MimicMotion pipeline. It turns the engine inputs into
 * pipeline inputs (pose maps drawn by `renderPoseMap`, reference frames keyed by their reference
 * index) and pipeline outputs into RGBA frames. The compute worker supplies the parts (runners
 * over onnxruntime-web sessions of a validated pack) and the pose-map renderer (OffscreenCanvas +
 * `drawMimicMotionPoseMap`).
 */
import type { RgbaImage } from '../../pose';
import type { EngineInputs, EngineRunOptions, FrameEngine } from '../engine';
import type { PackManifest } from './pack';
import { MimicMotionPipeline, settingsFromPack, type MimicMotionParts, type MimicMotionSettings } from './pipeline';
import { chwToRgba } from './preprocess';

/** What the diffusion engine is built from. */
export interface DiffusionEngineOptions {
  manifest: PackManifest;
  parts: MimicMotionParts;
  /** Draws a whole-body pose (60×3, output pixels) as a MimicMotion pose map of width×height. */
  renderPoseMap(keypoints: Float32Array, width: number, height: number): RgbaImage | Promise<RgbaImage>;
  /** Frees the parts (sessions); called by `dispose`. */
  release?(): Promise<void>;
}

/** Settings of a diffusion run: the pack's sampling defaults, overridden field by field. */
export type DiffusionSettings = Partial<MimicMotionSettings>;

/** Creates the diffusion engine. */
export function createDiffusionEngine(options: DiffusionEngineOptions): FrameEngine<DiffusionSettings> {
  const pipeline = new MimicMotionPipeline(options.parts);
  let disposed = false;
  return {
    id: 'diffusion',
    async run(inputs: EngineInputs, settings: DiffusionSettings, run: EngineRunOptions): Promise<void> {
      if (disposed) throw new Error('The diffusion engine was disposed; load the pack again.');
      const { width, height } = inputs;
      const s = settingsFromPack(options.manifest, settings);
      await pipeline.run(
        {
          frameCount: inputs.frameCount,
          width,
          height,
          referenceFrame: (i) => inputs.referenceFrame(i),
          referenceKey: (i) => inputs.referenceFrameIndex(i),
          poseMap: (i) => options.renderPoseMap(inputs.motionPose(i), width, height),
          referencePoseMap: () => options.renderPoseMap(inputs.referencePose(inputs.referenceFrameIndex(0)), width, height),
          initFrame: inputs.initFrame ? (i) => inputs.initFrame!(i) : undefined,
        },
        s,
        {
          signal: run.signal,
          onFrame: (i, rgb) => run.onFrame(i, chwToRgba(rgb, width, height)),
          onStepEnd: (step, chunk, state) => run.onProgress?.({ stage: 'denoise', step, steps: state.steps, chunk, chunks: state.chunks }),
          onProgress: (p) =>
            run.onProgress?.(p.stage === 'decode' ? { stage: 'render', done: p.done, total: p.total } : { stage: 'prepare', done: p.done, total: p.total }),
        },
      );
    },
    async dispose() {
      disposed = true;
      await options.release?.();
    },
  };
}
