import type { Slot } from '../media';
import { get, set } from './editor';
import { FrameFeed } from './frame-feed';
import { mediaApi } from './services';
import { saveSettingsSoon } from './settings';
import { framesAt, timelineDuration, timelineFps, timelineOf } from './timeline';

/** One frame feed per pane: the frames shown at the playhead. */
export const frameFeeds: Record<Slot, FrameFeed> = {
  reference: new FrameFeed((i) => mediaApi().frame('reference', i)),
  motion: new FrameFeed((i) => mediaApi().frame('motion', i)),
};

/** Asks each pane's feed for the frame at the playhead. */
export function showFrames(): void {
  const indices = framesAt(get());
  for (const slot of ['reference', 'motion'] as const) {
    const i = indices[slot];
    if (i !== undefined) frameFeeds[slot].show(i);
  }
}

/** Keeps the playhead inside the timeline after it shrank. */
export function clampTime(): void {
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
