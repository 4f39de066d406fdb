import { create } from 'zustand';
import {
  asMediaError,
  clampTrim,
  frameIndexAt,
  outputDuration,
  outputFrameTimes,
  proxy,
  sourceTimes,
  type AudioChoice,
  type ClipInfo,
  type EncoderChoice,
  type Progress,
  type RenderResult,
  type Slot,
  type TimeMapping,
  type TimelineSettings,
  type Trim,
} from '../media';
import type { GpuCapabilities } from '../gpu';
import type { PoseModelId } from '../pose';
import type { OriginPack, PackInfo, PackLoadProgress, PackSource } from '../generate/diffusion-service';
import type { CachedPack } from '../generate/pack-cache';
import type { EngineProgress } from '../generate/engine';
import { jobKey, type BuiltinJob } from '../generate';
import { computeApi, mediaApi, releaseResultUrl, resultUrl } from './services';
import { etaSeconds } from './eta';
import { FrameFeed } from './frame-feed';
import * as persist from './persist';
import { analyzeSlot, followPerson, forgetPose, idlePose, type PoseState } from './pose';
import { builtinBodyModel, defaultPlacement, forgetBody, idleBody, idleGuidanceExport, restoreBodyModel, retargetBodies, type BodyModelState, type BodyState, type GuidanceExportState, type PlacementSettings } from './body';
import { MOSTLY_UNSEEN, type BodyTrack, type SurfaceCoverage } from '../body';

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
  result: { url: string; fileName: string; info: Omit<RenderResult, 'file'>; sizeBytes: number } | null;
  /** Frames an earlier builtin run of the current job left on disk (a reload or Cancel stopped it); Generate resumes after them. */
  resumable: { key: string; framesDone: number; frameCount: number } | null;
}

/** Settings that survive a reload. */
export interface ProjectSettings {
  trims: Record<Slot, Trim | null>;
  offsetS: number;
  mapping: TimeMapping;
  audio: AudioChoice;
  maxHeight: number;
  time: number;
  overlays?: Overlays;
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
  placement: PlacementSettings;
  guidanceExport: GuidanceExportState;
  pack: PackState;
  refine: RefineSettings;
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
  mask: boolean;
  /** The fitted 3D body's silhouette. */
  body: boolean;
}

const emptyClip = (): ClipState => ({
  status: 'empty',
  info: null,
  error: null,
  loadingName: null,
  convertProgress: null,
  convertEtaS: null,
  trim: { inS: 0, outS: 0 },
  thumbnails: [],
});

const idleRender = (): RenderState => ({ status: 'idle', preview: null, progress: null, startedAt: 0, etaS: null, error: null, result: null, resumable: null });

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
  overlays: { skeleton: true, hands: true, mask: false, body: false },
  engine: 'builtin',
  bodyModel: builtinBodyModel(),
  body: { reference: idleBody(), motion: idleBody() },
  retargeted: null,
  coverage: null,
  placement: defaultPlacement(),
  guidanceExport: idleGuidanceExport(),
  pack: { status: 'none', info: null, error: null, progress: 0, stage: null, origin: [], cached: [] },
  refine: { enabled: false, strength: 0.5 },
}));

const get = useEditor.getState;
const set = useEditor.setState;

// ---- services: one media worker, one compute worker, one frame feed per pane ----


export const frameFeeds: Record<Slot, FrameFeed> = {
  reference: new FrameFeed((i) => mediaApi().frame('reference', i)),
  motion: new FrameFeed((i) => mediaApi().frame('motion', i)),
};

// ---- derived values ----

/** Duration of one frame of a clip, in seconds (the trim granularity). */
const frameLength = (info: ClipInfo) => 1 / info.fps;

/**
 * The shared timeline. With only one clip loaded, that clip drives it; with both, the motion
 * clip's trimmed range is the output's length.
 */
export function timelineOf(s: EditorState): TimelineSettings | null {
  const ref = s.clips.reference.info ? s.clips.reference.trim : null;
  const mot = s.clips.motion.info ? s.clips.motion.trim : null;
  const motion = mot ?? ref;
  const reference = ref ?? mot;
  if (!motion || !reference) return null;
  return { motion, reference, offsetS: ref && mot ? s.offsetS : 0, mapping: s.mapping };
}

export function timelineDuration(s: EditorState): number {
  const t = timelineOf(s);
  return t ? outputDuration(t) : 0;
}

/** The fps that drives stepping and the output: the motion clip's, else the reference's. */
export function timelineFps(s: EditorState): number {
  return (s.clips.motion.info ?? s.clips.reference.info)?.fps ?? 30;
}

/** Motion frame index at every output frame of the timeline (what a render or export follows). */
export function outputMotionFrames(s: EditorState): number[] {
  const t = timelineOf(s);
  const info = s.clips.motion.info;
  if (!t || !info) return [];
  return outputFrameTimes(t, info.fps).map((time) => frameIndexAt(info.timestamps, sourceTimes(t, time).motion));
}

/** Frame index shown in each pane at the current time. */
export function framesAt(s: EditorState, time = s.time): Partial<Record<Slot, number>> {
  const t = timelineOf(s);
  if (!t) return {};
  const times = sourceTimes(t, time);
  const out: Partial<Record<Slot, number>> = {};
  const refInfo = s.clips.reference.info;
  const motInfo = s.clips.motion.info;
  if (refInfo) out.reference = frameIndexAt(refInfo.timestamps, motInfo ? times.reference : times.motion);
  if (motInfo) out.motion = frameIndexAt(motInfo.timestamps, times.motion);
  return out;
}

function showFrames(): void {
  const indices = framesAt(get());
  for (const slot of ['reference', 'motion'] as const) {
    const i = indices[slot];
    if (i !== undefined) frameFeeds[slot].show(i);
  }
}

// ---- persistence ----

function settingsOf(s: EditorState): ProjectSettings {
  return {
    trims: {
      reference: s.clips.reference.info ? s.clips.reference.trim : null,
      motion: s.clips.motion.info ? s.clips.motion.trim : null,
    },
    offsetS: s.offsetS,
    mapping: s.mapping,
    audio: s.audio,
    maxHeight: s.maxHeight,
    time: s.time,
    overlays: s.overlays,
  };
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveSettingsSoon(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void persist.keepSettings(settingsOf(get())).catch(() => undefined), 150);
}

// ---- actions ----

function patchClip(slot: Slot, patch: Partial<ClipState>): void {
  set((s) => ({ clips: { ...s.clips, [slot]: { ...s.clips[slot], ...patch } } }));
}

const THUMB_COUNT = 24;
const THUMB_HEIGHT = 48;

async function loadThumbnails(slot: Slot, name: string): Promise<void> {
  try {
    const thumbs = await mediaApi().thumbnails(slot, THUMB_COUNT, THUMB_HEIGHT);
    if (get().clips[slot].info?.name === name) patchClip(slot, { thumbnails: thumbs });
  } catch {
    /* thumbnails are a nicety */
  }
}

/**
 * Opens a file in a slot. On failure the slot keeps whatever it had and shows why; the other
 * slot is never touched.
 */
export async function loadClip(slot: Slot, file: File, options: { keep?: boolean; trim?: Trim | null } = {}): Promise<boolean> {
  patchClip(slot, { status: 'loading', loadingName: file.name, error: null, convertProgress: null, convertEtaS: null });
  const startedAt = performance.now();
  try {
    const info = await mediaApi().open(
      slot,
      file,
      proxy((p: Progress) =>
        patchClip(slot, { convertProgress: p.fraction, convertEtaS: etaSeconds(p.fraction, (performance.now() - startedAt) / 1000) }),
      ),
    );
    const full = { inS: 0, outS: info.durationS };
    const trim = options.trim ? clampTrim(options.trim, info.durationS, frameLength(info)) : full;
    patchClip(slot, { status: 'ready', info, trim, loadingName: null, convertProgress: null, thumbnails: [] });
    frameFeeds[slot].reset();
    forgetPose(slot);
    forgetBody(slot);
    void analyzeSlot(slot);
    if (options.keep !== false) void persist.keepInput(slot, file).catch(() => undefined);
    clampTime();
    showFrames();
    saveSettingsSoon();
    void loadThumbnails(slot, info.name);
    return true;
  } catch (e) {
    const known = asMediaError(e);
    const message = known?.message ?? `"${file.name}" could not be opened: ${(e as Error)?.message ?? String(e)}`;
    const had = get().clips[slot].info;
    patchClip(slot, { status: had ? 'ready' : 'empty', error: message, loadingName: null, convertProgress: null });
    return false;
  }
}

export function dismissError(slot: Slot): void {
  patchClip(slot, { error: null });
}

export async function removeClip(slot: Slot): Promise<void> {
  forgetPose(slot);
  forgetBody(slot);
  await mediaApi().close(slot);
  frameFeeds[slot].reset();
  patchClip(slot, emptyClip());
  await persist.forgetInput(slot).catch(() => undefined);
  clampTime();
  saveSettingsSoon();
}

/** Exchanges the reference and motion clips, with their trims. */
export async function swapClips(): Promise<void> {
  const { clips } = get();
  if (clips.reference.status === 'loading' || clips.motion.status === 'loading') return;
  await mediaApi().swap();
  frameFeeds.reference.reset();
  frameFeeds.motion.reset();
  set((s) => ({
    clips: { reference: s.clips.motion, motion: s.clips.reference },
    pose: { reference: s.pose.motion, motion: s.pose.reference },
    body: { reference: s.body.motion, motion: s.body.reference },
    retargeted: null,
    coverage: null,
    offsetS: -s.offsetS,
  }));
  void persist.swapInputs().catch(() => undefined);
  void retargetBodies();
  clampTime();
  showFrames();
  saveSettingsSoon();
}

function clampTime(): void {
  const s = get();
  const d = timelineDuration(s);
  const last = Math.max(0, d - 1 / timelineFps(s));
  if (s.time > last || s.time < 0) set({ time: Math.min(Math.max(0, s.time), last) });
}

/** Moves the shared timeline to `time` seconds (clamped) and shows those frames. */
export function seek(time: number): void {
  const s = get();
  const last = Math.max(0, timelineDuration(s) - 1 / timelineFps(s));
  set({ time: Math.min(Math.max(0, time), last) });
  showFrames();
  saveSettingsSoon();
}

/** Steps `delta` output frames. */
export function step(delta: number): void {
  pause();
  const s = get();
  const fps = timelineFps(s);
  seek((Math.round(s.time * fps) + delta) / fps);
}

export function setTrim(slot: Slot, trim: Trim): void {
  const info = get().clips[slot].info;
  if (!info) return;
  patchClip(slot, { trim: clampTrim(trim, info.durationS, frameLength(info)) });
  clampTime();
  showFrames();
  saveSettingsSoon();
}

export function setOffset(offsetS: number): void {
  set({ offsetS: Number.isFinite(offsetS) ? offsetS : 0 });
  showFrames();
  saveSettingsSoon();
}

export function setMapping(mapping: TimeMapping): void {
  set({ mapping });
  showFrames();
  saveSettingsSoon();
}

export function setOverlay(name: keyof Overlays, on: boolean): void {
  set((s) => ({ overlays: { ...s.overlays, [name]: on } }));
  saveSettingsSoon();
}

export function setAudio(audio: AudioChoice): void {
  set({ audio });
  saveSettingsSoon();
}

export function setMaxHeight(maxHeight: number): void {
  set({ maxHeight });
  saveSettingsSoon();
}

// ---- playback ----

let rafId = 0;
export function play(): void {
  const s = get();
  if (s.playing || !timelineOf(s)) return;
  const duration = timelineDuration(s);
  if (s.time >= duration - 1 / timelineFps(s)) set({ time: 0 });
  set({ playing: true });
  let last = performance.now();
  const tick = (now: number) => {
    if (!get().playing) return;
    const dt = (now - last) / 1000;
    last = now;
    const next = get().time + dt;
    if (next >= timelineDuration(get())) {
      seek(timelineDuration(get()));
      pause();
      return;
    }
    set({ time: next });
    showFrames();
    rafId = requestAnimationFrame(tick);
  };
  rafId = requestAnimationFrame(tick);
}

export function pause(): void {
  cancelAnimationFrame(rafId);
  if (get().playing) {
    set({ playing: false });
    saveSettingsSoon();
  }
}

export function togglePlay(): void {
  if (get().playing) pause();
  else play();
}

// ---- generate ----

/** Shows a finished frame as the live preview, closing the one it replaces. */
const showPreview = proxy((frame: ImageBitmap, index: number) => {
  get().render.preview?.frame.close();
  patchRender({ preview: { frame, index } });
});

function patchRender(patch: Partial<RenderState>): void {
  set((s) => ({ render: { ...s.render, ...patch } }));
}

/**
 * The audio an output carries: the chosen clip's when it has sound; else, for a clip choice, the
 * other clip's when that one has sound (so the default "motion" still gives sound when only the
 * reference has it); else none.
 */
export function effectiveAudio(s: Pick<EditorState, 'audio' | 'clips'>): AudioChoice {
  const has = { reference: Boolean(s.clips.reference.info?.audio), motion: Boolean(s.clips.motion.info?.audio) };
  if (s.audio === 'none') return 'none';
  if (has[s.audio]) return s.audio;
  const other = s.audio === 'motion' ? 'reference' : 'motion';
  return has[other] ? other : 'none';
}

const baseName = (name: string) => name.replace(/\.[^.]*$/, '');

/** Renders the trimmed range and keeps the MP4 for playback and download. */
export async function generate(): Promise<void> {
  const s = get();
  const timeline = timelineOf(s);
  const ref = s.clips.reference.info;
  const mot = s.clips.motion.info;
  if (!timeline || !ref || !mot || s.render.status === 'running') return;
  pause();
  if (s.render.result) releaseResultUrl(s.render.result.url);
  s.render.preview?.frame.close();
  const startedAt = performance.now();
  set({ render: { ...idleRender(), status: 'running', startedAt, resumable: s.render.resumable } });
  if (s.engine === 'diffusion') return generateDiffusion(startedAt);
  if (s.engine === 'builtin') return generateBuiltin(startedAt);
  try {
    const audio = effectiveAudio(s);
    const result = await mediaApi().render(
      { timeline, audio, maxHeight: s.maxHeight, encoder: s.encoder },
      proxy((p: Progress) => {
        const elapsed = (performance.now() - startedAt) / 1000;
        patchRender({ progress: p, etaS: etaSeconds(p.fraction, elapsed) });
      }),
    );
    const { file, ...info } = result;
    const fileName = `motionpaste-${baseName(ref.name)}-${baseName(mot.name)}.mp4`;
    patchRender({ status: 'done', result: { url: resultUrl(file), fileName, info, sizeBytes: file.size }, etaS: 0 });
  } catch (e) {
    const known = asMediaError(e);
    if (known?.code === 'canceled') patchRender({ status: 'canceled', progress: null, etaS: null });
    else patchRender({ status: 'failed', error: known?.message ?? `Generation failed: ${(e as Error)?.message ?? e}` });
  }
}

export function cancelGenerate(): void {
  if (get().render.status !== 'running') return;
  if (get().engine === 'preview') void mediaApi().cancelRender();
  else void computeApi().cancelGenerate();
}

/** Progress of an engine run as the render bar shows it. */
function engineProgress(p: EngineProgress): Progress {
  if (p.stage === 'denoise') {
    const done = p.step * p.chunks + p.chunk + 1;
    return { phase: 'render', fraction: 0.05 + (0.85 * done) / (p.steps * p.chunks), label: `Denoising step ${p.step + 1}/${p.steps} · chunk ${p.chunk + 1}/${p.chunks}` };
  }
  if (p.stage === 'prepare') return { phase: 'render', fraction: (0.05 * p.done) / Math.max(1, p.total), label: p.label ?? `Encoding the reference and poses ${p.done}/${p.total}` };
  return { phase: 'encode', fraction: 0.9 + (0.1 * p.done) / Math.max(1, p.total), done: p.done, total: p.total, label: `Decoding frame ${p.done}/${p.total}` };
}

/** The audio an engine's output carries: the chosen clip's range under the output, or none. */
function engineAudio(s: EditorState): { slot: Slot; startS: number; durationS: number } | null {
  const t = timelineOf(s);
  if (!t) return null;
  const ref = s.clips.reference.info;
  const mot = s.clips.motion.info;
  const durationS = outputDuration(t);
  const audio = effectiveAudio(s);
  if (audio === 'motion' && mot?.audio) return { slot: 'motion', startS: t.motion.inS, durationS };
  if (audio === 'reference' && ref?.audio) return { slot: 'reference', startS: t.reference.inS + t.offsetS, durationS };
  return null;
}

/**
 * Runs an engine in the compute worker and turns its MP4 (or its failure or cancellation) into
 * the render state. `progressOf` maps the engine's progress to the bar.
 */
async function runEngine(
  startedAt: number,
  suffix: string,
  run: (onProgress: (p: EngineProgress) => void) => Promise<{ file: File; frameCount: number; fps: number } & Omit<RenderResult, 'file' | 'durationS' | 'encoder'>>,
  progressOf: (p: EngineProgress) => Progress = engineProgress,
): Promise<void> {
  const { reference, motion } = get().clips;
  try {
    const result = await run(
      proxy((p: EngineProgress) => {
        const progress = progressOf(p);
        patchRender({ progress, etaS: etaSeconds(progress.fraction, (performance.now() - startedAt) / 1000) });
      }),
    );
    const { file, ...rest } = result;
    const fileName = `motionpaste-${baseName(reference.info!.name)}-${baseName(motion.info!.name)}${suffix}.mp4`;
    const info = { ...rest, durationS: rest.frameCount / rest.fps, encoder: 'webcodecs' as const };
    patchRender({ status: 'done', result: { url: resultUrl(file), fileName, info, sizeBytes: file.size }, etaS: 0, resumable: null });
  } catch (e) {
    const err = e as { name?: string; message?: string };
    if (err?.name === 'AbortError') patchRender({ status: 'canceled', progress: null, etaS: null });
    else patchRender({ status: 'failed', error: `Generation failed: ${err?.message ?? String(e)}` });
    void refreshResumable();
  }
}

async function generateDiffusion(startedAt: number): Promise<void> {
  const s = get();
  const timeline = timelineOf(s)!;
  const ref = s.clips.reference.info!;
  const mot = s.clips.motion.info!;
  const refTrack = s.pose.reference.track;
  const motTrack = s.pose.motion.track;
  const refine = s.refine.enabled ? builtinJob(s) : null;
  await runEngine(startedAt, s.refine.enabled ? '-refined' : '-diffusion', (onProgress) => {
    if (!refTrack || !motTrack) throw new Error('Wait for the pose analysis of both clips to finish.');
    if (s.refine.enabled && !refine) throw new Error('Refining needs the builtin render: wait until both clips have a fitted 3D body.');
    const clip = (info: ClipInfo, track: NonNullable<typeof refTrack>) => ({ clipId: info.id, width: info.width, height: info.height, timestamps: info.timestamps, track });
    return computeApi().generateDiffusion(
      { reference: clip(ref, refTrack), motion: clip(mot, motTrack), timeline, fps: mot.fps },
      {},
      onProgress,
      engineAudio(s),
      showPreview,
      refine ? { builtin: refine, strength: s.refine.strength } : null,
    );
  });
}

const evenSize = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/** The builtin engine's job for the current state, or null until both bodies are fitted. */
function builtinJob(s: EditorState): BuiltinJob | null {
  const timeline = timelineOf(s);
  const ref = s.clips.reference.info;
  const mot = s.clips.motion.info;
  const refTrack = s.pose.reference.track;
  const refBody = s.body.reference.track;
  if (!timeline || !ref || !mot || !refTrack || !refBody || !s.retargeted) return null;
  const scale = Math.min(1, s.maxHeight / ref.height);
  return {
    reference: { clipId: ref.id, width: ref.width, height: ref.height, timestamps: ref.timestamps, track: refTrack, body: refBody },
    retargeted: s.retargeted,
    motionTimestamps: mot.timestamps,
    timeline,
    fps: mot.fps,
    width: evenSize(ref.width * scale),
    height: evenSize(ref.height * scale),
  };
}

/** Bump when the builtin engine's output for the same inputs changes, so old frames are not resumed into new ones. */
const BUILTIN_OUTPUT_VERSION = 12;

/** The resume key of a builtin job: everything that shapes its frames (clip ids are per session, so the contents' keys stand in). */
async function builtinJobKey(s: EditorState, job: BuiltinJob): Promise<string> {
  const { reference, ...rest } = job;
  const { clipId: _, ...refRest } = reference;
  return jobKey({ v: BUILTIN_OUTPUT_VERSION, ref: s.clips.reference.info?.key, mot: s.clips.motion.info?.key, reference: refRest, ...rest, audio: engineAudio(s) });
}

/**
 * Looks for frames an earlier builtin run of the current job left on disk, and shows them in
 * the Generate panel; Generate then resumes after them.
 */
export async function refreshResumable(): Promise<void> {
  const s = get();
  const job = s.engine === 'builtin' ? builtinJob(s) : null;
  if (!job || s.render.status === 'running') return patchRender({ resumable: null });
  const key = await builtinJobKey(s, job);
  const found = await mediaApi().resumable(key);
  if (get().render.status === 'running') return;
  patchRender({ resumable: found ? { key, ...found } : null });
}

/** Drops the frames of an interrupted builtin run, so the next Generate starts from the first frame. */
export async function discardResumable(): Promise<void> {
  const r = get().render.resumable;
  if (!r) return;
  patchRender({ resumable: null });
  await mediaApi().discardResumable(r.key);
}

async function generateBuiltin(startedAt: number): Promise<void> {
  const s = get();
  const job = builtinJob(s);
  await runEngine(
    startedAt,
    '',
    async (onProgress) => {
      if (!job) throw new Error('Wait until both clips have a fitted 3D body.');
      return computeApi().generateBuiltin(job, onProgress, engineAudio(s), showPreview, await builtinJobKey(s, job));
    },
    (p) =>
      p.stage === 'render'
        ? { phase: 'render', fraction: 0.1 + (0.9 * p.done) / Math.max(1, p.total), done: p.done, total: p.total }
        : p.stage === 'prepare'
          ? { phase: 'render', fraction: (0.1 * p.done) / Math.max(1, p.total), label: `Lifting the reference person's appearance onto the body ${p.done}/${p.total}` }
          : engineProgress(p),
  );
}

export function setEngine(engine: EngineChoice): void {
  set({ engine });
  saveSettingsSoon();
}

function patchPack(patch: Partial<PackState>): void {
  set((s) => ({ pack: { ...s.pack, ...patch } }));
}

/** Validates and loads a model pack: a dropped or chosen folder, a folder this site serves, or a cached pack. */
async function loadPackFrom(source: PackSource): Promise<void> {
  set({ engine: 'diffusion' });
  patchPack({ status: 'loading', info: null, error: null, progress: 0, stage: null });
  try {
    const info = await computeApi().loadPack(
      source,
      proxy((p: PackLoadProgress) => patchPack({ progress: p.fraction, stage: p.stage })),
    );
    patchPack({ status: 'ready', info, error: null, progress: 1, stage: null });
  } catch (e) {
    patchPack({ status: 'failed', info: null, error: (e as Error)?.message ?? String(e), progress: 0, stage: null });
  }
  await refreshPacks();
}

/** Loads a model pack from the files of a dropped or chosen folder (a copy is kept in the browser). */
export const loadPack = (files: File[]) => loadPackFrom({ kind: 'files', files });
/** Loads the pack this site serves under models/packs/NAME/. */
export const loadSitePack = (name: string) => loadPackFrom({ kind: 'origin', name });
/** Loads a pack kept in the browser's storage. */
export const loadCachedPack = (key: string) => loadPackFrom({ kind: 'cache', key });

/** Re-reads the lists of site packs and cached packs. */
export async function refreshPacks(): Promise<void> {
  try {
    const { origin, cached } = await computeApi().listPacks();
    patchPack({ origin, cached });
  } catch {
    // Lists stay as they were.
  }
}

/** Deletes a pack from the browser's storage (the loaded pack keeps running until unloaded). */
export async function removeCachedPack(key: string): Promise<void> {
  await computeApi().removeCachedPack(key);
  await refreshPacks();
}

export async function unloadPack(): Promise<void> {
  await computeApi().unloadPack();
  patchPack({ status: 'none', info: null, error: null, progress: 0, stage: null });
  set({ engine: 'builtin' });
}

export function setRefine(patch: Partial<RefineSettings>): void {
  set((s) => ({ refine: { ...s.refine, ...patch, strength: Math.min(1, Math.max(0, patch.strength ?? s.refine.strength)) } }));
}

// ---- start-up ----

/** Probes the GPU and restores the last session's inputs and settings. */
let started = false;
export async function startEditor(): Promise<void> {
  if (started) return;
  started = true;
  // ?encoder=ffmpeg|webcodecs forces an export path (benchmark, tests); the default picks WebCodecs.
  const params = new URLSearchParams(location.search);
  const forced = params.get('encoder');
  if (forced === 'ffmpeg' || forced === 'webcodecs') set({ encoder: forced });
  // ?bench exposes stage timings that have no UI of their own to the benchmark runner.
  if (params.has('bench')) {
    Object.assign(globalThis, {
      motionpasteBench: {
        decode: (slot: Slot) => mediaApi().benchDecode(slot),
        guidanceSelfTest: () => computeApi().guidanceSelfTest(),
        compositeSelfTest: () => computeApi().compositeSelfTest(),
        appearanceSelfTest: () => computeApi().appearanceSelfTest(),
        /** GPU vs CPU denoising loops on the loaded pack: buffer maps, UNet calls/s, GPU memory, output difference. */
        diffusionCheck: (options: { frames: number; steps: number[]; seed?: number }) => computeApi().diffusionCheck(options),
        /** The pose track of a clip as plain arrays (evaluation reads keypoints through the app). */
        track: (slot: Slot) => {
          const t = get().pose[slot].track;
          return t
            ? { frameCount: t.frameCount, width: t.width, height: t.height, found: Array.from(t.found), score: Array.from(t.score), keypoints: Array.from(t.keypoints), masks: null }
            : null;
        },
        /** What a click on a person in the overlay does: analyse the clip again, following whoever is at (x, y) of `frame`. */
        follow: (slot: Slot, frame: number, x: number, y: number) => followPerson(slot, frame, x, y),
        /**
         * Per motion frame, the share of the body's visible half that the reference never showed, and
         * the share above which a frame shows mostly the unseen side (null before both bodies).
         */
        unseen: () => {
          const c = get().coverage;
          return c ? { shares: Array.from(c.unseen), mostlyUnseen: MOSTLY_UNSEEN } : null;
        },
        pose: (slot: Slot, model: PoseModelId, ep: 'webgpu' | 'wasm', frames: number) => {
          const info = get().clips[slot].info!;
          const clip = { id: info.id, frameCount: info.frameCount, timestamps: info.timestamps, width: info.width, height: info.height };
          return computeApi().benchPose(clip, model, ep, frames);
        },
      },
    });
  }
  void refreshPacks();
  void computeApi()
    .probe()
    .then((gpu) => set({ gpu }))
    .catch(() => undefined);
  try {
    const [files, settings] = await Promise.all([persist.restoreInputs(), persist.restoreSettings<ProjectSettings>(), restoreBodyModel()]);
    if (settings) {
      set({
        offsetS: settings.offsetS ?? 0,
        mapping: settings.mapping ?? 'hold',
        audio: settings.audio ?? 'motion',
        maxHeight: settings.maxHeight ?? 720,
        overlays: { ...get().overlays, ...settings.overlays },
      });
    }
    await Promise.all(
      (['reference', 'motion'] as const).map(async (slot) => {
        const file = files[slot];
        if (file) await loadClip(slot, file, { keep: false, trim: settings?.trims?.[slot] ?? null });
      }),
    );
    if (settings?.time) seek(settings.time);
  } finally {
    set({ restoring: false });
  }
}

/** For the headless runner and tests: the store, read-only use. */
export const editorSnapshot = () => get();

// Whenever what shapes the builtin job changes, look again for frames a stopped run left.
let resumeCheck: ReturnType<typeof setTimeout> | null = null;
const resumeInputs = (s: EditorState) => [s.retargeted, s.engine, s.maxHeight, s.audio, JSON.stringify(timelineOf(s))];
useEditor.subscribe((s, prev) => {
  const now = resumeInputs(s);
  const before = resumeInputs(prev);
  if (now.every((v, i) => v === before[i])) return;
  if (resumeCheck) clearTimeout(resumeCheck);
  resumeCheck = setTimeout(() => void refreshResumable(), 300);
});
