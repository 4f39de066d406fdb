/**
 * Scene completion: fills a hole in an image with patches of the image's own known pixels, so that
 * texture and structure (stripes, a floor line, wall panels, grass) continue into it instead of
 * fading into a blur. Written from the descriptions of Wexler, Shechtman and Irani ("Space-Time
 * Completion of Video", 2007: completion as an EM over patches, coarse to fine) with Barnes et
 * al.'s PatchMatch (2009) as the nearest-neighbour search:
 *
 * 1. A pyramid: a coarse pixel is hole when any of its children is, and source when all are.
 * 2. At the coarsest level the hole starts from an onion peel: from its edge inward, each pixel
 *    takes the centre of the source patch most like the known pixels around it (a smooth start
 *    would pull the EM towards flat patches).
 * 3. At each level, a few EM steps: every patch that overlaps the hole finds its most similar
 *    patch wholly inside the source (PatchMatch: propagation from the neighbours' matches, then a
 *    random search at halving radii), then every hole pixel becomes the similarity-weighted mean
 *    of what the patches covering it say it is.
 * 4. The matches go up a level (doubled) and start the next level's first vote.
 *
 * Source patches come only from `source` pixels, so the caller decides what may be copied (no
 * person, no pixel near the hole's edge where a mask's fringe or a shadow lingers). The random
 * search is seeded: the same input gives the same output.
 *
 * Cost: per EM step about (3 + log2(size)) patch distances per target pixel, each ≤ patch² × 3
 * products with early exit; a person-sized hole at 720p takes about a second on one core.
 * GPU notes: the vote is a per-pixel pass; jump-flood style PatchMatch variants run the search
 * per pixel in parallel too.
 */
export interface CompletionOptions {
  /** Patch side in pixels (odd). */
  readonly patch: number;
  /** EM steps at the coarsest level; finer levels take fewer, down to `finestIterations`. */
  readonly iterations: number;
  readonly finestIterations: number;
  /** Stop going coarser once the hole's longer side is at most this many patches. */
  readonly coarsest: number;
  /** Holes of fewer pixels are left to the smooth fill (nothing to continue in so small a hole). */
  readonly minPixels: number;
  /**
   * Locality: a source patch as far from its target as the hole is long costs as much as this mean
   * squared difference per value (grey levels²), farther ones quadratically more: the scene near
   * the hole (the wall above, the floor below) is preferred to a lookalike across the frame.
   */
  readonly locality: number;
  /** Seed of the random search. */
  readonly seed: number;
}

export const COMPLETION_DEFAULTS: CompletionOptions = Object.freeze({ patch: 7, iterations: 6, finestIterations: 2, coarsest: 4, minPixels: 24, locality: 25, seed: 0x5eed });

/** What `completeHole` did, for tests and tuning. */
export interface CompletionStats {
  /** Pyramid levels used (1 = the image alone). */
  levels: number;
  /** Hole pixels filled. */
  pixels: number;
  /** Patch distances computed, over all levels and steps. */
  distances: number;
}

interface Level {
  w: number;
  h: number;
  /** RGB, interleaved; hole pixels hold the current estimate. */
  rgb: Float32Array;
  hole: Uint8Array;
  source: Uint8Array;
}

/**
 * Fills, in place, the pixels of `rgb` (width × height × 3 floats) where `hole` is non-zero with
 * patches made of pixels where `source` is non-zero (pixels that are neither are known context:
 * matched against, never copied). Returns the statistics, or null when nothing was done (no hole,
 * fewer than `minPixels` hole pixels, or no whole source patch): the caller then falls back to a
 * smooth fill.
 */
export function completeHole(rgb: Float32Array, width: number, height: number, hole: Uint8Array, source: Uint8Array, options: Partial<CompletionOptions> = {}): CompletionStats | null {
  const o = { ...COMPLETION_DEFAULTS, ...options };
  if (!(o.patch >= 3 && o.patch % 2 === 1)) throw new RangeError(`options.patch must be an odd integer >= 3; got ${o.patch}.`);
  if (rgb.length !== width * height * 3 || hole.length !== width * height || source.length !== width * height) {
    throw new RangeError(`rgb must hold width x height x 3 values and hole, source width x height for ${width}x${height}.`);
  }
  let pixels = 0;
  let hx0 = width;
  let hy0 = height;
  let hx1 = -1;
  let hy1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!hole[y * width + x]) continue;
      pixels++;
      if (x < hx0) hx0 = x;
      if (x > hx1) hx1 = x;
      if (y < hy0) hy0 = y;
      if (y > hy1) hy1 = y;
    }
  }
  if (pixels < o.minPixels || width < o.patch || height < o.patch) return null;

  // 1. The pyramid, as deep as the hole needs and the source allows.
  const levels: Level[] = [{ w: width, h: height, rgb, hole: Uint8Array.from(hole, (v) => (v ? 1 : 0)), source: Uint8Array.from(source, (v, i) => (v && !hole[i] ? 1 : 0)) }];
  const side0 = Math.max(hx1 - hx0 + 1, hy1 - hy0 + 1);
  let holeSide = side0;
  let holePixels = pixels;
  while (holeSide > o.coarsest * o.patch) {
    const next = downsample(levels[levels.length - 1]!);
    holePixels = Math.ceil(holePixels / 4);
    // A level with less source than hole has too little to match against: stop above it.
    if (Math.min(next.w, next.h) < 2 * o.patch || sourceCentres(next, o.patch >> 1).length < Math.max(16, holePixels)) break;
    levels.push(next);
    holeSide = Math.ceil(holeSide / 2);
  }
  const top = levels[levels.length - 1]!;
  const topCentres = sourceCentres(top, o.patch >> 1);
  if (topCentres.length === 0) return null;

  // 2. The coarsest level starts from an onion peel: ring by ring from the hole's edge inward,
  // each pixel takes the centre of the source patch that best matches what is known around it.
  const rng = mulberry32(o.seed);
  const nearness = (l: number): number => o.locality / Math.max(o.patch, Math.ceil(side0 / 2 ** l)) ** 2;
  onionPeel(top, o.patch >> 1, topCentres, rng, nearness(levels.length - 1));

  // 3-4. EM steps, coarse to fine.
  const stats: CompletionStats = { levels: levels.length, pixels, distances: 0 };
  let prev: { level: Level; nnf: Int32Array } | null = null;
  for (let l = levels.length - 1; l >= 0; l--) {
    const level = levels[l]!;
    const steps = levels.length === 1 ? o.iterations : Math.round(o.finestIterations + ((o.iterations - o.finestIterations) * l) / (levels.length - 1));
    const matcher = new Matcher(level, o.patch, rng, stats, nearness(l));
    if (prev) {
      upsampleHole(prev.level, level);
      matcher.inherit(prev.level, prev.nnf);
      matcher.vote();
    } else {
      matcher.randomise();
    }
    for (let s = 0; s < steps; s++) {
      matcher.search(2);
      matcher.vote();
    }
    prev = { level, nnf: matcher.nnf };
  }
  return stats;
}

/** The next coarser level: a hole where any child is hole, a source where all children are; colour the mean of the non-hole children. */
function downsample(src: Level): Level {
  const w = (src.w + 1) >> 1;
  const h = (src.h + 1) >> 1;
  const rgb = new Float32Array(w * h * 3);
  const hole = new Uint8Array(w * h);
  const source = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let n = 0;
      let anyHole = 0;
      let allSource = 1;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < 2; j++) {
        for (let i = 0; i < 2; i++) {
          const sx = 2 * x + i;
          const sy = 2 * y + j;
          if (sx >= src.w || sy >= src.h) {
            allSource = 0;
            continue;
          }
          const p = sy * src.w + sx;
          if (src.hole[p]) {
            anyHole = 1;
            allSource = 0;
            continue;
          }
          if (!src.source[p]) allSource = 0;
          n++;
          r += src.rgb[3 * p]!;
          g += src.rgb[3 * p + 1]!;
          b += src.rgb[3 * p + 2]!;
        }
      }
      const q = y * w + x;
      hole[q] = anyHole;
      source[q] = allSource;
      if (n > 0) {
        rgb[3 * q] = r / n;
        rgb[3 * q + 1] = g / n;
        rgb[3 * q + 2] = b / n;
      }
    }
  }
  return { w, h, rgb, hole, source };
}

/** Most source patches compared per pixel by the onion peel (a random subset beyond that, plus the neighbours' matches shifted). */
const PEEL_CANDIDATES = 2000;

/**
 * Fills the hole of `level` ring by ring from its edge inward: each pixel of a ring takes the
 * centre colour of the source patch whose known pixels (outside the hole, or filled by earlier
 * rings) differ least from the pixel's surroundings, compared per known value.
 */
function onionPeel(level: Level, r: number, centres: Int32Array, rng: () => number, near: number): void {
  const { w, h, rgb, hole } = level;
  const known = Uint8Array.from(hole, (v) => 1 - v);
  const from = new Int32Array(w * h).fill(-1);
  const pick =
    centres.length <= PEEL_CANDIDATES ? centres : Int32Array.from({ length: PEEL_CANDIDATES }, () => centres[Math.floor(rng() * centres.length)]!);
  const valid = new Uint8Array(w * h);
  for (const c of centres) valid[c] = 1;
  let ring: number[] = [];
  for (let p = 0; p < w * h; p++) if (hole[p] && touchesKnown(known, w, h, p)) ring.push(p);
  while (ring.length > 0) {
    for (const p of ring) {
      const px = p % w;
      const py = (p - px) / w;
      let best = Infinity;
      let bs = -1;
      const tryCentre = (s: number): void => {
        const sx = s % w;
        const sy = (s - sx) / w;
        let d = 0;
        let n = 0;
        for (let dy = -r; dy <= r; dy++) {
          const ty = py + dy;
          if (ty < 0 || ty >= h) continue;
          for (let dx = -r; dx <= r; dx++) {
            const tx = px + dx;
            if (tx < 0 || tx >= w) continue;
            const t = ty * w + tx;
            if (!known[t]) continue;
            const q = (sy + dy) * w + sx + dx;
            for (let c = 0; c < 3; c++) {
              const e = rgb[3 * t + c]! - rgb[3 * q + c]!;
              d += e * e;
            }
            n++;
          }
        }
        const cost = n > 0 ? d / n + near * ((sx - px) ** 2 + (sy - py) ** 2) : Infinity;
        if (cost < best) {
          best = cost;
          bs = s;
        }
      };
      for (const s of pick) tryCentre(s);
      // The known neighbours' sources, shifted: continues a structure they matched.
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          const ny = py + dy;
          if ((dx === 0 && dy === 0) || nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const f = from[ny * w + nx]!;
          if (f < 0) continue;
          const cand = f - dy * w - dx;
          if (cand >= 0 && cand < w * h && valid[cand]) tryCentre(cand);
        }
      }
      if (bs < 0) continue;
      from[p] = bs;
      rgb[3 * p] = rgb[3 * bs]!;
      rgb[3 * p + 1] = rgb[3 * bs + 1]!;
      rgb[3 * p + 2] = rgb[3 * bs + 2]!;
    }
    for (const p of ring) known[p] = 1;
    const next: number[] = [];
    for (const p of ring) {
      for (const q of neighbours(p, w, h)) {
        if (!known[q] && hole[q]) {
          known[q] = 2; // queued
          next.push(q);
        }
      }
    }
    for (const q of next) known[q] = 0;
    ring = next;
  }
}

function touchesKnown(known: Uint8Array, w: number, h: number, p: number): boolean {
  return neighbours(p, w, h).some((q) => known[q]);
}

/** The up to 8 pixels around pixel `p` of a w × h image. */
function neighbours(p: number, w: number, h: number): number[] {
  const x = p % w;
  const y = (p - x) / w;
  const out: number[] = [];
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const nx = x + dx;
      const ny = y + dy;
      if ((dx || dy) && nx >= 0 && ny >= 0 && nx < w && ny < h) out.push(ny * w + nx);
    }
  }
  return out;
}

/** Hole pixels of `fine` start from the coarser level's colour beneath them (the first vote then measures its matches against something sensible). */
function upsampleHole(coarse: Level, fine: Level): void {
  for (let y = 0; y < fine.h; y++) {
    for (let x = 0; x < fine.w; x++) {
      const p = y * fine.w + x;
      if (!fine.hole[p]) continue;
      const q = Math.min(coarse.h - 1, y >> 1) * coarse.w + Math.min(coarse.w - 1, x >> 1);
      fine.rgb[3 * p] = coarse.rgb[3 * q]!;
      fine.rgb[3 * p + 1] = coarse.rgb[3 * q + 1]!;
      fine.rgb[3 * p + 2] = coarse.rgb[3 * q + 2]!;
    }
  }
}

/** Centres (pixel indexes) of the patches of radius `r` that lie wholly inside the level and its source. */
function sourceCentres(level: Level, r: number): Int32Array {
  const { w, h, source } = level;
  // Summed area of non-source pixels.
  const sum = new Int32Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += source[y * w + x] ? 0 : 1;
      sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1]! + row;
    }
  }
  const out: number[] = [];
  for (let y = r; y < h - r; y++) {
    for (let x = r; x < w - r; x++) {
      const a = (y - r) * (w + 1) + (x - r);
      const b = (y + r + 1) * (w + 1) + (x + r + 1);
      const bad = sum[b]! - sum[(y - r) * (w + 1) + x + r + 1]! - sum[(y + r + 1) * (w + 1) + x - r]! + sum[a]!;
      if (bad === 0) out.push(y * w + x);
    }
  }
  return Int32Array.from(out);
}

/** The nearest-neighbour field of one level and the EM steps over it. */
class Matcher {
  /** Per pixel: the source centre its patch matches, or -1 when the pixel is not a target centre. */
  readonly nnf: Int32Array;
  private readonly dist: Float32Array;
  /** Target centres in scan order: patches (wholly inside the level) that overlap the hole. */
  private readonly targets: Int32Array;
  private readonly valid: Uint8Array;
  private readonly centres: Int32Array;
  private readonly r: number;

  constructor(
    private readonly level: Level,
    patch: number,
    private readonly rng: () => number,
    private readonly stats: CompletionStats,
    /** Locality cost per squared pixel of offset, per value (see `CompletionOptions.locality`). */
    private readonly near: number,
  ) {
    const { w, h, hole } = level;
    const r = patch >> 1;
    this.r = r;
    this.centres = sourceCentres(level, r);
    this.valid = new Uint8Array(w * h);
    for (const c of this.centres) this.valid[c] = 1;
    // A hole pixel is covered by the centres within r of it, clamped to the patches that fit.
    const isTarget = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (!hole[y * w + x]) continue;
        const cx0 = Math.min(Math.max(x - r, r), w - 1 - r);
        const cx1 = Math.min(Math.max(x + r, r), w - 1 - r);
        const cy0 = Math.min(Math.max(y - r, r), h - 1 - r);
        const cy1 = Math.min(Math.max(y + r, r), h - 1 - r);
        for (let cy = cy0; cy <= cy1; cy++) isTarget.fill(1, cy * w + cx0, cy * w + cx1 + 1);
      }
    }
    const targets: number[] = [];
    for (let p = 0; p < w * h; p++) if (isTarget[p]) targets.push(p);
    this.targets = Int32Array.from(targets);
    this.nnf = new Int32Array(w * h).fill(-1);
    this.dist = new Float32Array(w * h);
  }

  /** Every target starts at a random source patch. */
  randomise(): void {
    const { centres, nnf, dist, rng } = this;
    for (const t of this.targets) {
      const s = centres[Math.floor(rng() * centres.length)]!;
      nnf[t] = s;
      dist[t] = this.distance(t, s, Infinity);
    }
  }

  /** Starts from a coarser level's field, each match doubled (a random one where that lands off the source). */
  inherit(coarse: Level, coarseNnf: Int32Array): void {
    const { w } = this.level;
    const cw = coarse.w;
    const { nnf, dist, valid, centres, rng } = this;
    for (const t of this.targets) {
      const x = t % w;
      const y = (t - x) / w;
      const c = coarseNnf[Math.min(coarse.h - 1, y >> 1) * cw + Math.min(cw - 1, x >> 1)]!;
      let s = -1;
      if (c >= 0) {
        const sx = 2 * (c % cw) + (x & 1);
        const sy = 2 * Math.floor(c / cw) + (y & 1);
        const cand = sy * w + sx;
        if (sx < w && sy < this.level.h && valid[cand]) s = cand;
      }
      if (s < 0) s = centres[Math.floor(rng() * centres.length)]!;
      nnf[t] = s;
      dist[t] = this.distance(t, s, Infinity);
    }
  }

  /** PatchMatch: `passes` sweeps of propagation and random search, alternating direction. */
  search(passes: number): void {
    const { w, h } = this.level;
    const { targets, nnf, dist, valid, rng } = this;
    const maxRadius = Math.max(w, h);
    for (let pass = 0; pass < passes; pass++) {
      const forward = pass % 2 === 0;
      const step = forward ? 1 : -1;
      for (let k = 0; k < targets.length; k++) {
        const t = targets[forward ? k : targets.length - 1 - k]!;
        let best = dist[t]!;
        let bs = nnf[t]!;
        // Propagation: the neighbours' (already visited) matches, shifted by one.
        for (const d of [step, step * w]) {
          const n = nnf[t - d];
          if (n === undefined || n < 0) continue;
          const cand = n + d;
          if (cand < 0 || cand >= w * h || !valid[cand] || cand === bs) continue;
          // A horizontal shift must stay on the row.
          if (d === step && Math.abs((cand % w) - (n % w)) !== 1) continue;
          const dd = this.distance(t, cand, best);
          if (dd < best) {
            best = dd;
            bs = cand;
          }
        }
        // Random search around the best match at halving radii.
        const bx = bs % w;
        const by = (bs - bx) / w;
        for (let radius = maxRadius; radius >= 1; radius >>= 1) {
          const sx = Math.min(w - 1, Math.max(0, bx + Math.round((2 * rng() - 1) * radius)));
          const sy = Math.min(h - 1, Math.max(0, by + Math.round((2 * rng() - 1) * radius)));
          const cand = sy * w + sx;
          if (!valid[cand] || cand === bs) continue;
          const dd = this.distance(t, cand, best);
          if (dd < best) {
            best = dd;
            bs = cand;
          }
        }
        nnf[t] = bs;
        dist[t] = best;
      }
    }
  }

  /**
   * Every hole pixel becomes the weighted mean of the colours that the matches of the patches
   * covering it give it; a match weighs exp(−d / 2σ²), d its mean squared difference per value and
   * σ² the median of d over the targets (a patch that fits badly says little).
   */
  vote(): void {
    const { w, rgb, hole } = this.level;
    const { targets, nnf, dist, r } = this;
    const side = 2 * r + 1;
    const per = 3 * side * side;
    const sorted = Float32Array.from(targets, (t) => dist[t]! / per).sort();
    const sigma2 = Math.max(1, sorted[sorted.length >> 1] ?? 1);
    const acc = new Float32Array(rgb.length);
    const sum = new Float32Array(w * this.level.h);
    for (const t of targets) {
      const s = nnf[t]!;
      const wt = Math.exp(-dist[t]! / per / (2 * sigma2));
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const p = t + dy * w + dx;
          if (!hole[p]) continue;
          const q = s + dy * w + dx;
          acc[3 * p]! += wt * rgb[3 * q]!;
          acc[3 * p + 1]! += wt * rgb[3 * q + 1]!;
          acc[3 * p + 2]! += wt * rgb[3 * q + 2]!;
          sum[p]! += wt;
        }
      }
    }
    for (let p = 0; p < sum.length; p++) {
      const s = sum[p]!;
      if (!hole[p] || !(s > 0)) continue;
      rgb[3 * p] = acc[3 * p]! / s;
      rgb[3 * p + 1] = acc[3 * p + 1]! / s;
      rgb[3 * p + 2] = acc[3 * p + 2]! / s;
    }
  }

  /** Sum of squared differences between the patches at target `t` and source `s`, plus the locality cost; stops once past `limit`. */
  private distance(t: number, s: number, limit: number): number {
    this.stats.distances++;
    const { w, rgb } = this.level;
    const r = this.r;
    const rowLength = 3 * (2 * r + 1);
    const tx = t % w;
    const sx = s % w;
    const dy0 = (t - tx) / w - (s - sx) / w;
    let d = this.near * rowLength * (2 * r + 1) * ((tx - sx) ** 2 + dy0 ** 2);
    for (let dy = -r; dy <= r; dy++) {
      const ti = 3 * (t + dy * w - r);
      const si = 3 * (s + dy * w - r);
      for (let k = 0; k < rowLength; k++) {
        const e = rgb[ti + k]! - rgb[si + k]!;
        d += e * e;
      }
      if (d >= limit) return d;
    }
    return d;
  }
}

/** A small seeded generator of uniform numbers in [0, 1) (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
