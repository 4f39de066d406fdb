import { describe, expect, it } from 'vitest';
import { coverage, fuse, gatherSegment, planChunks, triangularWeight, type FusionMode } from './fusion';

describe('planChunks: paper (Algorithm 1, symmetric)', () => {
  it('N=16, C=6: stride 10, overlap frame k gets k/7 of the later segment', () => {
    const plan = planChunks({ mode: 'paper', frameCount: 46, segmentLength: 16, overlap: 6 });
    expect(plan.segments.map((s) => s.frames[0])).toEqual([0, 10, 20, 30]);
    for (const s of plan.segments) expect(s.frames.length).toBe(16);
    for (let i = 0; i + 1 < 4; i++) {
      const a = plan.segments[i]!;
      const b = plan.segments[i + 1]!;
      for (let k = 1; k <= 6; k++) {
        expect(b.weights[k - 1]).toBeCloseTo(k / 7, 6);
        expect(a.weights[10 + k - 1]).toBeCloseTo((7 - k) / 7, 6);
      }
      // Outside overlaps: weight 1 (a frame's weight grows with its distance from the border).
      for (let k = 6; k < 10; k++) expect(b.weights[k]).toBe(1);
    }
    // Frame 12 is k = 3 of the first overlap: 3/7 of segment 1 and 4/7 of segment 0.
    const A = 0.25;
    const B = 0.75;
    const fused = fuse(
      plan.segments.map((s, i) => new Float32Array(s.frames.length).fill(i === 0 ? A : i === 1 ? B : 0)),
      plan,
      1,
    );
    expect(fused[12]).toBeCloseTo((3 / 7) * B + (4 / 7) * A, 6);
  });

  it('aligns the last segment to the end and uses its actual overlap', () => {
    // Starts 0, 10, 20; 20+16 = 36 < 44, the next start 30 would end past 44, so the last segment
    // starts at 44-16 = 28 and overlaps [20..35] by L = 8 > C: frame k of it takes k/9.
    const plan = planChunks({ mode: 'paper', frameCount: 44, segmentLength: 16, overlap: 6 });
    expect(plan.segments.map((s) => s.frames[0])).toEqual([0, 10, 20, 28]);
    const prev = plan.segments[2]!;
    const last = plan.segments[3]!;
    expect(last.frames[15]).toBe(43);
    for (let k = 1; k <= 8; k++) {
      expect(last.weights[k - 1]).toBeCloseTo(k / 9, 6);
      expect(prev.weights[8 + k - 1]).toBeCloseTo((9 - k) / 9, 6);
    }
    expect(Array.from(last.weights.subarray(8))).toEqual(new Array(8).fill(1));
  });

  it('an aligned last segment reaching back over two segments is normalised per frame', () => {
    // Starts 0, 10, then 14 (aligned): frames 14 and 15 are in all three segments.
    const plan = planChunks({ mode: 'paper', frameCount: 30, segmentLength: 16, overlap: 6 });
    expect(plan.segments.map((s) => s.frames[0])).toEqual([0, 10, 14]);
    const sum = coverage(plan);
    for (const v of sum) expect(v).toBeCloseTo(1, 6);
    // Frames in two segments still follow Algorithm 1: frame 10 is k = 1 of the first overlap.
    expect(plan.segments[1]!.weights[0]).toBeCloseTo(1 / 7, 6);
    expect(plan.segments[0]!.weights[10]).toBeCloseTo(6 / 7, 6);
  });

  it('short videos are one segment; invalid overlaps are refused', () => {
    expect(planChunks({ mode: 'paper', frameCount: 7, segmentLength: 16, overlap: 6 }).segments).toHaveLength(1);
    expect(() => planChunks({ mode: 'paper', frameCount: 40, segmentLength: 4, overlap: 4 })).toThrow(/smaller than/);
  });
});

/** MimicMotion's window indices and weights, transcribed from the Python expressions. */
function reference(n: number, T: number, overlap: number) {
  const indices: number[][] = [];
  for (let i = 0; i < n - T + 1; i += T - overlap) {
    const w = [0];
    for (let j = i + 1; j < Math.min(i + T, n); j++) w.push(j);
    indices.push(w);
  }
  if (indices[indices.length - 1]![indices[indices.length - 1]!.length - 1]! < n - 1) {
    const w = [0];
    for (let j = n - T + 1; j < n; j++) w.push(j);
    indices.push(w);
  }
  const weight = Array.from({ length: T }, (_, k) => Math.min(((k + 0.5) * 2) / T, 2 - ((k + 0.5) * 2) / T));
  const cnt = new Float64Array(n);
  for (const idx of indices) idx.forEach((f, k) => (cnt[f]! += weight[k]!));
  return { indices, weight, cnt };
}

describe('planChunks: repository (triangular windows with frame 0)', () => {
  it('T=72, overlap 6 matches the repository for several lengths', () => {
    for (const n of [72, 73, 137, 138, 200, 500]) {
      const plan = planChunks({ mode: 'repository', frameCount: n, segmentLength: 72, overlap: 6 });
      const ref = reference(n, 72, 6);
      expect(plan.segments.map((s) => s.frames)).toEqual(ref.indices);
      for (const s of plan.segments) {
        expect(s.frames[0]).toBe(0);
        s.frames.forEach((f, k) => {
          expect(s.rawWeights[k]).toBeCloseTo(ref.weight[k]!, 6);
          expect(s.weights[k]).toBeCloseTo(ref.weight[k]! / ref.cnt[f]!, 6);
        });
      }
    }
    const p = planChunks({ mode: 'repository', frameCount: 200, segmentLength: 72, overlap: 6 });
    expect(p.segments.map((s) => s.frames[1])).toEqual([1, 67, 129]);
    expect(p.segments[0]!.rawWeights[0]).toBeCloseTo(1 / 72, 7);
    expect(p.segments[0]!.rawWeights[35]).toBeCloseTo(71 / 72, 6);
    expect(triangularWeight(36, 72)).toBeCloseTo(71 / 72, 7);
  });

  it('a video no longer than T is one window of all frames', () => {
    const p = planChunks({ mode: 'repository', frameCount: 5, segmentLength: 16, overlap: 4 });
    expect(p.segments).toHaveLength(1);
    expect(p.segments[0]!.frames).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(p.segments[0]!.weights)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('every frame covered, weights sum to 1', () => {
  const configs: Array<[FusionMode, number, number]> = [
    ['paper', 16, 6],
    ['paper', 4, 1],
    ['paper', 8, 4],
    ['paper', 5, 0],
    ['paper', 16, 12],
    ['repository', 72, 6],
    ['repository', 16, 4],
    ['repository', 4, 1],
    ['repository', 3, 2],
  ];
  it.each(configs)('%s N=%i C=%i for lengths 1..500', (mode, N, C) => {
    for (let n = 1; n <= 500; n++) {
      const plan = planChunks({ mode, frameCount: n, segmentLength: N, overlap: C });
      const sum = coverage(plan);
      for (let f = 0; f < n; f++) {
        if (Math.abs(sum[f]! - 1) > 1e-5) throw new Error(`${mode} N=${N} C=${C} n=${n}: frame ${f} weight sum ${sum[f]}`);
      }
      for (const s of plan.segments) {
        if (s.frames.length > N) throw new Error(`segment longer than N at n=${n}`);
        if (s.frames.some((f) => f < 0 || f >= n)) throw new Error(`frame out of range at n=${n}`);
        if (mode === 'paper' && n >= N && s.frames.length !== N) throw new Error(`short paper segment at n=${n}`);
      }
    }
  });
});

describe('fuse', () => {
  it('fuses equal copies to the same value and blends different ones', () => {
    const plan = planChunks({ mode: 'paper', frameCount: 10, segmentLength: 4, overlap: 1 });
    expect(plan.segments.map((s) => s.frames)).toEqual([
      [0, 1, 2, 3],
      [3, 4, 5, 6],
      [6, 7, 8, 9],
    ]);
    const frameSize = 3;
    const all = Float32Array.from({ length: 30 }, (_, i) => i);
    const parts = plan.segments.map((s) => gatherSegment(all, s, frameSize));
    expect(Array.from(fuse(parts, plan, frameSize))).toEqual(Array.from(all));
    const ones = plan.segments.map((s, i) => new Float32Array(s.frames.length * frameSize).fill(i));
    const fused = fuse(ones, plan);
    expect(fused[3 * frameSize]).toBeCloseTo(0.5, 6); // frame 3: 1/2 of segment 1, 1/2 of segment 0
    expect(fused[6 * frameSize]).toBeCloseTo(1.5, 6);
    expect(fused[8 * frameSize]).toBe(2);
  });
});
