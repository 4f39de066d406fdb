import { create } from 'zustand';
import { BUILTIN_BODY_MODEL, type BodyFraming, type BodyModel, type BodyTrack, type SurfaceCoverage } from '../body';
import type { PackInfo, PackLoadProgress, OriginPack, CachedPack, PartTimes } from '../generate';
import type { GpuCapabilities } from '../gpu';
import type { AudioChoice, ClipInfo, EncoderChoice, Progress, RenderResult, Slot, TimeMapping, Trim } from '../media';
import type { PoseTrack } from '../pose';
import { defaultPlacement, idleBodyStage, idlePoseStage, type BodyStage, type PlacementSettings, type PoseStage } from '../project';

/**
 * The editor's state: a view of the project core (pose, bodies, retargeted motion arrive as its
 * events) plus what only the page has (clips as loaded, playback, settings, the result).
 * Components select from it; actions live beside it in this folder.
 */

export type ClipStatus = 'empty' | 'loading' | 'ready';

export interface ClipState {
  status: ClipStatus;
  info: ClipInfo | null;
  /** A message about the last file dropped on this slot, when it could not be used. */
  error: string | null;
  /** Name of the file being opened. */
  loadingName: string | null;
  /** Conversion progress in [0, 1] while ffmpeg converts an input, else null. */
  convertProgress: number | null;
  /** Seconds left in the conversion, when it can be estimated. */
  convertEtaS: number | null;
  trim: Trim;
  thumbnails: ImageBitmap[];
}

export type RenderStatus = 'idle' | 'running' | 'done' | 'failed' | 'canceled';

export interface RenderState {
  status: RenderStatus;
  /** The latest finished frame while an engine runs (live preview), and its index. */
  preview: { frame: ImageBitmap; index: number } | null;
  progress: Progress | null;
  startedAt: number;
  etaS: number | null;
  error: string | null;
  /** The finished MP4; `info.parts`: where the run's time went (builtin engine), wall milliseconds per part. */
  result: { url: string; fileName: string; info: Omit<RenderResult, 'file'> & { parts?: PartTimes | null }; sizeBytes: number } | null;
  /** Frames an earlier builtin run of the current job left on disk (a reload or Cancel stopped it); Generate resumes after them. */
  resumable: { key: string; framesDone: number; frameCount: number } | null;
}

/** Pose analysis of one clip, as the UI sees it: the core's stage and, once made, the track. */
export interface PoseState extends PoseStage {
  track: PoseTrack | null;
}

/** The fitted 3D body of one clip: the core's stage and, once made, the track. */
export interface BodyState extends BodyStage {
  track: BodyTrack | null;
}

/** The body model fits use: the built-in body or the user's SMPL file. */
export interface BodyModelState {
  model: BodyModel;
  status: 'ready' | 'loading' | 'failed';
  /** What went wrong with the last file, with what to do. */
  error: string | null;
  /** Whether the choice is stored for the next visit yet (a reload before that brings back the old choice). */
  saved: boolean;
}

export type GuidanceKind = 'depth' | 'normal' | 'parts' | 'skeleton';

/** A guidance video export, as the UI shows it. */
export interface GuidanceExportState {
  kind: GuidanceKind | null;
  status: 'idle' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  url: string | null;
  fileName: string | null;
  frameCount: number;
  error: string | null;
}

/** 'builtin': 3D copy & paste; 'preview': the two clips side by side; 'diffusion': the MimicMotion model pack. */
export type EngineChoice = 'builtin' | 'preview' | 'diffusion';

export interface PackState {
  status: 'none' | 'loading' | 'ready' | 'failed';
  info: PackInfo | null;
  error: string | null;
  /** Progress in [0, 1] of the current loading stage. */
  progress: number;
  /** What loading is doing now. */
  stage: PackLoadProgress['stage'] | null;
  /** Packs this site serves (models/packs/) and packs kept in the browser's storage. */
  origin: OriginPack[];
  cached: CachedPack[];
}

/** Diffusion refine mode: start from the builtin engine's render noised to `strength` (0-1). */
export interface RefineSettings {
  enabled: boolean;
  strength: number;
}

export interface Overlays {
  skeleton: boolean;
  hands: boolean;
  /** The 68 face points. */
  face: boolean;
  mask: boolean;
  /** The fitted 3D body's silhouette. */
  body: boolean;
}

export interface EditorState {
  clips: Record<Slot, ClipState>;
  offsetS: number;
  mapping: TimeMapping;
  audio: AudioChoice;
  maxHeight: number;
  encoder: EncoderChoice;
  /** Position on the shared timeline, in seconds from the motion clip's trim-in. */
  time: number;
  playing: boolean;
  render: RenderState;
  gpu: GpuCapabilities | null;
  restoring: boolean;
  /** Pose analysis of each clip. */
  pose: Record<Slot, PoseState>;
  /** What the video panes draw over the frames. */
  overlays: Overlays;
  /** Which engine Generate runs. */
  engine: EngineChoice;
  /** The body model fits use (built-in or the user's SMPL file). */
  bodyModel: BodyModelState;
  /** Fitted 3D body of each clip. */
  body: Record<Slot, BodyState>;
  /** The motion body on the reference body and camera (indexed by motion frames). */
  retargeted: BodyTrack | null;
  /** How much of the reference person's surface the reference shows against what the motion will show. */
  coverage: SurfaceCoverage | null;
  /** Whether the motion body stays inside the reference frame, and the move that would keep it in. */
  framing: BodyFraming | null;
  placement: PlacementSettings;
  guidanceExport: GuidanceExportState;
  pack: PackState;
  refine: RefineSettings;
}

export const emptyClip = (): ClipState => ({
  status: 'empty',
  info: null,
  error: null,
  loadingName: null,
  convertProgress: null,
  convertEtaS: null,
  trim: { inS: 0, outS: 0 },
  thumbnails: [],
});

export const idleRender = (): RenderState => ({ status: 'idle', preview: null, progress: null, startedAt: 0, etaS: null, error: null, result: null, resumable: null });
export const idlePose = (): PoseState => ({ ...idlePoseStage(), track: null });
export const idleBody = (): BodyState => ({ ...idleBodyStage(), track: null });
export const builtinBodyModel = (saved = true): BodyModelState => ({ model: BUILTIN_BODY_MODEL, status: 'ready', error: null, saved });
export const idleGuidanceExport = (): GuidanceExportState => ({ kind: null, status: 'idle', done: 0, total: 0, url: null, fileName: null, frameCount: 0, error: null });

export const useEditor = create<EditorState>(() => ({
  clips: { reference: emptyClip(), motion: emptyClip() },
  offsetS: 0,
  mapping: 'hold',
  audio: 'motion',
  maxHeight: 720,
  encoder: 'auto',
  time: 0,
  playing: false,
  render: idleRender(),
  gpu: null,
  restoring: true,
  pose: { reference: idlePose(), motion: idlePose() },
  overlays: { skeleton: true, hands: true, face: true, mask: false, body: false },
  engine: 'builtin',
  bodyModel: builtinBodyModel(),
  body: { reference: idleBody(), motion: idleBody() },
  retargeted: null,
  coverage: null,
  framing: null,
  placement: defaultPlacement(),
  guidanceExport: idleGuidanceExport(),
  pack: { status: 'none', info: null, error: null, progress: 0, stage: null, origin: [], cached: [] },
  refine: { enabled: false, strength: 0.5 },
}));

export const get = useEditor.getState;
export const set = useEditor.setState;

export function patchClip(slot: Slot, patch: Partial<ClipState>): void {
  set((s) => ({ clips: { ...s.clips, [slot]: { ...s.clips[slot], ...patch } } }));
}

export function patchRender(patch: Partial<RenderState>): void {
  set((s) => ({ render: { ...s.render, ...patch } }));
}
