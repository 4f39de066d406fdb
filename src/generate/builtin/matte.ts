/**
 * Edge-aware refinement of a coarse person mask: the pose tracker's segmentation is 64² over the
 * person's ROI, so at output size its edge is a blur a dozen pixels wide that cuts into the person
 * or takes in background. The colour-guided filter of He et al. (2010) makes the mask locally a
 * linear function of the frame's colours, so its edge moves onto the colour edge between person
 * and background. Pure TypeScript over the mask's box; a per-pixel pass that maps to WGSL.
 */
import type { PixelBox } from './mask';
import { nonzeroBox } from './mask';

export interface MatteOptions {
  /** Window radius in pixels: about the coarse mask's cell size at output resolution. */
  radius: number;
  /** Regularisation on colour variance (colours in [0, 1]): larger keeps the input mask smoother. Default 1e-3. */
  eps?: number;
}

/** Box sums over (2r + 1)² windows (clipped at the border) of `src` (w × h), divided by the window's pixel count. */
function boxMean(src: Float64Array, w: number, h: number, r: number, out: Float64Array, sat: Float64Array): void {
  // Summed-area table with a zero row and column in front.
  const W = w + 1;
  for (let x = 0; x <= w; x++) sat[x] = 0;
  for (let y = 0; y < h; y++) {
    let row = 0;
    sat[(y + 1) * W] = 0;
    for (let x = 0; x < w; x++) {
      row += src[y * w + x]!;
      sat[(y + 1) * W + x + 1] = sat[y * W + x + 1]! + row;
    }
  }
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const s = sat[y1 * W + x1]! - sat[y0 * W + x1]! - sat[y1 * W + x0]! + sat[y0 * W + x0]!;
      out[y * w + x] = s / ((y1 - y0) * (x1 - x0));
    }
  }
}

/**
 * Refines `alpha` (0-255, width × height) in place against the frame `rgba`, inside the mask's box
 * grown by 2 × radius (pixels outside that stay as they are): guided filter, then a steep ramp
 * around its half level (0.4-0.6), so the result is a mask with a one- or two-pixel soft edge.
 * Returns the new box of alpha > 0.
 */
export function refineMatte(alpha: Uint8Array, rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, options: MatteOptions): PixelBox | null {
  const box = nonzeroBox(alpha, width, height);
  if (!box) return null;
  const r = Math.max(1, Math.round(options.radius));
  const eps = options.eps ?? 1e-3;
  const x0 = Math.max(0, box.x0 - 2 * r);
  const y0 = Math.max(0, box.y0 - 2 * r);
  const x1 = Math.min(width, box.x1 + 2 * r);
  const y1 = Math.min(height, box.y1 + 2 * r);
  const w = x1 - x0;
  const h = y1 - y0;
  const n = w * h;
  const f = () => new Float64Array(n);
  const I = [f(), f(), f()];
  const p = f();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y + y0) * width + x + x0;
      for (let c = 0; c < 3; c++) I[c]![y * w + x] = rgba[s * 4 + c]! / 255;
      p[y * w + x] = alpha[s]! / 255;
    }
  }
  const sat = new Float64Array((w + 1) * (h + 1));
  const tmp = f();
  const mean = (src: Float64Array) => {
    const out = f();
    boxMean(src, w, h, r, out, sat);
    return out;
  };
  const product = (a: Float64Array, b: Float64Array) => {
    for (let i = 0; i < n; i++) tmp[i] = a[i]! * b[i]!;
    return mean(tmp);
  };
  const mI = I.map(mean);
  const mp = mean(p);
  const mIp = I.map((c) => product(c, p));
  // Covariance of the colours in each window: rr, rg, rb, gg, gb, bb.
  const pairs = [
    [0, 0],
    [0, 1],
    [0, 2],
    [1, 1],
    [1, 2],
    [2, 2],
  ] as const;
  const cov = pairs.map(([a, b]) => {
    const m = product(I[a]!, I[b]!);
    for (let i = 0; i < n; i++) m[i] = m[i]! - mI[a]![i]! * mI[b]![i]! + (a === b ? eps : 0);
    return m;
  });
  // a = Σ⁻¹ cov(I, p), b = mean(p) − a · mean(I), per window.
  const A = [f(), f(), f()];
  const B = f();
  for (let i = 0; i < n; i++) {
    const rr = cov[0]![i]!, rg = cov[1]![i]!, rb = cov[2]![i]!, gg = cov[3]![i]!, gb = cov[4]![i]!, bb = cov[5]![i]!;
    // Inverse of the symmetric 3 × 3 matrix by cofactors.
    const c00 = gg * bb - gb * gb;
    const c01 = rb * gb - rg * bb;
    const c02 = rg * gb - rb * gg;
    const c11 = rr * bb - rb * rb;
    const c12 = rb * rg - rr * gb;
    const c22 = rr * gg - rg * rg;
    const det = rr * c00 + rg * c01 + rb * c02;
    const v0 = mIp[0]![i]! - mI[0]![i]! * mp[i]!;
    const v1 = mIp[1]![i]! - mI[1]![i]! * mp[i]!;
    const v2 = mIp[2]![i]! - mI[2]![i]! * mp[i]!;
    const a0 = (c00 * v0 + c01 * v1 + c02 * v2) / det;
    const a1 = (c01 * v0 + c11 * v1 + c12 * v2) / det;
    const a2 = (c02 * v0 + c12 * v1 + c22 * v2) / det;
    A[0]![i] = a0;
    A[1]![i] = a1;
    A[2]![i] = a2;
    B[i] = mp[i]! - a0 * mI[0]![i]! - a1 * mI[1]![i]! - a2 * mI[2]![i]!;
  }
  const mA = A.map(mean);
  const mB = mean(B);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const q = mA[0]![i]! * I[0]![i]! + mA[1]![i]! * I[1]![i]! + mA[2]![i]! * I[2]![i]! + mB[i]!;
      // The filtered mask is soft across the whole window; its half level is the edge.
      alpha[(y + y0) * width + x + x0] = Math.round(255 * Math.min(1, Math.max(0, (q - 0.4) / 0.2)));
    }
  }
  return nonzeroBox(alpha, width, height);
}
