/**
 * Time: filling frames without a confident pose from their neighbours, and smoothing.
 *
 * Smoothing is one pass of a short centred filter on every joint rotation and on the root
 * position: the fit's default is [1, 2, 1] / 4; Champ's 5-tap [2, 3, 2, 3, 2] / 12 (REFERENCES.md)
 * is smoother but lags fast limbs twice as far. Quaternions are averaged after flipping each tap onto
 * the centre tap's hemisphere (q and -q are the same rotation) and renormalised, which for the
 * small angles between neighbouring frames equals the weighted mean rotation closely. At the clip's
 * ends the taps are clamped to the first / last frame. The filter passes constants and zeroes the
 * frame-to-frame alternation (the response of both at half the frame rate is 0).
 */
import { qSlerp, quatAt } from './math';

/** Weights of the 5-tap smoothing filter, frames i-2 .. i+2. */
export const SMOOTHING_TAPS: readonly number[] = [2 / 12, 3 / 12, 2 / 12, 3 / 12, 2 / 12];

/**
 * Weights of the 3-tap filter, frames i-1 .. i+1: it too zeroes the frame-to-frame alternation,
 * and lags a fast limb far less (a tennis player's wrists 9.5 px off the keypoints in one frame in
 * ten, against 20 px with the 5 taps).
 */
export const LIGHT_SMOOTHING_TAPS: readonly number[] = [1 / 4, 1 / 2, 1 / 4];

/**
 * Replaces frames with `good[i] === 0` by interpolation between the nearest good frames: slerp of
 * every quaternion (`quatsPerFrame` per frame), lerp of the vectors (`vecsPerFrame` x 3 per frame).
 * Before the first and after the last good frame the nearest good frame is held. In place; returns
 * false (and changes nothing) when no frame is good.
 */
export function fillGaps(good: ArrayLike<number>, quats: Float32Array, quatsPerFrame: number, vecs: Float32Array, vecsPerFrame: number): boolean {
  const n = good.length;
  const goodFrames: number[] = [];
  for (let i = 0; i < n; i++) if (good[i]) goodFrames.push(i);
  if (goodFrames.length === 0) return false;
  const qs = quatsPerFrame * 4;
  const vs = vecsPerFrame * 3;
  const copy = (from: number, to: number) => {
    quats.copyWithin(to * qs, from * qs, (from + 1) * qs);
    vecs.copyWithin(to * vs, from * vs, (from + 1) * vs);
  };
  for (let i = 0; i < goodFrames[0]!; i++) copy(goodFrames[0]!, i);
  for (let i = goodFrames.at(-1)! + 1; i < n; i++) copy(goodFrames.at(-1)!, i);
  for (let g = 0; g + 1 < goodFrames.length; g++) {
    const a = goodFrames[g]!;
    const b = goodFrames[g + 1]!;
    for (let i = a + 1; i < b; i++) {
      const t = (i - a) / (b - a);
      for (let q = 0; q < quatsPerFrame; q++) quats.set(qSlerp(quatAt(quats, a * quatsPerFrame + q), quatAt(quats, b * quatsPerFrame + q), t), (i * quatsPerFrame + q) * 4);
      for (let v = 0; v < vs; v++) vecs[i * vs + v] = vecs[a * vs + v]! + (vecs[b * vs + v]! - vecs[a * vs + v]!) * t;
    }
  }
  return true;
}

/** One pass of a centred filter (`taps`, odd length; the 5-tap one by default) over `frameCount` frames of quaternions and vectors; returns new arrays. */
export function smoothFrames(
  frameCount: number,
  quats: Float32Array,
  quatsPerFrame: number,
  vecs: Float32Array,
  vecsPerFrame: number,
  taps: readonly number[] = SMOOTHING_TAPS,
): { quats: Float32Array; vecs: Float32Array } {
  const half = (taps.length - 1) / 2;
  const outQ = new Float32Array(quats.length);
  const outV = new Float32Array(vecs.length);
  const vs = vecsPerFrame * 3;
  const at = (i: number) => Math.min(frameCount - 1, Math.max(0, i));
  for (let i = 0; i < frameCount; i++) {
    for (let q = 0; q < quatsPerFrame; q++) {
      const c = (i * quatsPerFrame + q) * 4;
      const acc = [0, 0, 0, 0];
      taps.forEach((w, t) => {
        const o = (at(i + t - half) * quatsPerFrame + q) * 4;
        const d = quats[o]! * quats[c]! + quats[o + 1]! * quats[c + 1]! + quats[o + 2]! * quats[c + 2]! + quats[o + 3]! * quats[c + 3]!;
        const s = d < 0 ? -w : w;
        for (let k = 0; k < 4; k++) acc[k]! += s * quats[o + k]!;
      });
      const len = Math.hypot(acc[0]!, acc[1]!, acc[2]!, acc[3]!) || 1;
      for (let k = 0; k < 4; k++) outQ[c + k] = acc[k]! / len;
    }
    for (let v = 0; v < vs; v++) {
      let s = 0;
      taps.forEach((w, t) => (s += w * vecs[at(i + t - half) * vs + v]!));
      outV[i * vs + v] = s;
    }
  }
  return { quats: outQ, vecs: outV };
}
