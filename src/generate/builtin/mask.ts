/**
 * The region of the original person to remove from a reference frame: the pose track's
 * segmentation (a `maskSize`² probability map over the rotated landmark ROI) brought to frame
 * pixels, thresholded, joined by a disc over the head (segmentation misses the top of the hair),
 * dilated by a margin proportional to the person's size (hair, loose clothes, motion blur, the
 * coarse mask) and given a soft edge. A box around the keypoints stands in when a
 * frame has a pose but no usable mask; a frame where the tracker lost the person borrows the union
 * of the regions of the nearest frames that have one (a missed detection must not leave the person
 * in the frames the plate borrows from).
 *
 * Output: a person alpha in frame pixels, 255 = person (replace), 0 = background (keep).
 *
 * GPU notes: `rasterizeRoiMask` is one invocation per output pixel (WGSL-ready: an inverse affine
 * and a bilinear tap). `dilateMask` is a separable exact Euclidean distance transform: one
 * invocation per column, then one per row (on the GPU a jump-flooding pass would do as well).
 */
import { bilinearLerp } from '../../image';
import { BP, cropToSource, heldObjectBoxes, invertAffine, otherPeopleAt, type PoseTrack } from '../../pose';

/** An integer pixel box; `x1`, `y1` exclusive. */
export interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Where a frame's person region came from. */
export type PersonMaskSource = 'mask' | 'keypoints' | 'neighbours' | 'none';

export interface PersonMaskOptions {
  /** Output size in pixels; default the track's `width` × `height` (display pixels). */
  width?: number;
  height?: number;
  /** Segmentation probability in [0, 1] at or above which a pixel is the person. Default 0.4. */
  threshold?: number;
  /** Dilation radius as a fraction of the person's size (longer side of their box). Default 0.035. */
  margin?: number;
  /** Width of the soft edge beyond the dilated region, as a fraction of the person's size. Default 0.025. */
  feather?: number;
  /**
   * Extra dilation, in pixels per pixel of the largest keypoint displacement to the neighbouring
   * frames (motion blur). Capped at 0.1 × the person's size. Default 0.5.
   */
  motionBlur?: number;
  /** Smallest dilation radius, in output pixels. Default 2. */
  minRadius?: number;
  /**
   * A frame without a pose takes the union of the regions of the frames up to this many frames
   * before and after it that have one. 0 leaves such frames empty. Default 2.
   */
  borrow?: number;
  /**
   * Add a disc over the whole head (see `stampHead`): right for removing the person, wrong for
   * their own pixels. Default true.
   */
  head?: boolean;
  /** Reused output buffer of width × height bytes. */
  out?: Uint8Array;
}

/** A person alpha for one frame. */
export interface PersonMask {
  /** `width` × `height` bytes, row-major: 255 person, 0 background, the soft edge between. */
  alpha: Uint8Array;
  width: number;
  height: number;
  /** Box holding every pixel with alpha > 0; null when there is none. */
  box: PixelBox | null;
  source: PersonMaskSource;
  /** Dilation radius and soft-edge width that were applied, in output pixels. */
  radius: number;
  feather: number;
}

const KP = 33;

function checkFraction(name: string, v: number | undefined, fallback: number, max = 1): number {
  const x = v ?? fallback;
  if (!(x >= 0 && x <= max)) throw new RangeError(`options.${name}, when provided, must be a number in [0, ${max}]; got ${v}.`);
  return x;
}

/**
 * The person alpha of frame `frame` of `track`, in output pixels (the track's display pixels scaled
 * to `options.width` × `options.height`).
 */
export function personMask(track: PoseTrack, frame: number, options: PersonMaskOptions = {}): PersonMask {
  if (!(Number.isInteger(frame) && frame >= 0 && frame < track.frameCount)) {
    throw new RangeError(`frame must be an integer in [0, ${track.frameCount - 1}]; got ${frame}.`);
  }
  const width = options.width ?? track.width;
  const height = options.height ?? track.height;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new RangeError(`options.width and options.height must be positive integers; got ${width}x${height}.`);
  }
  const threshold = checkFraction('threshold', options.threshold, 0.4);
  const margin = checkFraction('margin', options.margin, 0.035);
  const featherFrac = checkFraction('feather', options.feather, 0.025);
  const motionBlur = checkFraction('motionBlur', options.motionBlur, 0.5, 10);
  const minRadius = options.minRadius ?? 2;
  const alpha = options.out ?? new Uint8Array(width * height);
  if (alpha.length !== width * height) throw new RangeError(`options.out must hold ${width * height} bytes; got ${alpha.length}.`);
  alpha.fill(0);
  const empty: PersonMask = { alpha, width, height, box: null, source: 'none', radius: 0, feather: 0 };
  if (!track.found[frame]) return borrowNeighbours(track, frame, { ...options, width, height }, empty);

  const sx = width / track.width;
  const sy = height / track.height;
  let source: PersonMaskSource = 'none';
  let box: PixelBox | null = null;
  const roiSize = track.rois[frame * 4 + 2]!;
  if (roiSize > 0 && track.maskSize > 0) {
    const n = track.maskSize;
    const mask = track.masks.subarray(frame * n * n, (frame + 1) * n * n);
    const roi = { cx: track.rois[frame * 4]!, cy: track.rois[frame * 4 + 1]!, size: roiSize, rotation: track.rois[frame * 4 + 3]! };
    box = rasterizeRoiMask(mask, n, roi, sx, sy, Math.round(threshold * 255), alpha, width, height);
    if (box) {
      source = 'mask';
      if (options.head ?? true) box = stampHead(track, frame, sx, sy, alpha, width, height, box);
    }
  }
  if (!box) {
    box = keypointBox(track, frame, sx, sy, width, height);
    if (!box) return empty;
    for (let y = box.y0; y < box.y1; y++) alpha.fill(255, y * width + box.x0, y * width + box.x1);
    source = 'keypoints';
  }
  const size = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  const blur = Math.min(0.1 * size, motionBlur * keypointSpeed(track, frame, sx, sy));
  const radius = Math.max(minRadius, margin * size + blur);
  const feather = Math.max(1, featherFrac * size);
  const grown = dilateMask(alpha, width, height, radius, feather, box);
  return { alpha, width, height, box: grown, source, radius, feather };
}

/** Union of the regions of the found frames within ±`options.borrow` of `frame`, into `into.alpha`. */
function borrowNeighbours(track: PoseTrack, frame: number, options: PersonMaskOptions, into: PersonMask): PersonMask {
  const reach = options.borrow ?? 2;
  if (!(Number.isInteger(reach) && reach >= 0)) throw new RangeError(`options.borrow, when provided, must be a non-negative integer; got ${options.borrow}.`);
  const { alpha, width } = into;
  const tmp = new Uint8Array(alpha.length);
  let box: PixelBox | null = null;
  let radius = 0;
  let feather = 0;
  for (let d = 1; d <= reach; d++) {
    for (const j of [frame - d, frame + d]) {
      if (j < 0 || j >= track.frameCount || !track.found[j]) continue;
      const m: PersonMask = personMask(track, j, { ...options, borrow: 0, out: tmp });
      const b = m.box;
      if (!b) continue;
      maxInto(alpha, tmp, width, b);
      box = unionBox(box, b);
      radius = Math.max(radius, m.radius);
      feather = Math.max(feather, m.feather);
    }
    if (box) break; // the nearest frames that have the person are enough
  }
  return box ? { ...into, box, source: 'neighbours', radius, feather } : into;
}

export interface HeldObjectMaskOptions {
  width: number;
  height: number;
  /** Dilation radius as a share of each object's longer side (motion blur, a loose detector box), plus 2 px. Default 0.25: a swung racket blurs well past its box. */
  margin?: number;
  /** Soft edge beyond it, as a share of the object's longer side. Default 0.15. */
  feather?: number;
}

/**
 * The objects the person holds in frame `frame` (track.ts `heldObjectBoxes`: the detector's boxes
 * carried along the hand or foot holding them), as an alpha in output pixels like `personMask`'s:
 * each box filled, dilated and feathered in proportion to its own size. Null when there is none.
 */
export function heldObjectMask(track: PoseTrack, frame: number, options: HeldObjectMaskOptions): { alpha: Uint8Array; box: PixelBox } | null {
  const { width, height } = options;
  const boxes = heldObjectBoxes(track, frame);
  if (!boxes.length) return null;
  const sx = width / track.width;
  const sy = height / track.height;
  const alpha = new Uint8Array(width * height);
  const one = new Uint8Array(width * height);
  let union: PixelBox | null = null;
  for (const { box: b } of boxes) {
    const box = {
      x0: Math.max(0, Math.floor(b.x0 * sx)),
      y0: Math.max(0, Math.floor(b.y0 * sy)),
      x1: Math.min(width, Math.ceil(b.x1 * sx)),
      y1: Math.min(height, Math.ceil(b.y1 * sy)),
    };
    if (box.x1 <= box.x0 || box.y1 <= box.y0) continue;
    one.fill(0);
    for (let y = box.y0; y < box.y1; y++) one.fill(255, y * width + box.x0, y * width + box.x1);
    const side = Math.max(box.x1 - box.x0, box.y1 - box.y0);
    const grown = dilateMask(one, width, height, 2 + (options.margin ?? 0.25) * side, Math.max(1, (options.feather ?? 0.15) * side), box);
    if (!grown) continue;
    maxInto(alpha, one, width, grown);
    union = unionBox(union, grown);
  }
  return union ? { alpha, box: union } : null;
}

/**
 * Adds the objects the person holds in frame `frame` (`heldObjectMask`) to a person alpha of the
 * same size, in place: what the plate removes. Returns `alpha`.
 */
export function withHeldObjects(alpha: Uint8Array, track: PoseTrack, frame: number, width: number, height: number): Uint8Array {
  const held = heldObjectMask(track, frame, { width, height });
  if (held) maxInto(alpha, held.alpha, width, held.box);
  return alpha;
}

export interface OtherPeopleMaskOptions {
  width: number;
  height: number;
  /** Growth of each person's box on every side, as a share of its height: the looks are a few frames apart and people move between them. Default 0.1. */
  pad?: number;
  /** Margin of the edited person's own pixels, which stay theirs inside another's box, as a share of their size (see `personMask`). Default 0.012. */
  margin?: number;
}

/**
 * The other people in frame `frame` (track.ts `otherPeopleAt`: everyone the looks found but the
 * edited person), as an alpha in output pixels: each one's box, grown by `pad`, less the edited
 * person's own pixels (their segmentation with a small margin and the head), which the plate
 * still removes where they reach into another's box. Null when no one else is there.
 *
 * Why boxes: the looks give boxes, not outlines. A box keeps a little background with the person,
 * which costs the plate nothing: it is only never copied into other frames.
 */
export function otherPeopleMask(track: PoseTrack, frame: number, options: OtherPeopleMaskOptions): Uint8Array | null {
  const { width, height } = options;
  const boxes = otherPeopleAt(track, frame);
  if (!boxes.length) return null;
  const sx = width / track.width;
  const sy = height / track.height;
  const pad = options.pad ?? 0.1;
  const out = new Uint8Array(width * height);
  for (const b of boxes) {
    const grow = pad * (b.y1 - b.y0) * sy;
    const x0 = Math.max(0, Math.floor(b.x0 * sx - grow));
    const y0 = Math.max(0, Math.floor(b.y0 * sy - grow));
    const x1 = Math.min(width, Math.ceil(b.x1 * sx + grow));
    const y1 = Math.min(height, Math.ceil(b.y1 * sy + grow));
    for (let y = y0; y < y1; y++) out.fill(255, y * width + x0, y * width + Math.max(x0, x1));
  }
  const own = personMask(track, frame, { width, height, margin: options.margin ?? 0.012, feather: 0, motionBlur: 0 });
  const ob = own.box;
  if (ob) {
    for (let y = ob.y0; y < ob.y1; y++) {
      for (let x = ob.x0; x < ob.x1; x++) {
        const p = y * width + x;
        if (own.alpha[p]!) out[p] = 0;
      }
    }
  }
  return out;
}

/** `dst` = max(`dst`, `src`) per pixel inside `box` (two masks `width` pixels wide), in place. */
export function maxInto(dst: Uint8Array, src: Uint8Array, width: number, box: PixelBox): void {
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const p = y * width + x;
      if (src[p]! > dst[p]!) dst[p] = src[p]!;
    }
  }
}

/** The box holding both (`a` may be null). */
export function unionBox(a: PixelBox | null, b: PixelBox): PixelBox {
  return a ? { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) } : b;
}

/**
 * Writes 255 where the ROI probability map, sampled bilinearly at each output pixel's centre, is
 * ≥ `threshold` (0-255), into `out` (which must be zero there). (sx, sy): output pixels per track
 * pixel. Returns the box of the pixels set, or null. Per-pixel pass.
 */
export function rasterizeRoiMask(
  mask: Uint8Array,
  n: number,
  roi: { cx: number; cy: number; size: number; rotation: number },
  sx: number,
  sy: number,
  threshold: number,
  out: Uint8Array,
  width: number,
  height: number,
): PixelBox | null {
  const toSrc = cropToSource(roi, n);
  const toCrop = invertAffine(toSrc);
  // Output box of the ROI's corners.
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [u, v] of [
    [0, 0],
    [n, 0],
    [0, n],
    [n, n],
  ] as const) {
    const x = (toSrc.a * u + toSrc.b * v + toSrc.tx) * sx;
    const y = (toSrc.c * u + toSrc.d * v + toSrc.ty) * sy;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  const bx0 = Math.max(0, Math.floor(x0));
  const by0 = Math.max(0, Math.floor(y0));
  const bx1 = Math.min(width, Math.ceil(x1));
  const by1 = Math.min(height, Math.ceil(y1));
  let mx0 = width;
  let my0 = height;
  let mx1 = -1;
  let my1 = -1;
  const tap = (a: number, b: number) => (a >= 0 && b >= 0 && a < n && b < n ? mask[b * n + a]! : 0);
  for (let y = by0; y < by1; y++) {
    const ty = (y + 0.5) / sy;
    for (let x = bx0; x < bx1; x++) {
      const tx = (x + 0.5) / sx;
      // Crop continuous coordinates, then sample positions (centres at k + 0.5).
      const u = toCrop.a * tx + toCrop.b * ty + toCrop.tx - 0.5;
      const v = toCrop.c * tx + toCrop.d * ty + toCrop.ty - 0.5;
      if (u <= -1 || v <= -1 || u >= n || v >= n) continue;
      const iu = Math.floor(u);
      const iv = Math.floor(v);
      const fu = u - iu;
      const fv = v - iv;
      const p = bilinearLerp(fu, fv, tap(iu, iv), tap(iu + 1, iv), tap(iu, iv + 1), tap(iu + 1, iv + 1));
      if (p >= threshold && p > 0) {
        out[y * width + x] = 255;
        if (x < mx0) mx0 = x;
        if (x > mx1) mx1 = x;
        if (y < my0) my0 = y;
        if (y > my1) my1 = y;
      }
    }
  }
  return mx1 < 0 ? null : { x0: mx0, y0: my0, x1: mx1 + 1, y1: my1 + 1 };
}

/** Head radius around the ears' midpoint, as a share of the torso's length (≈ 15 cm of 50), and of the ears' distance. */
const HEAD_BY_TORSO = 0.3;
const HEAD_BY_EARS = 1;

/**
 * Adds to `alpha` a disc over the whole head (centred between the ears, with a radius from the
 * torso's length or the ears' distance, whichever is larger): segmentation tends to miss the top
 * of the hair, and a cap of it left in the plate reads as a second head. Returns the grown box.
 */
function stampHead(track: PoseTrack, frame: number, sx: number, sy: number, alpha: Uint8Array, width: number, height: number, box: PixelBox): PixelBox {
  const kp = track.keypoints.subarray(frame * KP * 4, (frame + 1) * KP * 4);
  const at = (k: number) => ({ x: kp[k * 4]! * sx, y: kp[k * 4 + 1]! * sy });
  const mid = (a: number, b: number) => {
    const p = at(a);
    const q = at(b);
    return { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
  };
  const centre = mid(BP.left_ear, BP.right_ear);
  const shoulders = mid(BP.left_shoulder, BP.right_shoulder);
  const hips = mid(BP.left_hip, BP.right_hip);
  const ears = Math.hypot(at(BP.left_ear).x - at(BP.right_ear).x, at(BP.left_ear).y - at(BP.right_ear).y);
  const r = Math.max(HEAD_BY_TORSO * Math.hypot(shoulders.x - hips.x, shoulders.y - hips.y), HEAD_BY_EARS * ears);
  if (!(Number.isFinite(centre.x) && Number.isFinite(centre.y) && r >= 1)) return box;
  const x0 = Math.max(0, Math.floor(centre.x - r));
  const y0 = Math.max(0, Math.floor(centre.y - r));
  const x1 = Math.min(width, Math.ceil(centre.x + r + 1));
  const y1 = Math.min(height, Math.ceil(centre.y + r + 1));
  if (x0 >= x1 || y0 >= y1) return box;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if ((x + 0.5 - centre.x) ** 2 + (y + 0.5 - centre.y) ** 2 <= r * r) alpha[y * width + x] = 255;
    }
  }
  return { x0: Math.min(box.x0, x0), y0: Math.min(box.y0, y0), x1: Math.max(box.x1, x1), y1: Math.max(box.y1, y1) };
}

/**
 * Box around the frame's keypoints (visibility > 0.3; all of them when fewer than 4 are), grown
 * for the head top, hair and limbs' width, in output pixels; null when there are none.
 */
function keypointBox(track: PoseTrack, frame: number, sx: number, sy: number, width: number, height: number): PixelBox | null {
  const kp = track.keypoints.subarray(frame * KP * 4, (frame + 1) * KP * 4);
  const collect = (minVis: number) => {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    let count = 0;
    for (let k = 0; k < KP; k++) {
      if (kp[k * 4 + 3]! < minVis) continue;
      const x = kp[k * 4]! * sx;
      const y = kp[k * 4 + 1]! * sy;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
      count++;
    }
    return { x0, y0, x1, y1, count };
  };
  let b = collect(0.3);
  if (b.count < 4) b = collect(-Infinity);
  if (b.count === 0) return null;
  const h = Math.max(b.y1 - b.y0, b.x1 - b.x0, 1);
  const box = {
    x0: Math.max(0, Math.floor(b.x0 - 0.1 * h)),
    y0: Math.max(0, Math.floor(b.y0 - 0.12 * h)),
    x1: Math.min(width, Math.ceil(b.x1 + 0.1 * h)),
    y1: Math.min(height, Math.ceil(b.y1 + 0.03 * h)),
  };
  return box.x1 > box.x0 && box.y1 > box.y0 ? box : null;
}

/** Largest displacement of a visible keypoint to the previous or next frame, in output pixels; 0 when unknown. */
function keypointSpeed(track: PoseTrack, frame: number, sx: number, sy: number): number {
  let worst = 0;
  for (const other of [frame - 1, frame + 1]) {
    if (other < 0 || other >= track.frameCount || !track.found[other]) continue;
    for (let k = 0; k < KP; k++) {
      const a = (frame * KP + k) * 4;
      const b = (other * KP + k) * 4;
      if (track.keypoints[a + 3]! < 0.5 || track.keypoints[b + 3]! < 0.5) continue;
      const d = Math.hypot((track.keypoints[a]! - track.keypoints[b]!) * sx, (track.keypoints[a + 1]! - track.keypoints[b + 1]!) * sy);
      if (d > worst) worst = d;
    }
  }
  return worst;
}

const FAR = 1e20;

/**
 * Dilates the nonzero pixels of `alpha` (in place) by `radius` pixels (Euclidean) and adds a linear
 * soft edge `feather` pixels wide beyond it: alpha = 255 where the distance d to the nearest nonzero
 * pixel is ≤ radius, falling to 0 at radius + feather. `box`, when given, must hold every nonzero
 * pixel (work is limited to it grown by radius + feather). Returns the box of the result, or null.
 */
export function dilateMask(alpha: Uint8Array, width: number, height: number, radius: number, feather: number, box?: PixelBox | null): PixelBox | null {
  if (!(radius >= 0) || !(feather >= 0)) throw new RangeError(`radius and feather must be ≥ 0; got ${radius}, ${feather}.`);
  const b = box ?? nonzeroBox(alpha, width, height);
  if (!b) return null;
  const reach = Math.ceil(radius + feather);
  const x0 = Math.max(0, b.x0 - reach);
  const y0 = Math.max(0, b.y0 - reach);
  const x1 = Math.min(width, b.x1 + reach);
  const y1 = Math.min(height, b.y1 + reach);
  const w = x1 - x0;
  const h = y1 - y0;
  // Squared distance to the nearest seed: columns, then rows (Felzenszwalb & Huttenlocher's lower
  // envelope of parabolas, written from the paper's description).
  const d2 = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = (y + y0) * width + x0;
    for (let x = 0; x < w; x++) d2[y * w + x] = alpha[row + x]! > 0 ? 0 : FAR;
  }
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const out = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = d2[y * w + x]!;
    distance1d(f, h, out, v, z);
    for (let y = 0; y < h; y++) d2[y * w + x] = out[y]!;
  }
  for (let y = 0; y < h; y++) {
    f.set(d2.subarray(y * w, (y + 1) * w));
    distance1d(f, w, out, v, z);
    d2.set(out.subarray(0, w), y * w);
  }
  const outer = radius + feather;
  let mx0 = width;
  let my0 = height;
  let mx1 = -1;
  let my1 = -1;
  for (let y = 0; y < h; y++) {
    const row = (y + y0) * width + x0;
    for (let x = 0; x < w; x++) {
      const d = Math.sqrt(d2[y * w + x]!);
      let a: number;
      if (d <= radius) a = 255;
      else if (d >= outer) a = 0;
      else a = Math.round((255 * (outer - d)) / Math.max(feather, 1e-9));
      alpha[row + x] = a;
      if (a > 0) {
        if (x < mx0) mx0 = x;
        if (x > mx1) mx1 = x;
        if (y < my0) my0 = y;
        if (y > my1) my1 = y;
      }
    }
  }
  return mx1 < 0 ? null : { x0: x0 + mx0, y0: y0 + my0, x1: x0 + mx1 + 1, y1: y0 + my1 + 1 };
}

/** 1-D squared distance transform of `f[0..n)` into `out` (lower envelope of parabolas). */
function distance1d(f: Float64Array, n: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    const fq = f[q]!;
    if (fq >= FAR) continue; // a parabola at infinity never enters the envelope
    if (f[v[0]!]! >= FAR) {
      // The envelope so far holds only an infinite parabola: replace it.
      v[0] = q;
      k = 0;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let s: number;
    for (;;) {
      const p = v[k]!;
      s = (fq + q * q - (f[p]! + p * p)) / (2 * (q - p));
      if (s <= z[k]!) k--; // z[0] = -∞ stops this at k = 0
      else break;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (f[v[0]!]! >= FAR) {
    for (let q = 0; q < n; q++) out[q] = FAR;
    return;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const p = v[k]!;
    out[q] = (q - p) * (q - p) + f[p]!;
  }
}

/**
 * Box of the nonzero values of a width × height mask, or null. With `stride` and `offset` the mask
 * is one channel of interleaved pixels (the alpha of RGBA: 4, 3).
 */
export function nonzeroBox(alpha: Uint8Array | Uint8ClampedArray, width: number, height: number, stride = 1, offset = 0): PixelBox | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (alpha[(row + x) * stride + offset] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}
