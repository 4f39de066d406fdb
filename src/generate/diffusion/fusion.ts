/**
 * Chunk planning and progressive latent fusion for videos longer than one UNet call (MimicMotion).
 * Pure functions: a plan lists the segments (which frames each UNet call sees) and the weight of
 * every segment's copy of every frame; `fuse` blends per-segment arrays with those weights.
 *
 * Two modes (REFERENCES.md):
 *
 * - 'paper' (Algorithm 1, read as a symmetric blend): segments of N frames overlapping by C,
 *   starting every N-C frames; the last segment is aligned to the end of the video, which makes
 *   its overlap L with the previous segment ≥ C. In an overlap of length L, frame k (k = 1..L,
 *   counted from the later segment's first frame) takes k/(L+1) of the later segment and
 *   (L+1-k)/(L+1) of the earlier one; frames covered once take weight 1. Put per segment: a ramp
 *   (p+1)/(L_in+1) over its first L_in frames and (N-p)/(L_out+1) over its last L_out frames.
 *   Where a frame lies in three segments (2C > N, or an end-aligned last segment that reaches
 *   back past its predecessor's predecessor) the same ramps are divided by their per-frame sum;
 *   everywhere else that sum is already 1 and the plan is exactly Algorithm 1.
 *
 * - 'repository' (Tencent/MimicMotion's pipeline): windows of T frames, starting every T-overlap
 *   frames, each window being [0, i+1, ..., i+T-1]: frame 0 is in every window (MimicMotion
 *   prepends the reference image with its own pose as frame 0, so every window sees the
 *   reference; the caller drops it after denoising). When the windows stop short of the end, one
 *   more window [0, n-T+1, ..., n-1] is added. Window position k gets the triangular weight
 *   w_k = min(2(k+0.5)/T, 2 - 2(k+0.5)/T), so frame 0 always gets w_0 = 1/T; the weights of each
 *   frame are divided by their sum over windows. With n ≤ T there is one window of all n frames.
 *   Note that consecutive windows share overlap-1 frames besides frame 0 (the window's first
 *   slot is taken by frame 0).
 *
 * Fusing model outputs (the repository) and fusing the latents after the sampler step (the paper)
 * give the same result: an Euler step is affine in the model output with coefficients that depend
 * only on σ and the shared current latent, and each frame's weights sum to 1.
 */

/** Which fusion scheme. */
export type FusionMode = 'paper' | 'repository';

/** One UNet call's frames and the weight of its copy of each. */
export interface FusionSegment {
  /** Global frame indices in the order the segment feeds them to the UNet. */
  frames: number[];
  /** Normalised weight of this segment's copy of `frames[k]`; over all segments each frame's weights sum to 1. */
  weights: Float32Array;
  /** Unnormalised weights as the scheme defines them (triangular w_k in 'repository' mode). */
  rawWeights: Float32Array;
}

/** A chunk plan over `frameCount` frames. */
export interface FusionPlan {
  mode: FusionMode;
  frameCount: number;
  /** Frames per segment requested (N or T); segments of a short video are shorter. */
  segmentLength: number;
  /** Requested overlap (C or tile overlap). */
  overlap: number;
  segments: FusionSegment[];
}

/** Options of `planChunks`. */
export interface ChunkPlanOptions {
  mode: FusionMode;
  /** Number of frames to cover, ≥ 1. */
  frameCount: number;
  /** Frames per UNet call (N or T), ≥ 1. */
  segmentLength: number;
  /** Frames shared by neighbouring segments, 0 ≤ overlap < segmentLength. */
  overlap: number;
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}; got ${v}.`);
}

/** Builds the segment plan for either mode; see the module comment for the rules. */
export function planChunks(options: ChunkPlanOptions): FusionPlan {
  const { mode, frameCount: n, segmentLength: N, overlap: C } = options;
  checkInt('frameCount', n, 1);
  checkInt('segmentLength', N, 1);
  checkInt('overlap', C, 0);
  if (C >= N) throw new RangeError(`overlap (${C}) must be smaller than segmentLength (${N}).`);
  const segments = mode === 'paper' ? paperSegments(n, N, C) : mode === 'repository' ? repositorySegments(n, N, C) : null;
  if (!segments) throw new RangeError(`mode must be 'paper' or 'repository'; got ${String(mode)}.`);
  return { mode, frameCount: n, segmentLength: N, overlap: C, segments };
}

function range(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}

function paperSegments(n: number, N: number, C: number): FusionSegment[] {
  if (n <= N) return [single(range(0, n))];
  const stride = N - C;
  const starts = [0];
  while (starts[starts.length - 1]! + N < n) {
    const next = starts[starts.length - 1]! + stride;
    starts.push(next + N > n ? n - N : next);
  }
  const m = starts.length;
  const segs = starts.map((s, i) => {
    const lin = i > 0 ? starts[i - 1]! + N - s : 0; // overlap with the previous segment
    const lout = i + 1 < m ? s + N - starts[i + 1]! : 0; // overlap with the next one
    const raw = new Float32Array(N);
    for (let p = 0; p < N; p++) {
      let w = 1;
      if (p < lin) w = Math.min(w, (p + 1) / (lin + 1));
      if (p >= N - lout) w = Math.min(w, (N - p) / (lout + 1));
      raw[p] = w;
    }
    return { frames: range(s, s + N), weights: new Float32Array(N), rawWeights: raw };
  });
  normalise(segs, n);
  return segs;
}

/** weights = rawWeights divided by each frame's sum over segments. */
function normalise(segs: FusionSegment[], n: number): void {
  const total = new Float64Array(n);
  for (const s of segs) s.frames.forEach((f, k) => (total[f]! += s.rawWeights[k]!));
  for (const s of segs) s.frames.forEach((f, k) => (s.weights[k] = s.rawWeights[k]! / total[f]!));
}

function single(frames: number[]): FusionSegment {
  return { frames, weights: new Float32Array(frames.length).fill(1), rawWeights: new Float32Array(frames.length).fill(1) };
}

/** Triangular weight of window position k of T. */
export function triangularWeight(k: number, T: number): number {
  const w = (2 * (k + 0.5)) / T;
  return Math.min(w, 2 - w);
}

function repositorySegments(n: number, T: number, overlap: number): FusionSegment[] {
  if (n <= T) {
    const seg = single(range(0, n));
    for (let k = 0; k < n; k++) seg.rawWeights[k] = triangularWeight(k, n);
    return [seg];
  }
  const windows: number[][] = [];
  for (let i = 0; i <= n - T; i += T - overlap) windows.push([0, ...range(i + 1, Math.min(i + T, n))]);
  const lastWindow = windows[windows.length - 1]!;
  if (lastWindow[lastWindow.length - 1]! < n - 1) windows.push([0, ...range(n - T + 1, n)]);
  const segs = windows.map((frames) => ({
    frames,
    weights: new Float32Array(frames.length),
    rawWeights: Float32Array.from(frames, (_, k) => triangularWeight(k, T)),
  }));
  normalise(segs, n);
  return segs;
}

/** Per frame, the sum of its normalised weights over the segments (1 everywhere for a valid plan). */
export function coverage(plan: FusionPlan): Float64Array {
  const sum = new Float64Array(plan.frameCount);
  for (const s of plan.segments) s.frames.forEach((f, k) => (sum[f]! += s.weights[k]!));
  return sum;
}

/**
 * Adds `weights[k] · segmentData[k]` into `out[frames[k]]` for every position k of `segment`.
 * `segmentData`: [frames.length × frameSize]; `out`: [frameCount × frameSize], row-major by frame.
 */
export function accumulateSegment(out: Float32Array, segmentData: Float32Array, segment: FusionSegment, frameSize: number): void {
  if (segmentData.length !== segment.frames.length * frameSize) {
    throw new RangeError(`segment data has ${segmentData.length} values; expected ${segment.frames.length} frames × ${frameSize}.`);
  }
  segment.frames.forEach((f, k) => {
    const w = segment.weights[k]!;
    const src = k * frameSize;
    const dst = f * frameSize;
    for (let i = 0; i < frameSize; i++) out[dst + i]! += w * segmentData[src + i]!;
  });
}

/**
 * Fuses per-segment arrays (segment s: [plan.segments[s].frames.length × frameSize]) into one
 * [frameCount × frameSize] array with the plan's weights. `frameSize` defaults to the size implied
 * by the first segment.
 */
export function fuse(latentsPerSegment: readonly Float32Array[], plan: FusionPlan, frameSize?: number, out?: Float32Array): Float32Array {
  if (latentsPerSegment.length !== plan.segments.length) {
    throw new RangeError(`fuse got ${latentsPerSegment.length} segments; the plan has ${plan.segments.length}.`);
  }
  const size = frameSize ?? latentsPerSegment[0]!.length / plan.segments[0]!.frames.length;
  const result = out ?? new Float32Array(plan.frameCount * size);
  result.fill(0);
  plan.segments.forEach((s, i) => accumulateSegment(result, latentsPerSegment[i]!, s, size));
  return result;
}

/** Copies frames `segment.frames` of `all` ([frameCount × frameSize]) into one contiguous array. */
export function gatherSegment(all: Float32Array, segment: FusionSegment, frameSize: number, out = new Float32Array(segment.frames.length * frameSize)): Float32Array {
  segment.frames.forEach((f, k) => out.set(all.subarray(f * frameSize, (f + 1) * frameSize), k * frameSize));
  return out;
}
