import { frameIndexAt, frameMapping, outputDuration, sourceTimes, type ClipInfo, type Slot, type TimelineSettings } from '../media';
import type { EditorState } from './editor';

/** Derived values of the editor's state: the shared timeline and the frames it shows. */

/** Duration of one frame of a clip, in seconds (the trim granularity). */
export const frameLength = (info: ClipInfo) => 1 / info.fps;

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
  return frameMapping(t, info.fps, info.timestamps, info.timestamps).motion;
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
