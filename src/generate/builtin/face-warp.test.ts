import { describe, expect, it } from 'vitest';
import { applySimilarity, canonicalShape, delaunay, EXPRESSION_POINTS, ExpressionTransfer, expressFace, expressionTarget, mouthOpening, neutralShape, warpPieces, type FaceShape, type Similarity } from './face-warp';

/** A synthetic 68-point face in its canonical frame (eye centres at (-0.5, 0) and (0.5, 0), y down). `open`: how far the lower inner lip and the chin drop. */
function face(open = 0): FaceShape {
  const p: number[] = [];
  for (let i = 0; i < 17; i++) {
    const a = Math.PI * (i / 16); // jaw: from the right ear round the chin to the left ear
    p.push(-Math.cos(a), Math.sin(a) * 1.5 + (i >= 4 && i <= 12 ? open * 0.5 * Math.sin(a) : 0));
  }
  for (let i = 0; i < 5; i++) p.push(-0.9 + i * 0.17, -0.35); // brows
  for (let i = 0; i < 5; i++) p.push(0.22 + i * 0.17, -0.35);
  for (let i = 0; i < 4; i++) p.push(0, i * 0.15); // nose bridge
  for (let i = 0; i < 5; i++) p.push(-0.2 + i * 0.1, 0.6); // nostrils
  for (const cx of [-0.5, 0.5]) for (let i = 0; i < 6; i++) p.push(cx + 0.15 * Math.cos((i / 6) * 2 * Math.PI + Math.PI), 0.06 * Math.sin((i / 6) * 2 * Math.PI + Math.PI));
  for (let i = 0; i < 12; i++) {
    const a = (i / 12) * 2 * Math.PI + Math.PI;
    p.push(0.4 * Math.cos(a), 1 + 0.15 * Math.sin(a) + (Math.sin(a) > 1e-6 ? open : 0)); // outer lips: the lower one drops with the jaw
  }
  for (let i = 0; i < 8; i++) {
    const a = (i / 8) * 2 * Math.PI + Math.PI;
    const lower = Math.sin(a) > 0;
    p.push(0.3 * Math.cos(a), 1 + 0.02 * Math.sin(a) + (lower ? open : 0)); // inner lips
  }
  return Float32Array.from(p);
}

function transform(shape: FaceShape, s: Similarity): FaceShape {
  const out = new Float32Array(shape.length);
  for (let i = 0; i < shape.length; i += 2) out.set(applySimilarity(s, shape[i]!, shape[i + 1]!), i);
  return out;
}

/** Area of the convex hull of (x, y) pairs (monotone chain). */
function hullArea(flat: number[]): number {
  const p = Array.from({ length: flat.length / 2 }, (_, i) => [flat[i * 2]!, flat[i * 2 + 1]!] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: number[], a: number[], b: number[]) => (a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!);
  const half = (pts: [number, number][]) => {
    const out: [number, number][] = [];
    for (const q of pts) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, q) <= 0) out.pop();
      out.push(q);
    }
    return out.slice(0, -1);
  };
  const hull = [...half(p), ...half([...p].reverse())];
  let a = 0;
  for (let i = 0; i < hull.length; i++) a += cross([0, 0], hull[i]!, hull[(i + 1) % hull.length]!);
  return Math.abs(a) / 2;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
/** Scale 40 px per eye distance, turned 20°, at (200, 150). */
const inFrame: Similarity = { a: 40 * Math.cos(0.35), b: 40 * Math.sin(0.35), tx: 200, ty: 150 };

describe('face expression warp: shapes', () => {
  it('the canonical frame undoes any similarity (eye centres at ±0.5 on the x axis)', () => {
    expect(face()).toHaveLength(136);
    expect(maxDiff(canonicalShape(transform(face(), inFrame))!, face())).toBeLessThan(1e-4);
  });

  it("the neutral face is the per-point median over the frames with a face", () => {
    const frames = new Float32Array(136 * 3);
    frames.set(transform(face(0), inFrame), 0);
    frames.set(transform(face(0.3), inFrame), 136);
    frames.set(transform(face(0), { a: 10, b: 0, tx: 0, ty: 0 }), 272);
    expect(maxDiff(neutralShape(frames, [1, 1, 1])!, face(0))).toBeLessThan(1e-4);
    expect(neutralShape(frames, [0, 0, 0])).toBeNull();
  });

  it("moves the reference frame's expression points to the motion's expression on the reference person's neutral face", () => {
    const reference = transform(face(0), inFrame);
    // The motion person, elsewhere and at another size, opens the mouth by 0.2 eye distances.
    const motion = transform(face(0.2), { a: 25, b: -5, tx: 90, ty: 60 });
    const target = expressionTarget(reference, face(0), [motion], face(0))!;
    expect(maxDiff(target, transform(face(0.2), inFrame))).toBeLessThan(1e-3);
    // The eye corners and the nose do not move.
    for (const p of [27, 30, 33, 36, 39, 42, 45]) expect(Math.hypot(target[p * 2]! - reference[p * 2]!, target[p * 2 + 1]! - reference[p * 2 + 1]!)).toBeLessThan(1e-4);
    expect(mouthOpening(target)).toBeGreaterThan(mouthOpening(reference) + 100);
    // No expression: the reference frame as it is.
    expect(maxDiff(expressionTarget(reference, face(0), [transform(face(0), inFrame)], face(0))!, reference)).toBeLessThan(1e-3);
    // A move is capped at maxMove eye distances.
    const far = expressionTarget(reference, face(0), [transform(face(2), inFrame)], face(0), 0.35)!;
    for (const p of EXPRESSION_POINTS) expect(Math.hypot(far[p * 2]! - reference[p * 2]!, far[p * 2 + 1]! - reference[p * 2 + 1]!)).toBeLessThanOrEqual(0.35 * 40 + 1e-3);
  });
});

describe('face expression warp: triangulation and warp', () => {
  it('delaunay: counter-clockwise triangles with empty circumcircles that cover a jittered grid', () => {
    const pts: number[] = [];
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) pts.push(x + rand(), y + rand());
    const tris = delaunay(pts);
    // Every point is used, and the triangles tile the convex hull (their areas add up to its area).
    expect(new Set(tris).size).toBe(25);
    const area = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => ((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) / 2;
    let sum = 0;
    for (let t = 0; t < tris.length; t += 3) sum += area(...([tris[t]!, tris[t + 1]!, tris[t + 2]!].flatMap((v) => [pts[v * 2]!, pts[v * 2 + 1]!]) as [number, number, number, number, number, number]));
    expect(sum).toBeCloseTo(hullArea(pts), 6);
    for (let t = 0; t < tris.length; t += 3) {
      const [a, b, c] = [tris[t]!, tris[t + 1]!, tris[t + 2]!];
      const [ax, ay, bx, by, cx, cy] = [pts[a * 2]!, pts[a * 2 + 1]!, pts[b * 2]!, pts[b * 2 + 1]!, pts[c * 2]!, pts[c * 2 + 1]!];
      expect((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)).toBeGreaterThan(0);
      for (let i = 0; i < 25; i++) {
        if (i === a || i === b || i === c) continue;
        const [dx, dy] = [pts[i * 2]!, pts[i * 2 + 1]!];
        const m = [
          [ax - dx, ay - dy, (ax - dx) ** 2 + (ay - dy) ** 2],
          [bx - dx, by - dy, (bx - dx) ** 2 + (by - dy) ** 2],
          [cx - dx, cy - dy, (cx - dx) ** 2 + (cy - dy) ** 2],
        ];
        const det = m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[2]![1]! * m[1]![2]!) - m[1]![0]! * (m[0]![1]! * m[2]![2]! - m[2]![1]! * m[0]![2]!) + m[2]![0]! * (m[0]![1]! * m[1]![2]! - m[1]![1]! * m[0]![2]!);
        expect(det).toBeLessThanOrEqual(1e-9);
      }
    }
  });

  /** A 40 x 40 image: grey, with a dark 4 x 4 square at (18, 18). */
  function squareImage() {
    const data = new Uint8ClampedArray(40 * 40 * 4).fill(128);
    for (let y = 18; y < 22; y++) for (let x = 18; x < 22; x++) data.set([0, 0, 0, 255], (y * 40 + x) * 4);
    return { data, width: 40, height: 40 };
  }
  const frame = [2, 2, 38, 2, 38, 38, 2, 38];

  it('warpPieces: the identity changes nothing; moving the centre point carries the square with it; a fold is refused', () => {
    const pts = Float32Array.from([...frame, 20, 20]);
    const tris = delaunay(pts);
    const image = squareImage();
    expect(warpPieces(image, pts, pts, tris)).toBe(true);
    expect(maxDiff(image.data, squareImage().data)).toBeLessThan(1e-6);
    const moved = Float32Array.from([...frame, 24, 20]);
    expect(warpPieces(image, pts, moved, tris)).toBe(true);
    const lum = (x: number, y: number) => image.data[(y * 40 + x) * 4]!;
    expect(lum(23, 20)).toBeLessThan(40); // the square is now round (24, 20)
    expect(lum(17, 20)).toBeGreaterThan(100); // and no longer at its left edge
    const before = Uint8ClampedArray.from(image.data);
    expect(warpPieces(image, pts, Float32Array.from([...frame, 60, 20]), tris)).toBe(false);
    expect(image.data).toEqual(before);
  });

  it('expressFace opens the mouth: the new opening is dark, the eyes stay where they were', () => {
    const neutral = transform(face(0), { a: 40, b: 0, tx: 100, ty: 60 });
    const open = transform(face(0.25), { a: 40, b: 0, tx: 100, ty: 60 });
    const data = new Uint8ClampedArray(200 * 200 * 4);
    for (let p = 0; p < 200 * 200; p++) data.set([200, 150, 130, 255], p * 4); // skin
    // Lips: the outer lip ellipse, red.
    for (let y = 0; y < 200; y++) for (let x = 0; x < 200; x++) if (((x + 0.5 - 100) / 16) ** 2 + ((y + 0.5 - 100) / 6) ** 2 <= 1) data.set([190, 40, 50, 255], (y * 200 + x) * 4);
    const image = { data, width: 200, height: 200 };
    expect(expressFace(image, neutral, open)).toBe(true);
    // The middle of the new opening (between the inner lips, now 10 px apart).
    const at = (x: number, y: number) => Array.from(image.data.subarray((y * 200 + x) * 4, (y * 200 + x) * 4 + 3));
    const inside = at(100, 105);
    expect(inside[0]!).toBeLessThan(120);
    expect(at(80, 60)).toEqual([200, 150, 130]); // the left eye's place: skin as before
  });
});

describe('ExpressionTransfer: clip to clip', () => {
  const config = { on: true, maxMove: 0.35, window: 0, minScore: 0.5, minEyes: 12, shadeMinEyes: 28 };
  /** A clip's faces: one shape per frame (null: no face), in a 100 x 100 clip. */
  const clip = (shapes: (FaceShape | null)[]) => ({
    points: Float32Array.from(shapes.flatMap((f) => (f ? Array.from(f) : Array(136).fill(0)))),
    scores: Float32Array.from(shapes, (f) => (f ? 0.9 : 0)),
    width: 100,
    height: 100,
  });
  const at = (shape: FaceShape) => transform(shape, { a: 20, b: 0, tx: 50, ty: 30 });
  const reference = clip([at(face(0)), at(face(0)), null]);
  const motion = clip([at(face(0)), at(face(0.3)), at(face(0))]);
  /** The reference frame at twice the clip's size: skin, red lips. */
  const frame = () => {
    const data = new Uint8ClampedArray(200 * 200 * 4);
    for (let p = 0; p < 200 * 200; p++) data.set([200, 150, 130, 255], p * 4);
    for (let y = 0; y < 200; y++) for (let x = 0; x < 200; x++) if (((x + 0.5 - 100) / 16) ** 2 + ((y + 0.5 - 100) / 6) ** 2 <= 1) data.set([190, 40, 50, 255], (y * 200 + x) * 4);
    return data;
  };

  it("opens the reference face's mouth on the motion frame that opens it, at the output's scale", () => {
    const transfer = ExpressionTransfer.create(reference, motion, config)!;
    const open = transfer.apply(frame(), 200, 200, 0, 1)!;
    // The mouth (canonical y 1 -> clip 50, output 100) opens 0.3 eye distances: 12 output pixels.
    expect(open[(106 * 200 + 100) * 4]!).toBeLessThan(120);
    // The motion's neutral frame: the face as it was.
    const original = frame();
    const same = transfer.apply(original, 200, 200, 0, 0)!;
    let worst = 0;
    for (let i = 0; i < same.length; i++) worst = Math.max(worst, Math.abs(same[i]! - original[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('shades the opened mouth only on a face whose eyes are shadeMinEyes apart (40 output pixels here)', () => {
    const shaded = ExpressionTransfer.create(reference, motion, { ...config, shadeMinEyes: 40 })!.apply(frame(), 200, 200, 0, 1)!;
    const plain = ExpressionTransfer.create(reference, motion, { ...config, shadeMinEyes: 41 })!.apply(frame(), 200, 200, 0, 1)!;
    // Inside the new opening: shaded dark, or the warped lips' and skin's own colours.
    const p = (106 * 200 + 100) * 4;
    expect(shaded[p]!).toBeLessThan(120);
    expect(plain[p]!).toBeGreaterThan(shaded[p]! + 40);
  });

  it('needs a face in both frames, and landmarks in both clips', () => {
    const transfer = ExpressionTransfer.create(reference, motion, config)!;
    expect(transfer.apply(frame(), 200, 200, 2, 1)).toBeNull();
    expect(ExpressionTransfer.create(reference, clip([null, null]), config)).toBeNull();
    expect(ExpressionTransfer.create(reference, null, config)).toBeNull();
    expect(ExpressionTransfer.create(reference, motion, { ...config, on: false })).toBeNull();
    // Eyes 20 clip pixels apart are 40 output pixels: trusted at 12, not at 50.
    expect(ExpressionTransfer.create(reference, motion, { ...config, minEyes: 50 })!.apply(frame(), 200, 200, 0, 1)).toBeNull();
  });
});
