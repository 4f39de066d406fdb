import { describe, expect, it } from 'vitest';
import { type BodyMesh, TUBE_NAMES, buildBodyMesh, uvCharts } from './mesh';
import { cross, norm, sub, vec3At } from './math';
import { NEUTRAL_SHAPE } from './shape';

/** Edges of one tube after welding vertices that share a position (seams, poles): each must border exactly two triangles. */
function openEdges(mesh: BodyMesh, tube: number): number {
  const key = (i: number) => Array.from(mesh.positions.subarray(i * 3, i * 3 + 3), (v) => Math.round(v * 1e5)).join(',');
  const ids = new Map<string, number>();
  const weld = (i: number) => {
    const k = key(i);
    if (!ids.has(k)) ids.set(k, ids.size);
    return ids.get(k)!;
  };
  const edges = new Map<string, number>();
  for (let t = 0; t < mesh.indices.length; t += 3) {
    if (mesh.tubes[mesh.indices[t]!] !== tube) continue;
    const v = [0, 1, 2].map((k) => weld(mesh.indices[t + k]!));
    for (let k = 0; k < 3; k++) {
      const a = Math.min(v[k]!, v[(k + 1) % 3]!);
      const b = Math.max(v[k]!, v[(k + 1) % 3]!);
      edges.set(`${a}-${b}`, (edges.get(`${a}-${b}`) ?? 0) + 1);
    }
  }
  return [...edges.values()].filter((c) => c !== 2).length;
}

describe('body mesh', () => {
  const mesh = buildBodyMesh();

  it('has 5k-15k vertices, valid indices and no degenerate triangles', () => {
    console.log(`[body mesh] ${mesh.vertexCount} vertices, ${mesh.triangleCount} triangles, ${TUBE_NAMES.length} tubes`);
    expect(mesh.vertexCount).toBeGreaterThanOrEqual(5000);
    expect(mesh.vertexCount).toBeLessThanOrEqual(15000);
    let minArea = Infinity;
    for (let t = 0; t < mesh.indices.length; t += 3) {
      const [a, b, c] = [0, 1, 2].map((k) => mesh.indices[t + k]!);
      expect(Math.max(a!, b!, c!)).toBeLessThan(mesh.vertexCount);
      const area = norm(cross(sub(vec3At(mesh.positions, b!), vec3At(mesh.positions, a!)), sub(vec3At(mesh.positions, c!), vec3At(mesh.positions, a!)))) / 2;
      minArea = Math.min(minArea, area);
    }
    console.log(`[body mesh] smallest triangle ${(minArea * 1e6).toFixed(2)} mm²`);
    expect(minArea).toBeGreaterThan(1e-8);
  });

  it('is closed: every tube is watertight once seam and pole duplicates are welded', () => {
    TUBE_NAMES.forEach((name, t) => expect(openEdges(mesh, t), name).toBe(0));
  });

  it('has outward unit normals', () => {
    // Outward: the normal points away from the body's centre line in most vertices of each tube.
    let outward = 0;
    for (let i = 0; i < mesh.vertexCount; i++) {
      const n = vec3At(mesh.normals, i);
      expect(norm(n)).toBeCloseTo(1, 4);
      const p = vec3At(mesh.positions, i);
      const tube = TUBE_NAMES[mesh.tubes[i]!]!;
      // Axis of each tube at rest: trunk and legs vertical, arms along x, feet along z.
      const radial = tube === 'trunk' ? [p[0], 0, p[2] + 0.0] : tube.endsWith('arm') ? [0, p[1] + 0.4, p[2]] : null;
      if (!radial) {
        outward++;
        continue;
      }
      if (n[0] * radial[0]! + n[1] * radial[1]! + n[2] * radial[2]! > 0) outward++;
    }
    expect(outward / mesh.vertexCount).toBeGreaterThan(0.9);
  });

  it('has UVs in [0, 1] inside non-overlapping charts', () => {
    for (const v of mesh.uvs) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    const charts = uvCharts();
    for (let a = 0; a < charts.length; a++) {
      for (let b = a + 1; b < charts.length; b++) {
        const A = charts[a]!;
        const B = charts[b]!;
        const overlap = A.x < B.x + B.w && B.x < A.x + A.w && A.y < B.y + B.h && B.y < A.y + A.h;
        expect(overlap, `${TUBE_NAMES[a]} / ${TUBE_NAMES[b]}`).toBe(false);
      }
    }
    for (let i = 0; i < mesh.vertexCount; i++) {
      const c = charts[mesh.tubes[i]!]!;
      expect(mesh.uvs[i * 2]!).toBeGreaterThanOrEqual(c.x - 1e-6);
      expect(mesh.uvs[i * 2]!).toBeLessThanOrEqual(c.x + c.w + 1e-6);
    }
  });

  it('has up to 4 skinning weights per vertex summing to 1, and every joint as a part', () => {
    let maxErr = 0;
    const influences = [0, 0, 0, 0, 0];
    for (let i = 0; i < mesh.vertexCount; i++) {
      let s = 0;
      let used = 0;
      for (let k = 0; k < 4; k++) {
        const w = mesh.skinWeights[i * 4 + k]!;
        expect(w).toBeGreaterThanOrEqual(0);
        s += w;
        if (w > 0) used++;
      }
      influences[used]!++;
      maxErr = Math.max(maxErr, Math.abs(s - 1));
      expect(mesh.parts[i]).toBe(mesh.skinIndices[i * 4]);
    }
    console.log(`[body mesh] weights: max |sum - 1| = ${maxErr.toExponential(1)}; vertices with 1/2/3/4 influences: ${influences.slice(1).join('/')}`);
    expect(maxErr).toBeLessThan(1e-5);
    expect(new Set(mesh.parts).size).toBe(24);
  });

  it('keeps topology, UVs and parts when the shape changes', () => {
    const heavy = buildBodyMesh({ ...NEUTRAL_SHAPE, height: 1.9, girth: 1, legs: 1.15, hips: 1.2 });
    expect(heavy.vertexCount).toBe(mesh.vertexCount);
    const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);
    expect(same(heavy.indices, mesh.indices)).toBe(true);
    expect(same(heavy.uvs, mesh.uvs)).toBe(true);
    expect(same(heavy.parts, mesh.parts)).toBe(true);
    const span = (m: BodyMesh) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < m.vertexCount; i++) {
        lo = Math.min(lo, m.positions[i * 3 + 1]!);
        hi = Math.max(hi, m.positions[i * 3 + 1]!);
      }
      return hi - lo;
    };
    console.log(`[body mesh] vertical extent: neutral ${span(mesh).toFixed(3)} m, 1.9 m shape ${span(heavy).toFixed(3)} m`);
    expect(span(mesh)).toBeGreaterThan(1.66);
    expect(span(mesh)).toBeLessThan(1.74);
    expect(span(heavy) / span(mesh)).toBeCloseTo(1.9 / 1.7, 1);
  });
});
