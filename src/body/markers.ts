/**
 * BlazePose-33 keypoints as markers on the skeleton: each keypoint is a point fixed in one joint's
 * frame. Fitting compares these markers with BlazePose's keypoints; synthetic tests generate
 * keypoints from them, so both use the same correspondences:
 *
 * - hips 23/24 -> joints 1/2 (3 cm outwards), knees 25/26 -> 4/5, ankles 27/28 -> 7/8, shoulders 11/12 -> 16/17,
 *   elbows 13/14 -> 18/19, wrists 15/16 -> 20/21 (at the joint);
 * - heel 29/30 and toe tip 31/32 fixed in the ankle's frame (the toe joint 10/11 is not observed);
 * - index 19/20, pinky 17/18 (knuckles) and thumb 21/22 fixed in the wrist's frame, so their
 *   midpoint sits near the hand joint 22/23 (whose finger curl is not observed);
 * - nose, eyes, ears and mouth fixed in the head's frame (ears either side of the head joint).
 */
import { type Vec3, add, cross, dist3, dot, mid, normalize, qRotate, quatAt, scale, sub, vec3At } from './math';
import { type RestSkeleton, scaleByTag } from './shape';
import { J, fromUpFront, type ScaleTag } from './skeleton';

/** One keypoint as a point in a joint's frame. */
export interface Marker {
  /** Joint whose frame carries the marker. */
  joint: number;
  /** Offset from the joint at rest for the neutral body, body space (x left, y down, z back), metres. */
  offset: Vec3;
  /** How the offset scales with the shape. */
  tag: ScaleTag;
  /** Relative trust in the keypoint for fitting (face points are rough, ears and joints are not). */
  weight: number;
}

const at = (joint: number, tag: ScaleTag = 'arm', weight = 1): Marker => ({ joint, offset: [0, 0, 0], tag, weight });
const off = (joint: number, x: number, up: number, front: number, tag: ScaleTag, weight: number): Marker => ({ joint, offset: fromUpFront(x, up, front), tag, weight });
const mirror = (m: Marker, joint: number): Marker => ({ ...m, joint, offset: [-m.offset[0], m.offset[1], m.offset[2]] });

const leftEar = off(J.head, 0.075, 0.03, -0.005, 'head', 1);
// BlazePose's hip keypoints sit about 3 cm outside the hip joint centres (they measure ~0.23 m apart).
const leftHip = off(J.left_hip, 0.03, 0, 0, 'hip', 1);
const nose = off(J.head, 0, 0.015, 0.105, 'head', 0.3);
const eyeInner = off(J.head, 0.015, 0.045, 0.09, 'head', 0.3);
const eye = off(J.head, 0.032, 0.046, 0.085, 'head', 0.3);
const eyeOuter = off(J.head, 0.048, 0.045, 0.075, 'head', 0.3);
const mouth = off(J.head, 0.025, -0.035, 0.09, 'head', 0.3);
const pinky = off(J.left_wrist, 0.08, -0.005, -0.03, 'arm', 0.5);
const index = off(J.left_wrist, 0.085, -0.005, 0.03, 'arm', 0.5);
const thumb = off(J.left_wrist, 0.05, -0.02, 0.05, 'arm', 0.2);
const heel = off(J.left_ankle, 0, -0.06, -0.065, 'foot', 1);
const toe = off(J.left_ankle, 0.015, -0.07, 0.205, 'foot', 1);

/** The 33 BlazePose keypoints as skeleton markers, in BlazePose order. */
export const BLAZEPOSE_MARKERS: readonly Marker[] = [
  nose,
  eyeInner,
  eye,
  eyeOuter,
  mirror(eyeInner, J.head),
  mirror(eye, J.head),
  mirror(eyeOuter, J.head),
  leftEar,
  mirror(leftEar, J.head),
  mouth,
  mirror(mouth, J.head),
  at(J.left_shoulder),
  at(J.right_shoulder),
  at(J.left_elbow),
  at(J.right_elbow),
  at(J.left_wrist),
  at(J.right_wrist),
  pinky,
  mirror(pinky, J.right_wrist),
  index,
  mirror(index, J.right_wrist),
  thumb,
  mirror(thumb, J.right_wrist),
  leftHip,
  mirror(leftHip, J.right_hip),
  at(J.left_knee, 'leg'),
  at(J.right_knee, 'leg'),
  at(J.left_ankle, 'leg'),
  at(J.right_ankle, 'leg'),
  heel,
  mirror(heel, J.right_ankle),
  toe,
  mirror(toe, J.right_ankle),
];

/** Number of BlazePose keypoints / markers. */
export const MARKER_COUNT = 33;

/** BlazePose indices by the body part they describe. */
export const BP_IDX = {
  nose: 0,
  leftEye: 2,
  rightEye: 5,
  leftEar: 7,
  rightEar: 8,
  mouthLeft: 9,
  mouthRight: 10,
  leftShoulder: 11,
  rightShoulder: 12,
  leftElbow: 13,
  rightElbow: 14,
  leftWrist: 15,
  rightWrist: 16,
  leftPinky: 17,
  rightPinky: 18,
  leftIndex: 19,
  rightIndex: 20,
  leftHip: 23,
  rightHip: 24,
  leftKnee: 25,
  rightKnee: 26,
  leftAnkle: 27,
  rightAnkle: 28,
  leftHeel: 29,
  rightHeel: 30,
  leftToe: 31,
  rightToe: 32,
} as const;

/** Distance between the shoulders' and the hips' midpoints of BlazePose keypoints at `base` in `a`: x, y and z for world keypoints (`stride` 3), x and y for image keypoints (`stride` 4, z and visibility ignored). */
export function torsoLength(a: Float32Array, base: number, stride: number): number {
  const dims = stride === 3 ? 3 : 2;
  let d = 0;
  for (let c = 0; c < dims; c++) {
    const sh = (a[base + BP_IDX.leftShoulder * stride + c]! + a[base + BP_IDX.rightShoulder * stride + c]!) / 2;
    const hip = (a[base + BP_IDX.leftHip * stride + c]! + a[base + BP_IDX.rightHip * stride + c]!) / 2;
    d += (sh - hip) ** 2;
  }
  return Math.sqrt(d);
}

/** Marker offsets for one shape: 33 x 3, body space, metres. */
export function markerOffsets(skel: RestSkeleton): Float32Array {
  const out = new Float32Array(MARKER_COUNT * 3);
  BLAZEPOSE_MARKERS.forEach((m, k) => {
    const v = scaleByTag(m.offset, m.tag, skel.shape);
    out.set([v[0] * skel.scale, v[1] * skel.scale, v[2] * skel.scale], k * 3);
  });
  return out;
}

/** Rest positions of the face markers (body space: x left, y down, z back; pelvis at the origin, where the rest mesh is). */
export interface FaceLandmarks {
  leftEye: Vec3;
  rightEye: Vec3;
  mouthLeft: Vec3;
  mouthRight: Vec3;
  nose: Vec3;
}

export function restFaceLandmarks(skel: RestSkeleton): FaceLandmarks {
  const offsets = markerOffsets(skel);
  const at = (k: number) => add(vec3At(skel.joints, BLAZEPOSE_MARKERS[k]!.joint), vec3At(offsets, k));
  return { leftEye: at(BP_IDX.leftEye), rightEye: at(BP_IDX.rightEye), mouthLeft: at(BP_IDX.mouthLeft), mouthRight: at(BP_IDX.mouthRight), nose: at(BP_IDX.nose) };
}

/**
 * Face coordinates from the landmarks: the eyes' midpoint as origin, unit axes `across` (towards
 * the left eye), `down` (towards the mouth, square to `across`) and `forward` (square to both,
 * towards the nose), the eye distance as unit, and where the mouth lies in those units.
 */
export interface FaceFrame {
  origin: Vec3;
  across: Vec3;
  down: Vec3;
  forward: Vec3;
  eyeDistance: number;
  mouthDown: number;
  mouthHalfWidth: number;
}

export function faceFrame(face: FaceLandmarks): FaceFrame {
  const origin = mid(face.leftEye, face.rightEye);
  const eyeDistance = dist3(face.leftEye, face.rightEye);
  const across = normalize(sub(face.leftEye, face.rightEye));
  const toMouth = sub(mid(face.mouthLeft, face.mouthRight), origin);
  const down = normalize(sub(toMouth, scale(across, dot(toMouth, across))));
  const ahead = cross(across, down);
  const forward = dot(ahead, sub(face.nose, origin)) < 0 ? scale(ahead, -1) : ahead;
  return { origin, across, down, forward, eyeDistance, mouthDown: dot(toMouth, down) / eyeDistance, mouthHalfWidth: dist3(face.mouthLeft, face.mouthRight) / 2 / eyeDistance };
}

/** A point in face coordinates (see FaceFrame), in eye distances. */
export function facePoint(frame: FaceFrame, p: Readonly<Vec3>): { across: number; down: number; forward: number } {
  const d = sub(p, frame.origin);
  return { across: dot(d, frame.across) / frame.eyeDistance, down: dot(d, frame.down) / frame.eyeDistance, forward: dot(d, frame.forward) / frame.eyeDistance };
}

/**
 * Marker positions of a posed skeleton: 33 x 3 in the space of `globalRotations` / `positions`
 * (as returned by forwardKinematics).
 */
export function posedMarkers(offsets: Float32Array, globalRotations: Float32Array, positions: Float32Array, out = new Float32Array(MARKER_COUNT * 3)): Float32Array {
  for (let k = 0; k < MARKER_COUNT; k++) {
    const j = BLAZEPOSE_MARKERS[k]!.joint;
    out.set(add(vec3At(positions, j), qRotate(quatAt(globalRotations, j), vec3At(offsets, k))), k * 3);
  }
  return out;
}
