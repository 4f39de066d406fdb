import { describe, expect, it } from 'vitest';
import { BUILTIN_CONFIG, createPreviewEngine } from '../generate';
import { BUILTIN_BODY_MODEL, emptyBodyTrack, centredCamera, NEUTRAL_SHAPE, type BodyModel, type BodyTrack, type SurfaceCoverage } from '../body';
import { AnalysisCanceled, emptyTrack, type PoseTrack } from '../pose';
import type { Slot, TimelineSettings } from '../media';
import { CanceledError, NotReadyError } from './errors';
import { Project } from './project';
import { partTotal, type Engine, type OpenOutput, type PartTimes } from '../generate';
import type { FollowPoint, GenerateProgress, GenerateRequest, OutputSpec, ProjectClip, ProjectEvent, ProjectServices } from './types';

const clip = (id: string, key = `key-${id}`, frameCount = 10): ProjectClip => ({
  id,
  key,
  frameCount,
  timestamps: Array.from({ length: frameCount }, (_, i) => i / 10),
  width: 640,
  height: 480,
});

const tick = () => new Promise((r) => setTimeout(r, 0));
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await tick();
  expect(cond()).toBe(true);
};

/** What the fake builtin engine reports of where its time went (wall milliseconds per part). */
const FAKE_PARTS: PartTimes = { read: 1, plates: 1, completion: 0.5, body: 1, output: 0.5, other: 0.5 };

/** An engine that makes five flat frames of `width(job)` × 48, stopping when aborted; the builtin one reports `FAKE_PARTS`. */
function fakeEngine<Job>(id: 'builtin' | 'diffusion', width: (job: Job) => number, log: string[] = []): Engine<Job> {
  return {
    id,
    async run(job: Job, open: OpenOutput, { signal, onProgress }) {
      log.push(id);
      const w = width(job);
      const { sink, startFrame } = await open(w, 48);
      const total = 5;
      for (let i = startFrame; i < total; i++) {
        if (signal.aborted) throw Object.assign(new Error('canceled'), { name: 'AbortError' });
        await sink(new Uint8ClampedArray(w * 48 * 4), i);
        onProgress({ stage: 'render', done: i + 1, total });
        await tick();
      }
      if (id === 'builtin') return { parts: { ...FAKE_PARTS } };
    },
  };
}

/** Fake media, pose, body and encoder: what the core asks of the machine, with a log of what it asked. */
function fakes(options: { slowPose?: boolean; framesDone?: number } = {}) {
  const calls = {
    analyze: [] as { clipId: string; follow: FollowPoint | null }[],
    fit: [] as string[],
    retarget: 0,
    frames: [] as number[],
    canceled: 0,
    cacheWrites: 0,
    /** Engines run, in order. */
    engines: [] as string[],
    /** Outputs started. */
    outputs: [] as OutputSpec[],
    /** Frames the preview engine read: clip id, frame index, size. */
    reads: [] as string[],
  };
  const cache = new Map<string, { track: PoseTrack; follow: FollowPoint | null }>();
  const release: (() => void)[] = [];
  let now = 0;
  const services: ProjectServices = {
    async analyzePose(c, follow, onProgress, isCanceled) {
      calls.analyze.push({ clipId: c.id, follow });
      onProgress({ done: 1, total: c.frameCount, ep: 'wasm' });
      if (options.slowPose) await new Promise<void>((r) => release.push(r));
      if (isCanceled()) throw new AnalysisCanceled();
      const track = emptyTrack(c.frameCount, c.width, c.height, 8, 'fake', 'wasm');
      track.seconds = follow ? follow.x : 1; // marks which analysis made it
      return track;
    },
    poseCache: {
      read: async (key) => cache.get(key),
      write: async (key, value) => {
        calls.cacheWrites++;
        cache.set(key, value);
      },
    },
    fitBody(track: PoseTrack, model: BodyModel): BodyTrack {
      calls.fit.push(model.id);
      return emptyBodyTrack(track.frameCount, NEUTRAL_SHAPE, centredCamera(track.width, track.height), model.kind === 'builtin' ? undefined : model);
    },
    retarget(motion) {
      calls.retarget++;
      return { ...motion };
    },
    coverage: () => ({ unseen: new Float32Array(0) }) as unknown as SurfaceCoverage,
    framing: (_reference, retargeted) => ({ framesOutside: 1, frameCount: retargeted.frameCount, side: 'left', fix: { x: 0.3, z: 0 } }),
    engines: {
      builtin: fakeEngine('builtin', (job) => job.width, calls.engines),
      // The real side-by-side engine (pure TypeScript) over fake frames: a flat grey per clip.
      preview: createPreviewEngine({
        readFrame: async (clipId, index, width, height) => {
          calls.reads.push(`${clipId}:${index}:${width}x${height}`);
          return { data: new Uint8ClampedArray(width * height * 4).fill(clipId === 'r' ? 10 : 20), width, height };
        },
      }),
      diffusion: fakeEngine('diffusion', () => 64, calls.engines),
    },
    output: {
      start: async (spec) => {
        calls.outputs.push(spec);
        return { id: 7, framesDone: spec.resumeKey ? (options.framesDone ?? 0) : 0 };
      },
      frame: async (_id, rgba) => void calls.frames.push(rgba.length),
      // ffmpeg.wasm encodes when the output finishes, and says how far it got.
      finish: async (_id, onProgress) => {
        const encoder = calls.outputs.at(-1)?.encoder === 'ffmpeg' ? ('ffmpeg' as const) : ('webcodecs' as const);
        if (encoder === 'ffmpeg') for (const f of [0.5, 1]) onProgress?.(f);
        return { file: new File([new Uint8Array(4)], 'out.mp4'), frameCount: 5, codec: 'avc1', audioCodec: null, encoder };
      },
      cancel: async () => void calls.canceled++,
      resumable: async () => (options.framesDone ? { framesDone: options.framesDone, frameCount: 5 } : null),
    },
    now: () => (now += 10),
  };
  return { services, calls, cache, release };
}

/** A project with its events recorded, as the page's view receives them. */
function watched(services: ProjectServices) {
  const project = new Project(services);
  const events: ProjectEvent[] = [];
  project.subscribe((e) => events.push(e));
  const poseDone = (slot: Slot) => events.some((e) => e.type === 'pose' && e.slot === slot && e.stage.status === 'done');
  const tracks = () => ({
    pose: events.filter((e) => e.type === 'pose' && e.track).length,
    body: events.filter((e) => e.type === 'body' && e.track).length,
    retargeted: events.filter((e) => e.type === 'retargeted' && e.track).length,
  });
  return { project, events, poseDone, tracks };
}

const timeline: TimelineSettings = { reference: { inS: 0, outS: 1 }, motion: { inS: 0, outS: 0.5 }, offsetS: 0, mapping: 'hold' };
const request = (patch: Partial<GenerateRequest> = {}): GenerateRequest => ({ engine: 'builtin', timeline, fps: 10, maxHeight: 240, audio: null, encoder: 'auto', refine: null, ...patch });

async function loadedProject(options: Parameters<typeof fakes>[0] = {}) {
  const f = fakes(options);
  const w = watched(f.services);
  await w.project.setClip('reference', clip('r'));
  await w.project.setClip('motion', clip('m'));
  await until(() => w.events.some((e) => e.type === 'retargeted' && e.track));
  return { ...f, ...w };
}

describe('Project core', () => {
  it('loads, analyses, fits and retargets, sending each track across once', async () => {
    const { calls, events, tracks } = await loadedProject();
    expect(calls.analyze.map((a) => a.clipId)).toEqual(['r', 'm']);
    expect(calls.fit).toEqual(['builtin', 'builtin']);
    expect(calls.retarget).toBe(1);
    // One pose track, one body track per clip, one retargeted body: each crosses the boundary once.
    expect(tracks()).toEqual({ pose: 2, body: 2, retargeted: 1 });
    // With it, whether the body stays in the frame.
    const retargeted = events.find((e) => e.type === 'retargeted' && e.track);
    expect(retargeted?.type === 'retargeted' && retargeted.framing?.fix).toEqual({ x: 0.3, z: 0 });
    const stages = events.filter((e) => e.type === 'pose' && e.slot === 'reference').map((e) => (e.type === 'pose' ? e.stage.status : ''));
    expect(stages).toContain('queued');
    expect(stages).toContain('running');
    expect(stages.at(-1)).toBe('done');
    expect(calls.cacheWrites).toBe(2);
  });

  it('keeps a new track in the cache before it says the analysis is done (a reload right then finds it)', async () => {
    const f = fakes();
    const { project, events } = watched(f.services);
    let writesAtDone = -1;
    project.subscribe((e) => {
      if (e.type === 'pose' && e.stage.status === 'done') writesAtDone = f.calls.cacheWrites;
    });
    await project.setClip('reference', clip('r'));
    expect(events.some((e) => e.type === 'pose' && e.stage.status === 'done')).toBe(true);
    expect(writesAtDone).toBe(1);
  });

  it('reads a clip analysed before from the cache, keyed by content, without analysing', async () => {
    const f = fakes();
    const first = watched(f.services);
    await first.project.setClip('reference', clip('r1', 'same-file'));
    const second = watched(f.services);
    await second.project.setClip('reference', clip('r2', 'same-file'));
    expect(f.calls.analyze.map((a) => a.clipId)).toEqual(['r1']);
    const done = second.events.find((e) => e.type === 'pose' && e.stage.status === 'done');
    expect(done?.type === 'pose' && done.stage.fromCache).toBe(true);
  });

  it('follows a clicked person: analyses again with the point, and the new track replaces the old', async () => {
    const { project, calls, events } = await loadedProject();
    const before = events.length;
    await project.follow('motion', { frame: 3, x: 42, y: 10 });
    expect(calls.analyze.at(-1)).toEqual({ clipId: 'm', follow: { frame: 3, x: 42, y: 10 } });
    const later = events.slice(before);
    const track = later.find((e) => e.type === 'pose' && e.track);
    expect(track?.type === 'pose' && track.track?.seconds).toBe(42);
    expect(track?.type === 'pose' && track.stage.follow).toEqual({ frame: 3, x: 42, y: 10 });
    expect(project.poseTrack('motion')?.seconds).toBe(42);
    // The motion body is fitted and retargeted again from the followed person.
    expect(later.filter((e) => e.type === 'body' && e.track).length).toBe(1);
    await until(() => events.slice(before).some((e) => e.type === 'retargeted' && e.track));
  });

  it('stops the analysis of a clip that is replaced, and says nothing more of it', async () => {
    const f = fakes({ slowPose: true });
    const { project, events } = watched(f.services);
    const first = project.setClip('reference', clip('old'));
    await until(() => f.release.length === 1);
    const second = project.setClip('reference', clip('new'));
    f.release.shift()?.();
    await first;
    await until(() => f.release.length === 1);
    f.release.shift()?.();
    await second;
    const oldDone = events.some((e) => e.type === 'pose' && e.stage.clipId === 'old' && (e.stage.status === 'done' || e.stage.status === 'failed'));
    expect(oldDone).toBe(false);
    expect(project.poseTrack('reference')).not.toBeNull();
    expect(events.filter((e) => e.type === 'pose' && e.track).map((e) => (e.type === 'pose' ? e.stage.clipId : ''))).toEqual(['new']);
  });

  it('reports a failed analysis with the reason', async () => {
    const f = fakes();
    f.services.analyzePose = async () => {
      throw new Error('Decoding error.');
    };
    const { project, events } = watched(f.services);
    await project.setClip('motion', clip('m'));
    const failed = events.find((e) => e.type === 'pose' && e.stage.status === 'failed');
    expect(failed?.type === 'pose' && failed.stage.error).toBe('Pose analysis failed: Decoding error.');
  });

  it('swaps the clips with everything made from them, without analysing again', async () => {
    const { project, calls } = await loadedProject();
    const ref = project.poseTrack('reference');
    project.swap();
    expect(project.poseTrack('motion')).toBe(ref);
    expect(calls.analyze.length).toBe(2);
    await until(() => project.retargetedBody() !== null);
    expect(calls.retarget).toBe(2);
    const job = await project.engineJob(request());
    expect(job.engine === 'builtin' && job.job.reference.clipId).toBe('m');
  });

  it('retargets once per placement change and refits both clips with a new body model', async () => {
    const { project, calls, events } = await loadedProject();
    project.setPlacement({ mode: 'follow', offsetX: 0.5, offsetZ: 0, scale: 1, ground: 0 });
    await until(() => calls.retarget === 2);
    const smpl = { ...BUILTIN_BODY_MODEL, id: 'smpl-test', kind: 'smpl', name: 'mine.npz' } as BodyModel;
    project.setBodyModel(smpl);
    expect(calls.fit.slice(-2)).toEqual(['smpl-test', 'smpl-test']);
    await until(() => calls.retarget === 3);
    expect(events.filter((e) => e.type === 'retargeted' && e.track).length).toBe(3);
  });

  it('makes engine jobs from the tracks it holds: nothing travels back for Generate', async () => {
    const { project, tracks } = await loadedProject();
    const before = tracks();
    const job = await project.engineJob(request());
    expect(job.engine).toBe('builtin');
    if (job.engine !== 'builtin') return;
    expect(job.job.reference.track).toBe(project.poseTrack('reference'));
    expect(job.job.retargeted).toBe(project.retargetedBody());
    // Output size: the reference's 640x480 under the height cap, even.
    expect([job.job.width, job.job.height]).toEqual([320, 240]);
    expect(tracks()).toEqual(before);
  });

  it('says what to wait for when a stage Generate needs is missing', async () => {
    const { project } = watched(fakes().services);
    await expect(project.engineJob(request())).rejects.toBeInstanceOf(NotReadyError);
    await expect(project.engineJob(request({ engine: 'diffusion' }))).rejects.toThrow('Wait for the pose analysis of both clips');
  });

  it('keys a resumable run by everything that shapes its frames: the trim and the size, not the clip ids', async () => {
    const a = await loadedProject();
    const key = await a.project.resumeKey(request());
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(await a.project.resumeKey(request())).toBe(key);
    expect(await a.project.resumeKey(request({ maxHeight: 480 }))).not.toBe(key);
    const trimmed = { ...timeline, motion: { inS: 0.1, outS: 0.5 } };
    expect(await a.project.resumeKey(request({ timeline: trimmed }))).not.toBe(key);
    // The same files loaded again (new per-load ids) give the same key.
    const b = await loadedProject();
    expect(await b.project.resumeKey(request())).toBe(key);
    expect(await a.project.resumeKey(request({ engine: 'diffusion' }))).toBeNull();
    // The engine's config is part of the job, hence of the key.
    const job = a.project.builtinJob(request());
    expect(job?.config).toBe(BUILTIN_CONFIG);
  });

  it('generates every frame into one output and returns the MP4', async () => {
    const { project, calls } = await loadedProject();
    const progress: number[] = [];
    const shown: number[] = [];
    const result = await project.generate(request(), { onProgress: (p) => p.stage === 'render' && progress.push(p.done), onFrame: (_rgba, _w, _h, i) => void shown.push(i) });
    expect(result).toMatchObject({ width: 320, height: 48, fps: 10, frameCount: 5, videoCodec: 'avc1', resumedAt: 0 });
    expect(result.file).toBeInstanceOf(File);
    expect(calls.frames.length).toBe(5);
    expect(shown).toEqual([0, 1, 2, 3, 4]);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });

  it("passes the builtin engine's time per part through, with finishing the output, adding up to the run", async () => {
    const { project } = await loadedProject();
    const result = await project.generate(request(), { onProgress: () => undefined });
    const parts = result.parts!;
    // The engine's own parts as it reported them, in their order; the fake clock moves 10 ms a
    // reading, so finishing the output took 10 ms, and what the engine did not see is other.
    expect(parts).toMatchObject({ read: 1, plates: 1, completion: 0.5, body: 1, output: 0.5, finish: 10 });
    expect(Object.keys(parts)).toEqual(['read', 'plates', 'completion', 'body', 'output', 'finish', 'other']);
    expect(parts.other).toBeGreaterThan(FAKE_PARTS.other!);
    expect(partTotal(parts)).toBeCloseTo(result.seconds * 1000, 6);
    // The side-by-side preview measures its own: decoded frames, placing them, the encoder.
    const preview = (await project.generate(request({ engine: 'preview' }), { onProgress: () => undefined })).parts!;
    expect(Object.keys(preview)).toEqual(expect.arrayContaining(['read', 'composite', 'output', 'finish']));
  });

  it('resumes after the frames a stopped run left', async () => {
    const { project, calls } = await loadedProject({ framesDone: 3 });
    expect(await project.resumable(request())).toMatchObject({ framesDone: 3, frameCount: 5 });
    const result = await project.generate(request(), { onProgress: () => undefined });
    expect(result.resumedAt).toBe(3);
    expect(calls.frames.length).toBe(2);
  });

  it('cancels: the run rejects with CanceledError and its output is closed', async () => {
    const { project, calls } = await loadedProject();
    const run = project.generate(request(), {
      onProgress: (p) => {
        if (p.stage === 'render' && p.done === 2) project.cancelGenerate();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CanceledError);
    expect(calls.canceled).toBe(1);
    expect(calls.frames.length).toBeLessThan(5);
  });

  it('runs the side-by-side preview through the engines and the one output, without waiting for pose', async () => {
    const { services, calls, release } = fakes({ slowPose: true });
    const { project } = watched(services);
    void project.setClip('reference', clip('r'));
    void project.setClip('motion', { ...clip('m'), width: 320, height: 480 });
    const progress: number[] = [];
    const shown: number[] = [];
    const audio = { slot: 'motion' as const, startS: 0, durationS: 0.5 };
    const result = await project.generate(request({ engine: 'preview', audio }), {
      onProgress: (p) => p.stage === 'render' && progress.push(p.done),
      onFrame: (_rgba, _w, _h, i) => void shown.push(i),
    });
    // reference 640x480 | motion 320x480, both 240 high: 320 + 160 wide.
    expect(result).toMatchObject({ width: 480, height: 240, fps: 10, frameCount: 5, encoder: 'webcodecs', resumedAt: 0 });
    expect(calls.outputs).toEqual([{ width: 480, height: 240, fps: 10, frameCount: 5, fileName: 'preview.mp4', resumeKey: null, encoder: 'auto' }]);
    expect(calls.frames).toEqual(Array(5).fill(480 * 240 * 4));
    expect(calls.engines).toEqual([]); // neither the builtin nor the diffusion engine ran
    expect(calls.reads.slice(0, 2)).toEqual(['r:0:320x240', 'm:0:160x240']);
    expect(calls.reads.length).toBe(10);
    expect(shown).toEqual([0, 1, 2, 3, 4]);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    // The pose analysis was still running: the preview needs only the clips.
    expect(calls.analyze.length).toBe(1);
    release.forEach((r) => r());
  });

  it('says the preview needs both clips', async () => {
    const { project } = watched(fakes().services);
    await expect(project.engineJob(request({ engine: 'preview' }))).rejects.toThrow('Load both clips first.');
  });

  it('cancels a preview run: it rejects with CanceledError and its output is closed', async () => {
    const { project, calls } = await loadedProject();
    const run = project.generate(request({ engine: 'preview' }), {
      onProgress: (p) => {
        if (p.stage === 'render' && p.done === 2) project.cancelGenerate();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CanceledError);
    expect(calls.canceled).toBe(1);
    expect(calls.frames.length).toBe(2);
    // The next run still works.
    expect((await project.generate(request({ engine: 'preview' }), { onProgress: () => undefined })).frameCount).toBe(5);
  });

  it('hands every engine the encoder choice, and reports finishing the MP4 as its own stage', async () => {
    const { project, calls } = await loadedProject();
    for (const engine of ['builtin', 'preview', 'diffusion'] as const) {
      const stages: GenerateProgress[] = [];
      const result = await project.generate(request({ engine, encoder: 'ffmpeg' }), { onProgress: (p) => void stages.push(p) });
      expect(result.encoder).toBe('ffmpeg');
      expect(calls.outputs.at(-1)?.encoder).toBe('ffmpeg');
      expect(stages.filter((p) => p.stage === 'encode')).toEqual([
        { stage: 'encode', fraction: 0.5 },
        { stage: 'encode', fraction: 1 },
      ]);
    }
    expect(calls.engines).toEqual(['builtin', 'diffusion']);
  });

  it('trims without analysing again: analysis covers the clip, the request carries the trim', async () => {
    const { project, calls } = await loadedProject();
    const trimmed = { ...timeline, motion: { inS: 0.2, outS: 0.4 } };
    const job = await project.engineJob(request({ timeline: trimmed }));
    expect(job.job.timeline).toEqual(trimmed);
    expect(calls.analyze.length).toBe(2);
  });
});
