/**
 * The project core's data contract: the clips it works on, what it asks of the machine
 * (services), and the events through which a view (the zustand store on the main thread) follows it.
 */
import type { BodyFraming, BodyModel, BodyTrack, Placement, RetargetOptions, SurfaceCoverage } from '../body';
import type { BuiltinJob, Engine, EngineProgress, GenerationJob, PartTimes, PreviewJob } from '../generate';
import type { EncoderChoice, Slot, TimelineSettings } from '../media';
import type { PoseTrack } from '../pose';

/** A loaded clip as the pipeline sees it. Sizes in display pixels; times in seconds. */
export interface ProjectClip {
  /** Per-load id (the media worker's handle for its frames). */
  id: string;
  /** Content hash of the file: what caches are keyed by, stable across reloads. */
  key: string;
  frameCount: number;
  timestamps: number[];
  width: number;
  height: number;
}

/** A click on a person: follow whoever is at (x, y), display pixels, in frame `frame`. */
export interface FollowPoint {
  frame: number;
  x: number;
  y: number;
}

export type StageStatus = 'idle' | 'queued' | 'running' | 'done' | 'failed';

/** Pose analysis of one clip, without the track (which travels once, in its own event). */
export interface PoseStage {
  status: StageStatus;
  /** Id of the clip this state belongs to. */
  clipId: string | null;
  done: number;
  total: number;
  /** Seconds left, when it can be estimated. */
  etaS: number | null;
  ep: 'webgpu' | 'wasm' | null;
  error: string | null;
  fromCache: boolean;
  follow: FollowPoint | null;
}

/** The fitted 3D body of one clip, without the track. */
export interface BodyStage {
  status: Exclude<StageStatus, 'queued'>;
  clipId: string | null;
  error: string | null;
}

/** Where the motion body stands in the reference scene. Offsets in metres on the ground plane. */
export interface PlacementSettings {
  mode: Placement;
  offsetX: number;
  offsetZ: number;
  scale: number;
  ground: number;
}

/**
 * What the core tells its view. A track (pose, body, retargeted) is sent once, when it is made;
 * status events carry no tracks.
 */
export type ProjectEvent =
  | { type: 'pose'; slot: Slot; stage: PoseStage; track?: PoseTrack }
  | { type: 'body'; slot: Slot; stage: BodyStage; track?: BodyTrack }
  | { type: 'retargeted'; track: BodyTrack | null; coverage: SurfaceCoverage | null; framing: BodyFraming | null };

export type ProjectListener = (event: ProjectEvent) => void;

/** Progress of a pose analysis. */
export interface AnalysisReport {
  done: number;
  total: number;
  ep: 'webgpu' | 'wasm';
}

/** Pose tracks kept by file content across reloads. */
export interface PoseCache {
  read(fileKey: string): Promise<{ track: PoseTrack; follow: FollowPoint | null } | undefined>;
  write(fileKey: string, value: { track: PoseTrack; follow: FollowPoint | null }): Promise<void>;
}

/** Audio of an engine's output: which clip, and the range of it in that clip's seconds. */
export interface OutputAudio {
  slot: Slot;
  startS: number;
  durationS: number;
}

/** What Generate asks for; the core adds the clips' tracks and bodies it holds. */
export interface GenerateRequest {
  engine: 'builtin' | 'preview' | 'diffusion';
  timeline: TimelineSettings;
  /** Output frame rate (the motion clip's), frames per second. */
  fps: number;
  /** Output height cap, pixels. */
  maxHeight: number;
  audio: OutputAudio | null;
  /** What encodes the output: WebCodecs, ffmpeg.wasm, or 'auto' (WebCodecs where the browser has an H.264 encoder). */
  encoder: EncoderChoice;
  /** Diffusion only: start from the builtin render noised to this strength (0-1). */
  refine: { strength: number } | null;
}

/** The diffusion engine's job: the clips with their poses, and in refine mode the builtin render's job to start from. */
export interface DiffusionJob {
  job: Omit<GenerationJob, 'width' | 'height'>;
  refine: { builtin: BuiltinJob; strength: number } | null;
}

/** The jobs the engines run, as the core assembles them from its tracks. */
export type EngineJob =
  | { engine: 'builtin'; job: BuiltinJob; resumeKey: string; audio: OutputAudio | null }
  | { engine: 'preview'; job: PreviewJob; audio: OutputAudio | null }
  | ({ engine: 'diffusion'; audio: OutputAudio | null } & DiffusionJob);

/** The engines Generate can run, by id. */
export interface Engines {
  builtin: Engine<BuiltinJob>;
  preview: Engine<PreviewJob>;
  diffusion: Engine<DiffusionJob>;
}

/** An output being encoded, frame by frame (the media worker's encoder). */
export interface OutputSpec {
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  fileName: string;
  /** Resume key: frames a stopped run under this key left are kept, and `start` says how many. */
  resumeKey: string | null;
  /** Which encoder (the service chooses for 'auto'). */
  encoder: EncoderChoice;
}

/** The one output helper every engine's frames go through: encode, finish, cancel, resume. */
export interface OutputService {
  start(spec: OutputSpec, audio: OutputAudio | null): Promise<{ id: number; framesDone: number }>;
  frame(id: number, rgba: Uint8ClampedArray): Promise<void>;
  /** Finishes the MP4; `onProgress` (0-1) hears how far where finishing takes a while (ffmpeg.wasm encodes only then). */
  finish(
    id: number,
    onProgress?: (fraction: number) => void,
  ): Promise<{ file: File; frameCount: number; codec: string; audioCodec: string | null; encoder: 'webcodecs' | 'ffmpeg' }>;
  cancel(id: number): Promise<void>;
  /** Frames a stopped run under `key` left on disk, or null. */
  resumable(key: string): Promise<{ framesDone: number; frameCount: number } | null>;
}

/** A finished Generate: the encoded MP4 and what it is. */
export interface GenerateResult {
  /** The MP4, on disk (OPFS) where the browser has it. */
  file: File;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  videoCodec: string;
  audioCodec: string | null;
  /** What encoded the video. */
  encoder: 'webcodecs' | 'ffmpeg';
  /** Seconds the run took. */
  seconds: number;
  /** Output frames a stopped run had left and this one kept (builtin resume), else 0. */
  resumedAt: number;
  /**
   * Where the run's time went, for engines that measure it (the builtin engine): wall
   * milliseconds per part (src/generate part-times.ts), finishing the output as `finish`, adding
   * up to `seconds`. Null for the other engines.
   */
  parts: PartTimes | null;
}

/** Progress of a Generate: the engine's, then finishing the MP4 (`fraction` 0-1; reported where it takes a while). */
export type GenerateProgress = EngineProgress | { stage: 'encode'; fraction: number };

/** Callbacks of one Generate. */
export interface GenerateHooks {
  onProgress(progress: GenerateProgress): void;
  /** Every finished frame, before it is encoded (a live preview; the buffer must not be kept). */
  onFrame?(rgba: Uint8ClampedArray, width: number, height: number, index: number): void | Promise<void>;
}

/**
 * What the core asks of the machine. The compute worker gives it the real models, caches and
 * engines; tests give it fakes.
 */
export interface ProjectServices {
  /** Pose for every frame of a clip. Rejects with `AnalysisCanceled` once `isCanceled()` turns true. */
  analyzePose(clip: ProjectClip, follow: FollowPoint | null, onProgress: (p: AnalysisReport) => void, isCanceled: () => boolean): Promise<PoseTrack>;
  poseCache: PoseCache;
  /** The 3D body of a pose track on a body model (pure). */
  fitBody(track: PoseTrack, model: BodyModel): BodyTrack;
  /** The motion body on the reference body's shape and camera (pure). */
  retarget(motion: BodyTrack, reference: BodyTrack, options: RetargetOptions): BodyTrack;
  /** How much of the reference person's surface the reference shows against what the motion will show (pure). */
  coverage(reference: BodyTrack, retargeted: BodyTrack): SurfaceCoverage;
  /** Whether the retargeted body stays inside the reference frame, and the ground offset that would keep it in (pure). */
  framing(reference: BodyTrack, retargeted: BodyTrack): BodyFraming;
  engines: Engines;
  output: OutputService;
  /** Milliseconds, monotonic (ETA, run time). */
  now(): number;
}
