/**
 * Whether a clicked point lies on a person, for following the person a user clicks
 * (`PoseTracker.follow`). Every reach is measured in the person's **torso length** (shoulder centre
 * to hip centre), never in the size of their region: a detection whose region is large, or
 * wrong, does not thereby cover clicks far from its body.
 *
 * - `detectionCovers`: before landmarks, whether a detection's body (torso and head, legs) could
 *   hold the point. A cheap filter on which detections get the landmark model.
 * - `poseClick`: after landmarks, where the point lies relative to the pose: inside its torso,
 *   how far from its skeleton, how far from its torso centre. A pose is only "found" for a click
 *   that lies on it (`ON_POSE`), and of several poses the one the click is most central to wins
 *   (`followCost`).
 */
import type { Point } from './crop';
import type { Detection } from './types';

/** Distance from `p` to the segment a–b. */
export function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0;
  return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
}

/**
 * A detection's body boxes, in its torso length T, along its axis (hip centre → full-body
 * alignment point): torso and head from the hip centre to (1 + `head`) T up the axis, `torsoHalfWidth`
 * T to either side; legs from the hip centre `legs` T down the axis, `legHalfWidth` T to either
 * side. With T at most `maxTorso` × the alignment radius r, both boxes lie inside the detection's
 * pose ROI (half side 1.25 r), so a click outside the ROI is never on the body.
 */
export const DETECTION_BODY = { head: 0.6, torsoHalfWidth: 0.6, legs: 1.7, legHalfWidth: 0.5, minTorso: 0.35, maxTorso: 0.7 } as const;

/**
 * Where `point` lies relative to the body boxes (`DETECTION_BODY`) of a BlazePose detection
 * (keypoints 0 hip centre, 1 full-body alignment point, 2 shoulder centre): ≤ 1 inside a box, 0 at
 * a box's centre (the larger of the distances from it along and across the axis, each in the
 * box's half size); Infinity for a detection without those keypoints.
 */
export function detectionReach(det: Detection, point: Point): number {
  const [hip, top, shoulder] = det.keypoints;
  if (!hip || !top || !shoulder) return Infinity;
  const b = DETECTION_BODY;
  const r = Math.hypot(top.x - hip.x, top.y - hip.y);
  if (!(r > 0)) return Infinity;
  // The torso length from the detector's shoulder keypoint, kept to a plausible share of r
  // (measured 0.54–0.64 on the COCO people).
  const torso = Math.min(Math.max(Math.hypot(shoulder.x - hip.x, shoulder.y - hip.y), b.minTorso * r), b.maxTorso * r);
  // Along (up the body) and across the axis, in torso lengths.
  const dx = point.x - hip.x;
  const dy = point.y - hip.y;
  const along = (dx * (top.x - hip.x) + dy * (top.y - hip.y)) / r / torso;
  const across = Math.abs(dx * (top.y - hip.y) - dy * (top.x - hip.x)) / r / torso;
  const box = (from: number, to: number, halfWidth: number) => Math.max(Math.abs(along - (from + to) / 2) / ((to - from) / 2), across / halfWidth);
  return Math.min(box(0, 1 + b.head, b.torsoHalfWidth), box(-b.legs, 0, b.legHalfWidth));
}

/** Whether `point` lies on a detection's body (`detectionReach` ≤ 1). */
export function detectionCovers(det: Detection, point: Point): boolean {
  return detectionReach(det, point) <= 1;
}

/** BlazePose-33 segments a click may land on, besides the torso: neck to nose, arms, legs. */
const LIMBS: ReadonlyArray<readonly [number, number]> = [
  [11, 13], [13, 15], [12, 14], [14, 16], // arms
  [23, 25], [25, 27], [24, 26], [26, 28], // legs
];

export interface PoseClick {
  /** Torso length T (shoulder centre to hip centre, at least the shoulder or hip width), pixels. */
  torso: number;
  /** Whether the point lies inside the quadrilateral of the shoulders and hips. */
  inTorso: boolean;
  /** Distance to the pose's body (0 inside the torso; else to the torso, neck, head or a limb), in T. */
  body: number;
  /** Distance to the torso centre (mean of shoulders and hips), in T. */
  centre: number;
}

/** A click within this many torso lengths of a pose's body (`PoseClick.body`) lies on it. */
export const ON_POSE = 0.3;

/** Where `point` lies relative to a BlazePose-33 pose (keypoints with `stride` values per point, x and y first). */
export function poseClick(keypoints: Float32Array, point: Point, stride = 4): PoseClick {
  const at = (i: number): Point => ({ x: keypoints[i * stride]!, y: keypoints[i * stride + 1]! });
  const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
  const len = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);
  const [ls, rs, lh, rh] = [at(11), at(12), at(23), at(24)];
  const ms = mid(ls, rs);
  const mh = mid(lh, rh);
  const torso = Math.max(len(ms, mh), len(ls, rs), len(lh, rh), 1);
  const quad = [ls, rs, rh, lh];
  const inTorso = insidePolygon(point, quad);
  let body = inTorso ? 0 : Infinity;
  if (!inTorso) {
    for (let i = 0; i < 4; i++) body = Math.min(body, segmentDistance(point, quad[i]!, quad[(i + 1) % 4]!));
    // The head: from the shoulder centre to the nose, and a disc of the ear-to-ear half-width around the nose.
    const nose = at(0);
    body = Math.min(body, segmentDistance(point, ms, nose), Math.max(0, len(point, nose) - len(at(7), at(8)) / 2));
    for (const [a, b] of LIMBS) body = Math.min(body, segmentDistance(point, at(a), at(b)));
  }
  const c = mid(ms, mh);
  return { torso, inTorso, body: body / torso, centre: len(point, c) / torso };
}

/**
 * How well a click picks a pose, lower is better: the distance to its body plus half the distance
 * to its torso centre (both in its torso lengths), so that of two people whose bodies the click
 * touches (one in front of the other), the one it is central to wins.
 */
export function followCost(click: PoseClick): number {
  return click.body + 0.5 * click.centre;
}

/** Even-odd point-in-polygon test. */
function insidePolygon(p: Point, poly: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i]!;
    const b = poly[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** BlazePose-33 shoulders and hips. */
const TORSO = [11, 12, 23, 24] as const;

/**
 * Mean distance between the shoulders and hips of two poses (keypoints with `stride` values per
 * point, x and y first), in pixels: two reads of one person lie within a fraction of their torso.
 */
export function torsoGap(a: Float32Array, b: Float32Array, stride = 4): number {
  let sum = 0;
  for (const i of TORSO) sum += Math.hypot(a[i * stride]! - b[i * stride]!, a[i * stride + 1]! - b[i * stride + 1]!);
  return sum / TORSO.length;
}

/** Reads of one person closer than this many of their torso lengths (`torsoGap`) are fused. */
export const SAME_READ = 0.3;

/** The element-wise mean of same-length arrays (several reads of one person's landmarks). */
export function meanReads(reads: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(reads[0]!.length);
  for (const r of reads) for (let i = 0; i < out.length; i++) out[i]! += r[i]! / reads.length;
  return out;
}
