/**
 * Synthetic clips for the background plate's tests: a textured scene seen by a camera that is
 * static or pans and rolls by a known amount per frame, with a moving "person" blob in front.
 * Every pixel is computed from a continuous function, so the true background of each frame is
 * exact. A test helper (*-testing.ts): tests anywhere may import it, the app never.
 */
import { buildBodyMesh, NEUTRAL_SHAPE, restSkeleton } from '../../body';
import { seededRandom } from '../../body/synthetic-testing';
import { dilateMask } from './mask';
import { invert3, multiply3, similarity3, type Mat3 } from './mat3';
import { boneSegments, segmentRadii } from './outside';

/** Smooth value noise: random lattice values, C¹ (smoothstep) interpolation, `octaves` from `cell` px down by halves. */
export class Texture {
  private readonly grids: Array<{ cell: number; amp: number; n: number; values: Float32Array }> = [];

  constructor(seed: number, cell = 48, octaves = 4, extent = 2048) {
    const rand = seededRandom(seed);
    let amp = 1;
    for (let o = 0; o < octaves; o++) {
      const c = cell / 2 ** o;
      const n = Math.ceil(extent / c) + 2;
      const values = new Float32Array(n * n * 3);
      for (let k = 0; k < values.length; k++) values[k] = rand();
      this.grids.push({ cell: c, amp, n, values });
      amp *= 0.55;
    }
  }

  /** RGB in [0, 255] at canvas point (x, y) (x, y ≥ 0). */
  sample(x: number, y: number, out: Float64Array): void {
    out[0] = out[1] = out[2] = 0;
    let total = 0;
    for (const g of this.grids) {
      const u = x / g.cell;
      const v = y / g.cell;
      const i = Math.floor(u);
      const j = Math.floor(v);
      const s = smooth(u - i);
      const t = smooth(v - j);
      for (let c = 0; c < 3; c++) {
        const at = (a: number, b: number) => g.values[((b % g.n) * g.n + (a % g.n)) * 3 + c]!;
        const val = (at(i, j) * (1 - s) + at(i + 1, j) * s) * (1 - t) + (at(i, j + 1) * (1 - s) + at(i + 1, j + 1) * s) * t;
        out[c]! += g.amp * val;
      }
      total += g.amp;
    }
    for (let c = 0; c < 3; c++) out[c] = (255 * out[c]!) / total;
  }
}

const smooth = (t: number) => t * t * (3 - 2 * t);

export interface SyntheticClipOptions {
  width: number;
  height: number;
  frames: number;
  /** Camera translation per frame, pixels (the scene appears to move the opposite way). */
  pan?: [number, number];
  /** Camera roll per frame, radians. */
  roll?: number;
  /** Perspective terms per frame (m6, m7 of the frame → canvas map, per pixel from the centre): a camera that turns. */
  tilt?: [number, number];
  /** Share of the frame's width the person walks over the clip, from 20 % of the width. Default 0.35. */
  walk?: number;
  /** A yellow ball the person juggles at their right hand (beside the blob), bouncing up and down. */
  ball?: boolean;
  /** The person casts a shadow on the ground to their right: the scene at 55 % brightness in a flat ellipse from their feet. */
  shadow?: boolean;
}

export interface SyntheticFrame {
  rgba: Uint8ClampedArray;
  /** The scene without the person. */
  truth: Uint8ClampedArray;
  /** Exact person coverage (255 inside the blob). */
  person: Uint8Array;
  /** Person alpha for the plate builder: the blob dilated by 3 px plus a 2 px soft edge. */
  alpha: Uint8Array;
  /** Frame pixels → canvas pixels. */
  toCanvas: Mat3;
  /** The person's box and their hand (frame pixels), which holds the ball. */
  body: { x0: number; y0: number; x1: number; y1: number; hand: [number, number] };
  /** With `ball`: its centre and radius, frame pixels. */
  ball: { x: number; y: number; r: number } | null;
  /** With `shadow`: 255 where the shadow darkens the scene. */
  shadow: Uint8Array | null;
}

/** The ball's yellow. */
export const BALL_RGB = [250, 220, 30] as const;

/**
 * Renders frame `t` of a synthetic clip: the scene through the camera, and an elliptical person
 * (36 × 90 px at 320 × 240, scaled with the frame) that walks to the right with a striped
 * magenta shirt.
 */
export function syntheticFrame(tex: Texture, o: SyntheticClipOptions, t: number): SyntheticFrame {
  const { width: w, height: h } = o;
  const [px, py] = o.pan ?? [0, 0];
  let toCanvas = similarity3(1, (o.roll ?? 0) * t, 300 + px * t, 300 + py * t, w / 2, h / 2);
  if (o.tilt) {
    // Perspective about the frame's centre: (x - c) / (1 + g·(x - c)), then back.
    const [gx, gy] = o.tilt;
    const c = Float64Array.of(1, 0, -w / 2, 0, 1, -h / 2, 0, 0, 1);
    const pz = Float64Array.of(1, 0, 0, 0, 1, 0, gx * t, gy * t, 1);
    const back = Float64Array.of(1, 0, w / 2, 0, 1, h / 2, 0, 0, 1);
    toCanvas = multiply3(toCanvas, multiply3(back, multiply3(pz, c)));
  }
  const rgba = new Uint8ClampedArray(w * h * 4);
  const truth = new Uint8ClampedArray(w * h * 4);
  const person = new Uint8Array(w * h);
  const k = w / 320;
  // Person: centre walks from 20 % of the width to the right, bobbing up and down.
  const cx = w * (0.2 + ((o.walk ?? 0.35) * t) / Math.max(1, o.frames - 1));
  const cy = h * 0.55 + 6 * k * Math.sin(t * 0.7);
  const ax = 18 * k;
  const ay = 45 * k;
  const hand: [number, number] = [cx + ax + 4 * k, cy];
  // One bounce every 15 frames (half a second at 30 fps, a keepy-uppy pace).
  const ball = o.ball ? { x: hand[0] + 8 * k, y: hand[1] - 12 * k - 30 * k * Math.abs(Math.sin((Math.PI * t) / 15)), r: 7 * k } : null;
  const c = new Float64Array(3);
  const m = toCanvas;
  const shadow = o.shadow ? new Uint8Array(w * h) : null;
  const sx = cx + 1.6 * ax;
  const sy = cy + ay - 2 * k;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x + 0.5;
      const v = y + 0.5;
      const z = m[6]! * u + m[7]! * v + m[8]!;
      tex.sample((m[0]! * u + m[1]! * v + m[2]!) / z, (m[3]! * u + m[4]! * v + m[5]!) / z, c);
      const p = y * w + x;
      truth[4 * p] = c[0]!;
      truth[4 * p + 1] = c[1]!;
      truth[4 * p + 2] = c[2]!;
      truth[4 * p + 3] = 255;
      const inside = ((u - cx) / ax) ** 2 + ((v - cy) / ay) ** 2 <= 1;
      if (ball && (u - ball.x) ** 2 + (v - ball.y) ** 2 <= ball.r ** 2) {
        rgba[4 * p] = BALL_RGB[0];
        rgba[4 * p + 1] = BALL_RGB[1];
        rgba[4 * p + 2] = BALL_RGB[2];
      } else if (inside) {
        person[p] = 255;
        const stripe = Math.floor((v - cy) / (6 * k)) & 1;
        rgba[4 * p] = 230;
        rgba[4 * p + 1] = stripe ? 20 : 60;
        rgba[4 * p + 2] = 220;
      } else if (shadow && ((u - sx) / (1.8 * ax)) ** 2 + ((v - sy) / (5 * k)) ** 2 <= 1) {
        shadow[p] = 255;
        rgba[4 * p] = c[0]! * 0.55;
        rgba[4 * p + 1] = c[1]! * 0.55;
        rgba[4 * p + 2] = c[2]! * 0.55;
      } else {
        rgba[4 * p] = c[0]!;
        rgba[4 * p + 1] = c[1]!;
        rgba[4 * p + 2] = c[2]!;
      }
      rgba[4 * p + 3] = 255;
    }
  }
  const alpha = Uint8Array.from(person);
  dilateMask(alpha, w, h, 3, 2);
  return { rgba, truth, person, alpha, toCanvas, body: { x0: cx - ax, y0: cy - ay, x1: cx + ax, y1: cy + ay, hand }, ball, shadow };
}

/** True motion from frame `from` to frame `to` (maps `from` pixels to `to` pixels). */
export function trueMotion(to: SyntheticFrame, from: SyntheticFrame): Mat3 {
  return multiply3(invert3(to.toCanvas), from.toCanvas);
}

/** PSNR in dB of the RGB of `a` against `b` over the pixels where `select` is true; Infinity when equal. */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>, select: (p: number) => boolean, pixels: number): { psnr: number; count: number; mae: number } {
  let se = 0;
  let ae = 0;
  let n = 0;
  for (let p = 0; p < pixels; p++) {
    if (!select(p)) continue;
    for (let c = 0; c < 3; c++) {
      const d = a[4 * p + c]! - b[4 * p + c]!;
      se += d * d;
      ae += Math.abs(d);
    }
    n++;
  }
  const mse = se / Math.max(1, 3 * n);
  return { psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse), count: n, mae: ae / Math.max(1, 3 * n) };
}

/** The neutral body standing 3.2 m in front of a 240×320 camera, with its bone segments and radii: the outside layer's and face views' scene. */
export function neutralBodyScene() {
  const W = 240;
  const H = 320;
  const k = { fx: 300, fy: 300, cx: W / 2, cy: H / 2 };
  const skel = restSkeleton(NEUTRAL_SHAPE);
  const mesh = buildBodyMesh(NEUTRAL_SHAPE);
  const segments = boneSegments(skel);
  const radii = segmentRadii(mesh, skel, segments);
  return { W, H, k, skel, mesh, segments, radii, root: [0, -0.1, 3.2] };
}
