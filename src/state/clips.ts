import { asMediaError, clampTrim, proxy, type ClipInfo, type Progress, type Slot, type TimeMapping, type AudioChoice, type Trim } from '../media';
import type { ProjectClip } from '../project';
import { emptyClip, get, idleBody, idlePose, patchClip, set, type Overlays } from './editor';
import { etaSeconds } from './eta';
import * as persist from './persist';
import { clampTime, frameFeeds, showFrames } from './playback';
import { computeApi, mediaApi } from './services';
import { saveSettingsSoon } from './settings';
import { frameLength } from './timeline';

const THUMB_COUNT = 24;
const THUMB_HEIGHT = 48;

/** What the project core needs of a loaded clip. */
const projectClip = ({ id, key, frameCount, timestamps, width, height }: ClipInfo): ProjectClip => ({ id, key, frameCount, timestamps, width, height });

async function loadThumbnails(slot: Slot, name: string): Promise<void> {
  try {
    const thumbs = await mediaApi().thumbnails(slot, THUMB_COUNT, THUMB_HEIGHT);
    if (get().clips[slot].info?.name === name) patchClip(slot, { thumbnails: thumbs });
  } catch {
    /* thumbnails are a nicety */
  }
}

/** The slot's analysis and body are gone with its clip (the core says so too; this shows it at once). */
function forgetAnalysis(slot: Slot): void {
  set((s) => ({ pose: { ...s.pose, [slot]: idlePose() }, body: { ...s.body, [slot]: idleBody() }, retargeted: null, coverage: null, framing: null }));
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
    forgetAnalysis(slot);
    void computeApi().setClip(slot, projectClip(info));
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
  forgetAnalysis(slot);
  void computeApi().setClip(slot, null);
  await mediaApi().close(slot);
  frameFeeds[slot].reset();
  patchClip(slot, emptyClip());
  await persist.forgetInput(slot).catch(() => undefined);
  clampTime();
  saveSettingsSoon();
}

/** Exchanges the reference and motion clips, with their trims and everything made from them. */
export async function swapClips(): Promise<void> {
  const { clips } = get();
  if (clips.reference.status === 'loading' || clips.motion.status === 'loading') return;
  await mediaApi().swap();
  void computeApi().swapClips();
  frameFeeds.reference.reset();
  frameFeeds.motion.reset();
  set((s) => ({
    clips: { reference: s.clips.motion, motion: s.clips.reference },
    pose: { reference: s.pose.motion, motion: s.pose.reference },
    body: { reference: s.body.motion, motion: s.body.reference },
    retargeted: null,
    coverage: null,
    framing: null,
    offsetS: -s.offsetS,
  }));
  void persist.swapInputs().catch(() => undefined);
  clampTime();
  showFrames();
  saveSettingsSoon();
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
