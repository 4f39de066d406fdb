/**
 * How much of the reference person's surface the reference clip shows, against what the motion
 * will show: a body seen only from the front cannot be shown from the back. Works on the body's
 * heading around the up axis relative to the camera (0° = facing the camera, 180° = back to it):
 * a frame at heading θ shows the surface directions within ±90° of θ.
 */
import { type Vec3, cross, dot, normalize, qRotate, quatAt, sub, scale, vec3At, DEG } from './math';
import { upDirection } from './retarget';
import type { BodyTrack } from './types';

/** Frames with a pose confidence below this say little about what was seen. */
const MIN_CONFIDENCE = 0.3;

/** Heading of the body at frame `i` around `up`, degrees in (-180, 180]: 0 facing the camera. */
export function heading(track: BodyTrack, i: number, up: Vec3 = upDirection(track)): number {
  const flat = (v: Vec3) => normalize(sub(v, scale(up, dot(v, up))), [0, 0, -1]);
  // Body space: z is the body's back, so its front is -z; the camera sits at the origin.
  const front = flat(qRotate(quatAt(track.rotations, i * 24), [0, 0, -1]));
  const toCamera = flat(scale(vec3At(track.roots, i), -1));
  const angle = Math.atan2(dot(cross(toCamera, front), up), dot(toCamera, front)) / DEG;
  return angle <= -180 ? angle + 360 : angle;
}

export interface SurfaceCoverage {
  /** Degrees of heading (of 360) the reference shows; 360 once it turns all the way. */
  seenDeg: number;
  /**
   * The smallest arc of headings that holds all the reference's frames, from its start to its end
   * going through increasing headings (degrees; the start in (-180, 180], the end up to 360 past it,
   * so a back view reads 160 to 190 rather than -170 to 160).
   */
  referenceRange: [number, number];
  /** Largest share (0..1) of a motion frame's visible half that the reference never showed. */
  worstUnseen: number;
  /** Share of motion frames where more than a quarter of what shows was never seen. */
  framesMostlyUnseen: number;
  /** Per motion frame, the share (0..1) of its visible half that the reference never showed. */
  unseen: Float32Array;
  /** Whether the reference ever turns its face towards the camera (heading within FACE_SEEN_DEG of it). */
  faceSeen: boolean;
  /** Share of motion frames that turn the face towards the camera (heading within 90° of it). */
  faceShown: number;
}

/** A motion frame shows mostly what the reference never did when more than this share of its visible half is unseen. */
export const MOSTLY_UNSEEN = 0.25;

/** A heading within this of the camera shows at least one side of the face. */
export const FACE_SEEN_DEG = 75;

const bin = (deg: number) => ((Math.round(deg) % 360) + 360) % 360;

/** The smallest arc that holds all `headings` (degrees): its start and end, see `SurfaceCoverage.referenceRange`. */
export function headingArc(headings: readonly number[]): [number, number] {
  if (headings.length === 0) return [0, 0];
  const sorted = headings.map((h) => ((h % 360) + 360) % 360).sort((a, b) => a - b);
  // The arc is everything but the widest gap between neighbouring headings (the last to the first wraps round).
  let gapEnd = 0;
  let widest = sorted[0]! + 360 - sorted[sorted.length - 1]!;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]! - sorted[i - 1]! > widest) {
      widest = sorted[i]! - sorted[i - 1]!;
      gapEnd = i;
    }
  }
  const start = sorted[gapEnd]!;
  const width = 360 - widest;
  const normalised = start > 180 ? start - 360 : start;
  return [normalised, normalised + width];
}

/** What the reference shows of the body, and how much of the retargeted motion falls outside it. */
export function surfaceCoverage(reference: BodyTrack, motion: BodyTrack): SurfaceCoverage {
  const seen = new Uint8Array(360);
  const refUp = upDirection(reference);
  const headings: number[] = [];
  for (let i = 0; i < reference.frameCount; i++) {
    if (reference.filled[i] || reference.confidence[i]! < MIN_CONFIDENCE) continue;
    const h = heading(reference, i, refUp);
    headings.push(h);
    for (let d = -90; d <= 90; d++) seen[bin(h + d)] = 1;
  }
  const motionUp = upDirection(motion);
  const unseen = new Float32Array(motion.frameCount);
  let faceShown = 0;
  for (let i = 0; i < motion.frameCount; i++) {
    const h = heading(motion, i, motionUp);
    if (Math.abs(h) < 90) faceShown++;
    let n = 0;
    for (let d = -90; d < 90; d++) if (!seen[bin(h + d)]) n++;
    unseen[i] = n / 180;
  }
  return {
    seenDeg: seen.reduce((n, v) => n + v, 0),
    referenceRange: headingArc(headings),
    worstUnseen: unseen.reduce((m, v) => Math.max(m, v), 0),
    framesMostlyUnseen: unseen.length ? unseen.filter((v) => v > MOSTLY_UNSEEN).length / unseen.length : 0,
    unseen,
    faceSeen: headings.some((h) => Math.abs(h) <= FACE_SEEN_DEG),
    faceShown: motion.frameCount ? faceShown / motion.frameCount : 0,
  };
}
