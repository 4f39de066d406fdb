/**
 * Decoding of SSD detector outputs (BlazePose person detector, palm detector) into `Detection`s in
 * source pixels, and weighted non-maximum suppression.
 */
import { ANCHOR_STRIDE } from './anchors';
import type { Affine } from './crop';
import type { Detection } from './types';

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export interface DecodeOptions {
  /** Model input side in pixels (224 for the pose detector). */
  inputSize: number;
  /** Keypoints per detection (4 for the pose detector). */
  numKeypoints: number;
  /** Minimum sigmoid score kept, in [0, 1]. */
  minScore: number;
  /** Logits are clipped to ±this before the sigmoid (MediaPipe: 100). */
  scoreClip?: number;
}

/**
 * Decodes raw detector output `[numAnchors, 1 + 4 + 2·numKeypoints]` (score logit, box cx, cy,
 * w, h, keypoint x, y… in input pixels relative to the anchor centre and scaled by the anchor size)
 * into detections whose score ≥ `minScore`. `inputToSource` maps input pixels to source pixels
 * (e.g. `cropToSource(letterboxRoi(w, h), 224)`); boxes are scaled by its mean scale and are
 * meaningful for maps without rotation.
 */
export function decodeDetections(raw: Float32Array, anchors: Float32Array, inputToSource: Affine, options: DecodeOptions): Detection[] {
  const { inputSize: s, numKeypoints, minScore } = options;
  const clip = options.scoreClip ?? 100;
  const values = 5 + 2 * numKeypoints;
  const count = anchors.length / ANCHOR_STRIDE;
  if (raw.length !== count * values) {
    throw new RangeError(`The detector output holds ${raw.length} values; expected ${count} anchors x ${values}.`);
  }
  const m = inputToSource;
  const boxScale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
  const toSource = (x: number, y: number) => ({ x: m.a * x + m.b * y + m.tx, y: m.c * x + m.d * y + m.ty });
  const minLogit = Math.log(minScore / (1 - minScore)); // skip the sigmoid for most anchors
  const out: Detection[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * values;
    const logit = Math.max(-clip, Math.min(clip, raw[o]!));
    if (logit < minLogit) continue;
    const acx = anchors[i * 4]! * s;
    const acy = anchors[i * 4 + 1]! * s;
    const aw = anchors[i * 4 + 2]!;
    const ah = anchors[i * 4 + 3]!;
    const keypoints: Detection['keypoints'] = [];
    for (let k = 0; k < numKeypoints; k++) {
      keypoints.push(toSource(acx + raw[o + 5 + 2 * k]! * aw, acy + raw[o + 6 + 2 * k]! * ah));
    }
    const c = toSource(acx + raw[o + 1]! * aw, acy + raw[o + 2]! * ah);
    out.push({
      score: sigmoid(logit),
      box: { cx: c.x, cy: c.y, w: raw[o + 3]! * aw * boxScale, h: raw[o + 4]! * ah * boxScale },
      keypoints,
    });
  }
  return out;
}

/** Intersection over union of two centre-size boxes; 0 when either is empty. */
export function iou(a: Detection['box'], b: Detection['box']): number {
  const ix = Math.min(a.cx + a.w / 2, b.cx + b.w / 2) - Math.max(a.cx - a.w / 2, b.cx - b.w / 2);
  const iy = Math.min(a.cy + a.h / 2, b.cy + b.h / 2) - Math.max(a.cy - a.h / 2, b.cy - b.h / 2);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Weighted non-maximum suppression (MediaPipe's WEIGHTED algorithm): detections are taken by
 * descending score; each one absorbs all remaining detections that overlap it by IoU >
 * `iouThreshold`, and its box and keypoints become their score-weighted mean (which steadies them
 * against the anchor grid). The kept score is the best one of the group.
 */
export function weightedNms(detections: readonly Detection[], iouThreshold = 0.3): Detection[] {
  let remaining = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  while (remaining.length > 0) {
    const top = remaining[0]!;
    const group: Detection[] = [];
    const rest: Detection[] = [];
    for (const d of remaining) (d === top || iou(top.box, d.box) > iouThreshold ? group : rest).push(d);
    remaining = rest;
    kept.push(group.length === 1 ? top : mergeGroup(group));
  }
  return kept;
}

/** Score-weighted mean of a group's box edges and keypoints, keeping the best score. */
function mergeGroup(group: Detection[]): Detection {
  let total = 0;
  let x0 = 0;
  let y0 = 0;
  let x1 = 0;
  let y1 = 0;
  const kp = group[0]!.keypoints.map(() => ({ x: 0, y: 0 }));
  for (const d of group) {
    const w = d.score;
    total += w;
    x0 += (d.box.cx - d.box.w / 2) * w;
    y0 += (d.box.cy - d.box.h / 2) * w;
    x1 += (d.box.cx + d.box.w / 2) * w;
    y1 += (d.box.cy + d.box.h / 2) * w;
    d.keypoints.forEach((p, k) => {
      kp[k]!.x += p.x * w;
      kp[k]!.y += p.y * w;
    });
  }
  x0 /= total;
  y0 /= total;
  x1 /= total;
  y1 /= total;
  return {
    score: group[0]!.score,
    box: { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, w: x1 - x0, h: y1 - y0 },
    keypoints: kp.map((p) => ({ x: p.x / total, y: p.y / total })),
  };
}
