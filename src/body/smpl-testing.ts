/**
 * An SMPL-format model made from the project's own procedural body, for tests and demos (nothing
 * licensed): the arrays an SMPL `.npz` holds, with SMPL's axes (x = the body's left, y up,
 * z = the body's front) and its origin away from the pelvis, as the real files have.
 *
 * - v_template: the neutral built-in mesh; f: its triangles; weights: its skinning weights (dense).
 * - shapedirs: finite differences of the built-in mesh along six of our shape parameters
 *   (height, legs, arms, torso, shoulders, girth), so the betas are a real linear shape space.
 * - J_regressor (dense 24 x N): per joint, weights over its 24 nearest vertices that sum to 1 and
 *   reproduce the joint (minimum change from uniform weights), as SMPL's regressor averages a ring.
 */
import { type BodyShape, NEUTRAL_SHAPE, restSkeleton } from './shape';
import { buildBodyMesh } from './mesh';
import { encodeNpy } from './npy';
import { writeZip } from './npz';
import { JOINT_COUNT, PARENTS } from './skeleton';
import { solveSpd } from './math';

/** Offset added to the SMPL-axes template (SMPL's origin is not at its pelvis). */
export const SYNTHETIC_SMPL_ORIGIN: readonly [number, number, number] = [0.003, -0.21, 0.012];

const STEPS: ReadonlyArray<[keyof BodyShape, number]> = [
  ['height', 0.1],
  ['legs', 0.1],
  ['arms', 0.1],
  ['torso', 0.1],
  ['shoulders', 0.1],
  ['girth', 0.5],
];

/** The SMPL-format arrays of the synthetic model, as [name, data, shape, dtype]. */
export function syntheticSmplArrays(): Array<{ name: string; data: ArrayLike<number>; shape: number[]; dtype: 'f4' | 'f8' | 'i8' | 'u4' | 'i4' }> {
  const mesh = buildBodyMesh(NEUTRAL_SHAPE);
  const n = mesh.vertexCount;
  const toSmpl = (src: Float32Array, out: Float64Array, add: boolean) => {
    for (let v = 0; v < n; v++) {
      out[v * 3] = src[v * 3]! + (add ? SYNTHETIC_SMPL_ORIGIN[0] : 0);
      out[v * 3 + 1] = -src[v * 3 + 1]! + (add ? SYNTHETIC_SMPL_ORIGIN[1] : 0);
      out[v * 3 + 2] = -src[v * 3 + 2]! + (add ? SYNTHETIC_SMPL_ORIGIN[2] : 0);
    }
  };
  const vTemplate = new Float64Array(n * 3);
  toSmpl(mesh.positions, vTemplate, true);
  const B = STEPS.length;
  const shapedirs = new Float32Array(n * 3 * B);
  const neutral = new Float64Array(n * 3);
  toSmpl(mesh.positions, neutral, false);
  STEPS.forEach(([key, step], b) => {
    const moved = new Float64Array(n * 3);
    toSmpl(buildBodyMesh({ ...NEUTRAL_SHAPE, [key]: NEUTRAL_SHAPE[key] + step }).positions, moved, false);
    for (let i = 0; i < n * 3; i++) shapedirs[i * B + b] = (moved[i]! - neutral[i]!) / step;
  });
  const weights = new Float32Array(n * JOINT_COUNT);
  for (let v = 0; v < n; v++) for (let k = 0; k < 4; k++) weights[v * JOINT_COUNT + mesh.skinIndices[v * 4 + k]!]! += mesh.skinWeights[v * 4 + k]!;

  const joints = restSkeleton(NEUTRAL_SHAPE).joints;
  const regressor = new Float64Array(JOINT_COUNT * n);
  const K = 24;
  for (let j = 0; j < JOINT_COUNT; j++) {
    const target = [0, 1, 2].map((c) => joints[j * 3 + c]!);
    // Distinct positions only (seams and tube poles repeat vertices).
    const seen = new Set<string>();
    const near = Array.from({ length: n }, (_, v) => v)
      .map((v) => [v, (mesh.positions[v * 3]! - target[0]!) ** 2 + (mesh.positions[v * 3 + 1]! - target[1]!) ** 2 + (mesh.positions[v * 3 + 2]! - target[2]!) ** 2] as const)
      .sort((a, b) => a[1] - b[1])
      .filter(([v]) => {
        const key = [0, 1, 2].map((c) => mesh.positions[v * 3 + c]!.toFixed(5)).join();
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .slice(0, K)
      .map(([v]) => v);
    // Rows: x, y, z (body space) and the sum; w = w0 + A^T (A A^T)^-1 (b - A w0), w0 uniform.
    const A = [0, 1, 2].map((c) => near.map((v) => mesh.positions[v * 3 + c]!)).concat([near.map(() => 1)]);
    const w0 = near.map(() => 1 / K);
    const r = A.map((row, i) => (i < 3 ? target[i]! : 1) - row.reduce((s, a, k) => s + a * w0[k]!, 0));
    const M = new Float64Array(16);
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) M[a * 4 + b] = A[a]!.reduce((s, x, k) => s + x * A[b]![k]!, 0);
    const y = Float64Array.from(r);
    if (!solveSpd(M, y, 4)) throw new Error(`syntheticSmplArrays: joint ${j}'s nearest vertices do not span 3D.`);
    near.forEach((v, k) => (regressor[j * n + v] = w0[k]! + A.reduce((s, row, a) => s + row[k]! * y[a]!, 0)));
  }
  const kintree = new Float64Array(2 * JOINT_COUNT);
  for (let j = 0; j < JOINT_COUNT; j++) {
    kintree[j] = j === 0 ? 4294967295 : PARENTS[j]!;
    kintree[JOINT_COUNT + j] = j;
  }
  return [
    { name: 'v_template', data: vTemplate, shape: [n, 3], dtype: 'f8' },
    { name: 'shapedirs', data: shapedirs, shape: [n, 3, B], dtype: 'f4' },
    { name: 'J_regressor', data: regressor, shape: [JOINT_COUNT, n], dtype: 'f8' },
    { name: 'weights', data: weights, shape: [n, JOINT_COUNT], dtype: 'f4' },
    { name: 'kintree_table', data: kintree, shape: [2, JOINT_COUNT], dtype: 'i8' },
    { name: 'f', data: mesh.indices, shape: [mesh.triangleCount, 3], dtype: 'u4' },
  ];
}

/** The synthetic model as `.npz` bytes; `edit` may change, drop or add arrays first. */
export function syntheticSmplNpz(edit?: (arrays: ReturnType<typeof syntheticSmplArrays>) => ReturnType<typeof syntheticSmplArrays>): Uint8Array {
  let arrays = syntheticSmplArrays();
  if (edit) arrays = edit(arrays);
  return writeZip(arrays.map((a) => [`${a.name}.npy`, encodeNpy(a.data, a.shape, a.dtype)] as const));
}
