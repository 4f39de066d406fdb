/**
 * Clean edges for the layer beyond the mesh (outside.ts): the person mask outside the fitted
 * mesh's silhouette is mostly hair and loose clothes, but also crumbs: specks where the coarse mask
 * took in a bit of background beside a hand or a boot, slivers where the mesh is a little narrower
 * than the person (between the legs, along a dress's edge). Carried into the new pose they show as
 * dark specks and thin skin-coloured strips. A piece of the layer (a connected part) is kept only
 * if it is both
 *
 * - big enough: at least `minArea` pixels, and
 * - thick somewhere: some pixel has the whole disc of radius `coreRadius` around it in the layer
 *   (survives an erosion by that disc).
 *
 * The second rule is a morphological opening by reconstruction: unlike a plain opening it keeps a
 * kept piece whole, so a finger or a hair strand attached to a hand or a head stays, while a strip
 * that is thin all along goes. Both limits are in pixels; the engine makes them shares of the
 * person's height in the image (config.ts `layer.minPiece`, `layer.minCore`), so the same scene
 * filmed twice as large makes the same decisions. Deterministic: no randomness, no order effects.
 */

/** Disjoint sets over 0..n-1 with path halving; the root of a set is its smallest member. */
class Sets {
  readonly parent: Int32Array;

  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }

  find(i: number): number {
    const p = this.parent;
    while (p[i] !== i) {
      p[i] = p[p[i]!]!;
      i = p[i]!;
    }
    return i;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}

/** The limits a piece must meet to be kept, pixels. */
export interface PieceLimits {
  /** Pieces of fewer pixels go. 0: no area limit. */
  minArea: number;
  /** Pieces with no pixel whose disc of this radius lies wholly in the mask go. 0: no thickness limit. */
  coreRadius: number;
}

/**
 * The mask eroded by a disc of `radius` pixels (Euclidean; pixels beyond the image count as
 * outside): a pixel stays where every pixel within `radius` of it is set.
 */
export function erodeDisc(mask: ArrayLike<number>, width: number, height: number, radius: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const r = Math.floor(radius);
  // Disc rows: for dy in [-r, r], the half width of the disc.
  const half = Array.from({ length: 2 * r + 1 }, (_, i) => Math.floor(Math.sqrt(Math.max(0, radius * radius - (i - r) ** 2))));
  // Per row, the run of set pixels ending at each pixel (from the left) and starting there (to the right).
  const left = new Int32Array(width * height);
  const right = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    let run = 0;
    for (let x = 0; x < width; x++) left[y * width + x] = run = mask[y * width + x] ? run + 1 : 0;
    run = 0;
    for (let x = width - 1; x >= 0; x--) right[y * width + x] = run = mask[y * width + x] ? run + 1 : 0;
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      let ok = y - r >= 0 && y + r < height;
      for (let i = 0; ok && i <= 2 * r; i++) {
        const row = (y + i - r) * width + x;
        ok = left[row]! > half[i]! && right[row]! > half[i]!;
      }
      if (ok) out[y * width + x] = 1;
    }
  }
  return out;
}

/**
 * The mask with the pieces (8-connected) that fail `limits` removed (see the module comment):
 * set pixels become 1, the rest 0.
 */
export function cleanMask(mask: ArrayLike<number>, width: number, height: number, limits: PieceLimits): Uint8Array {
  const n = width * height;
  const sets = new Sets(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      if (x > 0 && mask[i - 1]) sets.union(i, i - 1);
      if (y > 0) {
        if (mask[i - width]) sets.union(i, i - width);
        if (x > 0 && mask[i - width - 1]) sets.union(i, i - width - 1);
        if (x + 1 < width && mask[i - width + 1]) sets.union(i, i - width + 1);
      }
    }
  }
  const core = limits.coreRadius > 0 ? erodeDisc(mask, width, height, limits.coreRadius) : null;
  const area = new Int32Array(n);
  const thick = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    const root = sets.find(i);
    area[root]!++;
    if (!core || core[i]) thick[root] = 1;
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    const root = sets.find(i);
    if (area[root]! >= limits.minArea && thick[root]) out[i] = 1;
  }
  return out;
}

/**
 * The triangles of a mesh whose pieces (triangles joined by shared vertices) meet the limits:
 * at least `minTriangles` triangles, and (with `core`) at least one vertex for which `core` is
 * true. The warped grid of the layer tears where neighbours moved apart, so its pieces are only
 * known after warping: this is the same rule as `cleanMask`, counted in triangles.
 */
export function cleanTriangles(indices: ArrayLike<number>, vertexCount: number, minTriangles: number, core?: (vertex: number) => boolean): Uint32Array {
  const sets = new Sets(vertexCount);
  for (let t = 0; t + 2 < indices.length; t += 3) {
    sets.union(indices[t]!, indices[t + 1]!);
    sets.union(indices[t]!, indices[t + 2]!);
  }
  const count = new Int32Array(vertexCount);
  const thick = new Uint8Array(vertexCount);
  for (let t = 0; t + 2 < indices.length; t += 3) count[sets.find(indices[t]!)]!++;
  for (let v = 0; v < vertexCount; v++) if (!core || core(v)) thick[sets.find(v)] = 1;
  const out: number[] = [];
  for (let t = 0; t + 2 < indices.length; t += 3) {
    const root = sets.find(indices[t]!);
    if (count[root]! >= minTriangles && thick[root]) out.push(indices[t]!, indices[t + 1]!, indices[t + 2]!);
  }
  return Uint32Array.from(out);
}

/**
 * The person's height in the image, pixels: stature (metres) seen at the pelvis's depth with
 * focal length `fx` (pixels). Unlike a silhouette's extent it does not shrink when the person
 * crouches or turns, so limits made from it hold still over a clip.
 */
export function personHeightPixels(fx: number, stature: number, depth: number): number {
  return depth > 0 ? (fx * stature) / depth : 0;
}
