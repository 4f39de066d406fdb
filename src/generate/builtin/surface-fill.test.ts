import { describe, expect, it } from 'vitest';
import { buildBodyMesh, J, NEUTRAL_SHAPE } from '../../body';
import { fillUnseenVertices, mirrorUnseenVertices, mirrorVertices, texelTrust, typicalPartColours, weldVertices } from './surface-fill';

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

  it("takes each part's typical colour, not the colour at the edge of what was seen", () => {
    // Seen: the front. Its edge (the vertices that face sideways, seen at a grazing angle) carries
    // a bag's white and little confidence; the rest of each tube is its own colour.
    const seen = Uint8Array.from({ length: n }, (_, v) => (mesh.normals[v * 3 + 2]! < 0 ? 1 : 0));
    const edge = (v: number) => mesh.normals[v * 3 + 2]! > -0.35;
    const colours = new Float32Array(n * 3);
    const confidence = new Float32Array(n);
    for (let v = 0; v < n; v++) {
      if (!seen[v]) continue;
      colours.set(edge(v) ? [250, 250, 250] : tubeColour(mesh.tubes[v]!), v * 3);
      confidence[v] = edge(v) ? 0.05 : 1;
    }
    const weld = weldVertices(mesh.positions);
    const byRing = colours.slice();
    fillUnseenVertices(byRing, seen, mesh.indices, { weld });
    fillUnseenVertices(colours, seen, mesh.indices, { weld, parts: mesh.parts, confidence });
    const white = (c: Float32Array, v: number) => c[v * 3]! > 200 && c[v * 3 + 1]! > 200 && c[v * 3 + 2]! > 200;
    // The middle of the back, as far from the seen edge as the surface goes; without the hands and
    // feet, whose front this test's edge band covers almost whole.
    const ends = new Set([J.left_ankle, J.right_ankle, J.left_foot, J.right_foot, J.left_wrist, J.right_wrist, J.left_hand, J.right_hand]);
    let back = 0;
    let whiteByRing = 0;
    let whiteByPart = 0;
    let own = 0;
    for (let v = 0; v < n; v++) {
      if (seen[v] || mesh.normals[v * 3 + 2]! < 0.8 || ends.has(mesh.parts[v]!)) continue;
      back++;
      if (white(byRing, v)) whiteByRing++;
      if (white(colours, v)) whiteByPart++;
      if (tubeColour(mesh.tubes[v]!).every((x, c) => Math.abs(colours[v * 3 + c]! - x) < 30)) own++;
    }
    console.log(`[surface fill] back-facing vertices white: ${whiteByRing} of ${back} by ring fill, ${whiteByPart} by part colour; own tube colour ${own}`);
    expect(whiteByPart).toBe(0);
    expect(whiteByRing).toBeGreaterThan(back / 4);
    expect(own / back).toBeGreaterThan(0.8);
  });

  it('needs a few confident samples before a part has a typical colour', () => {
    const parts = new Uint8Array(20).fill(3);
    const seen = new Uint8Array(20);
    const colours = new Float32Array(60);
    for (let v = 0; v < 5; v++) seen[v] = 1;
    expect(typicalPartColours(colours, seen, parts).size).toBe(0);
    for (let v = 0; v < 10; v++) {
      seen[v] = 1;
      colours.set(v < 4 ? [255, 255, 255] : [10, 20, 30], v * 3);
    }
    // The four white samples have the lowest confidence: below the median, they do not count.
    const confidence = Float32Array.from({ length: 20 }, (_, v) => (v < 4 ? 0.1 : 1));
    expect(typicalPartColours(colours, seen, parts, confidence).get(3)).toEqual([10, 20, 30]);
  });

  it("leaves the head to the ring fill: the back of the head takes the hair at its sides, not the face's colour", () => {
    // Seen from the front: the face (facing the camera) skin, the sides of the head hair.
    const HAIR = [60, 40, 30];
    const SKIN = [230, 190, 160];
    const seen = Uint8Array.from({ length: n }, (_, v) => (mesh.normals[v * 3 + 2]! < 0 ? 1 : 0));
    const colours = new Float32Array(n * 3).fill(128);
    for (let v = 0; v < n; v++) if (seen[v] && mesh.parts[v] === J.head) colours.set(mesh.normals[v * 3 + 2]! < -0.25 ? SKIN : HAIR, v * 3);
    const fill = (ringParts?: Set<number>) => {
      const c = colours.slice();
      fillUnseenVertices(c, seen, mesh.indices, { weld: weldVertices(mesh.positions), parts: mesh.parts, ringParts });
      let hair = 0;
      let back = 0;
      for (let v = 0; v < n; v++) {
        if (seen[v] || mesh.parts[v] !== J.head) continue;
        back++;
        if (Math.abs(c[v * 3]! - HAIR[0]!) < 40) hair++;
      }
      return hair / back;
    };
    expect(fill(new Set([J.head]))).toBeGreaterThan(0.6);
    expect(fill()).toBeLessThan(0.1);
  });

  it('trusts a vertex by its weight against its part: grazing views count for little, unseen for nothing', () => {
    const parts = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 2, 2]);
    const seen = Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 1, 1]);
    // Part 1: median weight 2, so full trust from 0.5 up. Part 2 on its own scale (a face's sharper weighting).
    const confidence = Float32Array.from([2, 2, 3, 2, 0.2, 0.05, 0, 0.001, 0.002]);
    const trust = Array.from(texelTrust(confidence, seen, parts));
    expect(trust.slice(0, 4)).toEqual([1, 1, 1, 1]);
    expect(trust[4]).toBeCloseTo(0.4, 5);
    expect(trust[5]).toBeCloseTo(0.1, 5);
    expect(trust[6]).toBe(0);
    expect(trust.slice(7)).toEqual([1, 1]);
  });

  it("finds every vertex's mirror image on the symmetric built-in mesh, and none where the mesh has no mirror", () => {
    const mirror = mirrorVertices(mesh.positions);
    for (let v = 0; v < n; v++) {
      const m = mirror[v]!;
      expect(m, `vertex ${v}`).toBeGreaterThanOrEqual(0);
      expect(mesh.positions[m * 3]!).toBeCloseTo(-mesh.positions[v * 3]!, 4);
      expect(mesh.positions[m * 3 + 1]!).toBeCloseTo(mesh.positions[v * 3 + 1]!, 4);
      expect(mesh.positions[m * 3 + 2]!).toBeCloseTo(mesh.positions[v * 3 + 2]!, 4);
    }
    // Shifted 5 cm on one side only, half a body has no mirror within 1 cm.
    const lopsided = Float32Array.from(mesh.positions, (p, i) => (i % 3 === 2 && mesh.positions[i - 2]! > 0.05 ? p + 0.05 : p));
    const some = mirrorVertices(lopsided);
    expect(Array.from(some).filter((m) => m < 0).length).toBeGreaterThan(n / 4);
  });

  it("gives a side the reference never showed the other side's colours, and leaves what was seen alone", () => {
    // Seen: the body's left half (x > 0 at rest), each tube in its own colour, the trunk's left a stripe pattern.
    const known = Uint8Array.from({ length: n }, (_, v) => (mesh.positions[v * 3]! > 0.001 ? 1 : 0));
    const stripe = (v: number): [number, number, number] => (Math.floor(mesh.positions[v * 3 + 1]! * 20) % 2 ? [250, 250, 250] : [10, 10, 10]);
    const colours = new Float32Array(n * 3);
    for (let v = 0; v < n; v++) if (known[v]) colours.set(stripe(v), v * 3);
    const before = colours.slice();
    const mirror = mirrorVertices(mesh.positions);
    const copied = mirrorUnseenVertices(colours, known, mirror);
    const right = Array.from({ length: n }, (_, v) => v).filter((v) => mesh.positions[v * 3]! < -0.001);
    expect(copied).toBe(right.length);
    for (const v of right) {
      expect(known[v]).toBe(1);
      expect(Array.from(colours.subarray(v * 3, v * 3 + 3))).toEqual(stripe(v));
    }
    for (let v = 0; v < n; v++) if (mesh.positions[v * 3]! > 0.001) expect(colours[v * 3]).toBe(before[v * 3]);
  });
});
