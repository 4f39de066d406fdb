/**
 * Colours for the parts of the body no reference frame showed (the back, when the person only
 * ever faced the camera): each body part's typical seen colour, or, where a part was not seen (and
 * on the head), spread over the mesh surface from the nearest parts that were, so the back of a
 * dress takes the dress's colours and the back of the legs the legs' colour, instead of one mean
 * colour for the whole body.
 */

/**
 * Vertices at the same rest position (the copies a UV seam makes) as one: the index of the first
 * vertex at each position.
 */
export function weldVertices(positions: Float32Array, precision = 1e-5): Int32Array {
  const n = positions.length / 3;
  const first = new Map<string, number>();
  const out = new Int32Array(n);
  const q = (x: number) => Math.round(x / precision);
  for (let v = 0; v < n; v++) {
    const key = `${q(positions[v * 3]!)} ${q(positions[v * 3 + 1]!)} ${q(positions[v * 3 + 2]!)}`;
    const f = first.get(key);
    if (f === undefined) first.set(key, v);
    out[v] = f ?? v;
  }
  return out;
}

/**
 * Each vertex's mirror image across the body's midplane (x at the middle of the mesh's x range,
 * the body's left and right at rest): the index of the vertex nearest its reflection within
 * `tolerance` (metres), or -1. The built-in mesh is exactly symmetric; an SMPL template is within
 * millimetres.
 */
export function mirrorVertices(positions: Float32Array, tolerance = 0.01): Int32Array {
  const n = positions.length / 3;
  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < n; v++) {
    minX = Math.min(minX, positions[v * 3]!);
    maxX = Math.max(maxX, positions[v * 3]!);
  }
  const mid = (minX + maxX) / 2;
  const cell = (x: number) => Math.floor(x / tolerance);
  const key = (i: number, j: number, k: number) => `${i} ${j} ${k}`;
  const grid = new Map<string, number[]>();
  for (let v = 0; v < n; v++) {
    const k = key(cell(positions[v * 3]!), cell(positions[v * 3 + 1]!), cell(positions[v * 3 + 2]!));
    (grid.get(k) ?? grid.set(k, []).get(k)!).push(v);
  }
  const out = new Int32Array(n).fill(-1);
  for (let v = 0; v < n; v++) {
    const x = 2 * mid - positions[v * 3]!;
    const y = positions[v * 3 + 1]!;
    const z = positions[v * 3 + 2]!;
    let best = tolerance * tolerance;
    for (let i = cell(x) - 1; i <= cell(x) + 1; i++) {
      for (let j = cell(y) - 1; j <= cell(y) + 1; j++) {
        for (let k = cell(z) - 1; k <= cell(z) + 1; k++) {
          for (const u of grid.get(key(i, j, k)) ?? []) {
            const d = (positions[u * 3]! - x) ** 2 + (positions[u * 3 + 1]! - y) ** 2 + (positions[u * 3 + 2]! - z) ** 2;
            if (d <= best) {
              best = d;
              out[v] = u;
            }
          }
        }
      }
    }
  }
  return out;
}

/**
 * Copies the colour (n × 3, in place) of each vertex's mirror image (see `mirrorVertices`) to the
 * vertices with `known[v] = 0` whose mirror image is known, and marks them known: a body, and most
 * clothes, look alike on the left and the right, so a side the reference never showed is better
 * guessed from the other side than from a part's average colour. Returns how many were copied.
 */
export function mirrorUnseenVertices(colours: Float32Array, known: Uint8Array, mirror: Int32Array): number {
  const copied: number[] = [];
  for (let v = 0; v < known.length; v++) {
    const m = mirror[v]!;
    if (known[v] || m < 0 || !known[m]) continue;
    colours.copyWithin(v * 3, m * 3, m * 3 + 3);
    copied.push(v);
  }
  for (const v of copied) known[v] = 1;
  return copied.length;
}

/**
 * Fills the colours (n × 3, in place) of the vertices with `seen[v] = 0`. With `parts`, an unseen
 * vertex whose body part was seen takes that part's typical colour: the per-channel median over
 * the part's seen vertices, of those seen with at least the part's median `confidence` when given.
 * The edge of what was seen is where views graze the surface, and mixes in the background and
 * whatever hangs at the person's side (a bag), so it makes a poor source for a whole side. Parts
 * in `ringParts` skip this: the head's seen face says nothing about the hair at its back. The
 * rest are filled from their known neighbours over the mesh's edges, ring by ring outward (each
 * new vertex the mean of its already known neighbours). Then `smoothing` passes of neighbour
 * averaging over the filled vertices only (seen ones never change) blend parts and rings into
 * each other. `weld` joins seam copies (see `weldVertices`). Vertices with no path to a seen one
 * take `fallback`. Returns how many were filled.
 */
export function fillUnseenVertices(
  colours: Float32Array,
  seen: Uint8Array,
  indices: Uint32Array,
  options: {
    weld?: Int32Array;
    smoothing?: number;
    fallback?: readonly [number, number, number];
    parts?: Uint8Array;
    confidence?: Float32Array;
    ringParts?: ReadonlySet<number>;
  } = {},
): number {
  const n = seen.length;
  if (colours.length !== n * 3) throw new RangeError(`colours must hold ${n} x 3 values; got ${colours.length}.`);
  const id = options.weld ?? Int32Array.from({ length: n }, (_, v) => v);
  // One node per welded vertex: a node is seen when any of its copies is; its colour is their mean.
  const known = new Uint8Array(n);
  const colour = new Float32Array(n * 3);
  const copies = new Uint16Array(n);
  for (let v = 0; v < n; v++) {
    if (!seen[v]) continue;
    const r = id[v]!;
    known[r] = 1;
    copies[r]!++;
    for (let c = 0; c < 3; c++) colour[r * 3 + c]! += colours[v * 3 + c]!;
  }
  for (let r = 0; r < n; r++) if (copies[r]! > 1) for (let c = 0; c < 3; c++) colour[r * 3 + c]! /= copies[r]!;
  // Node adjacency (CSR) from the triangles' edges.
  const degree = new Uint32Array(n + 1);
  const edges: Array<[number, number]> = [];
  for (let t = 0; t < indices.length; t += 3) {
    for (const [a, b] of [
      [indices[t]!, indices[t + 1]!],
      [indices[t + 1]!, indices[t + 2]!],
      [indices[t + 2]!, indices[t]!],
    ] as const) {
      const ra = id[a]!;
      const rb = id[b]!;
      if (ra === rb) continue;
      edges.push([ra, rb]);
      degree[ra]!++;
      degree[rb]!++;
    }
  }
  const start = new Uint32Array(n + 1);
  for (let r = 0; r < n; r++) start[r + 1] = start[r]! + degree[r]!;
  const adjacency = new Uint32Array(start[n]!);
  const fill = start.slice(0, n);
  for (const [a, b] of edges) {
    adjacency[fill[a]!++] = b;
    adjacency[fill[b]!++] = a;
  }
  const nodes = Array.from(new Set(id));
  const filled: number[] = [];
  if (options.parts) {
    const typical = typicalPartColours(colours, seen, options.parts, options.confidence);
    for (const r of nodes) {
      if (known[r]) continue;
      const part = options.parts[r]!;
      const c = typical.get(part);
      if (!c || options.ringParts?.has(part)) continue;
      colour.set(c, r * 3);
      known[r] = 1;
      filled.push(r);
    }
  }
  // Ring by ring outward from the seen surface.
  for (;;) {
    const ring: number[] = [];
    for (const r of nodes) {
      if (known[r]) continue;
      let count = 0;
      const sum = [0, 0, 0];
      for (let e = start[r]!; e < start[r + 1]!; e++) {
        const s = adjacency[e]!;
        if (known[s] !== 1) continue;
        count++;
        for (let c = 0; c < 3; c++) sum[c]! += colour[s * 3 + c]!;
      }
      if (count === 0) continue;
      for (let c = 0; c < 3; c++) colour[r * 3 + c] = sum[c]! / count;
      ring.push(r);
    }
    if (ring.length === 0) break;
    // Known only after the whole ring is computed, so the fill does not run ahead along one direction.
    for (const r of ring) known[r] = 1;
    filled.push(...ring);
  }
  // Smooth the filled region (the ring fill leaves the seams of a Voronoi diagram).
  const next = new Float32Array(3);
  for (let pass = 0; pass < (options.smoothing ?? 20); pass++) {
    for (const r of filled) {
      next.fill(0);
      let count = 0;
      for (let e = start[r]!; e < start[r + 1]!; e++) {
        const s = adjacency[e]!;
        if (!known[s]) continue;
        count++;
        for (let c = 0; c < 3; c++) next[c]! += colour[s * 3 + c]!;
      }
      if (count) for (let c = 0; c < 3; c++) colour[r * 3 + c] = 0.5 * colour[r * 3 + c]! + (0.5 * next[c]!) / count;
    }
  }
  const fallback = options.fallback ?? [0.5, 0.5, 0.5];
  let count = 0;
  for (let v = 0; v < n; v++) {
    if (seen[v]) continue;
    const r = id[v]!;
    for (let c = 0; c < 3; c++) colours[v * 3 + c] = known[r] ? colour[r * 3 + c]! : fallback[c]!;
    if (known[r]) count++;
  }
  return count;
}

/** Seen vertices a part needs before its median stands for it. */
const MIN_PART_SAMPLES = 8;

/** The seen vertices of each body part. */
function seenByPart(seen: Uint8Array, parts: Uint8Array): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let v = 0; v < seen.length; v++) if (seen[v]) (out.get(parts[v]!) ?? out.set(parts[v]!, []).get(parts[v]!)!).push(v);
  return out;
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Per body part, the per-channel median colour of its seen vertices (those at or above the part's
 * median confidence, when given); parts with fewer than MIN_PART_SAMPLES seen vertices are absent.
 */
export function typicalPartColours(colours: Float32Array, seen: Uint8Array, parts: Uint8Array, confidence?: Float32Array): Map<number, [number, number, number]> {
  const out = new Map<number, [number, number, number]>();
  for (const [p, all] of seenByPart(seen, parts)) {
    if (all.length < MIN_PART_SAMPLES) continue;
    const floor = confidence ? median(all.map((v) => confidence[v]!)) : -Infinity;
    const vs = all.filter((v) => !confidence || confidence[v]! >= floor);
    out.set(p, [0, 1, 2].map((c) => median(vs.map((v) => colours[v * 3 + c]!))) as [number, number, number]);
  }
  return out;
}

/**
 * Per vertex, how far to trust the colour the views gave it, in [0, 1]: its gathered weight
 * (`confidence`) over `share` × the median weight of its body part's seen vertices, capped at 1;
 * 0 where nothing was seen. A vertex seen only at a grazing angle, or only at the edge of the
 * person mask, has a small weight and takes mostly the fill colour instead.
 */
export function texelTrust(confidence: Float32Array, seen: Uint8Array, parts: Uint8Array, share = 0.25): Float32Array {
  const floor = new Map<number, number>();
  for (const [p, vs] of seenByPart(seen, parts)) floor.set(p, Math.max(1e-12, share * median(vs.map((v) => confidence[v]!))));
  return Float32Array.from(seen, (s, v) => (s ? Math.min(1, confidence[v]! / floor.get(parts[v]!)!) : 0));
}
