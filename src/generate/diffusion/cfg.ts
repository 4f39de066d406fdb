/**
 * Classifier-free guidance: out = uncond + s_f · (cond - uncond), with one scale s_f per frame.
 * MimicMotion's pipeline defaults to a per-frame linear ramp from `min` to `max` over the frames
 * (torch.linspace(min, max, frames)); its inference script uses 2.0 on every frame.
 */

/** A uniform scale, or a per-frame linear ramp from `min` (first frame) to `max` (last frame). */
export type GuidanceSetting = number | { readonly min: number; readonly max: number };

/** Per-frame guidance scales for `frameCount` frames (torch.linspace semantics; one frame gets `min`). */
export function guidanceScales(setting: GuidanceSetting, frameCount: number): Float32Array {
  if (!Number.isInteger(frameCount) || frameCount < 1) throw new RangeError(`frameCount must be a positive integer; got ${frameCount}.`);
  const { min, max } = typeof setting === 'number' ? { min: setting, max: setting } : setting;
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError(`guidance scales must be finite numbers; got ${min} and ${max}.`);
  const out = new Float32Array(frameCount);
  for (let f = 0; f < frameCount; f++) out[f] = frameCount === 1 ? min : min + ((max - min) * f) / (frameCount - 1);
  return out;
}

/** Whether guidance needs the unconditional pass at all (diffusers: any scale > 1). */
export function needsUnconditional(scales: Float32Array): boolean {
  for (const s of scales) if (s > 1) return true;
  return false;
}

/**
 * Combines the two passes of `frames.length` frames of `frameSize` values each:
 * out[k] = uncond[k] + scales[frames[k]] · (cond[k] - uncond[k]). `frames` maps each position to
 * its global frame index in `scales` (a segment's frames); `out` may alias either input.
 */
export function combineGuidance(
  uncond: Float32Array,
  cond: Float32Array,
  scales: Float32Array,
  frames: readonly number[],
  frameSize: number,
  out: Float32Array = new Float32Array(cond.length),
): Float32Array {
  if (uncond.length !== cond.length || cond.length !== frames.length * frameSize) {
    throw new RangeError(`guidance inputs have ${uncond.length} and ${cond.length} values; expected ${frames.length} frames × ${frameSize}.`);
  }
  frames.forEach((f, k) => {
    const s = scales[f];
    if (s === undefined) throw new RangeError(`frame ${f} has no guidance scale (${scales.length} scales).`);
    for (let i = k * frameSize, end = i + frameSize; i < end; i++) {
      const u = uncond[i]!;
      out[i] = u + s * (cond[i]! - u);
    }
  });
  return out;
}
