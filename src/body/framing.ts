/**
 * Whether the retargeted body stays inside the reference frame, and the smallest move along the
 * ground that keeps it there. A motion filmed from further away, or a reference person standing at
 * the frame's edge, can put the new body's head or feet outside the picture; the editor says so and
 * offers the move (a Left/right and Nearer/farther offset), since a cut-off body cannot be fixed
 * after generating.
 *
 * The body is its 24 joints, each widened by a radius (the head's reaches its top, a foot's its
 * sole), projected with the reference camera. A placement offset moves every root by the same
 * vector along the ground (retarget.ts), so candidate offsets are tried as translations of the
 * posed joints: no retargeting per candidate.
 */
import { skeletonOf } from './body-model';
import { type Vec3, add, cross, normalize, scale, sub, vec3At } from './math';
import { restSkeleton } from './shape';
import { J, JOINT_COUNT } from './skeleton';
import { forwardKinematics } from './skinning';
import { upDirection } from './retarget';
import type { BodyTrack } from './types';

export type FrameSide = 'left' | 'right' | 'top' | 'bottom';

export interface BodyFraming {
  /** Frames of the retargeted track with part of the body outside the frame. */
  framesOutside: number;
  frameCount: number;
  /** The side it leaves by in the most of those frames; null when it never leaves. */
  side: FrameSide | null;
  /**
   * An offset along the ground (metres: x towards the camera's right, z away from it, as the
   * placement's offsets) to add to the current one so that the body stays inside in every frame:
   * the nearest such within `reach`; null when it never leaves or no offset within reach helps.
   */
  fix: { x: number; z: number } | null;
}

export interface FramingOptions {
  /** Largest move tried, metres along each ground axis. Default 2. */
  reach?: number;
  /** Step of the search, metres. Default 0.05. */
  step?: number;
}

/** How far the body reaches past a joint, as a share of its height: the head's top, a hand's fingers, a foot's sole. */
const JOINT_REACH: Partial<Record<number, number>> = {
  [J.head]: 0.075,
  [J.left_hand]: 0.05,
  [J.right_hand]: 0.05,
  [J.left_foot]: 0.04,
  [J.right_foot]: 0.04,
};
const DEFAULT_REACH = 0.035;

/** Where `retargeted` leaves the frame of its camera, and the nearest ground offset that keeps it in (see the module comment). */
export function bodyFraming(reference: BodyTrack, retargeted: BodyTrack, options: FramingOptions = {}): BodyFraming {
  const reach = options.reach ?? 2;
  const step = options.step ?? 0.05;
  const { camera, frameCount: n } = retargeted;
  const skel = restSkeleton(retargeted.shape, skeletonOf(retargeted.model));
  const radii = Array.from({ length: JOINT_COUNT }, (_, j) => (JOINT_REACH[j] ?? DEFAULT_REACH) * retargeted.shape.height);
  const joints: Float32Array[] = [];
  for (let i = 0; i < n; i++) joints.push(forwardKinematics(skel, retargeted.rotations.subarray(i * 96, (i + 1) * 96), vec3At(retargeted.roots, i)).positions);

  // The side the body leaves by in frame i when moved by `d`, or null when it stays inside.
  const leaves = (i: number, d: Vec3): FrameSide | null => {
    const p = joints[i]!;
    let worst = 0;
    let side: FrameSide | null = null;
    for (let j = 0; j < JOINT_COUNT; j++) {
      const z = p[j * 3 + 2]! + d[2];
      if (!(z > 0.05)) return 'bottom'; // behind the camera: nothing to show
      const r = (camera.focal * radii[j]!) / z;
      const x = camera.cx + (camera.focal * (p[j * 3]! + d[0])) / z;
      const y = camera.cy + (camera.focal * (p[j * 3 + 1]! + d[1])) / z;
      for (const [past, s] of [
        [r - x, 'left'],
        [x + r - camera.width, 'right'],
        [r - y, 'top'],
        [y + r - camera.height, 'bottom'],
      ] as const) {
        if (past > worst) [worst, side] = [past, s];
      }
    }
    return side;
  };

  const none: Vec3 = [0, 0, 0];
  const sides = new Map<FrameSide, number>();
  let framesOutside = 0;
  for (let i = 0; i < n; i++) {
    const s = leaves(i, none);
    if (!s) continue;
    framesOutside++;
    sides.set(s, (sides.get(s) ?? 0) + 1);
  }
  if (framesOutside === 0) return { framesOutside, frameCount: n, side: null, fix: null };
  const side = [...sides].sort((a, b) => b[1] - a[1])[0]![0];

  // Candidates nearest first; each checked on the frames that left the frame first (they decide).
  const up = upDirection(reference);
  const gx = normalize(sub([1, 0, 0], scale(up, up[0])), [1, 0, 0]);
  const gz = normalize(cross(up, gx), [0, 0, 1]);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Number(leaves(b, none) !== null) - Number(leaves(a, none) !== null));
  const k = Math.round(reach / step);
  const candidates: Array<{ x: number; z: number }> = [];
  for (let a = -k; a <= k; a++) for (let b = -k; b <= k; b++) candidates.push({ x: a * step, z: b * step });
  candidates.sort((p, q) => Math.hypot(p.x, p.z) - Math.hypot(q.x, q.z));
  for (const c of candidates) {
    const d = add(scale(gx, c.x), scale(gz, c.z));
    if (order.every((i) => leaves(i, d) === null)) return { framesOutside, frameCount: n, side, fix: { x: round(c.x), z: round(c.z) } };
  }
  return { framesOutside, frameCount: n, side, fix: null };
}

const round = (v: number) => Math.round(v * 100) / 100;
