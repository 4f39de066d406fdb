/**
 * Face mesh crops: the square, upright region around the head that MediaPipe's FaceMesh
 * (`facemesh` in public/models, 468 points from a 192² crop, see FACE_MESH_IO) expects, made from
 * a pose's BlazePose-33 head keypoints, and the model's output mapped back to source pixels.
 *
 * - pose → face ROI: centred below the eyes, rotated so that the mouth → eyes direction points up,
 *   sized from the eye–mouth and ear–ear distances (constants measured on the test clips, so that
 *   the ROI is about 1.5× the box of the face mesh, as MediaPipe crops it);
 * - mesh → face ROI for another pass or the next frame: MediaPipe's tracking rule (eye corners
 *   level, 1.5× the mesh's box in its own axes).
 * Pure: the caller runs the model through a `ModelRunner`. Source pixels; radians, clockwise positive.
 */
import { projectCropPoints, warpToTensor, type Point } from './crop';
import { BLAZEPOSE_KEYPOINTS, BLAZEPOSE_STRIDE, BP } from './layouts';
import { FACE_MESH_IO } from './models';
import { normalizeRadians, uprightRotation } from './roi';
import type { ModelRunner, RgbaImage, Roi } from './types';

/** Number of face mesh points. */
export const FACE_MESH_POINTS = 468;

/** Face mesh indices (MediaPipe's canonical order) of a few named points; left and right are the person's own. */
export const FACE_MESH_INDEX = {
  rightEyeOuter: 33,
  rightEyeInner: 133,
  leftEyeInner: 362,
  leftEyeOuter: 263,
  noseTip: 1,
  mouthRight: 61,
  mouthLeft: 291,
  chin: 152,
} as const;

/** The face ROI's side in face-mesh boxes (MediaPipe: 1.5, i.e. 25% margin on each side). */
export const FACE_ROI_SCALE = 1.5;

/**
 * Pose → face ROI constants, in eye–mouth distances (eye centre to mouth centre) and ear–ear
 * distances: about the medians over 50 frames of the indoor and fashion clips where the mesh found
 * a face, with the mesh's own ROI (faceRoiFromMesh after three passes) as reference. Per frame the
 * box per eye–mouth distance ranged 2.0 (turned) to 3.1, the box per ear–ear distance 1.2 to 1.6
 * (frontal), and the centre lay 0.2 to 0.8 eye–mouth distances below the eyes.
 */
const FROM_POSE = {
  /** Face-mesh box side per eye–mouth distance. */
  sidePerEyeMouth: 2.45,
  /** Face-mesh box side per ear–ear distance (counts only when it gives the larger box: a frontal face). */
  sidePerEars: 1.3,
  /** Centre below the eye centre, along the face's down axis, in eye–mouth distances. */
  centreBelowEyes: 0.57,
};

export interface FaceRoiOptions {
  /** Head keypoints with a lower visibility do not count. Default 0.5. */
  minVisibility?: number;
  /** Side of the ROI in face-mesh boxes. Default FACE_ROI_SCALE. */
  scale?: number;
}

/**
 * The face mesh ROI from a pose's BlazePose-33 keypoints (`stride` values per keypoint: x, y, and
 * visibility at index 3 when stride ≥ 4, as in `PoseFrame.keypoints`). Needs both eyes and both
 * mouth corners visible; null otherwise. BlazePose often rates the head points of a person seen
 * from behind as visible too, so check the mesh's `score` (near 0 on the back of a head).
 */
export function faceRoiFromPose(keypoints: Float32Array, options: FaceRoiOptions = {}, stride = BLAZEPOSE_STRIDE): Roi | null {
  if (keypoints.length < BLAZEPOSE_KEYPOINTS * stride) {
    throw new RangeError(`keypoints must hold ${BLAZEPOSE_KEYPOINTS} x ${stride} values; got ${keypoints.length}.`);
  }
  const minVisibility = options.minVisibility ?? 0.5;
  const at = (i: number): Point | null => {
    const x = keypoints[i * stride]!;
    const y = keypoints[i * stride + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
    if (stride >= 4 && !(keypoints[i * stride + 3]! >= minVisibility)) return null;
    return { x, y };
  };
  const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
  const le = at(BP.left_eye);
  const re = at(BP.right_eye);
  const ml = at(BP.mouth_left);
  const mr = at(BP.mouth_right);
  if (!le || !re || !ml || !mr) return null;
  const eyes = mid(le, re);
  const mouth = mid(ml, mr);
  const eyeMouth = Math.hypot(eyes.x - mouth.x, eyes.y - mouth.y);
  if (!(eyeMouth > 0)) return null;
  let box = FROM_POSE.sidePerEyeMouth * eyeMouth;
  const lear = at(BP.left_ear);
  const rear = at(BP.right_ear);
  if (lear && rear) box = Math.max(box, FROM_POSE.sidePerEars * Math.hypot(lear.x - rear.x, lear.y - rear.y));
  const rotation = uprightRotation(mouth, eyes);
  // The face's down axis in the frame: (−sin, cos) of the rotation (crop y → source).
  const down = { x: -Math.sin(rotation), y: Math.cos(rotation) };
  const shift = FROM_POSE.centreBelowEyes * eyeMouth;
  return { cx: eyes.x + down.x * shift, cy: eyes.y + down.y * shift, size: box * (options.scale ?? FACE_ROI_SCALE), rotation };
}

/**
 * The face ROI from a face mesh in source pixels (`stride` values per point starting with x, y):
 * rotated so that the eye corners (33 → 263) are level, centred on the mesh's box in those axes,
 * side `scale` × the box's longer side. MediaPipe derives the next frame's crop this way.
 */
export function faceRoiFromMesh(points: Float32Array, stride = 3, scale = FACE_ROI_SCALE): Roi {
  if (points.length < FACE_MESH_POINTS * stride) throw new RangeError(`points must hold ${FACE_MESH_POINTS} x ${stride} values; got ${points.length}.`);
  const r = FACE_MESH_INDEX.rightEyeOuter * stride;
  const l = FACE_MESH_INDEX.leftEyeOuter * stride;
  const rotation = normalizeRadians(Math.atan2(points[l + 1]! - points[r + 1]!, points[l]! - points[r]!));
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  let u0 = Infinity;
  let u1 = -Infinity;
  let v0 = Infinity;
  let v1 = -Infinity;
  for (let p = 0; p < FACE_MESH_POINTS; p++) {
    const x = points[p * stride]!;
    const y = points[p * stride + 1]!;
    const u = cos * x + sin * y;
    const v = -sin * x + cos * y;
    u0 = Math.min(u0, u);
    u1 = Math.max(u1, u);
    v0 = Math.min(v0, v);
    v1 = Math.max(v1, v);
  }
  const uc = (u0 + u1) / 2;
  const vc = (v0 + v1) / 2;
  return { cx: cos * uc - sin * vc, cy: sin * uc + cos * vc, size: scale * Math.max(u1 - u0, v1 - v0), rotation };
}

/** The model input for `roi`: NCHW [1, 3, 192, 192] RGB in FACE_MESH_IO.range, black outside the frame. */
export function faceMeshInput(image: RgbaImage, roi: Roi, out?: Float32Array): Float32Array {
  return warpToTensor(image, roi, FACE_MESH_IO.size, { range: FACE_MESH_IO.range, border: 'zero', ...(out ? { out } : {}) });
}

/** A face mesh in source pixels. */
export interface FaceMesh {
  /** 468 x (x, y, z): x, y source pixels; z depth at the same pixel scale (MediaPipe: smaller is nearer the camera). */
  points: Float32Array;
  /** Probability that the crop held a face. */
  score: number;
  /** The crop the mesh was read from. */
  roi: Roi;
}

/** Reads the model's outputs for the crop of `roi` and maps the mesh to source pixels. */
export function faceMeshFromOutputs(outputs: Record<string, Float32Array>, roi: Roi): FaceMesh {
  const raw = outputs[FACE_MESH_IO.mesh];
  const flag = outputs[FACE_MESH_IO.flag];
  if (!raw || raw.length < FACE_MESH_POINTS * 3) {
    throw new RangeError(`The face mesh model returned no "${FACE_MESH_IO.mesh}" output of ${FACE_MESH_POINTS} x 3 values.`);
  }
  const points = projectCropPoints(raw, 3, FACE_MESH_POINTS, roi, FACE_MESH_IO.size, new Float32Array(FACE_MESH_POINTS * 3), 3);
  return { points, score: flag?.[0] ?? 0, roi };
}

/** Runs the face mesh model on the crop of `roi` from `image`. */
export async function runFaceMesh(run: ModelRunner, image: RgbaImage, roi: Roi): Promise<FaceMesh> {
  const n = FACE_MESH_IO.size;
  const outputs = await run({ [FACE_MESH_IO.input]: { data: faceMeshInput(image, roi), dims: [1, 3, n, n] } });
  return faceMeshFromOutputs(outputs, roi);
}

/** Number of face points in the DWPose / iBUG-300W layout. */
export const FACE68_POINTS = 68;

/**
 * The 68 iBUG-300W face points (dlib's and DWPose's order: jaw 0–16, brows 17–26, nose 27–35,
 * eyes 36–47, mouth 48–67; "right" and "left" are the person's own) as face mesh points: each is
 * one mesh index, or the mean of two. The correspondence is PeizhiYan/Mediapipe_2_Dlib_Landmarks
 * (`mp2dlib_correspondence` in mediapipe2dlib/mp2dlib.py), which picked mesh vertices on
 * MediaPipe's canonical face model for each iBUG point; face.test.ts checks it against DWPose's
 * own 68 points on a real clip, group by group.
 */
export const FACE68_FROM_MESH: ReadonlyArray<readonly [number, number]> = [
  // Jaw (17): the face oval from the person's right ear (0) round the chin (8) to the left ear (16).
  [127, 127], [234, 234], [93, 93], [132, 58], [58, 172], [136, 136], [150, 150], [176, 176], [152, 152],
  [400, 400], [379, 379], [365, 365], [397, 288], [361, 361], [323, 323], [454, 454], [356, 356],
  // Brows (10): the right brow outer → inner (17–21), the left brow inner → outer (22–26); the
  // mesh's upper brow line.
  [70, 70], [63, 63], [105, 105], [66, 66], [107, 107],
  [336, 336], [296, 296], [334, 334], [293, 293], [300, 300],
  // Nose (9): the bridge down the midline (27–30: between the eyes to the tip), then the base of
  // the nose from the right nostril wing to the left (31–35).
  [168, 6], [197, 195], [5, 5], [4, 4], [75, 75], [97, 97], [2, 2], [326, 326], [305, 305],
  // Eyes (12): the right eye from its outer corner (36), upper lid, inner corner (39), lower lid;
  // the left eye from its inner corner (42), upper lid, outer corner (45), lower lid.
  [33, 33], [160, 160], [158, 158], [133, 133], [153, 153], [144, 144],
  [362, 362], [385, 385], [387, 387], [263, 263], [373, 373], [380, 380],
  // Mouth (20): the outer lip contour clockwise from the right corner (48) over the upper lip to
  // the left corner (54) and back under the lower lip (55–59); the inner contour from the right
  // inner corner (60) over (61–63) to the left (64) and back (65–67).
  [61, 61], [39, 39], [37, 37], [0, 0], [267, 267], [269, 269], [291, 291], [321, 321], [314, 314], [17, 17], [84, 84], [91, 91],
  [78, 78], [82, 82], [13, 13], [312, 312], [308, 308], [317, 317], [14, 14], [87, 87],
];

/**
 * The 68 iBUG points (x, y) of a face mesh (468 points, `stride` values each starting with x, y):
 * 68 × 2 values written into `out`.
 */
export function faceMeshTo68(points: Float32Array, stride = 3, out = new Float32Array(FACE68_POINTS * 2)): Float32Array {
  if (points.length < FACE_MESH_POINTS * stride) throw new RangeError(`points must hold ${FACE_MESH_POINTS} x ${stride} values; got ${points.length}.`);
  FACE68_FROM_MESH.forEach(([a, b], i) => {
    out[i * 2] = (points[a * stride]! + points[b * stride]!) / 2;
    out[i * 2 + 1] = (points[a * stride + 1]! + points[b * stride + 1]!) / 2;
  });
  return out;
}
