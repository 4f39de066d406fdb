/**
 * Objects in a frame from the converted NanoDet detector (`nanodet`, COCO's 80 classes; see
 * OBJECT_DETECTOR_IO): the model input for a region, the decoding of its per-stride class scores
 * and box distributions into boxes in source pixels, and per-class non-maximum suppression. Pure:
 * the model runs through a `ModelRunner`. Which of them the followed person holds (`heldObjects`),
 * stored per sampled frame in the track (track.ts) and carried to every frame along the hand or
 * foot that holds them (`heldObjectBoxes`): the builtin engine removes them with the person.
 */
import { applyAffine, cropToSource, letterboxRoi, warpToTensor } from './crop';
import { BP } from './layouts';
import { OBJECT_DETECTOR_IO } from './models';
import type { ModelRunner, RgbaImage, Roi } from './types';

/** COCO's 80 detection classes in the usual contiguous order (class id = index). */
export const COCO_CLASSES = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
] as const;

export type CocoClass = (typeof COCO_CLASSES)[number];

/** Class id of a COCO class name. */
export function cocoClassId(name: CocoClass): number {
  return COCO_CLASSES.indexOf(name);
}

/** Classes a person commonly holds, carries or plays with (issue #21's candidates). */
export const HELD_OBJECT_CLASSES: readonly CocoClass[] = [
  'backpack', 'umbrella', 'handbag', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat',
  'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle', 'cup', 'cell phone', 'book', 'teddy bear',
];

/** One detected object; the box is axis-aligned in source pixels. */
export interface ObjectDetection {
  classId: number;
  label: CocoClass;
  /** Class score in [0, 1] (NanoDet's quality-focal score: classification × IoU estimate). */
  score: number;
  /** Clipped to the detector's input square, not to the frame: a letterboxed frame's box may reach a little past its edge. */
  box: { x0: number; y0: number; x1: number; y1: number };
}

export interface DecodeObjectsOptions {
  /** Scores below this are dropped. Default 0.35 (NanoDet's demo threshold). */
  minScore?: number;
  /** Only these class ids (default: all 80). */
  classes?: readonly number[];
  /** At most this many detections after NMS, best first. Default 100 (NanoDet's own). */
  maxDetections?: number;
  /** NMS IoU threshold within a class; 1 keeps every candidate. Default 0.6 (NanoDet's own). */
  iouThreshold?: number;
}

/** Candidates kept for NMS, best first (NanoDet keeps 1000 per stride before its NMS). */
const MAX_CANDIDATES = 1000;

/** The whole frame, letterboxed: the default region to detect in. */
export function objectRegionOfFrame(image: Pick<RgbaImage, 'width' | 'height'>): Roi {
  return letterboxRoi(image.width, image.height);
}

/**
 * An upright square region around a box (source pixels), `scale` times its longer side: e.g. a
 * person's keypoint box, so that small held objects get more input pixels than in the whole frame.
 */
export function objectRegionAround(box: { x0: number; y0: number; x1: number; y1: number }, scale = 1.5): Roi {
  const size = Math.max(box.x1 - box.x0, box.y1 - box.y0) * scale;
  if (!(size > 0)) throw new RangeError(`The box must have a positive size; got ${box.x1 - box.x0}x${box.y1 - box.y0}.`);
  return { cx: (box.x0 + box.x1) / 2, cy: (box.y0 + box.y1) / 2, size, rotation: 0 };
}

/**
 * The model input for `roi`: NCHW [1, 3, 416, 416], black outside the frame, planes in BGR order
 * and each byte v normalised to (v − mean) / std with NanoDet's BGR mean [103.53, 116.28, 123.675]
 * and std [57.375, 57.12, 58.395], as upstream NanoDet feeds its model.
 *
 * Evidence that the TF.js graph wants exactly that (it has no normalisation op; letterboxed frames,
 * fp32, decoded by `decodeObjects`): a person ≥ 0.5 on 10 of 10 frames of the children's clip
 * (every 20th) with this input vs 7 with RGB [0, 1], 6 with BGR [0, 1], 6 with RGB [−1, 1], 4 with
 * the same statistics applied in RGB order and 0 with RGB [0, 255]; the mean top person score there
 * is 0.777 vs 0.550, 0.609, 0.553, 0.415 and 0.000, and on 14 frames of the racket clip 0.803 vs
 * 0.748, 0.759, 0.762, 0.774 and 0.022. Rackets and the bed are found about equally often with
 * the first five inputs.
 */
export function objectDetectorInput(image: RgbaImage, roi: Roi, out?: Float32Array): Float32Array {
  const { size, mean, std } = OBJECT_DETECTOR_IO;
  const t = warpToTensor(image, roi, size, { range: [0, 255], border: 'zero', ...(out ? { out } : {}) });
  const plane = size * size;
  for (let i = 0; i < plane; i++) {
    const r = t[i]!;
    const b = t[2 * plane + i]!;
    t[i] = (b - mean[0]) / std[0];
    t[plane + i] = (t[plane + i]! - mean[1]) / std[1];
    t[2 * plane + i] = (r - mean[2]) / std[2];
  }
  return t;
}

/** Area of the overlap of two corner boxes; 0 when they do not overlap. */
export function boxIntersection(a: ObjectDetection['box'], b: ObjectDetection['box']): number {
  const ix = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const iy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return ix > 0 && iy > 0 ? ix * iy : 0;
}

/** Intersection over union of two corner boxes; 0 when either is empty. */
export function boxIou(a: ObjectDetection['box'], b: ObjectDetection['box']): number {
  const inter = boxIntersection(a, b);
  if (inter <= 0) return 0;
  const union = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy non-maximum suppression within each class: best score first, drops overlaps above `iouThreshold`. */
export function nmsObjects(detections: readonly ObjectDetection[], iouThreshold = 0.6): ObjectDetection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: ObjectDetection[] = [];
  for (const d of sorted) {
    if (kept.every((k) => k.classId !== d.classId || boxIou(k.box, d.box) <= iouThreshold)) kept.push(d);
  }
  return kept;
}

/**
 * The box of one cell in input pixels [x0, y0, x1, y1]: per side (left, top, right, bottom) the
 * softmax over its regMax + 1 bins, whose expectation times the stride is the distance from the
 * cell centre ((col + 0.5)·stride, (row + 0.5)·stride); clipped to the input square.
 */
function cellBox(dist: Float32Array, cell: number, grid: number, stride: number): [number, number, number, number] {
  const { regMax, size } = OBJECT_DETECTOR_IO;
  const bins = regMax + 1;
  const cx = ((cell % grid) + 0.5) * stride;
  const cy = (Math.floor(cell / grid) + 0.5) * stride;
  const d = [0, 0, 0, 0];
  for (let side = 0; side < 4; side++) {
    const o = (cell * 4 + side) * bins;
    let max = -Infinity;
    for (let k = 0; k < bins; k++) max = Math.max(max, dist[o + k]!);
    let sum = 0;
    let weighted = 0;
    for (let k = 0; k < bins; k++) {
      const e = Math.exp(dist[o + k]! - max);
      sum += e;
      weighted += k * e;
    }
    d[side] = (weighted / sum) * stride;
  }
  const clip = (v: number) => Math.min(size, Math.max(0, v));
  return [clip(cx - d[0]!), clip(cy - d[1]!), clip(cx + d[2]!), clip(cy + d[3]!)];
}

/**
 * Decodes the detector's outputs for the crop of `roi` into objects in source pixels: every
 * (cell, class) whose score reaches `minScore` is a candidate with its cell's box (see `cellBox`),
 * mapped through the crop (the bounding box of the mapped corners when rotated); then per-class
 * NMS, as NanoDet's own post-processing does.
 */
export function decodeObjects(outputs: Record<string, Float32Array>, roi: Roi, options: DecodeObjectsOptions = {}): ObjectDetection[] {
  const { classes: numClasses, regMax, size, levels } = OBJECT_DETECTOR_IO;
  const minScore = options.minScore ?? 0.35;
  const classes = options.classes ?? Array.from({ length: numClasses }, (_, i) => i);
  for (const c of classes) {
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) throw new RangeError(`Class ids are 0..${numClasses - 1}; got ${c}.`);
  }
  const candidates: Array<{ level: number; cell: number; classId: number; score: number }> = [];
  levels.forEach((level, li) => {
    const cells = level.grid * level.grid;
    const scores = outputs[level.scores];
    const dist = outputs[level.boxes];
    if (!scores || scores.length < cells * numClasses) throw new RangeError(`The object detector returned no "${level.scores}" output of ${cells} x ${numClasses} values.`);
    if (!dist || dist.length < cells * 4 * (regMax + 1)) throw new RangeError(`The object detector returned no "${level.boxes}" output of ${cells} x ${4 * (regMax + 1)} values.`);
    for (let cell = 0; cell < cells; cell++) {
      for (const c of classes) {
        const s = scores[cell * numClasses + c]!;
        if (s >= minScore) candidates.push({ level: li, cell, classId: c, score: s });
      }
    }
  });
  candidates.sort((a, b) => b.score - a.score);
  const toSource = cropToSource(roi, size);
  const detections = candidates.slice(0, MAX_CANDIDATES).map(({ level, cell, classId, score }): ObjectDetection => {
    const { grid, stride, boxes } = levels[level]!;
    const [u0, v0, u1, v1] = cellBox(outputs[boxes]!, cell, grid, stride);
    const corners = [applyAffine(toSource, u0, v0), applyAffine(toSource, u1, v0), applyAffine(toSource, u0, v1), applyAffine(toSource, u1, v1)];
    const xs = corners.map((p) => p.x);
    const ys = corners.map((p) => p.y);
    return {
      classId,
      label: COCO_CLASSES[classId]!,
      score,
      box: { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) },
    };
  });
  return nmsObjects(detections, options.iouThreshold ?? 0.6).slice(0, options.maxDetections ?? 100);
}

/** Runs the object detector on the crop of `roi` (default: the whole frame, letterboxed). */
export async function detectObjects(run: ModelRunner, image: RgbaImage, roi: Roi = objectRegionOfFrame(image), options: DecodeObjectsOptions = {}): Promise<ObjectDetection[]> {
  const n = OBJECT_DETECTOR_IO.size;
  const outputs = await run({ [OBJECT_DETECTOR_IO.input]: { data: objectDetectorInput(image, roi), dims: [1, 3, n, n] } });
  return decodeObjects(outputs, roi, options);
}

/** A held object: a detection within reach of one of the person's joints. */
export interface HeldObject extends ObjectDetection {
  /** BlazePose index of the nearest hand or foot point (the object moves with it between samples). */
  anchor: number;
}

export interface HeldObjectOptions {
  /** Detections below this score are ignored. Default 0.35. */
  minScore?: number;
  /** An object is held when a joint lies within this share of the person's size of its box. Default 0.12. */
  reach?: number;
  /** The same for things that fly (a ball, a frisbee, a kite): thrown, juggled, kicked. Default 0.5. */
  throwReach?: number;
  /** Keypoints below this visibility do not hold anything. Default 0.3. */
  minVisibility?: number;
}

/** Hand and foot points: what holds, swings or kicks an object. */
const LIMB_ENDS = [
  BP.left_wrist, BP.right_wrist, BP.left_pinky, BP.right_pinky, BP.left_index, BP.right_index, BP.left_thumb, BP.right_thumb,
  BP.left_ankle, BP.right_ankle, BP.left_heel, BP.right_heel, BP.left_foot_index, BP.right_foot_index,
].map((j) => j!);
/** Bags are also carried on the shoulders and at the hips. */
const BAG_JOINTS = [BP.left_shoulder, BP.right_shoulder, BP.left_hip, BP.right_hip].map((j) => j!);
const BAGS: ReadonlySet<string> = new Set<CocoClass>(['backpack', 'handbag', 'suitcase']);
const THROWN: ReadonlySet<string> = new Set<CocoClass>(['sports ball', 'frisbee', 'kite']);
const HELD_IDS: ReadonlySet<number> = new Set(HELD_OBJECT_CLASSES.map(cocoClassId));

/**
 * The longer side of the box around a pose's keypoints (33 × (x, y, z, visibility)), all of them:
 * BlazePose places the unseen ones too, and the person's size should not shrink when a leg is hidden.
 */
export function keypointBoxOf(keypoints: Float32Array): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < 33; k++) {
    const x = keypoints[k * 4]!;
    const y = keypoints[k * 4 + 1]!;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}

/** Distance from a point to a box (0 inside it). */
function distanceToBox(x: number, y: number, b: ObjectDetection['box']): number {
  return Math.hypot(Math.max(b.x0 - x, 0, x - b.x1), Math.max(b.y0 - y, 0, y - b.y1));
}

/**
 * The detections a person holds, carries or plays with (HELD_OBJECT_CLASSES) in one frame: those
 * whose box a hand or foot point (a bag: also a shoulder or hip) reaches within `reach` of the
 * person's size, `throwReach` for balls, frisbees and kites, which leave the hand. Each keeps the
 * nearest such point as its anchor. A racket lying on the court far from the player is not held,
 * and stays part of the scene.
 */
export function heldObjects(detections: readonly ObjectDetection[], keypoints: Float32Array, options: HeldObjectOptions = {}): HeldObject[] {
  const minScore = options.minScore ?? 0.35;
  const minVisibility = options.minVisibility ?? 0.3;
  const box = keypointBoxOf(keypoints);
  const size = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  if (!(size > 0)) return [];
  const held: HeldObject[] = [];
  for (const d of detections) {
    if (!HELD_IDS.has(d.classId) || d.score < minScore) continue;
    const reach = (THROWN.has(d.label) ? (options.throwReach ?? 0.5) : (options.reach ?? 0.12)) * size;
    const joints = BAGS.has(d.label) ? [...LIMB_ENDS, ...BAG_JOINTS] : LIMB_ENDS;
    let anchor = -1;
    let best = Infinity;
    for (const j of joints) {
      if (keypoints[j * 4 + 3]! < minVisibility) continue;
      const dist = distanceToBox(keypoints[j * 4]!, keypoints[j * 4 + 1]!, d.box);
      if (dist <= reach && dist < best) {
        best = dist;
        anchor = j;
      }
    }
    if (anchor >= 0) held.push({ ...d, anchor });
  }
  return held;
}

/**
 * When the analysis runs the object detector (it costs about as much as the pose itself): twice a
 * second while the person holds nothing, six times a second from a look that found something held
 * until two looks in a row find nothing (a swing, a throw and a juggle need the denser looks; most
 * clips hold nothing). The frames before the first look that found an object take it from that
 * look, carried back along the hand (track.ts `heldObjectBoxes`, up to its `maxGap`). Frames come
 * in order (the second pass of a followed click runs backwards: there the distance counts alike).
 */
export class ObjectSchedule {
  readonly slow: number;
  readonly fast: number;
  private last = -Infinity;
  private empty = 2;

  /** `timestamps`: the clip's frame times in seconds (its frame rate sets the strides). */
  constructor(timestamps: readonly number[], perSecond: { idle: number; holding: number } = { idle: 2, holding: 6 }) {
    const n = timestamps.length;
    const span = n > 1 ? timestamps[n - 1]! - timestamps[0]! : 0;
    const fps = span > 0 ? (n - 1) / span : 30;
    this.slow = Math.max(1, Math.round(fps / perSecond.idle));
    this.fast = Math.max(1, Math.round(fps / perSecond.holding));
  }

  /** Whether frame `i` should be looked at. */
  due(i: number): boolean {
    return Math.abs(i - this.last) >= (this.empty >= 2 ? this.slow : this.fast);
  }

  /** Frame `i` was looked at and `held` objects were found held. */
  saw(i: number, held: number): void {
    this.last = i;
    this.empty = held > 0 ? 0 : this.empty + 1;
  }
}
