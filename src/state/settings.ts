import type { Slot, Trim, TimeMapping, AudioChoice } from '../media';
import { get, type EditorState, type Overlays } from './editor';
import * as persist from './persist';

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
/** Stores the settings shortly after the last change (a dragged slider writes once). */
export function saveSettingsSoon(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void persist.keepSettings(settingsOf(get())).catch(() => undefined), 150);
}
