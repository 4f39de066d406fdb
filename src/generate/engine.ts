/**
 * The engine contract (DESIGN.md "Two engines, one pipeline"): every engine takes a job and
 * delivers frames into one output, through `Engine.run`; the project core runs whichever Generate
 * names in the same scaffold (output, resume, preview, cancel), and the UI, export and evaluation
 * do not know which one ran. Below it, `FrameEngine` is the per-frame form the diffusion pipeline
 * implements (reference frame, poses and guidance per output frame).
 *
 * Coordinates are output-frame pixels (origin top-left, x right, y down); images are RGBA at the
 * output size; poses are whole-body keypoints as `toWholeBody` (src/pose) lays them out:
 * 128 × (x, y, score) = OpenPose-18 body, 21 left-hand, 21 right-hand, 68 face points, scores in
 * [0, 1] (a face point scores its face's score; 0 where none was found).
 */
import type { RgbaImage } from '../pose';
import type { PartTimes } from './part-times';

/** Which engine. */
export type EngineId = 'builtin' | 'preview' | 'diffusion';

/** Receives an engine's frames in order: RGBA at the output size (the buffer is taken) and the output frame index. */
export type FrameSink = (rgba: Uint8ClampedArray, index: number) => Promise<void>;

/** An opened output: where the frames go, and the first output frame still to make (a resumed run kept the ones before it). */
export interface OpenedOutput {
  sink: FrameSink;
  startFrame: number;
  /**
   * The output's handle in the service that encodes it; absent where the frames are only kept in
   * memory. An engine that runs beside the encoder (the side-by-side preview, in the media worker)
   * writes there directly, so its frames never cross a worker boundary.
   */
  outputId?: number;
}

/** Starts the output at its size, once the engine knows it (width and height in pixels, even). */
export type OpenOutput = (width: number, height: number) => Promise<OpenedOutput>;

/** Cancellation and progress of one run. */
export interface EngineRun {
  /** Aborting stops the run before its next unit of work; `run` then rejects. */
  signal: AbortSignal;
  onProgress(progress: EngineProgress): void;
}

/** What an engine may say about a finished run. */
export interface EngineReport {
  /** Where the run's time went (part-times.ts): wall milliseconds per part, adding up to the run. */
  parts: PartTimes;
}

/** An engine: turns a job into the frames of one output. */
export interface Engine<Job> {
  readonly id: EngineId;
  /**
   * Opens the output through `open` once the size is known, then delivers every frame from its
   * `startFrame` on. An engine that measures its parts (the builtin engine) reports them.
   */
  run(job: Job, open: OpenOutput, run: EngineRun): Promise<EngineReport | void>;
}

/** What a `FrameEngine` generates from. Accessors may be called in any order and more than once. */
export interface EngineInputs {
  /** Output frames, ≥ 1. */
  frameCount: number;
  /** Output size, in pixels. */
  width: number;
  height: number;
  /** Output frame rate, frames per second. */
  fps: number;
  /** The reference frame shown at output frame `index`'s time (video-to-video), output size. */
  referenceFrame(index: number): Promise<RgbaImage>;
  /** Index in the reference clip of the frame `referenceFrame(index)` returns (equal indices share work). */
  referenceFrameIndex(index: number): number;
  /** The reference person's own pose in reference frame `referenceIndex` (whole-body, output pixels). */
  referencePose(referenceIndex: number): Float32Array;
  /** The retargeted, aligned motion pose of output frame `index` (whole-body, output pixels). */
  motionPose(index: number): Float32Array;
  /** A render to refine (diffusion refine mode: e.g. the builtin engine's output for `index`). */
  initFrame?(index: number): Promise<RgbaImage>;
}

/** Progress of a run, as the UI shows it (step/chunk of the diffusion loop, frames elsewhere). */
export type EngineProgress =
  | { stage: 'prepare'; done: number; total: number; label?: string }
  | { stage: 'denoise'; step: number; steps: number; chunk: number; chunks: number }
  | { stage: 'render'; done: number; total: number };

/** Callbacks and cancellation of one run. */
export interface EngineRunOptions {
  /** Aborting stops the run before the next unit of work; `run` then rejects with the signal's reason (an AbortError). */
  signal?: AbortSignal;
  /** Each finished output frame, in order; the image belongs to the receiver. Awaited (back-pressure). */
  onFrame(index: number, frame: RgbaImage): void | Promise<void>;
  onProgress?(progress: EngineProgress): void;
}

/** An engine over per-frame inputs (the diffusion pipeline's form). `Settings` is engine-specific (sampling for diffusion). */
export interface FrameEngine<Settings = unknown> {
  readonly id: EngineId;
  /** Generates `inputs.frameCount` frames, delivering them through `options.onFrame`. */
  run(inputs: EngineInputs, settings: Settings, options: EngineRunOptions): Promise<void>;
  /** Frees what the engine holds (sessions, GPU buffers). The engine is unusable afterwards. */
  dispose(): Promise<void>;
}
