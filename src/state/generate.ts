import { outputDuration, proxy, type AudioChoice, type Progress } from '../media';
import { CanceledError, NotReadyError, type GenerateProgress, type GenerateRequest, type GenerateResult, type OutputAudio } from '../project';
import { get, idleRender, patchRender, set, useEditor, type EditorState, type EngineChoice, type RefineSettings } from './editor';
import { etaSeconds } from './eta';
import { pause } from './playback';
import { computeApi, mediaApi, releaseResultUrl, resultUrl } from './services';
import { saveSettingsSoon } from './settings';
import { timelineOf } from './timeline';

/** Shows a finished frame as the live preview, closing the one it replaces. */
const showPreview = proxy((frame: ImageBitmap, index: number) => {
  get().render.preview?.frame.close();
  patchRender({ preview: { frame, index } });
});

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

/**
 * Why Generate cannot run now, in words for the user; null when it can. A failed pose analysis is
 * named with its error and what to do, rather than left as "Waiting…" that never ends.
 */
export function generateBlocker(s: Pick<EditorState, 'clips' | 'engine' | 'pack' | 'pose' | 'body' | 'retargeted' | 'refine'>): string | null {
  const busy = s.clips.reference.status === 'loading' || s.clips.motion.status === 'loading';
  if (!s.clips.reference.info || !s.clips.motion.info || busy) return 'Load both clips to generate.';
  const { engine } = s;
  if (engine === 'diffusion' && s.pack.status !== 'ready') return 'Load a model pack to use the diffusion engine.';
  if (engine !== 'preview') {
    const failed = (['reference', 'motion'] as const).find((slot) => s.pose[slot].status === 'failed');
    if (failed) {
      return `The pose analysis of the ${failed} clip failed (${s.pose[failed].error ?? 'no reason given'}): load an intact copy of it or another clip. The preview engine needs no pose.`;
    }
  }
  const posesReady = s.pose.reference.status === 'done' && s.pose.motion.status === 'done';
  const bodyFailed = s.body.reference.status === 'failed' || s.body.motion.status === 'failed';
  const bodiesReady = s.retargeted !== null;
  const refining = engine === 'diffusion' && s.refine.enabled;
  if (engine === 'diffusion' && !posesReady) return 'Waiting for the pose analysis of both clips.';
  if (refining && bodyFailed) return 'Refining the builtin render needs a person in both clips (see the 3D body panel).';
  if (refining && !bodiesReady) return 'Waiting for the 3D body of both clips (the builtin render to refine).';
  if (engine === 'builtin' && bodyFailed) return 'The builtin engine needs a person in both clips (see the 3D body panel).';
  if (engine === 'builtin' && !bodiesReady) return 'Waiting for the pose analysis and 3D body of both clips.';
  return null;
}

/** The audio an engine's output carries: the chosen clip's range under the output, or none. */
function engineAudio(s: EditorState): OutputAudio | null {
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

/** What Generate asks the project core for, or null when a clip is missing. */
function generateRequest(s: EditorState): GenerateRequest | null {
  const timeline = timelineOf(s);
  const mot = s.clips.motion.info;
  if (!timeline || !mot || !s.clips.reference.info) return null;
  const refine = s.engine === 'diffusion' && s.refine.enabled ? { strength: s.refine.strength } : null;
  return { engine: s.engine, timeline, fps: mot.fps, maxHeight: s.maxHeight, audio: engineAudio(s), encoder: s.encoder, refine };
}

const baseName = (name: string) => name.replace(/\.[^.]*$/, '');
const resultName = (s: EditorState, suffix: string) =>
  `motionpaste-${baseName(s.clips.reference.info?.name ?? 'reference')}-${baseName(s.clips.motion.info?.name ?? 'motion')}${suffix}.mp4`;

/** Progress of an engine run as the render bar shows it (`encode`: finishing the MP4 with ffmpeg.wasm, a bar of its own). */
function engineProgress(engine: GenerateRequest['engine'], p: GenerateProgress): Progress {
  if (p.stage === 'encode') return { phase: 'encode', fraction: p.fraction };
  if (engine === 'preview' && p.stage === 'render') return { phase: 'render', fraction: p.done / Math.max(1, p.total), done: p.done, total: p.total };
  if (engine === 'builtin' && p.stage === 'render') return { phase: 'render', fraction: 0.1 + (0.9 * p.done) / Math.max(1, p.total), done: p.done, total: p.total };
  if (engine === 'builtin' && p.stage === 'prepare')
    return { phase: 'render', fraction: (0.1 * p.done) / Math.max(1, p.total), label: `Lifting the reference person's appearance onto the body ${p.done}/${p.total}` };
  if (p.stage === 'denoise') {
    const done = p.step * p.chunks + p.chunk + 1;
    return { phase: 'render', fraction: 0.05 + (0.85 * done) / (p.steps * p.chunks), label: `Denoising step ${p.step + 1}/${p.steps} · chunk ${p.chunk + 1}/${p.chunks}` };
  }
  if (p.stage === 'prepare') return { phase: 'render', fraction: (0.05 * p.done) / Math.max(1, p.total), label: p.label ?? `Encoding the reference and poses ${p.done}/${p.total}` };
  return { phase: 'encode', fraction: 0.9 + (0.1 * p.done) / Math.max(1, p.total), done: p.done, total: p.total, label: `Decoding frame ${p.done}/${p.total}` };
}

/** Renders the trimmed range with the chosen engine and keeps the MP4 for playback and download. */
export async function generate(): Promise<void> {
  const s = get();
  const request = generateRequest(s);
  if (!request || s.render.status === 'running') return;
  pause();
  if (s.render.result) releaseResultUrl(s.render.result.url);
  s.render.preview?.frame.close();
  const startedAt = performance.now();
  set({ render: { ...idleRender(), status: 'running', startedAt, resumable: s.render.resumable } });
  const elapsed = () => (performance.now() - startedAt) / 1000;
  const suffix = request.engine !== 'diffusion' ? '' : request.refine ? '-refined' : '-diffusion';
  // Finishing with ffmpeg.wasm is a bar of its own: its ETA counts from when it began.
  let encodeStartedAt: number | null = null;
  try {
    const result: GenerateResult = await computeApi().generate(
      request,
      proxy((p: GenerateProgress) => {
        const progress = engineProgress(request.engine, p);
        if (p.stage === 'encode') encodeStartedAt ??= performance.now();
        const since = encodeStartedAt === null ? elapsed() : (performance.now() - encodeStartedAt) / 1000;
        patchRender({ progress, etaS: etaSeconds(progress.fraction, since) });
      }),
      showPreview,
    );
    const { file, ...rest } = result;
    const info = { ...rest, durationS: rest.frameCount / rest.fps };
    patchRender({ status: 'done', result: { url: resultUrl(file), fileName: resultName(s, suffix), info, sizeBytes: file.size }, etaS: 0, resumable: null });
  } catch (e) {
    if (e instanceof CanceledError) patchRender({ status: 'canceled', progress: null, etaS: null });
    else if (e instanceof NotReadyError) patchRender({ status: 'failed', error: `Generation failed: ${e.message}` });
    else patchRender({ status: 'failed', error: `Generation failed: ${(e as Error)?.message ?? String(e)}` });
    void refreshResumable();
  }
}

export function cancelGenerate(): void {
  if (get().render.status !== 'running') return;
  void computeApi().cancelGenerate();
}

/**
 * Looks for frames an earlier builtin run of the current job left on disk, and shows them in
 * the Generate panel; Generate then resumes after them.
 */
export async function refreshResumable(): Promise<void> {
  const s = get();
  const request = s.engine === 'builtin' && s.retargeted ? generateRequest(s) : null;
  if (!request || s.render.status === 'running') return patchRender({ resumable: null });
  const found = await computeApi().resumable(request);
  if (get().render.status === 'running') return;
  patchRender({ resumable: found });
}

/** Drops the frames of an interrupted builtin run, so the next Generate starts from the first frame. */
export async function discardResumable(): Promise<void> {
  const r = get().render.resumable;
  if (!r) return;
  patchRender({ resumable: null });
  await mediaApi().discardResumable(r.key);
}

export function setEngine(engine: EngineChoice): void {
  set({ engine });
  saveSettingsSoon();
}

export function setRefine(patch: Partial<RefineSettings>): void {
  set((s) => ({ refine: { ...s.refine, ...patch, strength: Math.min(1, Math.max(0, patch.strength ?? s.refine.strength)) } }));
}

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
