/**
 * OpenPose-style pose maps (the conditioning image of ControlNet-openpose and MimicMotion), drawn
 * onto any 2D context that implements `PoseMapContext` (a browser or offscreen canvas, or a
 * recording fake in tests).
 *
 * Drawing (REFERENCES.md): 17 limbs as filled ellipses of half-width 4 px and 18 joints as discs of
 * radius 4 px at the reference scale, in the OpenPose palette; limbs dimmed by 0.6. Confidence-aware
 * (MimicMotion): a limb is skipped when either end scores below 0.3, otherwise its colour is scaled
 * by the product of the two scores; a joint below 0.3 is skipped, otherwise coloured × its score;
 * hand edges (2 px) take HSV hue edge/20 × the product of their two scores; hand points (radius 4)
 * are blue × score; face points (DWPose's 68, radius 3) are white × score, drawn only where the
 * face scores at least `minFaceScore` (MimicMotion's `draw_facepose`). Expects a black canvas: the 0.6 dimming is applied to the limb colours, which
 * equals dimming the canvas after drawing the limbs only when nothing was under them.
 *
 * Colours are ControlNet's RGB by default. MimicMotion's pose maps come out with R and B swapped
 * (it draws the palette into an array it then converts BGR → RGB); `channelOrder: 'bgr'` draws
 * exactly that.
 */

/** The subset of `CanvasRenderingContext2D` the drawing uses. */
export interface PoseMapContext {
  /** Written with CSS colour strings only. */
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  ellipse(x: number, y: number, radiusX: number, radiusY: number, rotation: number, startAngle: number, endAngle: number): void;
  arc(x: number, y: number, radius: number, startAngle: number, endAngle: number): void;
  fill(): void;
  stroke(): void;
  save(): void;
  restore(): void;
}

/** OpenPose-18 limbs as 0-based keypoint pairs, in drawing (and colour) order. */
export const OPENPOSE_LIMBS: ReadonlyArray<readonly [number, number]> = [
  [1, 2],
  [1, 5],
  [2, 3],
  [3, 4],
  [5, 6],
  [6, 7],
  [1, 8],
  [8, 9],
  [9, 10],
  [1, 11],
  [11, 12],
  [12, 13],
  [1, 0],
  [0, 14],
  [14, 16],
  [0, 15],
  [15, 17],
];

/** OpenPose palette (RGB): colour i is limb i's and joint i's. */
export const OPENPOSE_COLORS: ReadonlyArray<readonly [number, number, number]> = [
  [255, 0, 0],
  [255, 85, 0],
  [255, 170, 0],
  [255, 255, 0],
  [170, 255, 0],
  [85, 255, 0],
  [0, 255, 0],
  [0, 255, 85],
  [0, 255, 170],
  [0, 255, 255],
  [0, 170, 255],
  [0, 85, 255],
  [0, 0, 255],
  [85, 0, 255],
  [170, 0, 255],
  [255, 0, 255],
  [255, 0, 170],
  [255, 0, 85],
];

/** Hand-21 edges, wrist outwards finger by finger; edge e is coloured with hue e / 20. */
export const HAND_EDGES: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [0, 5],
  [5, 6],
  [6, 7],
  [7, 8],
  [0, 9],
  [9, 10],
  [10, 11],
  [11, 12],
  [0, 13],
  [13, 14],
  [14, 15],
  [15, 16],
  [0, 17],
  [17, 18],
  [18, 19],
  [19, 20],
];

/** Stick half-width and joint radius at scale 1, in pixels. */
export const STICK_WIDTH = 4;
export const JOINT_RADIUS = 4;
export const HAND_LINE_WIDTH = 2;
export const HAND_POINT_RADIUS = 4;
export const FACE_POINT_RADIUS = 3;

export interface PoseMapOptions {
  /**
   * Multiplies every width and radius (1 = the 4 px sticks of the reference scale). To match
   * MimicMotion, which draws at a short side of 2160 px and resizes, use `mimicMotionScale`.
   */
  scale?: number;
  /** 'rgb' (default): ControlNet's colours. 'bgr': R and B swapped, as MimicMotion's maps are. */
  channelOrder?: 'rgb' | 'bgr';
  /** Scale colours by keypoint scores (MimicMotion). Default true; false draws full colours (ControlNet). */
  confidenceAware?: boolean;
  /** Body keypoints scoring below this are not drawn, nor limbs touching them. Default 0.3. */
  minScore?: number;
  /** Face points scoring below this are not drawn. Default 0.5 (the tracker's own face threshold). */
  minFaceScore?: number;
  /** Limb colour factor. Default 0.6. */
  limbDim?: number;
  /** Maps keypoint pixels to canvas pixels: x' = x·scaleX + offsetX. Default identity. */
  transform?: { scaleX: number; scaleY: number; offsetX: number; offsetY: number };
}

/** The `scale` at which a `width`×`height` map matches MimicMotion's drawing (4 px at a 2160 px short side). */
export function mimicMotionScale(width: number, height: number): number {
  return Math.min(width, height) / 2160;
}

/** RGB in [0, 1] of hue `h` ∈ [0, 1) at full saturation and value. */
export function hueToRgb(h: number): [number, number, number] {
  const x = ((h % 1) + 1) % 1 * 6;
  const i = Math.floor(x);
  const f = x - i;
  switch (i) {
    case 0:
      return [1, f, 0];
    case 1:
      return [1 - f, 1, 0];
    case 2:
      return [0, 1, f];
    case 3:
      return [0, 1 - f, 1];
    case 4:
      return [f, 0, 1];
    default:
      return [1, 0, 1 - f];
  }
}

/**
 * Draws an OpenPose-18 body (18 x (x, y, score)), the whole-body set (128 x (x, y, score): body,
 * left hand, right hand, face; see layouts.ts) or that set without the face (60 points) in
 * keypoint pixels mapped by `options.transform`.
 */
export function drawPoseMap(ctx: PoseMapContext, keypoints: Float32Array, options: PoseMapOptions = {}): void {
  if (keypoints.length !== 18 * 3 && keypoints.length !== 60 * 3 && keypoints.length !== 128 * 3) {
    throw new RangeError(`keypoints must be OpenPose-18 (54 values) or whole-body (180 values, or 384 with the face) triples; got ${keypoints.length}.`);
  }
  const scale = options.scale ?? 1;
  if (!(scale > 0)) throw new RangeError(`options.scale, when provided, must be a positive number; got ${options.scale}.`);
  const aware = options.confidenceAware ?? true;
  const minScore = options.minScore ?? 0.3;
  const dim = options.limbDim ?? 0.6;
  const t = options.transform ?? { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 };
  const swap = options.channelOrder === 'bgr';
  const css = (r: number, g: number, b: number) => {
    const [R, B] = swap ? [b, r] : [r, b];
    return `rgb(${Math.floor(R)}, ${Math.floor(g)}, ${Math.floor(B)})`;
  };
  const px = (i: number) => keypoints[i * 3]! * t.scaleX + t.offsetX;
  const py = (i: number) => keypoints[i * 3 + 1]! * t.scaleY + t.offsetY;
  const score = (i: number) => keypoints[i * 3 + 2]!;

  ctx.save();
  OPENPOSE_LIMBS.forEach(([a, b], i) => {
    const sa = score(a);
    const sb = score(b);
    if (sa < minScore || sb < minScore) return;
    const k = dim * (aware ? sa * sb : 1);
    const [r, g, bl] = OPENPOSE_COLORS[i]!;
    const dx = px(b) - px(a);
    const dy = py(b) - py(a);
    ctx.fillStyle = css(r * k, g * k, bl * k);
    ctx.beginPath();
    ctx.ellipse((px(a) + px(b)) / 2, (py(a) + py(b)) / 2, Math.hypot(dx, dy) / 2, STICK_WIDTH * scale, Math.atan2(dy, dx), 0, 2 * Math.PI);
    ctx.fill();
  });
  for (let i = 0; i < 18; i++) {
    const s = score(i);
    if (s < minScore) continue;
    const k = aware ? s : 1;
    const [r, g, b] = OPENPOSE_COLORS[i]!;
    ctx.fillStyle = css(r * k, g * k, b * k);
    ctx.beginPath();
    ctx.arc(px(i), py(i), JOINT_RADIUS * scale, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (keypoints.length >= 60 * 3) {
    for (const first of [18, 39]) drawHand(ctx, first, px, py, score, { scale, aware, css });
  }
  if (keypoints.length === 128 * 3) {
    const minFace = options.minFaceScore ?? 0.5;
    for (let i = 60; i < 128; i++) {
      const s = score(i);
      if (!(s > 0 && s >= minFace)) continue;
      const k = Math.floor(255 * (aware ? s : 1));
      ctx.fillStyle = css(k, k, k);
      ctx.beginPath();
      ctx.arc(px(i), py(i), FACE_POINT_RADIUS * scale, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  ctx.restore();
}

/** One hand: points `first` .. `first + 20`. Points scoring 0 (not found) are not drawn. */
function drawHand(
  ctx: PoseMapContext,
  first: number,
  px: (i: number) => number,
  py: (i: number) => number,
  score: (i: number) => number,
  o: { scale: number; aware: boolean; css: (r: number, g: number, b: number) => string },
): void {
  ctx.lineWidth = HAND_LINE_WIDTH * o.scale;
  HAND_EDGES.forEach(([a, b], e) => {
    const s = score(first + a) * score(first + b);
    if (!(s > 0)) return;
    const k = 255 * (o.aware ? s : 1);
    const [r, g, bl] = hueToRgb(e / HAND_EDGES.length);
    ctx.strokeStyle = o.css(r * k, g * k, bl * k);
    ctx.beginPath();
    ctx.moveTo(px(first + a), py(first + a));
    ctx.lineTo(px(first + b), py(first + b));
    ctx.stroke();
  });
  for (let i = 0; i < 21; i++) {
    const s = score(first + i);
    if (!(s > 0)) continue;
    ctx.fillStyle = o.css(0, 0, 255 * (o.aware ? s : 1));
    ctx.beginPath();
    ctx.arc(px(first + i), py(first + i), HAND_POINT_RADIUS * o.scale, 0, 2 * Math.PI);
    ctx.fill();
  }
}
