import type { PoseFrame } from './types';

/** Bump when the stored layout or the pipeline's results change, so cached tracks are recomputed. */
export const POSE_TRACK_VERSION = 3;

/** Pose of the followed person for every frame of a clip, in the clip's display pixels. */
export interface PoseTrack {
  version: number;
  /** Landmark model id, e.g. "blazepose-full". */
  model: string;
  /** Execution provider that computed it. */
  ep: 'webgpu' | 'wasm';
  frameCount: number;
  /** Display size of the clip the coordinates refer to, in pixels. */
  width: number;
  height: number;
  /** 1 where the person was found. */
  found: Uint8Array;
  /** Pose presence per frame in [0, 1]. */
  score: Float32Array;
  /** frameCount x 33 x (x, y, z, visibility). */
  keypoints: Float32Array;
  /** frameCount x 33 x (x, y, z), metres. */
  world: Float32Array;
  /** frameCount x 2 (left, right) x 21 x (x, y, score); zeros where a hand was not found. */
  hands: Float32Array;
  /** frameCount x 2 hand presence. */
  handScore: Float32Array;
  /** frameCount x 68 x (x, y): the iBUG / DWPose face points; zeros where no face was found. */
  face: Float32Array;
  /** frameCount face presence; 0 where no face was found (or the face model was not run). */
  faceScore: Float32Array;
  /** frameCount x (cx, cy, size, rotation) of the landmark ROI; size 0 when none. */
  rois: Float32Array;
  /** Side of each stored mask, in pixels. */
  maskSize: number;
  /** frameCount x maskSize² person probability (0-255) in ROI space. */
  masks: Uint8Array;
  /** Seconds the analysis took. */
  seconds: number;
}

export const KP = 33;
export const HAND_KP = 21;
export const FACE_KP = 68;

export function emptyTrack(frameCount: number, width: number, height: number, maskSize: number, model: string, ep: PoseTrack['ep']): PoseTrack {
  return {
    version: POSE_TRACK_VERSION,
    model,
    ep,
    frameCount,
    width,
    height,
    found: new Uint8Array(frameCount),
    score: new Float32Array(frameCount),
    keypoints: new Float32Array(frameCount * KP * 4),
    world: new Float32Array(frameCount * KP * 3),
    hands: new Float32Array(frameCount * 2 * HAND_KP * 3),
    handScore: new Float32Array(frameCount * 2),
    face: new Float32Array(frameCount * FACE_KP * 2),
    faceScore: new Float32Array(frameCount),
    rois: new Float32Array(frameCount * 4),
    maskSize,
    masks: new Uint8Array(frameCount * maskSize * maskSize),
    seconds: 0,
  };
}

/** Nearest-neighbour resample of a square byte mask. */
function resampleMask(src: Uint8Array, srcSize: number, dstSize: number): Uint8Array {
  if (srcSize === dstSize) return src;
  const out = new Uint8Array(dstSize * dstSize);
  for (let y = 0; y < dstSize; y++) {
    const sy = Math.min(srcSize - 1, Math.floor(((y + 0.5) * srcSize) / dstSize));
    for (let x = 0; x < dstSize; x++) {
      out[y * dstSize + x] = src[sy * srcSize + Math.min(srcSize - 1, Math.floor(((x + 0.5) * srcSize) / dstSize))]!;
    }
  }
  return out;
}

/**
 * Stores frame `i` of a pipeline result into the track, scaling coordinates by `scale` (analysis
 * pixels to display pixels).
 */
export function writeFrame(track: PoseTrack, i: number, frame: PoseFrame, scale: number): void {
  track.found[i] = frame.found ? 1 : 0;
  track.score[i] = frame.score;
  if (!frame.found) return;
  for (let k = 0; k < KP; k++) {
    const o = (i * KP + k) * 4;
    track.keypoints[o] = frame.keypoints[k * 4]! * scale;
    track.keypoints[o + 1] = frame.keypoints[k * 4 + 1]! * scale;
    track.keypoints[o + 2] = frame.keypoints[k * 4 + 2]! * scale;
    track.keypoints[o + 3] = frame.keypoints[k * 4 + 3]!;
  }
  track.world.set(frame.world.subarray(0, KP * 3), i * KP * 3);
  (['left', 'right'] as const).forEach((side, h) => {
    const hand = frame.hands[side];
    if (!hand) return;
    track.handScore[i * 2 + h] = hand.score;
    const base = (i * 2 + h) * HAND_KP * 3;
    for (let k = 0; k < HAND_KP; k++) {
      track.hands[base + k * 3] = hand.keypoints[k * 3]! * scale;
      track.hands[base + k * 3 + 1] = hand.keypoints[k * 3 + 1]! * scale;
      track.hands[base + k * 3 + 2] = hand.keypoints[k * 3 + 2]!;
    }
  });
  if (frame.face) {
    track.faceScore[i] = frame.face.score;
    const base = i * FACE_KP * 2;
    for (let k = 0; k < FACE_KP * 2; k++) track.face[base + k] = frame.face.points[k]! * scale;
  }
  if (frame.roi) {
    track.rois.set([frame.roi.cx * scale, frame.roi.cy * scale, frame.roi.size * scale, frame.roi.rotation], i * 4);
  }
  if (frame.mask) {
    track.masks.set(resampleMask(frame.mask, frame.maskSize, track.maskSize), i * track.maskSize * track.maskSize);
  }
}

/** Frame `i` of a track as a PoseFrame (views into the track's arrays; no mask). */
export function trackFrame(track: PoseTrack, i: number): PoseFrame {
  const hand = (h: 0 | 1) => {
    const score = track.handScore[i * 2 + h]!;
    const base = (i * 2 + h) * HAND_KP * 3;
    return score > 0 ? { score, keypoints: track.hands.subarray(base, base + HAND_KP * 3) } : null;
  };
  const size = track.rois[i * 4 + 2]!;
  const faceScore = track.faceScore[i]!;
  return {
    found: track.found[i] === 1,
    score: track.score[i]!,
    keypoints: track.keypoints.subarray(i * KP * 4, (i + 1) * KP * 4),
    world: track.world.subarray(i * KP * 3, (i + 1) * KP * 3),
    hands: { left: hand(0), right: hand(1) },
    face: faceScore > 0 ? { score: faceScore, points: track.face.subarray(i * FACE_KP * 2, (i + 1) * FACE_KP * 2) } : null,
    roi: size > 0 ? { cx: track.rois[i * 4]!, cy: track.rois[i * 4 + 1]!, size, rotation: track.rois[i * 4 + 3]! } : null,
    mask: track.masks.subarray(i * track.maskSize * track.maskSize, (i + 1) * track.maskSize * track.maskSize),
    maskSize: track.maskSize,
  };
}

/** Share of frames where the person was found, in [0, 1]. */
export function foundShare(track: PoseTrack): number {
  let n = 0;
  for (let i = 0; i < track.frameCount; i++) n += track.found[i]!;
  return track.frameCount ? n / track.frameCount : 0;
}
