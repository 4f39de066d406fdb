/**
 * 3×3 projective matrices for global camera motion, and least-squares fits of the motion models
 * to point correspondences.
 *
 * A `Mat3` is row-major `[m0 m1 m2; m3 m4 m5; m6 m7 m8]`; it maps a point (x, y) in continuous
 * pixels (pixel (i, j) covers [i, i+1) × [j, j+1), as in src/pose/crop.ts) to
 * ((m0·x + m1·y + m2) / w, (m3·x + m4·y + m5) / w) with w = m6·x + m7·y + m8.
 */

/** Row-major 3×3 matrix (9 numbers). */
export type Mat3 = Float64Array;

/** Point correspondences: `from[k]` (x, y) maps to `to[k]`, as flat [x0, y0, x1, y1, …]. */
export interface Correspondences {
  from: Float64Array;
  to: Float64Array;
  count: number;
}

export function identity3(): Mat3 {
  return Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
}

/** A translation by (tx, ty) pixels. */
export function translation3(tx: number, ty: number): Mat3 {
  return Float64Array.of(1, 0, tx, 0, 1, ty, 0, 0, 1);
}

/** Rotation by `angle` radians (clockwise in y-down image space), uniform `scale`, about (cx, cy), then a translation (tx, ty). */
export function similarity3(scale: number, angle: number, tx: number, ty: number, cx = 0, cy = 0): Mat3 {
  const a = scale * Math.cos(angle);
  const b = scale * Math.sin(angle);
  // p' = R·(p - c) + c + t
  return Float64Array.of(a, -b, cx - a * cx + b * cy + tx, b, a, cy - b * cx - a * cy + ty, 0, 0, 1);
}

/** `a · b` (applies `b` first). */
export function multiply3(a: Mat3, b: Mat3): Mat3 {
  const out = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out[r * 3 + c] = a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
    }
  }
  return out;
}

/** The inverse, scaled so that m8 = 1 when possible. Throws on a singular matrix. */
export function invert3(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m as unknown as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('The motion matrix is singular and cannot be inverted.');
  const out = Float64Array.of(A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d);
  for (let k = 0; k < 9; k++) out[k]! /= det;
  return normalize3(out);
}

/** Scales `m` so that m8 = 1 (in place when possible); returns it. */
export function normalize3(m: Mat3): Mat3 {
  const s = m[8]!;
  if (s !== 0 && s !== 1 && Number.isFinite(s)) for (let k = 0; k < 9; k++) m[k]! /= s;
  return m;
}

/** Applies `m` to (x, y); writes into `out` (length ≥ 2) and returns it. */
export function apply3(m: Mat3, x: number, y: number, out: Float64Array = new Float64Array(2)): Float64Array {
  const w = m[6]! * x + m[7]! * y + m[8]!;
  out[0] = (m[0]! * x + m[1]! * y + m[2]!) / w;
  out[1] = (m[3]! * x + m[4]! * y + m[5]!) / w;
  return out;
}

/** True when `m` is the identity within `eps` (after normalisation). */
export function isIdentity3(m: Mat3, eps = 1e-9): boolean {
  const s = m[8]!;
  const id = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let k = 0; k < 9; k++) if (Math.abs(m[k]! / s - id[k]!) > eps) return false;
  return true;
}

/**
 * Largest displacement, in pixels, between where `a` and `b` send the corners of a
 * `width`×`height` frame: how far apart two motion estimates are where it matters.
 */
export function cornerDistance3(a: Mat3, b: Mat3, width: number, height: number): number {
  const p = new Float64Array(2);
  const q = new Float64Array(2);
  let worst = 0;
  for (const [x, y] of [
    [0, 0],
    [width, 0],
    [0, height],
    [width, height],
  ] as const) {
    apply3(a, x, y, p);
    apply3(b, x, y, q);
    worst = Math.max(worst, Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!));
  }
  return worst;
}

/** Least-squares translation over the listed correspondences (all when `idx` is omitted). */
export function fitTranslation(c: Correspondences, idx?: ArrayLike<number>): Mat3 | null {
  const n = idx ? idx.length : c.count;
  if (n < 1) return null;
  let tx = 0;
  let ty = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k]! : k;
    tx += c.to[2 * i]! - c.from[2 * i]!;
    ty += c.to[2 * i + 1]! - c.from[2 * i + 1]!;
  }
  return translation3(tx / n, ty / n);
}

/**
 * Least-squares similarity (rotation, uniform scale, translation: 4 parameters) over the listed
 * correspondences, in closed form (centred Procrustes without reflection). Null when degenerate.
 */
export function fitSimilarity(c: Correspondences, idx?: ArrayLike<number>): Mat3 | null {
  const n = idx ? idx.length : c.count;
  if (n < 2) return null;
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k]! : k;
    fx += c.from[2 * i]!;
    fy += c.from[2 * i + 1]!;
    tx += c.to[2 * i]!;
    ty += c.to[2 * i + 1]!;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let sxx = 0;
  let sab = 0;
  let sba = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k]! : k;
    const ax = c.from[2 * i]! - fx;
    const ay = c.from[2 * i + 1]! - fy;
    const bx = c.to[2 * i]! - tx;
    const by = c.to[2 * i + 1]! - ty;
    sxx += ax * ax + ay * ay;
    sab += ax * bx + ay * by;
    sba += ax * by - ay * bx;
  }
  if (sxx < 1e-9) return null;
  const a = sab / sxx; // s·cos
  const b = sba / sxx; // s·sin
  return Float64Array.of(a, -b, tx - a * fx + b * fy, b, a, ty - b * fx - a * fy, 0, 0, 1);
}

/**
 * Least-squares homography (8 parameters) over the listed correspondences (≥ 4), by the
 * normalised direct linear transform with m8 = 1: points are centred and scaled to unit mean
 * distance (Hartley), the 8×8 normal equations are solved, and the result is de-normalised.
 * Null when degenerate.
 */
export function fitHomography(c: Correspondences, idx?: ArrayLike<number>): Mat3 | null {
  const n = idx ? idx.length : c.count;
  if (n < 4) return null;
  const norm = (pts: Float64Array) => {
    let mx = 0;
    let my = 0;
    for (let k = 0; k < n; k++) {
      const i = idx ? idx[k]! : k;
      mx += pts[2 * i]!;
      my += pts[2 * i + 1]!;
    }
    mx /= n;
    my /= n;
    let d = 0;
    for (let k = 0; k < n; k++) {
      const i = idx ? idx[k]! : k;
      d += Math.hypot(pts[2 * i]! - mx, pts[2 * i + 1]! - my);
    }
    const s = d > 1e-9 ? (Math.SQRT2 * n) / d : 1;
    return { mx, my, s };
  };
  const nf = norm(c.from);
  const nt = norm(c.to);
  // Normal equations AᵀA h = Aᵀb for the rows
  // [x y 1 0 0 0 -x·u -y·u] h = u and [0 0 0 x y 1 -x·v -y·v] h = v.
  const ata = new Float64Array(64);
  const atb = new Float64Array(8);
  const row = new Float64Array(8);
  const add = (rhs: number) => {
    for (let r = 0; r < 8; r++) {
      const vr = row[r]!;
      if (vr === 0) continue;
      atb[r]! += vr * rhs;
      for (let q = 0; q < 8; q++) ata[r * 8 + q]! += vr * row[q]!;
    }
  };
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k]! : k;
    const x = (c.from[2 * i]! - nf.mx) * nf.s;
    const y = (c.from[2 * i + 1]! - nf.my) * nf.s;
    const u = (c.to[2 * i]! - nt.mx) * nt.s;
    const v = (c.to[2 * i + 1]! - nt.my) * nt.s;
    row.set([x, y, 1, 0, 0, 0, -x * u, -y * u]);
    add(u);
    row.set([0, 0, 0, x, y, 1, -x * v, -y * v]);
    add(v);
  }
  const h = solveLinear(ata, atb, 8);
  if (!h) return null;
  const hn = Float64Array.of(h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1);
  // H = Tto⁻¹ · Hn · Tfrom
  const tFrom = Float64Array.of(nf.s, 0, -nf.s * nf.mx, 0, nf.s, -nf.s * nf.my, 0, 0, 1);
  const tToInv = Float64Array.of(1 / nt.s, 0, nt.mx, 0, 1 / nt.s, nt.my, 0, 0, 1);
  const m = normalize3(multiply3(tToInv, multiply3(hn, tFrom)));
  for (let k = 0; k < 9; k++) if (!Number.isFinite(m[k]!)) return null;
  return m;
}

/** Solves the n×n system `a x = b` by Gaussian elimination with partial pivoting; null when singular. */
export function solveLinear(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  let scale = 0;
  for (let k = 0; k < n * n; k++) scale = Math.max(scale, Math.abs(m[k]!));
  if (scale === 0) return null;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]!) > Math.abs(m[piv * n + col]!)) piv = r;
    if (Math.abs(m[piv * n + col]!) < scale * 1e-12) return null;
    if (piv !== col) {
      for (let q = 0; q < n; q++) {
        const t = m[col * n + q]!;
        m[col * n + q] = m[piv * n + q]!;
        m[piv * n + q] = t;
      }
      const t = x[col]!;
      x[col] = x[piv]!;
      x[piv] = t;
    }
    const p = m[col * n + col]!;
    for (let r = col + 1; r < n; r++) {
      const f = m[r * n + col]! / p;
      if (f === 0) continue;
      for (let q = col; q < n; q++) m[r * n + q]! -= f * m[col * n + q]!;
      x[r]! -= f * x[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let q = r + 1; q < n; q++) s -= m[r * n + q]! * x[q]!;
    x[r] = s / m[r * n + r]!;
  }
  return x;
}
