/**
 * Forward kinematics and linear blend skinning.
 *
 * Rotations are packed unit quaternions (x, y, z, w), 24 x 4, one per joint in SMPL order; local
 * rotations are relative to the parent (skeleton.ts), global ones map body space at rest to the
 * output space. The root translation is the pelvis joint's position in the output space (camera
 * space when the track comes from a fit), metres.
 */
import { type Quat, add, qMul, qRotate, quatAt, vec3At } from './math';
import { JOINT_COUNT, PARENTS } from './skeleton';
import type { RestSkeleton } from './shape';

/** A posed skeleton. */
export interface PosedSkeleton {
  /** 24 x 4 global joint rotations (x, y, z, w). */
  rotations: Float32Array;
  /** 24 x 3 global joint positions, metres. */
  positions: Float32Array;
}

/** Identity local rotations for all 24 joints (the rest pose). */
export function restRotations(): Float32Array {
  const q = new Float32Array(JOINT_COUNT * 4);
  for (let j = 0; j < JOINT_COUNT; j++) q[j * 4 + 3] = 1;
  return q;
}

/**
 * Forward kinematics: local rotations (24 x 4) and the root position -> global rotations and
 * joint positions.
 */
export function forwardKinematics(skel: RestSkeleton, local: Float32Array, root: ArrayLike<number>, out?: PosedSkeleton): PosedSkeleton {
  const rotations = out?.rotations ?? new Float32Array(JOINT_COUNT * 4);
  const positions = out?.positions ?? new Float32Array(JOINT_COUNT * 3);
  rotations.set(local.subarray(0, 4), 0);
  positions.set([root[0]!, root[1]!, root[2]!], 0);
  for (let j = 1; j < JOINT_COUNT; j++) {
    const p = PARENTS[j]!;
    const rp = quatAt(rotations, p);
    rotations.set(qMul(rp, quatAt(local, j)), j * 4);
    positions.set(add(vec3At(positions, p), qRotate(rp, vec3At(skel.offsets, j))), j * 3);
  }
  return { rotations, positions };
}

/**
 * Skinning matrices, 24 x 16, column-major 4x4 (three.js `Matrix4.fromArray` order): each maps a
 * rest-pose point (body space, pelvis at the origin) to its posed position if it moved rigidly with
 * that joint: x' = R_j (x - rest_j) + p_j.
 */
export function skinningMatrices(skel: RestSkeleton, posed: PosedSkeleton, out = new Float32Array(JOINT_COUNT * 16)): Float32Array {
  for (let j = 0; j < JOINT_COUNT; j++) {
    const q = quatAt(posed.rotations, j);
    const ex = qRotate(q, [1, 0, 0]);
    const ey = qRotate(q, [0, 1, 0]);
    const ez = qRotate(q, [0, 0, 1]);
    const r = vec3At(skel.joints, j);
    const t = vec3At(posed.positions, j);
    const o = j * 16;
    out.set([ex[0], ex[1], ex[2], 0, ey[0], ey[1], ey[2], 0, ez[0], ez[1], ez[2], 0], o);
    out[o + 12] = t[0] - (ex[0] * r[0] + ey[0] * r[1] + ez[0] * r[2]);
    out[o + 13] = t[1] - (ex[1] * r[0] + ey[1] * r[1] + ez[1] * r[2]);
    out[o + 14] = t[2] - (ex[2] * r[0] + ey[2] * r[1] + ez[2] * r[2]);
    out[o + 15] = 1;
  }
  return out;
}

/** What skinning needs of a mesh. */
export interface SkinnableMesh {
  /** n x 3 rest positions, body space. */
  positions: Float32Array;
  /** n x 3 rest unit normals. */
  normals: Float32Array;
  /** n x 4 joint indices. */
  skinIndices: Uint16Array;
  /** n x 4 weights summing to 1. */
  skinWeights: Float32Array;
}

/**
 * Linear blend skinning: posed positions and renormalised normals (n x 3 each) in the space of
 * `posed` (camera space for a fitted track). Normals use the blended rotation part, which is exact
 * for rigid regions and a good approximation in blends.
 */
export function skinMesh(
  mesh: SkinnableMesh,
  skel: RestSkeleton,
  posed: PosedSkeleton,
  out?: { positions: Float32Array; normals: Float32Array },
): { positions: Float32Array; normals: Float32Array } {
  const n = mesh.positions.length / 3;
  const positions = out?.positions ?? new Float32Array(n * 3);
  const normals = out?.normals ?? new Float32Array(n * 3);
  const M = skinningMatrices(skel, posed);
  const m = new Float64Array(12);
  for (let v = 0; v < n; v++) {
    m.fill(0);
    for (let k = 0; k < 4; k++) {
      const w = mesh.skinWeights[v * 4 + k]!;
      if (w === 0) continue;
      const o = mesh.skinIndices[v * 4 + k]! * 16;
      // Rows of the 3x4 blended matrix from the column-major 4x4.
      for (let r = 0; r < 3; r++) {
        m[r * 4]! += w * M[o + r]!;
        m[r * 4 + 1]! += w * M[o + 4 + r]!;
        m[r * 4 + 2]! += w * M[o + 8 + r]!;
        m[r * 4 + 3]! += w * M[o + 12 + r]!;
      }
    }
    const x = mesh.positions[v * 3]!;
    const y = mesh.positions[v * 3 + 1]!;
    const z = mesh.positions[v * 3 + 2]!;
    const nx = mesh.normals[v * 3]!;
    const ny = mesh.normals[v * 3 + 1]!;
    const nz = mesh.normals[v * 3 + 2]!;
    let len = 0;
    for (let r = 0; r < 3; r++) {
      positions[v * 3 + r] = m[r * 4]! * x + m[r * 4 + 1]! * y + m[r * 4 + 2]! * z + m[r * 4 + 3]!;
      const nr = m[r * 4]! * nx + m[r * 4 + 1]! * ny + m[r * 4 + 2]! * nz;
      normals[v * 3 + r] = nr;
      len += nr * nr;
    }
    len = Math.sqrt(len) || 1;
    for (let r = 0; r < 3; r++) normals[v * 3 + r]! /= len;
  }
  return { positions, normals };
}

/** Posed positions of rest-space points that move rigidly with one joint each (e.g. end sites). */
export function posePoint(skel: RestSkeleton, posed: PosedSkeleton, joint: number, restPoint: ArrayLike<number>): [number, number, number] {
  const r = vec3At(skel.joints, joint);
  const q: Quat = quatAt(posed.rotations, joint);
  return add(vec3At(posed.positions, joint), qRotate(q, [restPoint[0]! - r[0], restPoint[1]! - r[1], restPoint[2]! - r[2]]));
}

/**
 * A mesh posed by local rotations (24 x 4) and a root position: camera-space positions and normals
 * when the rotations and root come from a fitted track (what the guidance renderer draws).
 */
export function posedMesh(mesh: SkinnableMesh, skel: RestSkeleton, local: Float32Array, root: ArrayLike<number>): { positions: Float32Array; normals: Float32Array } {
  return skinMesh(mesh, skel, forwardKinematics(skel, local, root));
}
