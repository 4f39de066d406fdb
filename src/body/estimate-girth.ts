/**
 * Girth from the person mask: the keypoints say nothing about thickness, the silhouette does.
 *
 * For each sampled fitted frame and each measured part (trunk at the waist and chest, the thighs),
 * the part's 2D axis is the projection of its bone; across that axis, at a few points along it,
 * the mask's width (the run of mask pixels through the axis point) is compared with the same run
 * through the rasterised silhouette of the body mesh in the same pose at girth 0 and at girth 1
 * (so an arm lying against the trunk counts in both). Girth is where the mask width
 * falls on that line; the clip's girth is the median over all measurements, clamped to [-1, 1].
 * Widths are in pixels; meshes come from `bodyModelMesh`, so the built-in and SMPL bodies work.
 */
import { bodyModelMesh, modelSkeleton } from './body-model';
import { type Vec3, clamp, median, vec3At } from './math';
import { validateShape } from './shape';
import { J } from './skeleton';
import { forwardKinematics, skinMesh } from './skinning';
import { type BodyCamera, type BodyTrack, project } from './types';

/** Person probability in [0, 1] at an image point (display pixels) of frame i. */
export type MaskSampler = (i: number, x: number, y: number) => number;

/** Axes whose width is measured: [joint, joint]: the trunk (waist to chest) and the thighs. */
const PARTS: ReadonlyArray<readonly [number, number]> = [
  [J.spine1, J.spine3],
  [J.left_hip, J.left_knee],
  [J.right_hip, J.right_knee],
];
const ALONG = [0.35, 0.5, 0.65];

/** A binary silhouette of projected triangles over a pixel window. */
export interface Silhouette {
  x0: number;
  y0: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** Fills projected triangles (points: n x 2 pixels, NaN behind the camera) into a binary image over their bounding box, clipped to `bounds`. */
export function rasterizeSilhouette(points: Float32Array, indices: Uint32Array, bounds: { width: number; height: number }): Silhouette {
  let xmin = Infinity;
  let ymin = Infinity;
  let xmax = -Infinity;
  let ymax = -Infinity;
  for (let v = 0; v < points.length / 2; v++) {
    const x = points[v * 2]!;
    const y = points[v * 2 + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    xmin = Math.min(xmin, x);
    xmax = Math.max(xmax, x);
    ymin = Math.min(ymin, y);
    ymax = Math.max(ymax, y);
  }
  const x0 = Math.max(0, Math.floor(xmin));
  const y0 = Math.max(0, Math.floor(ymin));
  const width = Math.max(0, Math.min(bounds.width, Math.ceil(xmax) + 1) - x0);
  const height = Math.max(0, Math.min(bounds.height, Math.ceil(ymax) + 1) - y0);
  const data = new Uint8Array(width * height);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]! * 2;
    const b = indices[t + 1]! * 2;
    const c = indices[t + 2]! * 2;
    const ax = points[a]!, ay = points[a + 1]!, bx = points[b]!, by = points[b + 1]!, cx = points[c]!, cy = points[c + 1]!;
    const area = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
    if (!(Math.abs(area) > 1e-9)) continue;
    const tx0 = Math.max(x0, Math.floor(Math.min(ax, bx, cx)));
    const tx1 = Math.min(x0 + width - 1, Math.ceil(Math.max(ax, bx, cx)));
    const ty0 = Math.max(y0, Math.floor(Math.min(ay, by, cy)));
    const ty1 = Math.min(y0 + height - 1, Math.ceil(Math.max(ay, by, cy)));
    for (let y = ty0; y <= ty1; y++) {
      const py = y + 0.5;
      for (let x = tx0; x <= tx1; x++) {
        const px = x + 0.5;
        const w0 = ((bx - px) * (cy - py) - (cx - px) * (by - py)) / area;
        const w1 = ((cx - px) * (ay - py) - (ax - px) * (cy - py)) / area;
        if (w0 >= 0 && w1 >= 0 && w0 + w1 <= 1) data[(y - y0) * width + (x - x0)] = 1;
      }
    }
  }
  return { x0, y0, width, height, data };
}

/** Where a posed mesh (camera space, metres) covers `camera`'s image. */
export function meshSilhouette(positions: Float32Array, indices: Uint32Array, camera: BodyCamera): Silhouette {
  const points = new Float32Array((positions.length / 3) * 2);
  for (let v = 0; v < positions.length / 3; v++) points.set(project(camera, vec3At(positions, v)), v * 2);
  return rasterizeSilhouette(points, indices, camera);
}

/** Samples a silhouette at an image point (0 outside its window). */
export const silhouetteAt = (s: Silhouette, x: number, y: number): number => {
  const xi = Math.floor(x) - s.x0;
  const yi = Math.floor(y) - s.y0;
  return xi < 0 || yi < 0 || xi >= s.width || yi >= s.height ? 0 : s.data[yi * s.width + xi]!;
};

/** The run of mask pixels (probability >= 0.5) through p across the axis, pixels; NaN when p is outside the mask or the run leaves `maxRun`. */
function maskWidth(sample: (x: number, y: number) => number, p: [number, number], dir: [number, number], maxRun: number): number {
  if (sample(p[0], p[1]) < 0.5) return NaN;
  const n: [number, number] = [-dir[1], dir[0]];
  const run = (sign: number) => {
    for (let s = 0.5; s <= maxRun; s += 0.5) if (sample(p[0] + sign * n[0] * s, p[1] + sign * n[1] * s) < 0.5) return s - 0.25;
    return NaN;
  };
  return run(1) + run(-1);
}

/**
 * Estimates girth in [-1, 1] from masks over up to `maxFrames` fitted frames of `track` (its shape's
 * girth is ignored). Returns NaN when nothing could be measured.
 */
export function estimateGirth(track: BodyTrack, mask: MaskSampler, maxFrames = 12): { girth: number; samples: number } {
  const frames = Array.from({ length: track.frameCount }, (_, i) => i).filter((i) => !track.filled[i] && track.confidence[i]! > 0.5);
  const step = Math.max(1, frames.length / maxFrames);
  const picked = Array.from({ length: Math.min(maxFrames, frames.length) }, (_, k) => frames[Math.floor(k * step)]!);
  const shape0 = validateShape({ ...track.shape, girth: 0 });
  const skel = modelSkeleton(shape0, track.model);
  const meshes = [0, 1].map((g) => bodyModelMesh({ ...shape0, girth: g }, track.model));
  const estimates: number[] = [];
  for (const i of picked) {
    const posed = forwardKinematics(skel, track.rotations.subarray(i * 96, (i + 1) * 96), track.roots.subarray(i * 3, i * 3 + 3));
    const silhouettes = meshes.map((m) => meshSilhouette(skinMesh(m, skel, posed).positions, m.indices, track.camera));
    for (const [a, b] of PARTS) {
      const pa = project(track.camera, vec3At(posed.positions, a) as Vec3);
      const pb = project(track.camera, vec3At(posed.positions, b) as Vec3);
      const len = Math.hypot(pb[0] - pa[0], pb[1] - pa[1]);
      if (!(len > 4)) continue;
      const dir: [number, number] = [(pb[0] - pa[0]) / len, (pb[1] - pa[1]) / len];
      for (const t of ALONG) {
        const p: [number, number] = [pa[0] + (pb[0] - pa[0]) * t, pa[1] + (pb[1] - pa[1]) * t];
        const w0 = maskWidth((x, y) => silhouetteAt(silhouettes[0]!, x, y), p, dir, 2 * len);
        const w1 = maskWidth((x, y) => silhouetteAt(silhouettes[1]!, x, y), p, dir, 2 * len);
        const wm = maskWidth((x, y) => mask(i, x, y), p, dir, 2 * len);
        if (!(w1 - w0 > 0.5) || !Number.isFinite(wm)) continue;
        estimates.push((wm - w0) / (w1 - w0));
      }
    }
  }
  return { girth: estimates.length ? clamp(median(estimates), -1, 1) : NaN, samples: estimates.length };
}

/** What the girth estimate reads of a pose track: per-frame person masks in ROI crop space. */
export interface PoseMasks {
  frameCount: number;
  /** Side of each stored mask, pixels. */
  maskSize: number;
  /** frameCount x maskSize² person probability 0-255, in the square crop of the frame's ROI. */
  masks: Uint8Array;
  /** frameCount x (cx, cy, size, rotation) of the ROI in display pixels; size 0 when none. */
  rois: Float32Array;
}

/**
 * A MaskSampler over a pose track's ROI masks: a display pixel p maps into the crop as
 * q = R(rotation)ᵀ (p - centre) · maskSize / size + maskSize / 2 (the inverse of the crop's
 * p = centre + R(rotation) (q - maskSize / 2) · size / maskSize, nearest sample).
 */
export function poseMaskSampler(pose: PoseMasks): MaskSampler | null {
  const n = pose.maskSize;
  if (!(n > 0) || pose.masks.length < pose.frameCount * n * n) return null;
  return (i, x, y) => {
    const size = pose.rois[i * 4 + 2]!;
    if (!(size > 0)) return 0;
    const dx = x - pose.rois[i * 4]!;
    const dy = y - pose.rois[i * 4 + 1]!;
    const r = pose.rois[i * 4 + 3]!;
    const c = Math.cos(r);
    const s = Math.sin(r);
    const qx = Math.floor(((c * dx + s * dy) * n) / size + n / 2);
    const qy = Math.floor(((-s * dx + c * dy) * n) / size + n / 2);
    return qx < 0 || qy < 0 || qx >= n || qy >= n ? 0 : pose.masks[i * n * n + qy * n + qx]! / 255;
  };
}
