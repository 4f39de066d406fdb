/**
 * Regions of interest (square, rotated; see `Roi` in types.ts) for the landmark models, following
 * MediaPipe's BlazePose and holistic graphs:
 * - detection → pose ROI: centred on the hip-centre keypoint, side from its distance to the
 *   full-body alignment keypoint, rotated so that hip → that keypoint points up, expanded 1.25×;
 * - landmarks → pose ROI for the next frame: the same from auxiliary landmarks 33 and 34;
 * - pose wrist / index / pinky → hand ROI; hand landmarks → hand ROI.
 * All positions are source pixels; rotations radians, clockwise positive (y down).
 */
import type { Point } from './crop';
import type { Detection, Roi } from './types';

/** Wraps an angle to [-π, π). */
export function normalizeRadians(angle: number): number {
  return angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
}

/**
 * The ROI rotation that turns the direction `from` → `to` into the crop's up direction
 * (MediaPipe's "target angle 90°"). 0 when `to` is straight above `from`.
 */
export function uprightRotation(from: Point, to: Point): number {
  return normalizeRadians(Math.PI / 2 - Math.atan2(-(to.y - from.y), to.x - from.x));
}

export interface RoiTransform {
  /** Side multiplier. */
  scale?: number;
  /** Shift of the centre along the ROI's own x (right) and y (down) axes, in ROI sides (before scaling). */
  shiftX?: number;
  shiftY?: number;
}

/** Scales and shifts a ROI in its own rotated frame (MediaPipe's RectTransformation for squares). */
export function transformRoi(roi: Roi, t: RoiTransform): Roi {
  const sx = (t.shiftX ?? 0) * roi.size;
  const sy = (t.shiftY ?? 0) * roi.size;
  const cos = Math.cos(roi.rotation);
  const sin = Math.sin(roi.rotation);
  return {
    cx: roi.cx + sx * cos - sy * sin,
    cy: roi.cy + sx * sin + sy * cos,
    size: roi.size * (t.scale ?? 1),
    rotation: roi.rotation,
  };
}

/** Expansion of the pose ROI around the body (MediaPipe: 1.25). */
export const POSE_ROI_SCALE = 1.25;

/**
 * A ROI centred on `center` with side 2·|scalePoint − center|·`scale`, rotated so that
 * `center` → `scalePoint` points up. For BlazePose: centre = hip centre, scalePoint = the point
 * above the head that spans the full body.
 */
export function roiFromAlignment(center: Point, scalePoint: Point, scale = POSE_ROI_SCALE): Roi {
  const r = Math.hypot(scalePoint.x - center.x, scalePoint.y - center.y);
  return { cx: center.x, cy: center.y, size: 2 * r * scale, rotation: uprightRotation(center, scalePoint) };
}

/** Pose ROI from a BlazePose detection (keypoint 0: hip centre, 1: full-body alignment point). */
export function poseRoiFromDetection(det: Detection, scale = POSE_ROI_SCALE): Roi {
  const [center, top] = det.keypoints;
  if (!center || !top) throw new RangeError(`A pose detection needs at least 2 keypoints; got ${det.keypoints.length}.`);
  return roiFromAlignment(center, top, scale);
}

/** Auxiliary BlazePose landmarks used for tracking: hip centre and full-body alignment point. */
export const AUX_CENTER = 33;
export const AUX_SCALE = 34;

/**
 * Pose ROI for the next frame from the landmark model's 39 points (source pixels, `stride`
 * values per point starting with x, y): auxiliary points 33 → 34, as for detections.
 */
export function poseRoiFromLandmarks(points: Float32Array, stride: number, scale = POSE_ROI_SCALE): Roi {
  if (points.length < (AUX_SCALE + 1) * stride) throw new RangeError(`points must hold at least 35 x ${stride} values; got ${points.length}.`);
  const at = (i: number): Point => ({ x: points[i * stride]!, y: points[i * stride + 1]! });
  return roiFromAlignment(at(AUX_CENTER), at(AUX_SCALE), scale);
}

/**
 * Hand ROI from the pose: side = 2·|middle − wrist| × 1.6, shifted 0.1 towards the fingers.
 * MediaPipe holistic uses × 2.7, but it feeds that loose crop to a re-crop model first; fed
 * straight to the hand landmark model, × 2.7 found 10 of 55 hands on the navy-dress clip against
 * 54 of 55 (mean error 1.9 px vs DWPose) for × 1.6.
 */
export const HAND_FROM_POSE: Readonly<Required<RoiTransform>> = { scale: 1.6, shiftX: 0, shiftY: -0.1 };

/** BlazePose-33 indices of the keypoints a hand ROI is built from, per anatomical side. */
export const POSE_HAND_POINTS = {
  left: { wrist: 15, pinky: 17, index: 19 },
  right: { wrist: 16, pinky: 18, index: 20 },
} as const;

export type HandSide = keyof typeof POSE_HAND_POINTS;

export interface HandRoiOptions {
  /** Minimum visibility of the wrist, index and pinky keypoints; below it there is no ROI. Default 0.1. */
  minVisibility?: number;
  transform?: RoiTransform;
}

/**
 * Hand ROI from BlazePose keypoints (33 x (x, y, z, visibility), source pixels). The middle
 * finger is estimated as (2·index + pinky) / 3; the ROI is centred there, sized from its distance
 * to the wrist and rotated so wrist → middle points up. The pose's thumb point is not used (it
 * adds little to the hand's extent and is the least stable of the four). Null when the points are
 * not visible enough or coincide.
 */
export function handRoiFromPose(keypoints: Float32Array, side: HandSide, options: HandRoiOptions = {}): Roi | null {
  const ids = POSE_HAND_POINTS[side];
  const minVis = options.minVisibility ?? 0.1;
  const p = (i: number) => ({ x: keypoints[i * 4]!, y: keypoints[i * 4 + 1]!, v: keypoints[i * 4 + 3]! });
  const wrist = p(ids.wrist);
  const index = p(ids.index);
  const pinky = p(ids.pinky);
  if (Math.min(wrist.v, index.v, pinky.v) < minVis) return null;
  const middle = { x: (2 * index.x + pinky.x) / 3, y: (2 * index.y + pinky.y) / 3 };
  const r = Math.hypot(middle.x - wrist.x, middle.y - wrist.y);
  if (!(r > 0)) return null;
  const base: Roi = { cx: middle.x, cy: middle.y, size: 2 * r, rotation: uprightRotation(wrist, middle) };
  return transformRoi(base, options.transform ?? HAND_FROM_POSE);
}

/** Hand ROI from previous hand landmarks (MediaPipe hand tracking): rotated box × 2.0, shifted 0.1 up. */
export const HAND_FROM_LANDMARKS: Readonly<Required<RoiTransform>> = { scale: 2, shiftX: 0, shiftY: -0.1 };

/**
 * Hand ROI from 21 hand landmarks (source pixels, `stride` values per point starting with x, y):
 * rotation from the wrist towards the middle of the index / middle / ring knuckles, the tight box
 * of all points in that rotated frame, made square on its longer side, then `transform`.
 */
export function handRoiFromLandmarks(points: Float32Array, stride: number, transform: RoiTransform = HAND_FROM_LANDMARKS): Roi {
  if (points.length < 21 * stride) throw new RangeError(`points must hold 21 x ${stride} values; got ${points.length}.`);
  const at = (i: number): Point => ({ x: points[i * stride]!, y: points[i * stride + 1]! });
  const wrist = at(0);
  const [idx, mid, ring] = [at(5), at(9), at(13)];
  const knuckles = { x: ((idx.x + ring.x) / 2 + mid.x) / 2, y: ((idx.y + ring.y) / 2 + mid.y) / 2 };
  const rotation = uprightRotation(wrist, knuckles);
  const box = rotatedBounds(points, stride, 21, rotation);
  return transformRoi({ ...box, size: Math.max(box.width, box.height), rotation }, transform);
}

/**
 * The tight box of `count` points in a frame rotated by `rotation` (clockwise), expressed as its
 * centre in source pixels and its width / height along the rotated axes.
 */
export function rotatedBounds(points: Float32Array, stride: number, count: number, rotation: number): { cx: number; cy: number; width: number; height: number } {
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = points[i * stride]!;
    const y = points[i * stride + 1]!;
    const u = cos * x + sin * y;
    const v = -sin * x + cos * y;
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
    minV = Math.min(minV, v);
    maxV = Math.max(maxV, v);
  }
  const u = (minU + maxU) / 2;
  const v = (minV + maxV) / 2;
  return { cx: cos * u - sin * v, cy: sin * u + cos * v, width: maxU - minU, height: maxV - minV };
}
