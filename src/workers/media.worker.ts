/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { CanvasSink } from 'mediabunny';
import { closeClip, openClip, type OpenClip } from '../media/clip';
import { MediaError, mediaErrors } from '../media/errors';
import { FrameReader, thumbnails } from '../media/frames';
import { renderSideBySide } from '../media/render';
import type { ClipInfo, Progress, RenderJob, RenderResult, Slot } from '../media/types';

/**
 * The media worker: owns every opened input and decoder. Frames leave it as transferred
 * ImageBitmaps; encoded results as transferred ArrayBuffers.
 */
const clips: Partial<Record<Slot, { clip: OpenClip; reader: FrameReader }>> = {};
let renderCanceled = false;

// Errors cross to the main thread as plain objects: keep `code` so the UI can branch on it.
const throwHandler = Comlink.transferHandlers.get('throw')!;
Comlink.transferHandlers.set('throw', {
  canHandle: throwHandler.canHandle,
  deserialize: throwHandler.deserialize,
  serialize: (thrown: unknown) => {
    const [wire, transfers] = throwHandler.serialize(thrown);
    const error = (thrown as { value?: unknown }).value;
    if (error instanceof MediaError) (wire as { value: Record<string, unknown> }).value.code = error.code;
    return [wire, transfers];
  },
});

function slotOf(slot: Slot) {
  const entry = clips[slot];
  if (!entry) throw new Error(`No ${slot} clip is loaded.`);
  return entry;
}

const api = {
  async open(slot: Slot, file: File, onProgress?: (p: Progress) => void): Promise<ClipInfo> {
    const clip = await openClip(file, (fraction) => onProgress?.({ phase: 'convert', fraction }));
    const reader = new FrameReader(clip);
    // Decode the first frame now so a file whose data cannot be decoded fails here, not later.
    try {
      (await reader.frame(0)).close();
    } catch (e) {
      closeClip(clip);
      throw mediaErrors.truncated(file.name, `its first frame cannot be decoded: ${(e as Error).message}`);
    }
    await api.close(slot);
    clips[slot] = { clip, reader };
    return clip.info;
  },

  async close(slot: Slot): Promise<void> {
    const entry = clips[slot];
    if (!entry) return;
    delete clips[slot];
    await entry.reader.dispose();
    closeClip(entry.clip);
  },

  swap(): void {
    const { reference, motion } = clips;
    if (motion) clips.reference = motion;
    else delete clips.reference;
    if (reference) clips.motion = reference;
    else delete clips.motion;
  },

  /** The frame at `index` of the clip in `slot`, at preview size. */
  async frame(slot: Slot, index: number): Promise<ImageBitmap> {
    const bitmap = await slotOf(slot).reader.frame(index);
    return Comlink.transfer(bitmap, [bitmap]);
  },

  async thumbnails(slot: Slot, count: number, height: number): Promise<ImageBitmap[]> {
    const bitmaps = await thumbnails(slotOf(slot).clip, count, height);
    return Comlink.transfer(bitmaps, bitmaps);
  },

  async render(job: RenderJob, onProgress: (p: Progress) => void): Promise<RenderResult> {
    renderCanceled = false;
    const result = await renderSideBySide({
      reference: slotOf('reference').clip,
      motion: slotOf('motion').clip,
      job,
      onProgress,
      isCanceled: () => renderCanceled,
    });
    return Comlink.transfer(result, [result.bytes]);
  },

  cancelRender(): void {
    renderCanceled = true;
  },

  /** Decodes every frame of a clip at full size once; for the benchmark. Returns frames and seconds. */
  async benchDecode(slot: Slot): Promise<{ frames: number; seconds: number }> {
    const { clip } = slotOf(slot);
    const sink = new CanvasSink(clip.video, { poolSize: 2 });
    const t0 = performance.now();
    let frames = 0;
    for await (const _ of sink.canvases()) frames++;
    return { frames, seconds: (performance.now() - t0) / 1000 };
  },
};

export type MediaWorkerApi = typeof api;
Comlink.expose(api);
