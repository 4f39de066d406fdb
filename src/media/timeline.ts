/**
 * Time on the shared timeline. All times are in seconds. A clip's own time starts at 0 on its
 * first frame; the output timeline starts at 0 on the motion clip's trim-in point, runs for the
 * motion clip's trimmed length, and reads the reference clip at `reference.inS + offsetS + t`.
 */

/** A trimmed range of one clip, in seconds of that clip's time; `outS` is exclusive. */
export interface Trim {
  inS: number;
  outS: number;
}

/** What to show from the reference when the output time falls outside its trimmed range. */
export type TimeMapping = 'hold' | 'loop' | 'ping-pong';

export interface TimelineSettings {
  reference: Trim;
  motion: Trim;
  /** Shift of the reference clip against the motion clip, in seconds (positive: reference later). */
  offsetS: number;
  mapping: TimeMapping;
}

/**
 * Index of the frame shown at time `t`: the last frame whose timestamp is <= t. Timestamps are
 * sorted presentation times in seconds; results are clamped to [0, n-1].
 */
export function frameIndexAt(timestamps: ArrayLike<number>, t: number): number {
  const n = timestamps.length;
  if (n === 0) return -1;
  // Tolerance for float drift: a time equal to a frame's timestamp selects that frame.
  const target = t + 1e-6;
  let lo = 0;
  let hi = n - 1;
  if (target < timestamps[0]!) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (timestamps[mid]! <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Folds a local time into [0, length) by the chosen mapping. */
export function mapTime(local: number, length: number, mapping: TimeMapping): number {
  if (length <= 0) return 0;
  const last = Math.max(0, length - 1e-6);
  switch (mapping) {
    case 'hold':
      return Math.min(Math.max(local, 0), last);
    case 'loop':
      return ((local % length) + length) % length;
    case 'ping-pong': {
      const period = 2 * length;
      const p = ((local % period) + period) % period;
      return Math.min(p < length ? p : period - p, last);
    }
  }
}

/** Length of the output timeline, in seconds: the motion clip's trimmed range. */
export function outputDuration(s: TimelineSettings): number {
  return Math.max(0, s.motion.outS - s.motion.inS);
}

/** The time in each clip shown at output time `t`. */
export function sourceTimes(s: TimelineSettings, t: number): { motion: number; reference: number } {
  const motionLen = outputDuration(s);
  const motion = s.motion.inS + Math.min(Math.max(t, 0), Math.max(0, motionLen - 1e-6));
  const refLen = Math.max(0, s.reference.outS - s.reference.inS);
  const reference = s.reference.inS + mapTime(t + s.offsetS, refLen, s.mapping);
  return { motion, reference };
}

/** Output frame times for a render at `fps`: k / fps for every frame inside the output duration. */
export function outputFrameTimes(s: TimelineSettings, fps: number): number[] {
  const count = Math.max(1, Math.round(outputDuration(s) * fps));
  return Array.from({ length: count }, (_, k) => k / fps);
}

/** Which source frames make each output frame of a render. */
export interface FrameMapping {
  /** Output frame times, seconds from the timeline's start. */
  times: number[];
  /** Reference clip frame index at each output frame. */
  reference: number[];
  /** Motion clip frame index at each output frame. */
  motion: number[];
}

/**
 * The source frames of every output frame of a render at `fps`: the one mapping that renders,
 * engines and the editor's frame lists share. Timestamps as `frameIndexAt` takes them.
 */
export function frameMapping(s: TimelineSettings, fps: number, referenceTimestamps: ArrayLike<number>, motionTimestamps: ArrayLike<number>): FrameMapping {
  const times = outputFrameTimes(s, fps);
  const at = times.map((t) => sourceTimes(s, t));
  return {
    times,
    reference: at.map((t) => frameIndexAt(referenceTimestamps, t.reference)),
    motion: at.map((t) => frameIndexAt(motionTimestamps, t.motion)),
  };
}

/** Clamps a trim to a clip of `duration` seconds, keeping at least one frame (`minLength`). */
export function clampTrim(trim: Trim, duration: number, minLength: number): Trim {
  const outS = Math.min(Math.max(trim.outS, minLength), duration);
  const inS = Math.min(Math.max(trim.inS, 0), Math.max(0, outS - minLength));
  return { inS, outS };
}

/** A nominal frame rate from the frame timestamps: the median frame interval, as frames per second. */
export function nominalFps(timestamps: ArrayLike<number>): number {
  const n = timestamps.length;
  if (n < 2) return 30;
  const deltas: number[] = [];
  for (let i = 1; i < n; i++) deltas.push(timestamps[i]! - timestamps[i - 1]!);
  deltas.sort((a, b) => a - b);
  const median = deltas[deltas.length >> 1]!;
  if (median <= 0) return 30;
  const fps = 1 / median;
  // Snap to the common NTSC rates when within rounding of them.
  for (const r of [23.976, 29.97, 59.94]) if (Math.abs(fps - r) < 0.01) return r;
  return Math.abs(fps - Math.round(fps)) < 0.05 ? Math.round(fps) : Math.round(fps * 1000) / 1000;
}
