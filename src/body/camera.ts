/**
 * Root position and focal length from 2D keypoints.
 *
 * With the body's rotations known, the root translation t that best puts camera-space markers
 * m_k = rel_k + t on the keypoints' viewing rays is linear least squares: for each keypoint with
 * normalised image point (ux, uy) = ((u - cx) / f, (v - cy) / f),
 *   (rel_x + t_x) - ux (rel_z + t_z) = 0,  (rel_y + t_y) - uy (rel_z + t_z) = 0,
 * i.e. the distance from the ray across it at the marker's depth (pixel error times Z / f).
 */
import { type Vec3, solveSpd, vec3At } from './math';
import { type BodyCamera, project } from './types';

/**
 * Root translation (camera space, metres) placing root-relative markers `rel` (n x 3, camera
 * axes) on image keypoints `image` (n x 4: x, y, z, visibility; pixels), weighted by `weights`
 * (n). Null when the keypoints do not determine it (fewer than 2 weighted points, or the body would
 * sit behind the camera).
 */
export function solveRootTranslation(camera: BodyCamera, rel: ArrayLike<number>, image: ArrayLike<number>, weights: ArrayLike<number>): Vec3 | null {
  const A = new Float64Array(9);
  const b = new Float64Array(3);
  let used = 0;
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k]!;
    if (!(w > 0)) continue;
    used++;
    const ux = (image[k * 4]! - camera.cx) / camera.focal;
    const uy = (image[k * 4 + 1]! - camera.cy) / camera.focal;
    const [rx, ry, rz] = vec3At(rel, k);
    // Rows (1, 0, -ux) . t = ux rz - rx and (0, 1, -uy) . t = uy rz - ry.
    const rows: Array<[number, number, number, number]> = [
      [1, 0, -ux, ux * rz - rx],
      [0, 1, -uy, uy * rz - ry],
    ];
    for (const [a0, a1, a2, rhs] of rows) {
      const a = [a0, a1, a2];
      for (let i = 0; i < 3; i++) {
        b[i]! += w * a[i]! * rhs;
        for (let j = 0; j < 3; j++) A[i * 3 + j]! += w * a[i]! * a[j]!;
      }
    }
  }
  if (used < 2 || !solveSpd(A, b, 3)) return null;
  const t: Vec3 = [b[0]!, b[1]!, b[2]!];
  return t[2] > 0.1 ? t : null;
}

/**
 * Mean pixel distance between the projections of camera-space markers (n x 3) and image keypoints
 * (n x 4) over the indices in `use` whose visibility is at least `minVisibility`. NaN if none.
 */
export function meanReprojectionError(camera: BodyCamera, markers: ArrayLike<number>, image: ArrayLike<number>, use: readonly number[], minVisibility = 0.5): number {
  let sum = 0;
  let n = 0;
  for (const k of use) {
    if (image[k * 4 + 3]! < minVisibility) continue;
    const [u, v] = project(camera, vec3At(markers, k));
    const d = Math.hypot(u - image[k * 4]!, v - image[k * 4 + 1]!);
    if (!Number.isFinite(d)) continue;
    sum += d;
    n++;
  }
  return n ? sum / n : NaN;
}

/**
 * Candidate focal lengths for a frame size: from a 110° to a 12° field of view across the long
 * side, in steps of 2^(1/4).
 */
export function focalCandidates(width: number, height: number): number[] {
  const long = Math.max(width, height);
  const out: number[] = [];
  for (let f = long / 2 / Math.tan((110 * Math.PI) / 360); f < long / 2 / Math.tan((12 * Math.PI) / 360); f *= 2 ** 0.25) out.push(f);
  return out;
}
