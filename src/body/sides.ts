/**
 * Left-right consistency of a pose track. Seen from behind, BlazePose now and then labels a frame
 * as if the person faced the camera: every left keypoint where the right one is. Fitted as it is,
 * such a frame turns the body round, and temporal smoothing between it and its neighbours leaves
 * the body side-on where the person shows their back (the sequin dress clip's back view came out
 * 60-70° off). Which frames are swapped shows in time: the keypoints jump across the body and back.
 * A two-state Viterbi pass over the confident frames (labels as given / swapped) picks the labelling
 * whose keypoints move least from frame to frame, with a small price on every swapped frame so that
 * the track's own labels win wherever time cannot tell (side-on views, where left and right lie close).
 */
import { BP_IDX as B, MARKER_COUNT, torsoLength } from './markers';

/** BlazePose keypoint index of each keypoint's mirror image (left <-> right; nose to itself). */
export const BLAZEPOSE_MIRROR: readonly number[] = [0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15, 18, 17, 20, 19, 22, 21, 24, 23, 26, 25, 28, 27, 30, 29, 32, 31];

/** Keypoints whose frame-to-frame movement decides: shoulders, elbows, wrists, hips, knees, ankles. */
const LIMB_KEYPOINTS = [B.leftShoulder, B.rightShoulder, B.leftElbow, B.rightElbow, B.leftWrist, B.rightWrist, B.leftHip, B.rightHip, B.leftKnee, B.rightKnee, B.leftAnkle, B.rightAnkle];

/**
 * Price of one swapped frame, in the units of the movement cost (mean squared keypoint step over
 * the squared torso length, image and world summed). A jump across a body seen from the front or
 * the back costs about 0.3-1; a frame's natural movement at 25-30 fps about 0.001-0.01. So a
 * mislabelled stretch is turned back while it is shorter than the jumps' cost over this price (and
 * than the rest of the track: the labelling most frames agree on wins); a person seen side-on, whose
 * left and right lie close together, keeps the labels the track has.
 */
export const SWAP_PRICE = 0.03;

/** The parts of a pose track this reads: image keypoints (33 x 4 per frame) and world keypoints (33 x 3). */
export interface SideInput {
  frameCount: number;
  keypoints: Float32Array;
  world: Float32Array;
}

/**
 * Per frame, 1 where the track's left and right labels should be swapped, for the frames in
 * `frames` (indices, increasing); other frames get 0.
 */
export function swappedSides(track: SideInput, frames: readonly number[]): Uint8Array {
  const out = new Uint8Array(track.frameCount);
  if (frames.length < 2) return out;
  const imageScale = frames.map((i) => torsoLength(track.keypoints, i * MARKER_COUNT * 4, 4));
  const worldScale = frames.map((i) => torsoLength(track.world, i * MARKER_COUNT * 3, 3));
  /** Movement cost from frame a (labels swapped or not) to frame b. */
  const step = (ia: number, sa: boolean, ib: number, sb: boolean) => {
    const a = frames[ia]!;
    const b = frames[ib]!;
    const s2 = Math.max(1e-6, imageScale[ia]! * imageScale[ib]!);
    const w2 = Math.max(1e-6, worldScale[ia]! * worldScale[ib]!);
    let cost = 0;
    for (const k of LIMB_KEYPOINTS) {
      const ka = sa ? BLAZEPOSE_MIRROR[k]! : k;
      const kb = sb ? BLAZEPOSE_MIRROR[k]! : k;
      cost += distance2(track.keypoints, (a * MARKER_COUNT + ka) * 4, (b * MARKER_COUNT + kb) * 4, 2) / s2;
      cost += distance2(track.world, (a * MARKER_COUNT + ka) * 3, (b * MARKER_COUNT + kb) * 3, 3) / w2;
    }
    return cost / LIMB_KEYPOINTS.length;
  };
  // Viterbi over two states per frame: 0 as labelled, 1 swapped.
  const n = frames.length;
  const from = new Uint8Array(n * 2);
  let cost = [0, SWAP_PRICE];
  for (let t = 1; t < n; t++) {
    const next = [0, 0];
    for (let s = 0; s < 2; s++) {
      const viaKept = cost[0]! + step(t - 1, false, t, s === 1);
      const viaSwapped = cost[1]! + step(t - 1, true, t, s === 1);
      from[t * 2 + s] = viaSwapped < viaKept ? 1 : 0;
      next[s] = Math.min(viaKept, viaSwapped) + (s === 1 ? SWAP_PRICE : 0);
    }
    cost = next;
  }
  let s = cost[1]! < cost[0]! ? 1 : 0;
  for (let t = n - 1; t >= 0; t--) {
    out[frames[t]!] = s;
    s = from[t * 2 + s]!;
  }
  return out;
}

/** The track with its labels made consistent over `frames` (see swappedSides, withSidesSwapped). */
export function repairSides<T extends SideInput & { hands?: Float32Array; handScore?: Float32Array }>(track: T, frames: readonly number[]): T {
  return withSidesSwapped(track, swappedSides(track, frames));
}

/** Hand keypoints per frame in a pose track: 2 hands (left, right) x 21 x (x, y, score). */
const HAND_VALUES = 21 * 3;

/**
 * A copy of the track with the flagged frames' left and right labels swapped: image and world
 * keypoints, and the hands (`hands`, `handScore`) where the track has them.
 */
export function withSidesSwapped<T extends SideInput & { hands?: Float32Array; handScore?: Float32Array }>(track: T, swapped: Uint8Array): T {
  if (!swapped.some((s) => s)) return track;
  const keypoints = Float32Array.from(track.keypoints);
  const world = Float32Array.from(track.world);
  const hands = track.hands && Float32Array.from(track.hands);
  const handScore = track.handScore && Float32Array.from(track.handScore);
  for (let i = 0; i < track.frameCount; i++) {
    if (!swapped[i]) continue;
    for (let k = 0; k < MARKER_COUNT; k++) {
      const m = BLAZEPOSE_MIRROR[k]!;
      keypoints.set(track.keypoints.subarray((i * MARKER_COUNT + m) * 4, (i * MARKER_COUNT + m + 1) * 4), (i * MARKER_COUNT + k) * 4);
      world.set(track.world.subarray((i * MARKER_COUNT + m) * 3, (i * MARKER_COUNT + m + 1) * 3), (i * MARKER_COUNT + k) * 3);
    }
    if (hands && track.hands) {
      const at = i * 2 * HAND_VALUES;
      hands.set(track.hands.subarray(at + HAND_VALUES, at + 2 * HAND_VALUES), at);
      hands.set(track.hands.subarray(at, at + HAND_VALUES), at + HAND_VALUES);
    }
    if (handScore && track.handScore) {
      handScore[i * 2] = track.handScore[i * 2 + 1]!;
      handScore[i * 2 + 1] = track.handScore[i * 2]!;
    }
  }
  return { ...track, keypoints, world, ...(hands && { hands }), ...(handScore && { handScore }) };
}

function distance2(a: Float32Array, i: number, j: number, dims: number): number {
  let d = 0;
  for (let c = 0; c < dims; c++) d += (a[i + c]! - a[j + c]!) ** 2;
  return d;
}
