/**
 * Small vector and quaternion helpers for the body module.
 *
 * Conventions: vectors are `[x, y, z]`; quaternions are `[x, y, z, w]` (three.js order), unit
 * length, Hamilton product, rotating column vectors actively (`v' = q v q*`). Rotation vectors are
 * axis * angle in radians. 3x3 matrices are row-major `number[9]`.
 */

export type Vec3 = [number, number, number];
export type Quat = [number, number, number, number];
/** Row-major 3x3 matrix. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export const IDENTITY_QUAT: Readonly<Quat> = [0, 0, 0, 1];

export const add = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const scale = (a: Readonly<Vec3>, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const dot = (a: Readonly<Vec3>, b: Readonly<Vec3>): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const norm = (a: Readonly<Vec3>): number => Math.hypot(a[0], a[1], a[2]);
export const lerp3 = (a: Readonly<Vec3>, b: Readonly<Vec3>, t: number): Vec3 => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
export const dist3 = (a: Readonly<Vec3>, b: Readonly<Vec3>): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
export const mid = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => lerp3(a, b, 0.5);

/** `a / |a|`, or `fallback` when `a` is (nearly) zero. */
export function normalize(a: Readonly<Vec3>, fallback: Readonly<Vec3> = [0, 0, 0]): Vec3 {
  const n = norm(a);
  return n > 1e-12 ? [a[0] / n, a[1] / n, a[2] / n] : [fallback[0], fallback[1], fallback[2]];
}

/** Reads the 3-vector at `i * 3` of a packed array. */
export const vec3At = (a: ArrayLike<number>, i: number): Vec3 => [a[i * 3]!, a[i * 3 + 1]!, a[i * 3 + 2]!];
/** Reads the quaternion at `i * 4` of a packed array. */
export const quatAt = (a: ArrayLike<number>, i: number): Quat => [a[i * 4]!, a[i * 4 + 1]!, a[i * 4 + 2]!, a[i * 4 + 3]!];

export function qMul(a: Readonly<Quat>, b: Readonly<Quat>): Quat {
  const [ax, ay, az, aw] = a;
  const [bx, by, bz, bw] = b;
  return [aw * bx + ax * bw + ay * bz - az * by, aw * by - ax * bz + ay * bw + az * bx, aw * bz + ax * by - ay * bx + az * bw, aw * bw - ax * bx - ay * by - az * bz];
}

export const qConj = (q: Readonly<Quat>): Quat => [-q[0], -q[1], -q[2], q[3]];

export function qNormalize(q: Readonly<Quat>): Quat {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  return n > 1e-12 ? [q[0] / n, q[1] / n, q[2] / n, q[3] / n] : [0, 0, 0, 1];
}

/** Rotates `v` by the unit quaternion `q`. */
export function qRotate(q: Readonly<Quat>, v: Readonly<Vec3>): Vec3 {
  const [x, y, z, w] = q;
  // v + 2w (u x v) + 2 u x (u x v), u = (x, y, z)
  const tx = 2 * (y * v[2] - z * v[1]);
  const ty = 2 * (z * v[0] - x * v[2]);
  const tz = 2 * (x * v[1] - y * v[0]);
  return [v[0] + w * tx + (y * tz - z * ty), v[1] + w * ty + (z * tx - x * tz), v[2] + w * tz + (x * ty - y * tx)];
}

/** Quaternion of the rotation vector `r` (axis * angle, radians). */
export function qFromRotVec(r: Readonly<Vec3>): Quat {
  const a = norm(r);
  if (a < 1e-12) return [r[0] / 2, r[1] / 2, r[2] / 2, 1];
  const s = Math.sin(a / 2) / a;
  return [r[0] * s, r[1] * s, r[2] * s, Math.cos(a / 2)];
}

/** Rotation vector (axis * angle, angle in [0, pi]) of a unit quaternion. */
export function qToRotVec(q: Readonly<Quat>): Vec3 {
  // Take the short way round: q and -q are the same rotation.
  const s = q[3] < 0 ? -1 : 1;
  const x = q[0] * s;
  const y = q[1] * s;
  const z = q[2] * s;
  const w = Math.min(1, q[3] * s);
  const sinHalf = Math.hypot(x, y, z);
  if (sinHalf < 1e-12) return [2 * x, 2 * y, 2 * z];
  const angle = 2 * Math.atan2(sinHalf, w);
  return [(x / sinHalf) * angle, (y / sinHalf) * angle, (z / sinHalf) * angle];
}

export const qFromAxisAngle = (axis: Readonly<Vec3>, angle: number): Quat => qFromRotVec(scale(normalize(axis), angle));

/** Rotation angle between two unit quaternions, radians in [0, pi]. */
export function qAngle(a: Readonly<Quat>, b: Readonly<Quat>): number {
  const d = Math.abs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3]);
  return 2 * Math.acos(Math.min(1, d));
}

/** Shortest-arc rotation taking direction `from` onto direction `to` (neither needs unit length). */
export function qFromTo(from: Readonly<Vec3>, to: Readonly<Vec3>): Quat {
  const a = normalize(from);
  const b = normalize(to);
  const d = dot(a, b);
  if (d < -0.999999) {
    // Opposite: any axis perpendicular to a.
    const axis = normalize(cross(Math.abs(a[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0], a));
    return [axis[0], axis[1], axis[2], 0];
  }
  const c = cross(a, b);
  return qNormalize([c[0], c[1], c[2], 1 + d]);
}

/** Spherical interpolation from `a` (t = 0) to `b` (t = 1) along the short arc. */
export function qSlerp(a: Readonly<Quat>, b: Readonly<Quat>, t: number): Quat {
  let d = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
  const s = d < 0 ? -1 : 1;
  d *= s;
  if (d > 0.9995) {
    return qNormalize([a[0] + (s * b[0] - a[0]) * t, a[1] + (s * b[1] - a[1]) * t, a[2] + (s * b[2] - a[2]) * t, a[3] + (s * b[3] - a[3]) * t]);
  }
  const th = Math.acos(d);
  const wa = Math.sin((1 - t) * th) / Math.sin(th);
  const wb = (s * Math.sin(t * th)) / Math.sin(th);
  return [a[0] * wa + b[0] * wb, a[1] * wa + b[1] * wb, a[2] * wa + b[2] * wb, a[3] * wa + b[3] * wb];
}

/** Row-major rotation matrix of a unit quaternion. */
export function qToMat3(q: Readonly<Quat>): Mat3 {
  const [x, y, z, w] = q;
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
}

/** Unit quaternion of a row-major rotation matrix (Shepperd's method). */
export function qFromMat3(m: Readonly<Mat3>): Quat {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = m;
  const tr = m00 + m11 + m22;
  let q: Quat;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [(m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s, s / 4];
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    q = [s / 4, (m01 + m10) / s, (m02 + m20) / s, (m21 - m12) / s];
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    q = [(m01 + m10) / s, s / 4, (m12 + m21) / s, (m02 - m20) / s];
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    q = [(m02 + m20) / s, (m12 + m21) / s, s / 4, (m10 - m01) / s];
  }
  return qNormalize(q);
}

/**
 * Orthonormal frame (columns e1, e2, e3 of a row-major matrix) with e1 along `primary` and e2 in
 * the plane of `primary` and `secondary`. Null when the two are (nearly) parallel.
 */
export function frameFromVectors(primary: Readonly<Vec3>, secondary: Readonly<Vec3>): Mat3 | null {
  const e1 = normalize(primary);
  const s = sub(secondary, scale(e1, dot(secondary, e1)));
  if (norm(s) < 1e-6 * Math.max(1e-9, norm(secondary))) return null;
  const e2 = normalize(s);
  const e3 = cross(e1, e2);
  return [e1[0], e2[0], e3[0], e1[1], e2[1], e3[1], e1[2], e2[2], e3[2]];
}

/** `a * b^T` for row-major 3x3 matrices. */
export function mulTransposed(a: Readonly<Mat3>, b: Readonly<Mat3>): Mat3 {
  const out = new Array<number>(9) as Mat3;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) out[i * 3 + j] = a[i * 3]! * b[j * 3]! + a[i * 3 + 1]! * b[j * 3 + 1]! + a[i * 3 + 2]! * b[j * 3 + 2]!;
  }
  return out;
}

/**
 * The rotation that maps the frame built from (`restPrimary`, `restSecondary`) onto the frame
 * built from (`primary`, `secondary`): aligns the primary directions exactly and the secondary
 * ones as well as possible. Null when either pair is degenerate.
 */
export function qAlignFrames(restPrimary: Readonly<Vec3>, restSecondary: Readonly<Vec3>, primary: Readonly<Vec3>, secondary: Readonly<Vec3>): Quat | null {
  const a = frameFromVectors(restPrimary, restSecondary);
  const b = frameFromVectors(primary, secondary);
  return a && b ? qFromMat3(mulTransposed(b, a)) : null;
}

export const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/** Hermite smoothstep of `x` from `e0` (0) to `e1` (1). */
export function smoothstep(e0: number, e1: number, x: number): number {
  const t = clamp((x - e0) / (e1 - e0), 0, 1);
  return t * t * (3 - 2 * t);
}

export const DEG = Math.PI / 180;

/** Median of the finite values (NaN when there are none). Does not modify `values`. */
export function median(values: ArrayLike<number>): number {
  const v = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** Solves the symmetric positive definite system `A x = b` in place (Cholesky); A is n x n row-major. Returns false if A is not positive definite. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j]!;
    for (let k = 0; k < j; k++) d -= A[j * n + k]! * A[j * n + k]!;
    if (d <= 1e-18) return false;
    const l = Math.sqrt(d);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = s / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= A[i * n + k]! * b[k]!;
    b[i] = s / A[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= A[k * n + i]! * b[k]!;
    b[i] = s / A[i * n + i]!;
  }
  return true;
}
