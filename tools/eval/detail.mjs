// Person regions and detail metrics of the evaluation harness (issue #21): the pose track's person
// segmentation brought to output pixels, the revealed-background selection, the face box from the
// pose, and the Laplacian detail ratio. Pure functions, no I/O. Images are rgb24 or luma planes
// (row-major); masks are w*h bytes (1 = inside); boxes are {x0, y0, x1, y1} in pixels, x1/y1
// exclusive; keypoints are flat (x, y, visibility) triples in pixels.
import { luma, psnr, PSNR_CAP } from './metrics.mjs';

/** Segmentation probability (0-255) at or above which a pixel is the person: 0.5. */
export const MASK_THRESHOLD = 128;
/** Person masks that must be kept out of a region are grown by this share of the person's size (longer side of the mask's box)… */
export const EXCLUDE_GROW = 0.03;
/** …and by at least this many pixels. */
export const EXCLUDE_MIN_PX = 2;
/** A frame counts for a region metric only when the region holds at least this many pixels. */
export const MIN_REGION_PX = 100;

/** BlazePose-33 face points: nose, left eye, right eye, left ear, right ear. */
export const FACE_POINTS = [0, 2, 5, 7, 8];
/** Side of the face box, times the spread of the face points (the largest distance between two of them). */
export const FACE_BOX_SCALE = 1.6;

/**
 * The person mask of frame `frame` of a pose track (as motionpasteBench.track(slot, { masks: true })
 * returns it: display-pixel keypoints, `rois` frameCount x (cx, cy, size, rotation), `masks`
 * frameCount x maskSize² probabilities in ROI crop space) in a w x h image (the track's display
 * size scaled per axis). ROI crop convention (src/pose/crop.ts cropToSource): crop point q maps to
 * p = centre + R(rotation) (q - n/2) size/n, R clockwise in y-down space; mask sample (i, j) sits
 * at q = (i + 0.5, j + 0.5). Each output pixel centre is mapped back into the crop and the mask
 * sampled bilinearly (as src/generate/builtin/mask.ts rasterizeRoiMask), then thresholded.
 * Null when the frame has no person, no ROI or the track carries no masks.
 */
export function rasterizeTrackMask(track, frame, w, h, { threshold = MASK_THRESHOLD } = {}) {
  const n = track?.maskSize;
  if (!n || !track.masks || !track.rois || !track.found?.[frame]) return null;
  const size = track.rois[frame * 4 + 2];
  if (!(size > 0)) return null;
  const cx = track.rois[frame * 4];
  const cy = track.rois[frame * 4 + 1];
  const rot = track.rois[frame * 4 + 3];
  const cos = Math.cos(rot);
  const sin = Math.sin(rot);
  const sx = w / track.width;
  const sy = h / track.height;
  const off = frame * n * n;
  const m = track.masks;
  const tap = (a, b) => (a >= 0 && b >= 0 && a < n && b < n ? m[off + b * n + a] : 0);
  // Only the output pixels under the rotated square can be set.
  const half = (size / 2) * (Math.abs(cos) + Math.abs(sin));
  const x0 = Math.max(0, Math.floor((cx - half) * sx));
  const x1 = Math.min(w, Math.ceil((cx + half) * sx));
  const y0 = Math.max(0, Math.floor((cy - half) * sy));
  const y1 = Math.min(h, Math.ceil((cy + half) * sy));
  const out = new Uint8Array(w * h);
  const k = n / size;
  for (let y = y0; y < y1; y++) {
    const dy = (y + 0.5) / sy - cy;
    for (let x = x0; x < x1; x++) {
      const dx = (x + 0.5) / sx - cx;
      // q = Rᵀ (p - centre) n/size + n/2; sample positions are q - 0.5.
      const u = (cos * dx + sin * dy) * k + n / 2 - 0.5;
      const v = (-sin * dx + cos * dy) * k + n / 2 - 0.5;
      if (u <= -1 || v <= -1 || u >= n || v >= n) continue;
      const iu = Math.floor(u);
      const iv = Math.floor(v);
      const fu = u - iu;
      const fv = v - iv;
      const p = (tap(iu, iv) * (1 - fu) + tap(iu + 1, iv) * fu) * (1 - fv) + (tap(iu, iv + 1) * (1 - fu) + tap(iu + 1, iv + 1) * fu) * fv;
      if (p >= threshold && p > 0) out[y * w + x] = 1;
    }
  }
  return out;
}

/** A w x h mask that is 1 inside `box` (clamped), or null for a null box. */
export function boxMask(box, w, h) {
  if (!box) return null;
  const out = new Uint8Array(w * h);
  const x0 = Math.max(0, Math.floor(box.x0));
  const x1 = Math.min(w, Math.ceil(box.x1));
  for (let y = Math.max(0, Math.floor(box.y0)); y < Math.min(h, Math.ceil(box.y1)); y++) if (x1 > x0) out.fill(1, y * w + x0, y * w + x1);
  return out;
}

/** The box of the set pixels of a mask, or null when none is set. */
export function maskBox(mask, w, h) {
  if (!mask) return null;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (!mask[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Square (Chebyshev) dilation of a mask by `r` pixels (separable running max); a new mask. */
export function dilateMask(mask, w, h, r) {
  r = Math.max(0, Math.round(r));
  if (!r) return Uint8Array.from(mask);
  const tmp = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    // The last set pixel at or before c + r lies within r of c exactly when any pixel of [c - r, c + r] is set.
    let last = -Infinity;
    for (let x = 0; x < w + r; x++) {
      if (x < w && mask[row + x]) last = x;
      const c = x - r;
      if (c >= 0 && c < w && last >= c - r) tmp[row + c] = 1;
    }
  }
  const out = new Uint8Array(w * h);
  for (let x = 0; x < w; x++) {
    let last = -Infinity;
    for (let y = 0; y < h + r; y++) {
      if (y < h && tmp[y * w + x]) last = y;
      const c = y - r;
      if (c >= 0 && c < h && last >= c - r) out[c * w + x] = 1;
    }
  }
  return out;
}

/**
 * A person mask grown so that the person's edge (hair, motion blur, the coarse segmentation) stays
 * out of a background region: by `share` of the longer side of its box, at least `minPx`. Null in, null out.
 */
export function growPersonMask(mask, w, h, { share = EXCLUDE_GROW, minPx = EXCLUDE_MIN_PX } = {}) {
  const box = maskBox(mask, w, h);
  if (!box) return null;
  return dilateMask(mask, w, h, Math.max(minPx, share * Math.max(box.x1 - box.x0, box.y1 - box.y0)));
}

/**
 * The revealed background: pixels inside `reference` (the reference person's mask in the reference
 * frame used) and outside every mask of `exclude` (the truth's and the output's person; nulls
 * skipped). Null when `reference` is null.
 */
export function revealedMask(reference, exclude, w, h) {
  if (!reference) return null;
  const out = Uint8Array.from(reference);
  for (const m of exclude) {
    if (!m) continue;
    for (let p = 0; p < w * h; p++) if (m[p]) out[p] = 0;
  }
  return out;
}

/** Number of set pixels of a mask. */
export function maskCount(mask) {
  let n = 0;
  if (mask) for (let p = 0; p < mask.length; p++) n += mask[p] ? 1 : 0;
  return n;
}

/**
 * |Laplacian| of a luma plane: |4 c - up - down - left - right| per pixel (Float32Array), 0 on
 * the one-pixel border, where the 3x3 stencil does not fit.
 */
export function laplacianAbs(y, w, h) {
  const out = new Float32Array(w * h);
  for (let r = 1; r < h - 1; r++) {
    for (let c = 1; c < w - 1; c++) {
      const p = r * w + c;
      const v = 4 * y[p] - y[p - 1] - y[p + 1] - y[p - w] - y[p + w];
      out[p] = v < 0 ? -v : v;
    }
  }
  return out;
}

/**
 * Sums of two |Laplacian| planes over the pixels of `mask` (or `box`, or the whole image) away from
 * the border: { a, b, n }. Pool them over frames and divide (detailRatio) for the detail ratio.
 */
export function detailSums(lapA, lapB, w, h, { mask, box } = {}) {
  const x0 = Math.max(1, box ? Math.floor(box.x0) : 0);
  const y0 = Math.max(1, box ? Math.floor(box.y0) : 0);
  const x1 = Math.min(w - 1, box ? Math.ceil(box.x1) : w);
  const y1 = Math.min(h - 1, box ? Math.ceil(box.y1) : h);
  let a = 0;
  let b = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * w + x;
      if (mask && !mask[p]) continue;
      a += lapA[p];
      b += lapB[p];
      n++;
    }
  }
  return { a, b, n };
}

/**
 * Mean |Laplacian| of the truth (luma levels per pixel) below which a region counts as flat (a
 * white studio wall measures well under 1): there the ratio would divide by almost nothing and
 * say nothing about detail, so it is undefined.
 */
export const MIN_TRUTH_DETAIL = 2;

/**
 * The detail ratio of pooled sums (one detailSums result or a list): Σ|L output| / Σ|L truth|;
 * NaN when undefined: no pixels, or a truth flatter than MIN_TRUTH_DETAIL on average.
 */
export function detailRatio(sums, { minTruth = MIN_TRUTH_DETAIL } = {}) {
  const list = Array.isArray(sums) ? sums : [sums];
  const a = list.reduce((s, x) => s + x.a, 0);
  const b = list.reduce((s, x) => s + x.b, 0);
  const n = list.reduce((s, x) => s + (x.n ?? 0), 0);
  if (!(b > 0) || (n > 0 && b / n < minTruth)) return NaN;
  return a / b;
}

/**
 * The face box of a BlazePose pose (33 x, y, v triples, output pixels): a square centred on the
 * mean of the face points seen (nose, eyes, ears with visibility > minVis), side = `scale` x their
 * spread (the largest distance between two of them: ear to ear from the front, ear to nose in
 * profile), so that it holds the head from hair to chin; clamped to the w x h frame. Null when
 * the face is not seen (nose or either eye at or below minVis), or the box is under `minSide` px.
 */
export function faceBox(kps, w, h, { minVis = 0.5, scale = FACE_BOX_SCALE, minSide = 8 } = {}) {
  if (!kps) return null;
  const vis = (j) => kps[j * 3 + 2] > minVis;
  if (!vis(0) || !vis(2) || !vis(5)) return null;
  const pts = FACE_POINTS.filter(vis).map((j) => ({ x: kps[j * 3], y: kps[j * 3 + 1] }));
  let spread = 0;
  for (let i = 0; i < pts.length; i++) for (let j = i + 1; j < pts.length; j++) spread = Math.max(spread, Math.hypot(pts[i].x - pts[j].x, pts[i].y - pts[j].y));
  const side = spread * scale;
  if (!(side >= minSide)) return null;
  const cx = pts.reduce((s, p) => s + p.x, 0) / pts.length;
  const cy = pts.reduce((s, p) => s + p.y, 0) / pts.length;
  const box = {
    x0: Math.max(0, Math.floor(cx - side / 2)),
    y0: Math.max(0, Math.floor(cy - side / 2)),
    x1: Math.min(w, Math.ceil(cx + side / 2)),
    y1: Math.min(h, Math.ceil(cy + side / 2)),
  };
  return box.x1 - box.x0 >= 3 && box.y1 - box.y0 >= 3 ? box : null;
}

/** Mean of the numbers in `values` after capping at `cap` (NaN when none). */
const capMean = (values, cap) => (values.length ? values.reduce((s, v) => s + Math.min(v, cap), 0) / values.length : NaN);

/**
 * The revealed-background and face-detail figures of every method over F frames, one frame at a
 * time (so that only one frame's masks and Laplacians are held). Per frame k: `refMask(k)` (the
 * reference person in the reference frame used), `truthMask(k)` (the truth's person), `faceBox(k)`
 * (the truth's face box or null), `truth[k]` (rgb24) and `truthLuma[k]`; per method
 * `{ frames, mask(k) }` (its output and its person).
 * The truth's and the output's masks are grown (growPersonMask) before they are cut out; a frame
 * counts for the revealed background when at least `minPx` pixels are left.
 * Returns per method { revealedPsnr (mean over frames of metrics.mjs psnr, capped at PSNR_CAP), revealedDetail (pooled ratio),
 * revealedFrames, revealedPixelsPerFrame, faceDetail (pooled ratio), faceFrames }.
 */
export function regionMetrics({ w, h, F, truth, truthLuma, refMask, truthMask, faceBox: faceAt, methods, minPx = MIN_REGION_PX }) {
  const acc = methods.map(() => ({ psnr: [], sums: [], pixels: [], face: [] }));
  for (let k = 0; k < F; k++) {
    const ref = refMask(k);
    const truthGrown = growPersonMask(truthMask(k), w, h);
    const face = faceAt(k);
    const outMasks = methods.map((m) => m.mask(k));
    if (!ref && !face) continue;
    const truthLap = laplacianAbs(truthLuma[k], w, h);
    methods.forEach((m, j) => {
      const outLap = laplacianAbs(luma(m.frames[k], w, h), w, h);
      if (ref) {
        const region = revealedMask(ref, [truthGrown, growPersonMask(outMasks[j], w, h)], w, h);
        const n = maskCount(region);
        if (n >= minPx) {
          acc[j].psnr.push(psnr(m.frames[k], truth[k], w, h, { mask: region }));
          acc[j].sums.push(detailSums(outLap, truthLap, w, h, { mask: region }));
          acc[j].pixels.push(n);
        }
      }
      if (face) acc[j].face.push(detailSums(outLap, truthLap, w, h, { box: face }));
    });
  }
  return acc.map((a) => ({
    revealedPsnr: capMean(a.psnr, PSNR_CAP),
    revealedDetail: a.sums.length ? detailRatio(a.sums) : NaN,
    revealedFrames: a.psnr.length,
    revealedPixelsPerFrame: a.pixels.length ? a.pixels.reduce((s, v) => s + v, 0) / a.pixels.length : NaN,
    faceDetail: a.face.length ? detailRatio(a.face) : NaN,
    faceFrames: a.face.length,
  }));
}
