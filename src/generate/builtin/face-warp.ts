/**
 * The motion's facial expression on the reference person's face (issue #21): the reference
 * frame's face pixels are warped, piece by piece, from where its 68 landmarks are to where they
 * would be if the reference person made the motion person's expression. The head itself is
 * carried by the layer beyond the mesh (outside.ts); this only moves what moves within the face:
 * brows, eyelids, mouth and chin.
 *
 * Expressions are compared in a canonical frame per face (a similarity that puts the eye centres
 * at (-0.5, 0) and (0.5, 0)): the motion frame's expression is its canonical shape less the
 * motion person's neutral (mean) shape, and is added to the reference person's neutral shape.
 * Pure functions on 68 x (x, y) shapes in pixels (iBUG / DWPose order, src/pose FacePose).
 */

import { insidePolygon } from './outside';

/** 68 x (x, y). */
export type FaceShape = Float32Array;

/** Landmarks the expression moves: chin (jaw 4-12), brows, eyelids and the mouth. The eye corners, nose and the jaw's upper sides stay. */
export const EXPRESSION_POINTS: readonly number[] = [
  ...range(4, 13), // jaw from below the cheeks round the chin
  ...range(17, 27), // brows
  37, 38, 40, 41, 43, 44, 46, 47, // eyelids (not the corners)
  ...range(48, 68), // lips, outer and inner
];

/** Inner lips, in order round the mouth (iBUG 60-67). */
const INNER_MOUTH = range(60, 68);

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

/** A 2D similarity: p' = [a -b; b a] p + t. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export function applySimilarity(s: Similarity, x: number, y: number): [number, number] {
  return [s.a * x - s.b * y + s.tx, s.b * x + s.a * y + s.ty];
}

export function invertSimilarity(s: Similarity): Similarity {
  const n = s.a * s.a + s.b * s.b;
  const a = s.a / n;
  const b = -s.b / n;
  return { a, b, tx: -(a * s.tx - b * s.ty), ty: -(b * s.tx + a * s.ty) };
}

/** Mean of the points `idx` of a shape. */
function centre(shape: ArrayLike<number>, idx: readonly number[]): [number, number] {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    x += shape[i * 2]!;
    y += shape[i * 2 + 1]!;
  }
  return [x / idx.length, y / idx.length];
}

const LEFT_EYE = range(36, 42);
const RIGHT_EYE = range(42, 48);

/** The similarity taking a face shape to its canonical frame (eye centres at (-0.5, 0) and (0.5, 0)); null when the eyes coincide. */
export function canonicalFrame(shape: ArrayLike<number>): Similarity | null {
  const [lx, ly] = centre(shape, LEFT_EYE);
  const [rx, ry] = centre(shape, RIGHT_EYE);
  const dx = rx - lx;
  const dy = ry - ly;
  const d2 = dx * dx + dy * dy;
  if (!(d2 > 1e-6)) return null;
  // Rotate and scale the eye-to-eye vector onto (1, 0), then move the eyes' midpoint to the origin.
  const a = dx / d2;
  const b = -dy / d2;
  const mx = (lx + rx) / 2;
  const my = (ly + ry) / 2;
  return { a, b, tx: -(a * mx - b * my), ty: -(b * mx + a * my) };
}

/** Distance between the eye centres of a shape, in its pixels. */
export function eyeDistance(shape: ArrayLike<number>): number {
  const [lx, ly] = centre(shape, LEFT_EYE);
  const [rx, ry] = centre(shape, RIGHT_EYE);
  return Math.hypot(rx - lx, ry - ly);
}

/** A shape in its canonical frame (null when the eyes coincide). */
export function canonicalShape(shape: ArrayLike<number>): FaceShape | null {
  const s = canonicalFrame(shape);
  if (!s) return null;
  const out = new Float32Array(shape.length);
  for (let i = 0; i < shape.length; i += 2) out.set(applySimilarity(s, shape[i]!, shape[i + 1]!), i);
  return out;
}

/**
 * A person's neutral face: the per-point median of the canonical shapes of the frames whose face
 * score is at least `minScore` (`shapes`: frameCount x 136, `scores`: frameCount). Null when no
 * frame qualifies.
 */
export function neutralShape(shapes: Float32Array, scores: ArrayLike<number>, minScore = 0.5): FaceShape | null {
  const canon: FaceShape[] = [];
  for (let f = 0; f < scores.length; f++) {
    if (!(scores[f]! >= minScore)) continue;
    const c = canonicalShape(shapes.subarray(f * 136, (f + 1) * 136));
    if (c) canon.push(c);
  }
  if (!canon.length) return null;
  const out = new Float32Array(136);
  const column = new Float32Array(canon.length);
  for (let k = 0; k < 136; k++) {
    canon.forEach((c, i) => (column[i] = c[k]!));
    column.sort();
    out[k] = column[Math.floor(column.length / 2)]!;
  }
  return out;
}

/**
 * Where the reference frame's landmarks go (pixels of the reference frame): its own shape, with the
 * expression points moved to the reference neutral shape plus the motion's expression (its
 * canonical shape less the motion neutral), each move at most `maxMove` eye distances.
 * `motion` may be several frames (their expressions are averaged: landmarks jitter).
 */
export function expressionTarget(reference: FaceShape, referenceNeutral: FaceShape, motion: readonly FaceShape[], motionNeutral: FaceShape, maxMove = 0.35): FaceShape | null {
  const frame = canonicalFrame(reference);
  const canonRef = canonicalShape(reference);
  const canonMotion = motion.map(canonicalShape).filter((c): c is FaceShape => c !== null);
  if (!frame || !canonRef || !canonMotion.length) return null;
  const back = invertSimilarity(frame);
  const out = Float32Array.from(reference);
  for (const p of EXPRESSION_POINTS) {
    let ex = 0;
    let ey = 0;
    for (const c of canonMotion) {
      ex += c[p * 2]! - motionNeutral[p * 2]!;
      ey += c[p * 2 + 1]! - motionNeutral[p * 2 + 1]!;
    }
    ex /= canonMotion.length;
    ey /= canonMotion.length;
    // The move from where the reference frame has the point, capped.
    let mx = referenceNeutral[p * 2]! + ex - canonRef[p * 2]!;
    let my = referenceNeutral[p * 2 + 1]! + ey - canonRef[p * 2 + 1]!;
    const len = Math.hypot(mx, my);
    if (len > maxMove) {
      mx *= maxMove / len;
      my *= maxMove / len;
    }
    out.set(applySimilarity(back, canonRef[p * 2]! + mx, canonRef[p * 2 + 1]! + my), p * 2);
  }
  return out;
}

/** Signed area (twice) of a triangle; positive when counter-clockwise in y-down pixels seen as x-right, y-up. */
function area2(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/**
 * Delaunay triangulation of a few points (Bowyer-Watson): triangles as index triples into
 * `points` (x, y pairs), each counter-clockwise in area2's sense.
 */
export function delaunay(points: ArrayLike<number>): Uint32Array {
  const n = points.length / 2;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, points[i * 2]!);
    maxX = Math.max(maxX, points[i * 2]!);
    minY = Math.min(minY, points[i * 2 + 1]!);
    maxY = Math.max(maxY, points[i * 2 + 1]!);
  }
  const span = Math.max(maxX - minX, maxY - minY, 1) * 20;
  const px = [...Array.from({ length: n }, (_, i) => points[i * 2]!), minX - span, minX + span * 2, minX - span];
  const py = [...Array.from({ length: n }, (_, i) => points[i * 2 + 1]!), minY - span, minY - span, minY + span * 2];
  type Tri = [number, number, number];
  const ccw = (t: Tri): Tri => (area2(px[t[0]]!, py[t[0]]!, px[t[1]]!, py[t[1]]!, px[t[2]]!, py[t[2]]!) < 0 ? [t[0], t[2], t[1]] : t);
  let tris: Tri[] = [ccw([n, n + 1, n + 2])];
  const inCircle = (t: Tri, x: number, y: number) => {
    const [a, b, c] = t;
    const ax = px[a]! - x;
    const ay = py[a]! - y;
    const bx = px[b]! - x;
    const by = py[b]! - y;
    const cx = px[c]! - x;
    const cy = py[c]! - y;
    const det = (ax * ax + ay * ay) * (bx * cy - cx * by) - (bx * bx + by * by) * (ax * cy - cx * ay) + (cx * cx + cy * cy) * (ax * by - bx * ay);
    return det > 0;
  };
  for (let i = 0; i < n; i++) {
    const x = px[i]!;
    const y = py[i]!;
    const bad = tris.filter((t) => inCircle(t, x, y));
    // The hole's boundary: edges of the bad triangles that no other bad triangle shares.
    const edges = new Map<string, [number, number]>();
    for (const t of bad) {
      for (const [u, v] of [[t[0], t[1]], [t[1], t[2]], [t[2], t[0]]] as [number, number][]) {
        const key = u < v ? `${u},${v}` : `${v},${u}`;
        if (edges.has(key)) edges.delete(key);
        else edges.set(key, [u, v]);
      }
    }
    tris = tris.filter((t) => !bad.includes(t));
    for (const [u, v] of edges.values()) tris.push(ccw([u, v, i]));
  }
  return Uint32Array.from(tris.filter((t) => t.every((v) => v < n)).flat());
}

/** Twice the area (pixels²) below which a triangle is a sliver that may turn over. */
const FOLD_AREA = 1;

/** An RGBA image. */
export interface RgbaPixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Warps `image` piecewise-affinely, in place, inside the triangles `tris`: each pixel of a triangle
 * at `to` takes the colour at the same barycentric place of that triangle at `from` (bilinear;
 * read from a copy of the image as it was). Returns false, changing nothing, when a triangle
 * turns over or collapses (the target is not a fold-free deformation of the source).
 */
export function warpPieces(image: RgbaPixels, from: ArrayLike<number>, to: ArrayLike<number>, tris: ArrayLike<number>): boolean {
  for (let t = 0; t < tris.length; t += 3) {
    const [a, b, c] = [tris[t]!, tris[t + 1]!, tris[t + 2]!];
    const s = area2(from[a * 2]!, from[a * 2 + 1]!, from[b * 2]!, from[b * 2 + 1]!, from[c * 2]!, from[c * 2 + 1]!);
    const d = area2(to[a * 2]!, to[a * 2 + 1]!, to[b * 2]!, to[b * 2 + 1]!, to[c * 2]!, to[c * 2 + 1]!);
    // A sliver (a closed mouth's inner lips) may open or close; a real triangle must not turn over.
    if (Math.abs(s) > FOLD_AREA && Math.abs(d) > FOLD_AREA && Math.sign(s) !== Math.sign(d)) return false;
    if (Math.abs(s) > FOLD_AREA && Math.abs(d) <= FOLD_AREA / 4) return false;
  }
  const { width, height } = image;
  const src = Uint8ClampedArray.from(image.data);
  const sample = (x: number, y: number, o: number) => {
    const x0 = Math.min(width - 1, Math.max(0, Math.floor(x)));
    const y0 = Math.min(height - 1, Math.max(0, Math.floor(y)));
    const x1 = Math.min(width - 1, x0 + 1);
    const y1 = Math.min(height - 1, y0 + 1);
    const fx = Math.min(1, Math.max(0, x - x0));
    const fy = Math.min(1, Math.max(0, y - y0));
    for (let ch = 0; ch < 4; ch++) {
      const top = src[(y0 * width + x0) * 4 + ch]! * (1 - fx) + src[(y0 * width + x1) * 4 + ch]! * fx;
      const bottom = src[(y1 * width + x0) * 4 + ch]! * (1 - fx) + src[(y1 * width + x1) * 4 + ch]! * fx;
      image.data[o + ch] = top * (1 - fy) + bottom * fy;
    }
  };
  for (let t = 0; t < tris.length; t += 3) {
    const [a, b, c] = [tris[t]!, tris[t + 1]!, tris[t + 2]!];
    const [ax, ay, bx, by, cx, cy] = [to[a * 2]!, to[a * 2 + 1]!, to[b * 2]!, to[b * 2 + 1]!, to[c * 2]!, to[c * 2 + 1]!];
    const d = area2(ax, ay, bx, by, cx, cy);
    if (Math.abs(d) < 1e-9) continue;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy)));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by, cy)));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        // Pixel centres; a pixel on a shared edge is taken by both triangles alike.
        const qx = x + 0.5;
        const qy = y + 0.5;
        const wa = area2(bx, by, cx, cy, qx, qy) / d;
        const wb = area2(cx, cy, ax, ay, qx, qy) / d;
        const wc = 1 - wa - wb;
        if (wa < -1e-9 || wb < -1e-9 || wc < -1e-9) continue;
        const sx = wa * from[a * 2]! + wb * from[b * 2]! + wc * from[c * 2]! - 0.5;
        const sy = wa * from[a * 2 + 1]! + wb * from[b * 2 + 1]! + wc * from[c * 2 + 1]! - 0.5;
        sample(sx, sy, (y * width + x) * 4);
      }
    }
  }
  return true;
}

/** Area of the inner mouth (pixels²) of a shape: how far the mouth is open. */
export function mouthOpening(shape: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < INNER_MOUTH.length; i++) {
    const p = INNER_MOUTH[i]!;
    const q = INNER_MOUTH[(i + 1) % INNER_MOUTH.length]!;
    sum += shape[p * 2]! * shape[q * 2 + 1]! - shape[q * 2]! * shape[p * 2 + 1]!;
  }
  return Math.abs(sum) / 2;
}

/** Outer lips, in order round the mouth (iBUG 48-59). */
const OUTER_MOUTH = range(48, 60);

/** Control points round the face that stay put, so the warp fades out before the hair and the background: a ring `grow` times the landmarks' box. */
function ring(shape: ArrayLike<number>, grow: number): number[] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < 68; i++) {
    x0 = Math.min(x0, shape[i * 2]!);
    x1 = Math.max(x1, shape[i * 2]!);
    y0 = Math.min(y0, shape[i * 2 + 1]!);
    y1 = Math.max(y1, shape[i * 2 + 1]!);
  }
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const hw = ((x1 - x0) / 2) * grow;
  const hh = ((y1 - y0) / 2) * grow;
  const out: number[] = [];
  for (let k = 0; k < 12; k++) {
    const a = (k / 12) * 2 * Math.PI;
    out.push(cx + hw * Math.cos(a), cy + hh * Math.sin(a));
  }
  return out;
}

/**
 * Gives the face in `image` (RGBA, pixels of the same frame as `from`) the landmarks `to`: a
 * piecewise-affine warp over the landmarks and a fixed ring round them, in place. Where `to` opens
 * the mouth wider than `from`, the new opening is darkened towards the lips' own colour in shadow
 * (the reference frame has no teeth or mouth interior to show there), unless `shadeMouth` is
 * false. Returns false, changing nothing, when the warp would fold.
 */
export function expressFace(image: RgbaPixels, from: FaceShape, to: FaceShape, grow = 1.35, shadeMouth = true): boolean {
  const around = ring(from, grow);
  const src = Float32Array.from([...from, ...around]);
  const dst = Float32Array.from([...to, ...around]);
  if (!warpPieces(image, src, dst, delaunay(src))) return false;
  const opened = mouthOpening(to) - mouthOpening(from);
  if (shadeMouth && opened > 1) {
    const { data, width, height } = image;
    // The lips' mean colour (outer lip points, as warped), in shadow.
    let r = 0;
    let g = 0;
    let b = 0;
    for (const p of OUTER_MOUTH) {
      const x = Math.min(width - 1, Math.max(0, Math.round(to[p * 2]!)));
      const y = Math.min(height - 1, Math.max(0, Math.round(to[p * 2 + 1]!)));
      r += data[(y * width + x) * 4]!;
      g += data[(y * width + x) * 4 + 1]!;
      b += data[(y * width + x) * 4 + 2]!;
    }
    const shade = MOUTH_SHADE / OUTER_MOUTH.length;
    const dark = [r * shade, g * shade, b * shade];
    const weight = Math.min(1, opened / Math.max(1, mouthOpening(to)));
    const mouth = Float32Array.from(INNER_MOUTH.flatMap((p) => [to[p * 2]!, to[p * 2 + 1]!]));
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const p of INNER_MOUTH) {
      x0 = Math.min(x0, to[p * 2]!);
      x1 = Math.max(x1, to[p * 2]!);
      y0 = Math.min(y0, to[p * 2 + 1]!);
      y1 = Math.max(y1, to[p * 2 + 1]!);
    }
    for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(height - 1, Math.ceil(y1)); y++) {
      for (let x = Math.max(0, Math.floor(x0)); x <= Math.min(width - 1, Math.ceil(x1)); x++) {
        if (!insidePolygon(mouth, x + 0.5, y + 0.5)) continue;
        const o = (y * width + x) * 4;
        for (let c = 0; c < 3; c++) data[o + c] = data[o + c]! * (1 - weight) + dark[c]! * weight;
      }
    }
  }
  return true;
}

/** The inside of an open mouth: the lips' colour times this. */
const MOUTH_SHADE = 0.3;

/** Face landmarks of a clip: frameCount x 136 (x, y), in `width` x `height` pixels, and a score per frame (0: none). */
export interface ClipFaces {
  points: Float32Array;
  scores: Float32Array;
  width: number;
  height: number;
}

/** What makes a frame's landmarks usable: a face score of `minScore`, eyes `minEyes` pixels apart (smaller faces' landmarks are mostly noise). */
export interface FaceTrust {
  readonly minScore: number;
  readonly minEyes: number;
}

/** Frame `f`'s landmarks scaled to `width` x `height` pixels, or null when they are not to be trusted there (`FaceTrust`). */
export function clipShape(faces: ClipFaces, f: number, width: number, height: number, trust: FaceTrust): FaceShape | null {
  if (!(faces.scores[f]! >= trust.minScore)) return null;
  const sx = width / faces.width;
  const sy = height / faces.height;
  const shape = Float32Array.from(faces.points.subarray(f * 136, (f + 1) * 136), (v, i) => v * (i % 2 ? sy : sx));
  return eyeDistance(shape) >= trust.minEyes ? shape : null;
}

/**
 * The motion clip's expressions on the reference clip's face, frame by frame: `apply` warps a
 * reference frame (at the output size) so that its face makes the expression of a motion frame.
 */
export class ExpressionTransfer {
  private constructor(
    private readonly reference: ClipFaces,
    private readonly motion: ClipFaces,
    private readonly referenceNeutral: FaceShape,
    private readonly motionNeutral: FaceShape,
    private readonly config: { readonly maxMove: number; readonly window: number; readonly shadeMinEyes: number } & FaceTrust,
  ) {}

  /** Null when either clip has no face landmarks to compare. */
  static create(reference: ClipFaces, motion: ClipFaces | null, config: { readonly on: boolean; readonly maxMove: number; readonly window: number; readonly shadeMinEyes: number } & FaceTrust): ExpressionTransfer | null {
    if (!config.on || !motion) return null;
    const referenceNeutral = neutralShape(reference.points, reference.scores, config.minScore);
    const motionNeutral = neutralShape(motion.points, motion.scores, config.minScore);
    return referenceNeutral && motionNeutral ? new ExpressionTransfer(reference, motion, referenceNeutral, motionNeutral, config) : null;
  }

  /**
   * A copy of `rgba` (reference frame `r` at `width` x `height`) whose face makes motion frame
   * `m`'s expression; null when either frame shows no face or the warp would fold.
   */
  apply(rgba: Uint8ClampedArray, width: number, height: number, r: number, m: number): Uint8ClampedArray | null {
    const from = clipShape(this.reference, r, width, height, this.config);
    return from && this.applyTo(rgba, width, height, from, m);
  }

  /**
   * The same for any image of a reference face whose landmarks there are `from` (a face view's
   * crop): a copy of `rgba` whose face makes motion frame `m`'s expression, or null.
   */
  applyTo(rgba: Uint8ClampedArray, width: number, height: number, from: FaceShape, m: number): Uint8ClampedArray | null {
    const { points, scores } = this.motion;
    const motion: FaceShape[] = [];
    for (let f = Math.max(0, m - this.config.window); f <= Math.min(scores.length - 1, m + this.config.window); f++) {
      const shape = points.subarray(f * 136, (f + 1) * 136);
      if (scores[f]! >= this.config.minScore && eyeDistance(shape) >= this.config.minEyes) motion.push(shape);
    }
    if (!motion.length) return null;
    const to = expressionTarget(from, this.referenceNeutral, motion, this.motionNeutral, this.config.maxMove);
    if (!to) return null;
    const image = { data: Uint8ClampedArray.from(rgba), width, height };
    // A small face's mouth is a few pixels high: shaded, it reads as a moustache.
    return expressFace(image, from, to, undefined, eyeDistance(to) >= this.config.shadeMinEyes) ? image.data : null;
  }
}

/**
 * The face's outline as a polygon ((x, y) pairs, the shape's pixels): the jaw from ear to ear, then
 * the brows lifted `forehead` eye distances towards the hair, all grown `grow` times about its centre.
 * Null when the eyes coincide.
 */
export function faceOutline(shape: FaceShape, forehead = 0.6, grow = 1.08): Float32Array | null {
  const frame = canonicalFrame(shape);
  const canon = canonicalShape(shape);
  if (!frame || !canon) return null;
  const back = invertSimilarity(frame);
  const outline: [number, number][] = [];
  for (let p = 0; p <= 16; p++) outline.push([canon[p * 2]!, canon[p * 2 + 1]!]);
  for (let p = 26; p >= 17; p--) outline.push([canon[p * 2]!, canon[p * 2 + 1]! - forehead]);
  const cx = outline.reduce((sum, q) => sum + q[0], 0) / outline.length;
  const cy = outline.reduce((sum, q) => sum + q[1], 0) / outline.length;
  return Float32Array.from(outline.flatMap(([x, y]) => applySimilarity(back, cx + (x - cx) * grow, cy + (y - cy) * grow)));
}
