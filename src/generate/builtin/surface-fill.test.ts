import { describe, expect, it } from 'vitest';
import { buildBodyMesh, NEUTRAL_SHAPE } from '../../body';
import { fillUnseenVertices, weldVertices } from './surface-fill';

const mesh = buildBodyMesh(NEUTRAL_SHAPE);
const n = mesh.vertexCount;
/** A distinct colour per tube (trunk, arms, legs, feet). */
const tubeColour = (t: number): [number, number, number] => [(t * 37) % 256, (t * 91 + 40) % 256, (t * 53 + 90) % 256];

describe('unseen surface fill', () => {
  it('joins the copies a UV seam makes', () => {
    const weld = weldVertices(mesh.positions);
    const groups = new Set(weld).size;
    expect(groups).toBeLessThan(n);
    for (let v = 0; v < n; v++) {
      const r = weld[v]!;
      for (let c = 0; c < 3; c++) expect(mesh.positions[v * 3 + c]).toBeCloseTo(mesh.positions[r * 3 + c]!, 4);
    }
  });

  it('gives the back of each limb and the trunk the colour seen on its front, and leaves the seen front alone', () => {
    // Seen: the front (the body's front is -z at rest), each tube in its own colour.
    const seen = Uint8Array.from({ length: n }, (_, v) => (mesh.normals[v * 3 + 2]! < 0 ? 1 : 0));
    const colours = new Float32Array(n * 3);
    for (let v = 0; v < n; v++) if (seen[v]) colours.set(tubeColour(mesh.tubes[v]!), v * 3);
    const before = colours.slice();
    const filled = fillUnseenVertices(colours, seen, mesh.indices, { weld: weldVertices(mesh.positions), fallback: [255, 0, 255] });
    const unseen = n - seen.reduce((a, b) => a + b, 0);
    expect(filled).toBe(unseen);
    let own = 0;
    for (let v = 0; v < n; v++) {
      if (seen[v]) {
        for (let c = 0; c < 3; c++) expect(colours[v * 3 + c]).toBe(before[v * 3 + c]);
        continue;
      }
      const want = tubeColour(mesh.tubes[v]!);
      if (want.every((x, c) => Math.abs(colours[v * 3 + c]! - x) < 20)) own++;
    }
    console.log(`[surface fill] ${unseen} unseen vertices; ${((100 * own) / unseen).toFixed(1)} % took their own part's colour`);
    expect(own / unseen).toBeGreaterThan(0.85);
  });

  it('falls back where nothing connects to a seen vertex', () => {
    const seen = new Uint8Array(n);
    const colours = new Float32Array(n * 3);
    expect(fillUnseenVertices(colours, seen, mesh.indices, { fallback: [1, 2, 3] })).toBe(0);
    expect(Array.from(colours.subarray(0, 3))).toEqual([1, 2, 3]);
  });
});
