/**
 * Keypoint layouts and conversions between them.
 *
 * Every converted layout is a `Float32Array` of (x, y, score) triples in the same coordinate
 * space as the input (source pixels for a `PoseFrame`). A keypoint that is not available has
 * score 0 and position (0, 0). Left and right are anatomical (the person's own side), so a
 * person facing the camera has their left side on the image's right.
 */
import type { FacePose, HandPose, PoseFrame } from './types';

/** BlazePose-33 keypoint names, in model order. */
export const BLAZEPOSE_33_NAMES = [
  'nose',
  'left_eye_inner',
  'left_eye',
  'left_eye_outer',
  'right_eye_inner',
  'right_eye',
  'right_eye_outer',
  'left_ear',
  'right_ear',
  'mouth_left',
  'mouth_right',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_pinky',
  'right_pinky',
  'left_index',
  'right_index',
  'left_thumb',
  'right_thumb',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
  'left_heel',
  'right_heel',
  'left_foot_index',
  'right_foot_index',
] as const;

export type BlazePoseName = (typeof BLAZEPOSE_33_NAMES)[number];

/** Number of BlazePose body keypoints and values per keypoint in `PoseFrame.keypoints` (x, y, z, visibility). */
export const BLAZEPOSE_KEYPOINTS = 33;
export const BLAZEPOSE_STRIDE = 4;

/** Index of a BlazePose keypoint by name. */
export const BP = Object.fromEntries(BLAZEPOSE_33_NAMES.map((n, i) => [n, i])) as Record<BlazePoseName, number>;

/** COCO-17 keypoint names, in dataset order. */
export const COCO_17_NAMES = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;

/** For each COCO-17 keypoint, the BlazePose-33 keypoint it is taken from. */
export const COCO17_FROM_BLAZEPOSE: readonly number[] = COCO_17_NAMES.map((n) => BP[n]);

/** OpenPose-18 (COCO-18 as drawn by ControlNet / DWPose) keypoint names, in order. */
export const OPENPOSE_18_NAMES = [
  'nose',
  'neck',
  'right_shoulder',
  'right_elbow',
  'right_wrist',
  'left_shoulder',
  'left_elbow',
  'left_wrist',
  'right_hip',
  'right_knee',
  'right_ankle',
  'left_hip',
  'left_knee',
  'left_ankle',
  'right_eye',
  'left_eye',
  'right_ear',
  'left_ear',
] as const;

/** OpenPose-18 index of the neck, which BlazePose lacks: it is the mean of the shoulders. */
export const OPENPOSE_NECK = 1;

/** For each OpenPose-18 keypoint, its BlazePose-33 source; -1 for the synthesised neck. */
export const OPENPOSE18_FROM_BLAZEPOSE: readonly number[] = OPENPOSE_18_NAMES.map((n) => (n === 'neck' ? -1 : BP[n]));

/**
 * Hand-21 keypoint names. MediaPipe's hand landmarks and OpenPose's / DWPose's hand keypoints use
 * the same order: wrist, then four points per finger from the palm outwards.
 */
export const HAND_21_NAMES = [
  'wrist',
  'thumb_cmc',
  'thumb_mcp',
  'thumb_ip',
  'thumb_tip',
  'index_mcp',
  'index_pip',
  'index_dip',
  'index_tip',
  'middle_mcp',
  'middle_pip',
  'middle_dip',
  'middle_tip',
  'ring_mcp',
  'ring_pip',
  'ring_dip',
  'ring_tip',
  'pinky_mcp',
  'pinky_pip',
  'pinky_dip',
  'pinky_tip',
] as const;

export const HAND_KEYPOINTS = 21;

/** The 68 iBUG / DWPose face points (see `FACE68_FROM_MESH` in face.ts). */
export const FACE_KEYPOINTS = 68;

/**
 * The MimicMotion-style whole-body set: OpenPose-18 body, then the left hand (21), then the right
 * hand (21) — OpenPose's and DWPose's hand order (COCO-WholeBody keypoints 91-111 are the left
 * hand, 112-132 the right) — then the 68 face points (DWPose's face, COCO-WholeBody 23-90).
 * 128 keypoints in all. The first 60 alone (no face) are still a valid set for `drawPoseMap`.
 */
export const WHOLEBODY_KEYPOINTS = 18 + 2 * HAND_KEYPOINTS + FACE_KEYPOINTS;
export const WHOLEBODY_LEFT_HAND = 18;
export const WHOLEBODY_RIGHT_HAND = 18 + HAND_KEYPOINTS;
export const WHOLEBODY_FACE = 18 + 2 * HAND_KEYPOINTS;

/** What the conversions read: a `PoseFrame`, or anything with its `found` and `keypoints`. */
export type BodyKeypoints = Pick<PoseFrame, 'found' | 'keypoints'>;

function checkBody(frame: BodyKeypoints): void {
  if (frame.keypoints.length < BLAZEPOSE_KEYPOINTS * BLAZEPOSE_STRIDE) {
    throw new RangeError(`keypoints must hold 33 x (x, y, z, visibility) = 132 values; got ${frame.keypoints.length}.`);
  }
}

/** Copies BlazePose keypoint `src` into triple `dst` of `out`. */
function copyPoint(kp: Float32Array, src: number, out: Float32Array, dst: number): void {
  out[dst * 3] = kp[src * BLAZEPOSE_STRIDE]!;
  out[dst * 3 + 1] = kp[src * BLAZEPOSE_STRIDE + 1]!;
  out[dst * 3 + 2] = kp[src * BLAZEPOSE_STRIDE + 3]!;
}

/**
 * BlazePose-33 → COCO-17. Score = BlazePose visibility of the same keypoint.
 * Returns 17 x (x, y, score); all zeros when `frame.found` is false.
 */
export function toCoco17(frame: BodyKeypoints, out = new Float32Array(17 * 3)): Float32Array {
  checkBody(frame);
  out.fill(0);
  if (!frame.found) return out;
  COCO17_FROM_BLAZEPOSE.forEach((src, i) => copyPoint(frame.keypoints, src, out, i));
  return out;
}

/**
 * BlazePose-33 → OpenPose-18. The neck is the mean of the two shoulders with the smaller of
 * their two scores (it is only as reliable as the weaker shoulder).
 * Returns 18 x (x, y, score); all zeros when `frame.found` is false.
 */
export function toOpenPose18(frame: BodyKeypoints, out = new Float32Array(18 * 3)): Float32Array {
  checkBody(frame);
  out.fill(0);
  if (!frame.found) return out;
  const kp = frame.keypoints;
  OPENPOSE18_FROM_BLAZEPOSE.forEach((src, i) => {
    if (src >= 0) copyPoint(kp, src, out, i);
  });
  const l = BP.left_shoulder * BLAZEPOSE_STRIDE;
  const r = BP.right_shoulder * BLAZEPOSE_STRIDE;
  out[OPENPOSE_NECK * 3] = (kp[l]! + kp[r]!) / 2;
  out[OPENPOSE_NECK * 3 + 1] = (kp[l + 1]! + kp[r + 1]!) / 2;
  out[OPENPOSE_NECK * 3 + 2] = Math.min(kp[l + 3]!, kp[r + 3]!);
  return out;
}

function copyHand(hand: HandPose | null, out: Float32Array, first: number): void {
  if (!hand) return;
  if (hand.keypoints.length < HAND_KEYPOINTS * 3) {
    throw new RangeError(`hand keypoints must hold 21 x (x, y, score) = 63 values; got ${hand.keypoints.length}.`);
  }
  out.set(hand.keypoints.subarray(0, HAND_KEYPOINTS * 3), first * 3);
}

function copyFace(face: FacePose | null | undefined, out: Float32Array): void {
  if (!face) return;
  if (face.points.length < FACE_KEYPOINTS * 2) throw new RangeError(`face points must hold 68 x (x, y) = 136 values; got ${face.points.length}.`);
  for (let i = 0; i < FACE_KEYPOINTS; i++) {
    const o = (WHOLEBODY_FACE + i) * 3;
    out[o] = face.points[i * 2]!;
    out[o + 1] = face.points[i * 2 + 1]!;
    out[o + 2] = face.score;
  }
}

/**
 * `PoseFrame` → the whole-body set (see `WHOLEBODY_KEYPOINTS`): OpenPose-18 body, left hand,
 * right hand, face (each face point scored with the face's score). A missing hand or face stays
 * zero (score 0). Returns 128 x (x, y, score).
 */
export function toWholeBody(
  frame: Pick<PoseFrame, 'found' | 'keypoints' | 'hands'> & { face?: FacePose | null },
  out = new Float32Array(WHOLEBODY_KEYPOINTS * 3),
): Float32Array {
  out.fill(0);
  if (!frame.found) return out;
  toOpenPose18(frame, out.subarray(0, 18 * 3));
  copyHand(frame.hands.left, out, WHOLEBODY_LEFT_HAND);
  copyHand(frame.hands.right, out, WHOLEBODY_RIGHT_HAND);
  copyFace(frame.face, out);
  return out;
}
