import { MOSTLY_UNSEEN } from '../body';
import type { Slot } from '../media';
import type { PoseModelId } from '../pose';
import { get, set } from './editor';
import { loadClip } from './clips';
import { refreshPacks } from './packs';
import * as persist from './persist';
import { restoreBodyModel } from './body';
import { seek } from './playback';
import { followPerson } from './pose';
import { computeApi, mediaApi } from './services';
import type { ProjectSettings } from './settings';

/** Hooks for the benchmark, the evaluation and browser tests (`?bench`): stage timings and data that have no UI of their own. */
function benchHooks() {
  return {
    decode: (slot: Slot) => mediaApi().benchDecode(slot),
    /** GPU vs CPU denoising loops on the loaded pack: buffer maps, UNet calls/s, GPU memory, output difference. */
    diffusionCheck: (options: { frames: number; steps: number[]; seed?: number }) => computeApi().diffusionCheck(options),
    /**
     * The pose track of a clip as plain arrays (evaluation reads keypoints and the people looks,
     * src/pose/track.ts `people`, through the app). With
     * `{ masks: true }` also the person segmentation: `maskSize`, `rois` (frameCount x (cx, cy,
     * size, rotation) in display pixels, size 0 when none) and `masks` (frameCount x maskSize²
     * probabilities 0-255 in ROI crop space, see src/pose/crop.ts); by default `masks` is null, as
     * the arrays are large.
     */
    track: (slot: Slot, options?: { masks?: boolean }) => {
      const t = get().pose[slot].track;
      if (!t) return null;
      const base = {
        frameCount: t.frameCount,
        width: t.width,
        height: t.height,
        found: Array.from(t.found),
        score: Array.from(t.score),
        keypoints: Array.from(t.keypoints),
        peopleSampled: Array.from(t.peopleSampled),
        people: Array.from(t.people),
      };
      return options?.masks ? { ...base, maskSize: t.maskSize, rois: Array.from(t.rois), masks: Array.from(t.masks) } : { ...base, masks: null };
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
      const { id, key, frameCount, timestamps, width, height } = get().clips[slot].info!;
      return computeApi().benchPose({ id, key, frameCount, timestamps, width, height }, model, ep, frames);
    },
  };
}

/** Probes the GPU and restores the last session's inputs and settings. */
let started = false;
export async function startEditor(): Promise<void> {
  if (started) return;
  started = true;
  // ?encoder=ffmpeg|webcodecs forces an export path (benchmark, tests); the default picks WebCodecs.
  const params = new URLSearchParams(location.search);
  const forced = params.get('encoder');
  if (forced === 'ffmpeg' || forced === 'webcodecs') set({ encoder: forced });
  if (params.has('bench')) Object.assign(globalThis, { motionpasteBench: benchHooks() });
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
