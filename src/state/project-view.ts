import type { Slot } from '../media';
import type { ProjectEvent } from '../project';
import { set, type EditorState } from './editor';

/**
 * Applies the project core's events to the editor's state. Events name their clip: one for a clip
 * that has since moved to the other slot (a swap) lands there, one for a clip no longer loaded is
 * dropped.
 */
export function applyProjectEvent(event: ProjectEvent): void {
  if (event.type === 'retargeted') return set({ retargeted: event.track, coverage: event.coverage, framing: event.framing });
  const key = event.type; // 'pose' | 'body': a stage of one clip, with its track once
  set((s) => {
    const slot = slotFor(s, event.slot, event.stage.clipId);
    if (!slot) return s;
    const prev = s[key][slot];
    const keep = event.stage.status === 'done' && prev.clipId === event.stage.clipId ? prev.track : null;
    return { [key]: { ...s[key], [slot]: { ...event.stage, track: event.track ?? keep } } } as Partial<EditorState>;
  });
}

/** The slot that shows clip `clipId` now; a state with no clip (reset) goes to the slot it names. */
function slotFor(s: EditorState, named: Slot, clipId: string | null): Slot | null {
  if (clipId === null) return named;
  if (s.clips[named].info?.id === clipId) return named;
  const other: Slot = named === 'reference' ? 'motion' : 'reference';
  return s.clips[other].info?.id === clipId ? other : null;
}
