import { BUILTIN_BODY_MODEL, consistentSides, type BodyModel, type BodyTrack, type SurfaceCoverage } from '../body';
import { BUILTIN_CONFIG, jobKey, runParts, type BuiltinJob, type EngineReport } from '../generate';
import { outputFrameTimes, type Slot } from '../media';
import { AnalysisCanceled, type PoseTrack } from '../pose';
import type {
  BodyStage,
  EngineJob,
  FollowPoint,
  GenerateHooks,
  GenerateRequest,
  GenerateResult,
  PlacementSettings,
  PoseStage,
  ProjectClip,
  ProjectEvent,
  ProjectListener,
  ProjectServices,
} from './types';
import type { OpenOutput } from '../generate';
import { CanceledError, NotReadyError } from './errors';

const SLOTS = ['reference', 'motion'] as const;

export const idlePoseStage = (): PoseStage => ({ status: 'idle', clipId: null, done: 0, total: 0, etaS: null, ep: null, error: null, fromCache: false, follow: null });
export const idleBodyStage = (): BodyStage => ({ status: 'idle', clipId: null, error: null });
export const defaultPlacement = (): PlacementSettings => ({ mode: 'anchor', offsetX: 0, offsetZ: 0, scale: 1, ground: 0 });

/** Bump when the builtin engine's output for the same inputs changes, so old frames are not resumed into new ones. */
export const BUILTIN_OUTPUT_VERSION = 17;

/** Everything the core holds for one slot. */
interface SlotData {
  clip: ProjectClip | null;
  pose: PoseStage;
  /** Left and right consistent over time (what overlays, the fit and guidance use). */
  track: PoseTrack | null;
  body: BodyStage;
  bodyTrack: BodyTrack | null;
}

const emptySlot = (): SlotData => ({ clip: null, pose: idlePoseStage(), track: null, body: idleBodyStage(), bodyTrack: null });

const evenSize = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/**
 * The project core (in the manner of tldraw's Editor): owns the stage graph
 * clip -> pose -> body -> retarget -> engine job, and the tracks each stage makes, on the side of
 * the worker boundary where they are used. Framework-free: a view follows it through `subscribe`
 * (status events, and each track once, when it is made), and drives it through its actions.
 * Stages are keyed by clip content (`ProjectClip.key`), so the pose cache, resume keys and a
 * reload all see the same inputs.
 */
export class Project {
  private readonly slots: Record<Slot, SlotData> = { reference: emptySlot(), motion: emptySlot() };
  private readonly listeners = new Set<ProjectListener>();
  private readonly canceled = new Set<string>();
  /** Analyses run one at a time, in the order asked. */
  private queue: Promise<unknown> = Promise.resolve();
  private bodyModel: BodyModel = BUILTIN_BODY_MODEL;
  private placement: PlacementSettings = defaultPlacement();
  private retargeted: BodyTrack | null = null;
  private coverage: SurfaceCoverage | null = null;
  private retargetRun = 0;
  private generation: AbortController | null = null;

  constructor(private readonly services: ProjectServices) {}

  /** Follows the core's events; returns the function that stops following. */
  subscribe(listener: ProjectListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: ProjectEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  // ---- clips ----

  /** Puts a clip in a slot (null empties it) and starts its analysis (from the cache when this file was analysed before). */
  setClip(slot: Slot, clip: ProjectClip | null): Promise<void> {
    this.stopAnalysis(slot);
    this.slots[slot] = { ...emptySlot(), clip };
    this.emitPose(slot);
    this.setBody(slot, idleBodyStage(), null);
    this.clearRetarget();
    return clip ? this.analyze(slot, null) : Promise.resolve();
  }

  /** Exchanges the two slots with everything made from them. */
  swap(): void {
    const { reference, motion } = this.slots;
    this.slots.reference = motion;
    this.slots.motion = reference;
    // The view swaps its own copies; only the retargeted body is made anew.
    this.clearRetarget();
    void this.retarget();
  }

  /** Analyses the clip in `slot` again, following the person at a clicked point. */
  follow(slot: Slot, point: FollowPoint): Promise<void> {
    this.stopAnalysis(slot);
    return this.analyze(slot, point);
  }

  // ---- pose ----

  private stopAnalysis(slot: Slot): void {
    const { clip, pose } = this.slots[slot];
    if (clip && (pose.status === 'running' || pose.status === 'queued')) this.canceled.add(clip.id);
  }

  private emitPose(slot: Slot, track?: PoseTrack): void {
    this.emit({ type: 'pose', slot, stage: { ...this.slots[slot].pose }, ...(track ? { track } : {}) });
  }

  /** The slot that holds clip `clipId` now (the clips may have been swapped since its analysis began), or null when it was replaced. */
  private slotOf(clipId: string): Slot | null {
    return SLOTS.find((s) => this.slots[s].clip?.id === clipId && this.slots[s].pose.clipId === clipId) ?? null;
  }

  private patchPose(clipId: string, patch: Partial<PoseStage>, track?: PoseTrack): Slot | null {
    const slot = this.slotOf(clipId);
    if (!slot) return null;
    this.slots[slot].pose = { ...this.slots[slot].pose, ...patch };
    if (track) this.slots[slot].track = track;
    this.emitPose(slot, track);
    return slot;
  }

  private analyze(slot: Slot, follow: FollowPoint | null): Promise<void> {
    const clip = this.slots[slot].clip;
    if (!clip) return Promise.resolve();
    this.canceled.delete(clip.id);
    this.slots[slot].pose = { ...idlePoseStage(), clipId: clip.id, status: 'queued', total: clip.frameCount, follow };
    this.slots[slot].track = null;
    this.emitPose(slot);
    this.setBody(slot, idleBodyStage(), null);
    this.clearRetarget();
    const run = async () => {
      if (!this.slotOf(clip.id) || this.canceled.has(clip.id)) return; // replaced or stopped while queued
      this.patchPose(clip.id, { status: 'running' });
      if (!follow) {
        const cached = await this.services.poseCache.read(clip.key);
        if (cached && cached.track.frameCount === clip.frameCount) {
          this.finishPose(clip, cached.track, { fromCache: true, follow: cached.follow });
          return;
        }
      }
      const startedAt = this.services.now();
      try {
        const track = await this.services.analyzePose(
          clip,
          follow,
          (p) => {
            const fraction = p.done / Math.max(1, p.total);
            this.patchPose(clip.id, { done: p.done, total: p.total, ep: p.ep, etaS: etaSeconds(fraction, (this.services.now() - startedAt) / 1000) });
          },
          () => this.canceled.has(clip.id),
        );
        // Stored as the pose model gave it (the label repair runs again on reading), before the
        // stage says done: a reload right after that finds it.
        await this.services.poseCache.write(clip.key, { track, follow });
        this.finishPose(clip, track, { fromCache: false, follow });
      } catch (e) {
        if (e instanceof AnalysisCanceled) return;
        this.patchPose(clip.id, { status: 'failed', error: `Pose analysis failed: ${(e as Error)?.message ?? String(e)}` });
      } finally {
        this.canceled.delete(clip.id);
      }
    };
    const next = this.queue.then(run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A pose track is ready: shown and fitted with left and right consistent over time. */
  private finishPose(clip: ProjectClip, raw: PoseTrack, how: { fromCache: boolean; follow: FollowPoint | null }): void {
    const track = consistentSides(raw);
    const patch: Partial<PoseStage> = { status: 'done', fromCache: how.fromCache, follow: how.follow, ep: raw.ep, done: clip.frameCount, etaS: 0 };
    const slot = this.patchPose(clip.id, patch, track);
    if (slot) this.fitBody(slot);
  }

  // ---- body ----

  private setBody(slot: Slot, stage: BodyStage, track: BodyTrack | null): void {
    this.slots[slot].body = stage;
    this.slots[slot].bodyTrack = track;
    this.emit({ type: 'body', slot, stage: { ...stage }, ...(track ? { track } : {}) });
  }

  /** Fits the body of the clip in `slot` from its pose track, then retargets. */
  private fitBody(slot: Slot): void {
    const { track, clip } = this.slots[slot];
    if (!track || !clip) return;
    this.setBody(slot, { status: 'running', clipId: clip.id, error: null }, null);
    try {
      const body = this.services.fitBody(track, this.bodyModel);
      this.setBody(slot, { status: 'done', clipId: clip.id, error: null }, body);
      void this.retarget();
    } catch (e) {
      this.setBody(slot, { status: 'failed', clipId: clip.id, error: `The 3D body could not be fitted: ${(e as Error)?.message ?? String(e)}` }, null);
    }
  }

  /** Fits with another body model (the built-in body or the user's SMPL file): both clips are fitted again. */
  setBodyModel(model: BodyModel): void {
    if (model.id === this.bodyModel.id) return;
    this.bodyModel = model;
    this.clearRetarget();
    for (const slot of SLOTS) if (this.slots[slot].track) this.fitBody(slot);
  }

  // ---- retarget ----

  private clearRetarget(): void {
    this.retargetRun++;
    if (!this.retargeted && !this.coverage) return;
    this.retargeted = null;
    this.coverage = null;
    this.emit({ type: 'retargeted', track: null, coverage: null, framing: null });
  }

  setPlacement(placement: PlacementSettings): void {
    this.placement = { ...placement };
    void this.retarget();
  }

  /** Puts the motion body on the reference body and camera with the current placement. */
  private async retarget(): Promise<void> {
    const run = ++this.retargetRun;
    const reference = this.slots.reference.bodyTrack;
    const motion = this.slots.motion.bodyTrack;
    if (!reference || !motion) return this.clearRetarget();
    // Let a burst of changes (a dragged slider, both bodies fitted at once) settle into one retarget.
    await Promise.resolve();
    if (run !== this.retargetRun) return;
    const p = this.placement;
    try {
      const track = this.services.retarget(motion, reference, { placement: p.mode, offset: { x: p.offsetX, z: p.offsetZ }, scale: p.scale, groundOffset: p.ground });
      this.retargeted = track;
      this.coverage = this.services.coverage(reference, track);
      this.emit({ type: 'retargeted', track, coverage: this.coverage, framing: this.services.framing(reference, track) });
    } catch {
      this.clearRetarget();
    }
  }

  // ---- generate ----

  /** The builtin engine's job for `request`, or null until both bodies are fitted and retargeted. */
  builtinJob(request: Pick<GenerateRequest, 'timeline' | 'fps' | 'maxHeight'>): BuiltinJob | null {
    const ref = this.slots.reference;
    const mot = this.slots.motion;
    if (!ref.clip || !mot.clip || !ref.track || !ref.bodyTrack || !this.retargeted) return null;
    const scale = Math.min(1, request.maxHeight / ref.clip.height);
    const { id, width, height, timestamps } = ref.clip;
    return {
      reference: { clipId: id, width, height, timestamps, track: ref.track, body: ref.bodyTrack },
      retargeted: this.retargeted,
      motionFaces: mot.track ? { points: mot.track.face, scores: mot.track.faceScore, width: mot.track.width, height: mot.track.height } : null,
      motionTimestamps: mot.clip.timestamps,
      timeline: request.timeline,
      fps: request.fps,
      width: evenSize(width * scale),
      height: evenSize(height * scale),
      config: BUILTIN_CONFIG,
    };
  }

  /** The resume key of a builtin job: everything that shapes its frames (clip ids are per session, so the contents' keys stand in). */
  async resumeKey(request: GenerateRequest): Promise<string | null> {
    const job = request.engine === 'builtin' ? this.builtinJob(request) : null;
    if (!job) return null;
    const { reference, ...rest } = job;
    const { clipId: _, ...refRest } = reference;
    return jobKey({ v: BUILTIN_OUTPUT_VERSION, ref: this.slots.reference.clip?.key, mot: this.slots.motion.clip?.key, reference: refRest, ...rest, audio: request.audio });
  }

  /** The job an engine runs for `request`, made from the tracks the core holds; throws NotReadyError with what to wait for. */
  async engineJob(request: GenerateRequest): Promise<EngineJob> {
    if (request.engine === 'preview') {
      // The clips side by side: no pose or body needed.
      const ref = this.slots.reference.clip;
      const mot = this.slots.motion.clip;
      if (!ref || !mot) throw new NotReadyError('Load both clips first.');
      const clip = (c: ProjectClip) => ({ clipId: c.id, width: c.width, height: c.height, timestamps: c.timestamps });
      return {
        engine: 'preview',
        job: { reference: clip(ref), motion: clip(mot), timeline: request.timeline, fps: request.fps, maxHeight: request.maxHeight },
        audio: request.audio,
      };
    }
    if (request.engine === 'builtin') {
      const job = this.builtinJob(request);
      if (!job) throw new NotReadyError('Wait until both clips have a fitted 3D body.');
      return { engine: 'builtin', job, resumeKey: (await this.resumeKey(request))!, audio: request.audio };
    }
    const ref = this.slots.reference;
    const mot = this.slots.motion;
    if (!ref.clip || !mot.clip || !ref.track || !mot.track) throw new NotReadyError('Wait for the pose analysis of both clips to finish.');
    const refine = request.refine ? this.builtinJob(request) : null;
    if (request.refine && !refine) throw new NotReadyError('Refining needs the builtin render: wait until both clips have a fitted 3D body.');
    const clip = (c: ProjectClip, track: PoseTrack) => ({ clipId: c.id, width: c.width, height: c.height, timestamps: c.timestamps, track });
    return {
      engine: 'diffusion',
      job: { reference: clip(ref.clip, ref.track), motion: clip(mot.clip, mot.track), timeline: request.timeline, fps: request.fps },
      refine: refine && request.refine ? { builtin: refine, strength: request.refine.strength } : null,
      audio: request.audio,
    };
  }

  /** Frames an earlier builtin run of `request` left on disk (a reload or Cancel stopped it), with its key; Generate resumes after them. */
  async resumable(request: GenerateRequest): Promise<{ key: string; framesDone: number; frameCount: number } | null> {
    const key = await this.resumeKey(request);
    const found = key ? await this.services.output.resumable(key) : null;
    return key && found ? { key, ...found } : null;
  }

  /**
   * Generate: runs the request's engine over the project's clips into an MP4. The one scaffold
   * every engine runs in: the output (resumed from the frames a stopped run under the same key
   * left), the frame hook, and cancellation (rejects with CanceledError). A new run stops the last.
   */
  async generate(request: GenerateRequest, hooks: GenerateHooks): Promise<GenerateResult> {
    const engineJob = await this.engineJob(request);
    const { job } = engineJob;
    this.generation?.abort();
    const controller = new AbortController();
    this.generation = controller;
    const output = this.services.output;
    const started = this.services.now();
    const frameCount = outputFrameTimes(job.timeline, job.fps).length;
    const resumeKey = engineJob.engine === 'builtin' ? engineJob.resumeKey : null;
    const opened: { id: number; width: number; height: number; framesDone: number }[] = [];
    const open: OpenOutput = async (width, height) => {
      const { id, framesDone } = await output.start({ width, height, fps: job.fps, frameCount, fileName: `${engineJob.engine}.mp4`, resumeKey, encoder: request.encoder }, engineJob.audio);
      opened.push({ id, width, height, framesDone });
      const sink = async (rgba: Uint8ClampedArray, index: number) => {
        await hooks.onFrame?.(rgba, width, height, index);
        await output.frame(id, rgba);
      };
      return { sink, startFrame: framesDone, outputId: id };
    };
    try {
      const run = { signal: controller.signal, onProgress: hooks.onProgress };
      const { engines } = this.services;
      let report: EngineReport | void;
      if (engineJob.engine === 'builtin') report = await engines.builtin.run(engineJob.job, open, run);
      else if (engineJob.engine === 'preview') report = await engines.preview.run(engineJob.job, open, run);
      else report = await engines.diffusion.run(engineJob, open, run);
      if (controller.signal.aborted) throw new CanceledError('The generation was canceled.');
      const out = opened.pop();
      if (!out) throw new Error('The engine finished without making a frame.');
      const finishing = this.services.now();
      const result = await output.finish(out.id, (fraction) => hooks.onProgress({ stage: 'encode', fraction }));
      const ended = this.services.now();
      return {
        file: result.file,
        width: out.width,
        height: out.height,
        fps: job.fps,
        frameCount: result.frameCount,
        videoCodec: result.codec,
        audioCodec: result.audioCodec,
        encoder: result.encoder,
        seconds: (ended - started) / 1000,
        resumedAt: out.framesDone,
        parts: report ? runParts(report.parts, ended - finishing, ended - started) : null,
      };
    } catch (e) {
      for (const out of opened) await output.cancel(out.id);
      if (controller.signal.aborted) throw new CanceledError('The generation was canceled.');
      throw e;
    } finally {
      if (this.generation === controller) this.generation = null;
    }
  }

  /** Stops the running Generate; it rejects with CanceledError, and a builtin run's finished frames stay for a resume. */
  cancelGenerate(): void {
    this.generation?.abort();
  }

  /** The motion body on the reference body and camera (guidance export), or null before both bodies are fitted. */
  retargetedBody(): BodyTrack | null {
    return this.retargeted;
  }

  /** The consistent pose track of a slot (headless runner and tests). */
  poseTrack(slot: Slot): PoseTrack | null {
    return this.slots[slot].track;
  }
}

/**
 * Seconds left for a job that is `fraction` done after `elapsedS` seconds, assuming the rate so
 * far holds. Null until there is enough progress to say anything.
 */
export function etaSeconds(fraction: number, elapsedS: number): number | null {
  if (!(fraction > 0.01) || elapsedS <= 0) return null;
  if (fraction >= 1) return 0;
  return (elapsedS * (1 - fraction)) / fraction;
}
