import { describe, expect, it } from 'vitest';
import { buildBodyMesh, J, modelSkeleton, NEUTRAL_SHAPE, restFaceLandmarks } from '../../body';
import { FACE_SEEN_TRUST, faceTrust, facePalette, paintFace, skinTone } from './face-fill';

const shape = { ...NEUTRAL_SHAPE, height: 1.62, neckHead: 1.05 };
const mesh = buildBodyMesh(shape);
const face = restFaceLandmarks(modelSkeleton(shape));
const n = mesh.vertexCount;
const HAIR: [number, number, number] = [0.62, 0.55, 0.7];
const palette = facePalette([0.85, 0.66, 0.58]);
const at = (v: number): [number, number, number] => [mesh.positions[v * 3]!, mesh.positions[v * 3 + 1]!, mesh.positions[v * 3 + 2]!];
const headJoint = modelSkeleton(shape).joints.slice(J.head * 3, J.head * 3 + 3);
/** The vertex on the front of the face nearest a face marker seen from the front (the markers sit a little inside the surface). */
const nearestOnFace = (p: readonly [number, number, number]) => {
  let best = -1;
  let bestD = Infinity;
  for (let v = 0; v < n; v++) {
    const q = at(v);
    // The body's front is -z at rest.
    if (q[2] > headJoint[2]! - 0.05) continue;
    const d = Math.hypot(q[0] - p[0], q[1] - p[1]);
    if (d < bestD) [best, bestD] = [v, d];
  }
  return best;
};
const hairEverywhere = () => Float32Array.from({ length: n * 3 }, (_, i) => HAIR[i % 3]!);
const luma = (c: Float32Array, v: number) => 0.299 * c[v * 3]! + 0.587 * c[v * 3 + 1]! + 0.114 * c[v * 3 + 2]!;

describe('a face for a head no view showed from the front', () => {
  it('measures the face as unseen when only the back of the head was seen, and as seen when the front was', () => {
    const backOnly = Float32Array.from({ length: n }, (_, v) => (at(v)[2] > headJoint[2]! ? 1 : 0));
    const frontOnly = Float32Array.from({ length: n }, (_, v) => (at(v)[2] <= headJoint[2]! ? 1 : 0));
    expect(faceTrust(backOnly, mesh.positions, face)).toBeLessThan(0.05);
    expect(faceTrust(frontOnly, mesh.positions, face)).toBeGreaterThan(0.95);
    expect(faceTrust(new Float32Array(n), mesh.positions, face)).toBe(0);
    expect(FACE_SEEN_TRUST).toBeGreaterThan(0.05);
  });

  it('paints skin, darker eyes and reddish lips on the front of the head only', () => {
    const colours = hairEverywhere();
    const painted = paintFace(colours, new Float32Array(n), mesh.positions, face, palette);
    expect(painted).toBeGreaterThan(20);
    let changed = 0;
    for (let v = 0; v < n; v++) {
      if ([0, 1, 2].every((c) => colours[v * 3 + c] === Math.fround(HAIR[c]!))) continue;
      changed++;
      // Head or neck, in front of the head joint, within a head's height of it.
      expect([J.head, J.neck]).toContain(mesh.parts[v]);
      expect(at(v)[2]).toBeLessThan(headJoint[2]!);
      expect(Math.abs(at(v)[1] - headJoint[1]!)).toBeLessThan(0.15);
    }
    expect(changed).toBe(painted);
    const eye = nearestOnFace(face.leftEye);
    const mouth = nearestOnFace([(face.mouthLeft[0] + face.mouthRight[0]) / 2, (face.mouthLeft[1] + face.mouthRight[1]) / 2, face.mouthLeft[2]]);
    // A cheek: below the eye, halfway to the mouth, out to the side.
    const cheek = nearestOnFace([face.leftEye[0] * 1.3, (face.leftEye[1] * 2 + face.mouthLeft[1]) / 3 + 0.01, face.leftEye[2]]);
    expect(new Set([eye, mouth, cheek]).size).toBe(3);
    expect(luma(colours, eye)).toBeLessThan(luma(colours, cheek) - 0.15);
    // The cheek is skin, not hair.
    for (let c = 0; c < 3; c++) expect(Math.abs(colours[cheek * 3 + c]! - palette.skin[c]!)).toBeLessThan(0.08);
    const redness = (v: number) => colours[v * 3]! - colours[v * 3 + 1]!;
    expect(redness(mouth)).toBeGreaterThan(redness(cheek) + 0.05);
    // The eyes are placed left and right as the markers are.
    const right = nearestOnFace(face.rightEye);
    expect(luma(colours, right)).toBeLessThan(luma(colours, cheek) - 0.15);
    expect(Math.sign(at(eye)[0])).toBe(Math.sign(face.leftEye[0]));
    expect(Math.sign(at(right)[0])).toBe(Math.sign(face.rightEye[0]));
  });

  it('leaves the vertices the views showed well as they are', () => {
    const colours = hairEverywhere();
    expect(paintFace(colours, new Float32Array(n).fill(1), mesh.positions, face, palette)).toBe(0);
    expect(colours).toEqual(hairEverywhere());
  });

  it('takes the skin tone from the first bare-looking part, else a default', () => {
    const hand: [number, number, number] = [0.8, 0.62, 0.52];
    expect(skinTone([undefined, hand])).toEqual(hand);
    // A blue sleeve, a white glove, black tights: not skin.
    const fallback = skinTone([[0.3, 0.45, 0.75], [0.92, 0.91, 0.9], [0.05, 0.04, 0.04]]);
    expect(fallback[0]).toBeGreaterThan(fallback[1]);
    expect(fallback[1]).toBeGreaterThan(fallback[2]);
    expect(skinTone([[0.3, 0.45, 0.75], hand])).toEqual(hand);
  });
});
