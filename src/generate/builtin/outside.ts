/**
 * The reference person's pixels beyond the body mesh (hair, loose clothes, a bag) carried into the
 * new pose: each pixel of the person mask outside the fitted mesh's silhouette goes with its
 * nearest bone (blended with the bones nearly as near, as skinning blends them). It is lifted to
 * 3D where the viewing ray meets that bone (its capsule's near surface, or the bone's depth beside
 * it), moved from the bones' reference pose to their target pose, projected again, and pushed
 * back along the target's viewing ray so that the textured mesh wins wherever it covers. Pixels
 * inside the silhouette are the texture's job: carried along, they would stick out as a ghost
 * wherever the target body is narrower (turned sideways), and their depth would put them on the
 * wrong side after a turn (a face on the back of the head). The face and hands may be asked for
 * in front instead (`front`). Pieces too small or too thin to be hair or clothes can be left out
 * (`minPiece`, `minCore`; pieces.ts).
 */
import { PARENTS, silhouetteAt, type BodyMesh, type PosedSkeleton, type RestSkeleton, type Silhouette, type Vec3 } from '../../body';
import type { Intrinsics } from '../../guidance';
import { cleanMask, cleanTriangles, erodeDisc } from './pieces';

/**
 * How far (in bone radii) pixels asked in front are moved towards the camera: the face's surface
 * stands out of the capsule it was lifted onto (the nose), and the mesh must not show through.
 */
const FRONT_PUSH = 1;

/** A bone as a segment from its joint, moving rigidly with that joint. */
export interface BoneSegment {
  joint: number;
  /** From the joint to the segment's end, in the joint's rest frame (= body space at rest). */
  offset: Vec3;
}

/** Every joint's segments: one to each child joint, or to its farthest end site for a leaf (crown, finger tips, toes). */
export function boneSegments(skel: RestSkeleton): BoneSegment[] {
  const out: BoneSegment[] = [];
  for (let j = 0; j < PARENTS.length; j++) {
    const children = PARENTS.flatMap((p, c) => (p === j ? [c] : []));
    for (const c of children) out.push({ joint: j, offset: [skel.offsets[c * 3]!, skel.offsets[c * 3 + 1]!, skel.offsets[c * 3 + 2]!] });
    if (children.length === 0) {
      const ends = skel.endSites.filter((e) => e.joint === j);
      const far = ends.reduce<Vec3 | null>((best, e) => (!best || Math.hypot(...e.offset) > Math.hypot(...best) ? e.offset : best), null);
      if (far) out.push({ joint: j, offset: far });
    }
  }
  return out;
}

function closestOnSegment(px: number, py: number, pz: number, a: Vec3, b: Vec3): { d: number; t: number } {
  const ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const l2 = ab[0]! * ab[0]! + ab[1]! * ab[1]! + ab[2]! * ab[2]!;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - a[0]) * ab[0]! + (py - a[1]) * ab[1]! + (pz - a[2]) * ab[2]!) / l2)) : 0;
  return { d: Math.hypot(px - a[0] - t * ab[0]!, py - a[1] - t * ab[1]!, pz - a[2] - t * ab[2]!), t };
}

/**
 * Per segment, how far the body's surface lies from it at rest: the median distance of the mesh
 * vertices that the segment's joint dominates (metres).
 */
export function segmentRadii(mesh: Pick<BodyMesh, 'positions' | 'parts' | 'vertexCount'>, skel: RestSkeleton, segments: readonly BoneSegment[]): Float32Array {
  const byJoint = new Map<number, number[]>();
  for (let v = 0; v < mesh.vertexCount; v++) {
    const j = mesh.parts[v]!;
    let best = Infinity;
    const p = [mesh.positions[v * 3]!, mesh.positions[v * 3 + 1]!, mesh.positions[v * 3 + 2]!] as const;
    for (const s of segments) {
      if (s.joint !== j) continue;
      const a: Vec3 = [skel.joints[j * 3]!, skel.joints[j * 3 + 1]!, skel.joints[j * 3 + 2]!];
      best = Math.min(best, closestOnSegment(p[0], p[1], p[2], a, [a[0] + s.offset[0], a[1] + s.offset[1], a[2] + s.offset[2]]).d);
    }
    if (best < Infinity) (byJoint.get(j) ?? byJoint.set(j, []).get(j)!).push(best);
  }
  return Float32Array.from(segments, (s) => {
    const d = (byJoint.get(s.joint) ?? [0.05]).sort((x, y) => x - y);
    return d[d.length >> 1]!;
  });
}

/** Rotates `v` by quaternion (x, y, z, w) at `q[o..o+3]`; `inverse` uses the conjugate. */
export function rotate(q: Float32Array, o: number, v: Vec3, inverse = false): Vec3 {
  const x = inverse ? -q[o]! : q[o]!;
  const y = inverse ? -q[o + 1]! : q[o + 1]!;
  const z = inverse ? -q[o + 2]! : q[o + 2]!;
  const w = q[o + 3]!;
  const tx = 2 * (y * v[2] - z * v[1]);
  const ty = 2 * (z * v[0] - x * v[2]);
  const tz = 2 * (x * v[1] - y * v[0]);
  return [v[0] + w * tx + (y * tz - z * ty), v[1] + w * ty + (z * tx - x * tz), v[2] + w * tz + (x * ty - y * tx)];
}

export interface OutsideLayer {
  /** Vertices in camera space at the target pose, metres (n x 3). */
  positions: Float32Array;
  /** Where each vertex came from in the layer's image: pixel coordinates (x, y) of its centre, n x 2 (the renderer samples the image there and between). */
  sources: Float32Array;
  /** Triangles over the warped grid. */
  indices: Uint32Array;
}

export interface OutsideLayerInput {
  /** The reference frame's person alpha (0-255), `width` x `height`: the pixels the layer is made of. */
  mask: Uint8Array;
  width: number;
  height: number;
  k: Intrinsics;
  segments: readonly BoneSegment[];
  radii: Float32Array;
  /** The body as fitted in the reference frame, and as it should stand in the output frame. */
  from: PosedSkeleton;
  to: PosedSkeleton;
  /** Grid spacing, pixels. Default 2. */
  step?: number;
  /**
   * Pixels this close (pixels, along rows and columns) to the mask's edge are left out: the edge
   * mixes in the background, which would show as a light or dark rim around the moved person.
   * Default 0.
   */
  inset?: number;
  /**
   * Mask pixels farther than this from every bone's surface are noise, metres: one figure, or one
   * per joint (indexed by the nearest bone's joint). Default 0.35.
   */
  reach?: number | ArrayLike<number>;
  /**
   * Joints whose pixels go in front of the body's surface instead of behind it: the real pixels
   * beat the texture there (the face, when the head turned little since the reference frame).
   */
  front?: ReadonlySet<number>;
  /**
   * The fitted mesh's silhouette in the reference frame: mask pixels inside it are left out
   * (except those of `front` joints). Without it every mask pixel is carried.
   */
  covered?: Silhouette;
  /**
   * Carry only the `front` joints' pixels: a face (and the hair around it) taken from another
   * reference frame. Default false.
   */
  onlyFront?: boolean;
  /**
   * Metres: a pixel moves with every bone whose surface is less than this farther from it than the
   * nearest bone's, weighted down to 0 at this margin (skinning blended between bones), so that a
   * dress between the legs stretches as they part instead of tearing along the middle. Pixels in
   * front (`front`) stay rigid with their bone. Default 0: the nearest bone alone.
   */
  blend?: number;
  /**
   * Pieces of the layer (connected parts, in the reference frame and again after warping, where it
   * tears) smaller than this many reference pixels are left out: specks of background the mask took
   * in beside a hand or a boot. Default 0: all kept. See pieces.ts.
   */
  minPiece?: number;
  /**
   * Pixels: pieces with no point this far inside them (thin all along: a sliver between the mesh
   * and the mask's edge) are left out; a thin part of a thicker piece (a finger, a strand) stays.
   * Default 0: all kept.
   */
  minCore?: number;
  /**
   * Pixels inside `polygon` ((x, y) pairs, reference pixels) go with `joint` whichever bone is
   * nearer: the face, whose chin and mouth lie nearer the neck's bone than the head's and would
   * otherwise tear off below the nose when head and neck turn differently.
   */
  region?: { joint: number; polygon: ArrayLike<number> };
}

/** Whether (x, y) lies inside the polygon of (x, y) pairs. */
export function insidePolygon(polygon: ArrayLike<number>, x: number, y: number): boolean {
  let inside = false;
  const n = polygon.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = polygon[i * 2]!;
    const yi = polygon[i * 2 + 1]!;
    const xj = polygon[j * 2]!;
    const yj = polygon[j * 2 + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Point `p` (camera space) carried rigidly by joint `j` from its pose in `from` to its pose in `to`. */
function moveWith(j: number, p: Vec3, from: PosedSkeleton, to: PosedSkeleton): Vec3 {
  const local = rotate(from.rotations, j * 4, [p[0] - from.positions[j * 3]!, p[1] - from.positions[j * 3 + 1]!, p[2] - from.positions[j * 3 + 2]!], true);
  const moved = rotate(to.rotations, j * 4, local);
  return [moved[0] + to.positions[j * 3]!, moved[1] + to.positions[j * 3 + 1]!, moved[2] + to.positions[j * 3 + 2]!];
}

/**
 * Point `p` carried by every joint whose surface gap (`gaps`, metres, per joint) is less than
 * `blend` beyond the nearest one's (`nearest`), weighted (1 − excess / blend)²: blended skinning.
 */
function blendedMove(gaps: Float64Array, nearest: number, blend: number, p: Vec3, from: PosedSkeleton, to: PosedSkeleton): Vec3 {
  const q: Vec3 = [0, 0, 0];
  let total = 0;
  for (let j = 0; j < gaps.length; j++) {
    const over = gaps[j]! - nearest;
    if (!(over < blend)) continue;
    const w = (1 - over / blend) ** 2;
    const m = moveWith(j, p, from, to);
    for (let c = 0; c < 3; c++) q[c]! += w * m[c]!;
    total += w;
  }
  return [q[0] / total, q[1] / total, q[2] / total];
}

/**
 * The warped grid of the person's pixels for one output frame (see the module comment). Grid
 * cells whose corners land far apart (torn across joints that moved differently) are left out.
 */
export function outsideLayer(input: OutsideLayerInput): OutsideLayer {
  const { mask, width, height, k, segments, radii, from, to, covered, region } = input;
  const step = input.step ?? 2;
  const reach = input.reach ?? 0.35;
  const reachOf = typeof reach === 'number' ? () => reach : (joint: number) => reach[joint]!;
  const inset = Math.max(0, Math.round(input.inset ?? 0));
  const blend = Math.max(0, input.blend ?? 0);
  // Per joint, the nearest of its segments' surfaces to the current pixel's ray (metres).
  const jointGap = new Float64Array(PARENTS.length);
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x]! >= 128;
  // Segment end points at the reference pose, camera space.
  const ends = segments.map((s) => {
    const a: Vec3 = [from.positions[s.joint * 3]!, from.positions[s.joint * 3 + 1]!, from.positions[s.joint * 3 + 2]!];
    const d = rotate(from.rotations, s.joint * 4, s.offset);
    return { a, b: [a[0] + d[0], a[1] + d[1], a[2] + d[2]] as Vec3 };
  });
  const gw = Math.floor((width - 1) / step) + 1;
  const gh = Math.floor((height - 1) / step) + 1;
  const slot = new Int32Array(gw * gh).fill(-1);
  const pos: number[] = [];
  const src: number[] = [];
  const pix: number[] = [];
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const x = gx * step;
      const y = gy * step;
      const m = y * width + x;
      if (mask[m]! < 128) continue;
      if (inset && !(inside(x - inset, y) && inside(x + inset, y) && inside(x, y - inset) && inside(x, y + inset))) continue;
      // The viewing ray through the pixel; the nearest bone along it decides.
      const rx = (x + 0.5 - k.cx) / k.fx;
      const ry = (y + 0.5 - k.cy) / k.fy;
      let best = -1;
      let bestGap = Infinity;
      let bestZ = 0;
      jointGap.fill(Infinity);
      const only = region && insidePolygon(region.polygon, x + 0.5, y + 0.5) ? region.joint : -1;
      for (let s = 0; s < segments.length; s++) {
        if (only >= 0 && segments[s]!.joint !== only) continue;
        const { a, b } = ends[s]!;
        // Depth of the segment where it passes the ray: try the point at each end's depth.
        const za = Math.max(0.05, a[2]);
        const zb = Math.max(0.05, b[2]);
        const near = closestOnSegment(rx * za, ry * za, za, a, b);
        const z = za + near.t * (zb - za);
        const hit = closestOnSegment(rx * z, ry * z, z, a, b);
        const gap = hit.d - radii[s]!;
        const joint = segments[s]!.joint;
        if (gap < jointGap[joint]!) jointGap[joint] = gap;
        if (gap < bestGap) {
          bestGap = gap;
          best = s;
          bestZ = z;
        }
      }
      if (best < 0) continue;
      const j = segments[best]!.joint;
      if (bestGap > reachOf(j)) continue;
      const inFront = input.front?.has(j) ?? false;
      if (!inFront && covered && silhouetteAt(covered, x, y)) continue;
      if (input.onlyFront && !inFront) continue;
      const r = radii[best]!;
      // Where the ray meets the bone's capsule (its near surface), or the bone's depth beside it.
      const d = r + Math.min(0, bestGap);
      const z = Math.max(0.06, bestZ - Math.sqrt(r * r - d * d));
      const lifted: Vec3 = [rx * z, ry * z, z];
      const q = inFront || blend === 0 ? moveWith(j, lifted, from, to) : blendedMove(jointGap, bestGap, blend, lifted, from, to);
      if (q[2] <= 0.05) continue;
      // Along the target's viewing ray (the pixel stays put): behind the body's surface, or in front of it.
      const depth = Math.max(0.06, q[2] + (inFront ? -FRONT_PUSH * r : r));
      const p: Vec3 = [(q[0] * depth) / q[2], (q[1] * depth) / q[2], depth];
      slot[gy * gw + gx] = pos.length / 3;
      pos.push(p[0], p[1], p[2]);
      pix.push((k.fx * p[0]) / p[2] + k.cx, (k.fy * p[1]) / p[2] + k.cy);
      src.push(x + 0.5, y + 0.5);
    }
  }
  // Pieces too small or too thin, in the reference frame (grid units: a node stands for step² pixels).
  const minPiece = Math.max(0, input.minPiece ?? 0);
  const minCore = Math.max(0, input.minCore ?? 0) / step;
  let core: Uint8Array | null = null;
  if (minPiece > 0 || minCore > 0) {
    const present = Uint8Array.from(slot, (s) => (s >= 0 ? 1 : 0));
    const kept = cleanMask(present, gw, gh, { minArea: minPiece / step ** 2, coreRadius: minCore });
    for (let g = 0; g < slot.length; g++) if (!kept[g]) slot[g] = -1;
    if (minCore > 0) core = erodeDisc(kept, gw, gh, minCore);
  }
  const tear = (3 * step) ** 2;
  const apart = (i: number, j: number) => (pix[i * 2]! - pix[j * 2]!) ** 2 + (pix[i * 2 + 1]! - pix[j * 2 + 1]!) ** 2 > tear;
  const tris: number[] = [];
  for (let gy = 0; gy + 1 < gh; gy++) {
    for (let gx = 0; gx + 1 < gw; gx++) {
      const a = slot[gy * gw + gx]!;
      const b = slot[gy * gw + gx + 1]!;
      const c = slot[(gy + 1) * gw + gx]!;
      const d = slot[(gy + 1) * gw + gx + 1]!;
      if (a >= 0 && b >= 0 && c >= 0 && !apart(a, b) && !apart(a, c) && !apart(b, c)) tris.push(a, b, c);
      if (b >= 0 && c >= 0 && d >= 0 && !apart(b, d) && !apart(c, d) && !apart(b, c)) tris.push(b, d, c);
    }
  }
  if (minPiece === 0 && !core) return { positions: Float32Array.from(pos), sources: Float32Array.from(src), indices: Uint32Array.from(tris) };
  // Again after warping: the tears may have cut pieces off (two triangles per grid cell).
  const nodeOf = new Int32Array(pos.length / 3);
  for (let g = 0; g < slot.length; g++) if (slot[g]! >= 0) nodeOf[slot[g]!] = g;
  const kept = cleanTriangles(tris, pos.length / 3, (2 * minPiece) / step ** 2, core ? (v) => core[nodeOf[v]!] === 1 : undefined);
  return compact(pos, src, kept);
}

/** The layer with only the vertices its triangles use, in their order, renumbered. */
function compact(pos: readonly number[], src: readonly number[], tris: Uint32Array): OutsideLayer {
  const index = new Int32Array(pos.length / 3).fill(-1);
  for (const v of tris) index[v] = 0;
  const order: number[] = [];
  for (let v = 0; v < index.length; v++) if (index[v] === 0) index[v] = order.push(v) - 1;
  const positions = new Float32Array(order.length * 3);
  const sources = new Float32Array(order.length * 2);
  order.forEach((v, i) => {
    positions.set(pos.slice(v * 3, v * 3 + 3), i * 3);
    sources.set(src.slice(v * 2, v * 2 + 2), i * 2);
  });
  return { positions, sources, indices: tris.map((v) => index[v]!) };
}
