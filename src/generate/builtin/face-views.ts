/**
 * The face from the reference frame that shows it best for the pose at hand. The textured head is
 * smooth: the views it gathers never line up exactly, and their blend loses the eyes and mouth.
 * A reference frame's own face pixels, moved with the head, stay sharp as long as the head turned
 * little since that frame. The current reference frame serves when it can (runner.ts); when its
 * head is turned too far, the gathered view whose head is turned least from the target does, from
 * a crop kept of it (a few kilobytes per view, whatever the clip's length).
 */
import { J, type PosedSkeleton, type Silhouette, type Vec3 } from '../../body';
import type { Intrinsics } from '../../guidance';
import type { PixelBox } from './mask';
import { rotate, type BoneSegment } from './outside';

/** A reference view's head region, ready to be carried into another pose by `outsideLayer`. */
export interface FaceView {
  rgba: Uint8ClampedArray;
  /** Person alpha (0-255) over the crop. */
  mask: Uint8Array;
  width: number;
  height: number;
  /** The frame's intrinsics with the principal point moved into the crop. */
  k: Intrinsics;
  /** The body as fitted in that frame (camera space). */
  from: PosedSkeleton;
  /** The fitted mesh's silhouette in crop pixels. */
  covered: Silhouette;
  /** Mean squared luma gradient over the person's pixels inside the silhouette: low when motion blurred. */
  sharpness: number;
  /** Serves a target turned less than this (degrees); the choice's `maxTurn` when absent. */
  maxTurn?: number;
  /** The face's outline in crop pixels ((x, y) pairs), whose pixels go with the head; absent without face landmarks. */
  outline?: Float32Array;
  /** The face's 68 landmarks in crop pixels (the motion's expression warps them); absent without face landmarks. */
  shape?: Float32Array;
}

/** Mean squared luma gradient (8-bit units) over the pixels where `mask` >= 128 and `inside` is set. */
export function imageSharpness(rgba: ArrayLike<number>, mask: ArrayLike<number>, inside: ArrayLike<number>, width: number, height: number): number {
  const luma = (p: number) => 0.299 * rgba[p * 4]! + 0.587 * rgba[p * 4 + 1]! + 0.114 * rgba[p * 4 + 2]!;
  let sum = 0;
  let n = 0;
  for (let y = 0; y + 1 < height; y++) {
    for (let x = 0; x + 1 < width; x++) {
      const p = y * width + x;
      if (mask[p]! < 128 || !inside[p] || mask[p + 1]! < 128 || mask[p + width]! < 128) continue;
      const l = luma(p);
      sum += (luma(p + 1) - l) ** 2 + (luma(p + width) - l) ** 2;
      n++;
    }
  }
  return n ? sum / n : 0;
}

/** Angle of joint `j`'s global rotation between two poses, degrees. */
export function jointTurn(a: PosedSkeleton, b: PosedSkeleton, j: number): number {
  const o = j * 4;
  const dot = Math.abs(a.rotations[o]! * b.rotations[o]! + a.rotations[o + 1]! * b.rotations[o + 1]! + a.rotations[o + 2]! * b.rotations[o + 2]! + a.rotations[o + 3]! * b.rotations[o + 3]!);
  return (2 * Math.acos(Math.min(1, dot)) * 180) / Math.PI;
}

/**
 * The pixel box around joint `joint` and the end of its bone (`end`, in the joint's rest frame),
 * grown by `margin` metres at the bone's depth and clipped to the frame; null when it lies behind
 * the camera or outside the frame.
 */
export function boneBox(pose: PosedSkeleton, joint: number, end: Vec3, k: Intrinsics, width: number, height: number, margin: number): PixelBox | null {
  const a: Vec3 = [pose.positions[joint * 3]!, pose.positions[joint * 3 + 1]!, pose.positions[joint * 3 + 2]!];
  const d = rotate(pose.rotations, joint * 4, end);
  const b: Vec3 = [a[0] + d[0], a[1] + d[1], a[2] + d[2]];
  const depth = Math.min(a[2], b[2]);
  if (!(depth > 0.05)) return null;
  const r = (k.fx * margin) / depth;
  const px = [a, b].map((p) => [(k.fx * p[0]) / p[2] + k.cx, (k.fy * p[1]) / p[2] + k.cy] as const);
  const x0 = Math.max(0, Math.floor(Math.min(px[0]![0], px[1]![0]) - r));
  const y0 = Math.max(0, Math.floor(Math.min(px[0]![1], px[1]![1]) - r));
  const x1 = Math.min(width, Math.ceil(Math.max(px[0]![0], px[1]![0]) + r));
  const y1 = Math.min(height, Math.ceil(Math.max(px[0]![1], px[1]![1]) + r));
  return x1 - x0 >= 4 && y1 - y0 >= 4 ? { x0, y0, x1, y1 } : null;
}

/** Degrees between the head's front and its line of sight to the camera: 0 facing it, 180 turned away. */
export function faceAngle(pose: PosedSkeleton): number {
  // Body space faces -z; the camera sits at the origin.
  const front = rotate(pose.rotations, J.head * 4, [0, 0, -1]);
  const p = [pose.positions[J.head * 3]!, pose.positions[J.head * 3 + 1]!, pose.positions[J.head * 3 + 2]!];
  const cos = -(front[0] * p[0]! + front[1] * p[1]! + front[2] * p[2]!) / Math.max(1e-9, Math.hypot(p[0]!, p[1]!, p[2]!));
  return (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
}

/** Bones that cover the face when a hand is raised to it: forearms and hands. */
const HAND_BONES: ReadonlySet<number> = new Set([J.left_elbow, J.right_elbow, J.left_wrist, J.right_wrist, J.left_hand, J.right_hand]);
/** The face: the lower FACE_SPAN of the head's bone (from the jaw up to the brow), grown by FACE_CLEAR metres (about the head's radius). */
const FACE_SPAN = 0.6;
const FACE_CLEAR = 0.07;

/**
 * Whether a forearm or hand lies in front of the face in this pose: a point along one of their
 * bones projects into the face's pixel box nearer the camera than the head joint. Such a view's
 * face is partly a hand, and carried into another pose it shows as a torn face.
 */
export function handOverFace(pose: PosedSkeleton, segments: readonly BoneSegment[], k: Intrinsics, width: number, height: number): boolean {
  const head = segments.find((s) => s.joint === J.head);
  const face = head && boneBox(pose, J.head, [head.offset[0] * FACE_SPAN, head.offset[1] * FACE_SPAN, head.offset[2] * FACE_SPAN], k, width, height, FACE_CLEAR);
  if (!face) return false;
  const headZ = pose.positions[J.head * 3 + 2]!;
  for (const s of segments) {
    if (!HAND_BONES.has(s.joint)) continue;
    const o = s.joint * 3;
    const d = rotate(pose.rotations, s.joint * 4, s.offset);
    for (let t = 0; t <= 1; t += 0.25) {
      const z = pose.positions[o + 2]! + t * d[2];
      if (!(z > 0.05) || z >= headZ) continue;
      const x = (k.fx * (pose.positions[o]! + t * d[0])) / z + k.cx;
      const y = (k.fy * (pose.positions[o + 1]! + t * d[1])) / z + k.cy;
      if (x >= face.x0 && x < face.x1 && y >= face.y0 && y < face.y1) return true;
    }
  }
  return false;
}

/** (x, y) pairs in frame pixels moved into `box`'s crop. */
const toCrop = (points: Float32Array, box: PixelBox) => points.map((v, i) => v - (i % 2 ? box.y0 : box.x0));

/** A copy of `box` of a frame (its RGBA, person alpha, mesh silhouette, and face outline and landmarks in frame pixels) as a face view. */
export function cropFaceView(
  frame: { rgba: Uint8ClampedArray; mask: Uint8Array; width: number },
  k: Intrinsics,
  from: PosedSkeleton,
  covered: Silhouette,
  box: PixelBox,
  face: { outline: Float32Array; shape: Float32Array } | null = null,
): FaceView {
  const width = box.x1 - box.x0;
  const height = box.y1 - box.y0;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = (box.y0 + y) * frame.width + box.x0;
    rgba.set(frame.rgba.subarray(row * 4, (row + width) * 4), y * width * 4);
    mask.set(frame.mask.subarray(row, row + width), y * width);
  }
  const silhouette = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = box.x0 + x - covered.x0;
      const sy = box.y0 + y - covered.y0;
      if (sx >= 0 && sy >= 0 && sx < covered.width && sy < covered.height) silhouette[y * width + x] = covered.data[sy * covered.width + sx]!;
    }
  }
  return {
    rgba,
    mask,
    width,
    height,
    k: { ...k, cx: k.cx - box.x0, cy: k.cy - box.y0 },
    from,
    covered: { x0: 0, y0: 0, width, height, data: silhouette },
    sharpness: imageSharpness(rgba, mask, silhouette, width, height),
    ...(face ? { outline: toCrop(face.outline, box), shape: toCrop(face.shape, box) } : {}),
  };
}

/** Views whose face is less sharp than this share of the views' median are motion blurred and left out. */
const BLURRED = 0.5;

export interface FaceChoice {
  /** Left out: turned this far (degrees) or more from the target, unless the view says otherwise. */
  maxTurn: number;
  /** The view shown for the previous output frame: kept unless another is turned this many degrees less. */
  previous?: FaceView | null;
  hysteresis?: number;
}

/**
 * The sharp view whose joint `joint` is turned least from `to`, within its `maxTurn` degrees (the
 * choice's unless the view has its own); null when none is. The previous frame's view stays while it qualifies and no other beats it by
 * `hysteresis` degrees: switching views switches the expression.
 */
export function nearestFaceView(views: readonly FaceView[], to: PosedSkeleton, joint: number, choice: FaceChoice): FaceView | null {
  const sharpness = views.map((v) => v.sharpness).sort((a, b) => a - b);
  const floor = sharpness.length ? BLURRED * sharpness[sharpness.length >> 1]! : 0;
  const limit = (v: FaceView) => v.maxTurn ?? choice.maxTurn;
  let best: FaceView | null = null;
  let bestTurn = Infinity;
  for (const v of views) {
    if (v.sharpness < floor) continue;
    const turn = jointTurn(v.from, to, joint);
    if (turn < limit(v) && turn < bestTurn) {
      bestTurn = turn;
      best = v;
    }
  }
  const previous = choice.previous;
  if (previous && best && previous !== best && previous.sharpness >= floor) {
    const turn = jointTurn(previous.from, to, joint);
    if (turn < limit(previous) && turn - bestTurn < (choice.hysteresis ?? 0)) return previous;
  }
  return best;
}

/** A face view that stopped showing, still fading out: `left` of the fade's frames remain. */
export interface FaceFade<T> {
  from: T;
  left: number;
}

/** One frame of `faceFade`: the face layers to draw, in order, and the fade to carry on. */
export interface FaceFadeStep<T> {
  draws: { face: T; opacity: number }[];
  fade: FaceFade<T | null> | null;
}

/**
 * What to draw for the face this frame when the chosen view changes, so that it does not pop:
 * the outgoing view fades out over `frames` output frames on top of the new one; a view that
 * appears where none was fades in. `shown` is the view drawn last frame, `face` this frame's
 * choice (null: the frame's own head or the texture). Returns the layers with their opacities,
 * drawn in order, and the fade to carry to the next frame.
 */
export function faceFade<T>(shown: T | null, face: T | null, fade: FaceFade<T | null> | null, frames: number): FaceFadeStep<T> {
  let next = face !== shown && frames > 0 ? { from: shown, left: frames } : fade && fade.left > 0 ? fade : null;
  const draws: { face: T; opacity: number }[] = [];
  const out = next ? next.left / (frames + 1) : 0;
  if (face) draws.push({ face, opacity: next && next.from === null ? 1 - out : 1 });
  if (next && next.from !== null && next.from !== face) draws.push({ face: next.from, opacity: out });
  if (next) next = next.left > 1 ? { from: next.from, left: next.left - 1 } : null;
  return { draws, fade: next };
}

/**
 * The face part of the builtin engine: per output frame, the gathered face view to draw over the
 * head (the one turned most alike, switching only for a clearly better one) and the cross-fade
 * from the one before. Keeps the last choice and the running fade between frames.
 */
export class FaceChooser {
  private last: FaceView | null = null;
  private fade: FaceFade<FaceView | null> | null = null;

  constructor(
    private readonly faces: readonly FaceView[],
    private readonly config: { readonly frontMaxTurn: number; readonly hysteresis: number; readonly fadeFrames: number },
  ) {}

  /** The face views to draw, with their opacities, for the head of `to`; none fade in while the reference frame's own face shows (`ownFace`). */
  next(to: PosedSkeleton, ownFace: boolean): FaceFadeStep<FaceView>['draws'] {
    const { frontMaxTurn, hysteresis, fadeFrames } = this.config;
    const face = ownFace ? null : nearestFaceView(this.faces, to, J.head, { maxTurn: frontMaxTurn, previous: this.last, hysteresis });
    const shown = faceFade(this.last, face, this.fade, fadeFrames);
    this.last = face;
    this.fade = shown.fade;
    return shown.draws;
  }
}
