import { describe, expect, it } from 'vitest';
import { forwardKinematics, J, restRotations } from '../../body';
import { outsideLayer } from './outside';
import { neutralBodyScene } from './synthetic-testing';

const { W, H, k, skel, segments, radii, root } = neutralBodyScene();
const rest = forwardKinematics(skel, restRotations(), root);
const project = (p: ArrayLike<number>, o = 0) => [(k.fx * p[o]!) / p[o + 2]! + k.cx, (k.fy * p[o + 1]!) / p[o + 2]! + k.cy];

/** A frame whose person mask is a disc of "hair" above and beside the head. */
function hairFrame() {
  const [hx, hy] = project(rest.positions, J.head * 3);
  const cx = hx! + 6;
  const cy = hy! - 22;
  const mask = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= 8 ** 2) mask[y * W + x] = 255;
  return { mask };
}

describe('outside layer (hair and clothes beyond the mesh)', () => {
  it('has a segment per bone and body-sized radii', () => {
    expect(segments.length).toBeGreaterThanOrEqual(23);
    const torso = radii[segments.findIndex((s) => s.joint === J.spine1)]!;
    const forearm = radii[segments.findIndex((s) => s.joint === J.left_elbow)]!;
    expect(torso).toBeGreaterThan(0.06);
    expect(torso).toBeLessThan(0.2);
    expect(forearm).toBeLessThan(torso);
  });

  it('moves hair rigidly with the head: a 30° head tilt turns it 30° about the neck in the image', () => {
    const { mask } = hairFrame();
    const local = restRotations();
    const half = (30 * Math.PI) / 360;
    local.set([0, 0, Math.sin(half), Math.cos(half)], J.neck * 4); // about the camera axis
    const tilted = forwardKinematics(skel, local, root);
    const layer = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: tilted });
    const n = layer.positions.length / 3;
    expect(n).toBeGreaterThan(40);
    expect(layer.indices.length).toBeGreaterThan(n); // a connected grid, not scattered points
    const [nx, ny] = project(tilted.positions, J.neck * 3);
    let worst = 0;
    for (let v = 0; v < n; v++) {
      // Where the pixel came from, rotated about the neck by 30°.
      const [sx, sy] = [layer.sources[v * 2]!, layer.sources[v * 2 + 1]!];
      const [dx, dy] = [sx - nx!, sy - ny!];
      const c = Math.cos((30 * Math.PI) / 180);
      const s = Math.sin((30 * Math.PI) / 180);
      const [ex, ey] = [nx! + c * dx - s * dy, ny! + s * dx + c * dy];
      const [px, py] = project(layer.positions, v * 3);
      worst = Math.max(worst, Math.hypot(px! - ex, py! - ey));
    }
    console.log(`[builtin outside] hair follows a 30° head tilt within ${worst.toFixed(2)} px (${n} grid points)`);
    expect(worst).toBeLessThan(1);
  });

  it('keeps the layer behind the body surface and leaves out far-away mask noise', () => {
    const { mask } = hairFrame();
    mask[5 * W + 5] = 255; // a speck in the corner, far from any bone
    const layer = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest });
    const pixels = Array.from({ length: layer.positions.length / 3 }, (_, v) => project(layer.positions, v * 3));
    expect(pixels.some(([x, y]) => x! < 20 && y! < 20)).toBe(false);
    const headZ = rest.positions[J.head * 3 + 2]!;
    for (let v = 0; v < layer.positions.length / 3; v++) expect(layer.positions[v * 3 + 2]!).toBeGreaterThan(headZ);
    // Asked to, the head's pixels come in front of its surface instead (the face).
    const front = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest, front: new Set([J.head]) });
    const headRadius = radii[segments.findIndex((s) => s.joint === J.head)]!;
    expect(front.positions.length).toBe(layer.positions.length);
    for (let v = 0; v < front.positions.length / 3; v++) {
      expect(front.positions[v * 3 + 2]!).toBeLessThan(headZ);
      expect(front.positions[v * 3 + 2]!).toBeLessThan(layer.positions[v * 3 + 2]! - headRadius);
    }
  });

  it('lifts pixels onto the near side of their bone: after a half turn they are behind the head, not a face on its back', () => {
    // A "face": a disc on the head as the camera sees it.
    const [hx, hy] = project(rest.positions, J.head * 3);
    const mask = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - hx!) ** 2 + (y - hy! + 8) ** 2 <= 6 ** 2) mask[y * W + x] = 255;
    const local = restRotations();
    local.set([0, 1, 0, 0], J.pelvis * 4); // half a turn about the vertical
    const turned = forwardKinematics(skel, local, root);
    const layer = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: turned });
    const n = layer.positions.length / 3;
    expect(n).toBeGreaterThan(20);
    const headZ = turned.positions[J.head * 3 + 2]!;
    for (let v = 0; v < n; v++) expect(layer.positions[v * 3 + 2]!).toBeGreaterThan(headZ);
  });

  it('a region goes with its joint: a chin nearer the neck turns with the head', () => {
    // A disc between the neck and head joints (the chin), in front of the neck's bone.
    const [nx, ny] = project(rest.positions, J.neck * 3);
    const [hx, hy] = project(rest.positions, J.head * 3);
    const [cx, cy] = [(nx! + hx!) / 2, (ny! + hy!) / 2];
    const mask = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= 3 ** 2) mask[y * W + x] = 255;
    const local = restRotations();
    const half = (30 * Math.PI) / 360;
    local.set([0, 0, Math.sin(half), Math.cos(half)], J.head * 4); // the head alone turns 30° about the camera axis
    const turned = forwardKinematics(skel, local, root);
    const mean = (layer: { positions: Float32Array }) => {
      const n = layer.positions.length / 3;
      let sx = 0;
      let sy = 0;
      for (let v = 0; v < n; v++) {
        const [px, py] = project(layer.positions, v * 3);
        sx += px!;
        sy += py!;
      }
      return [sx / n, sy / n];
    };
    const base = { mask, width: W, height: H, k, segments, radii, from: rest, to: turned, front: new Set([J.head, J.neck]) };
    // Without the region the chin stays with the neck, which did not move.
    const [ax, ay] = mean(outsideLayer(base));
    expect(Math.hypot(ax! - cx, ay! - cy)).toBeLessThan(1);
    // With it, it turns 30° about the head joint.
    const polygon = [cx - 5, cy - 5, cx + 5, cy - 5, cx + 5, cy + 5, cx - 5, cy + 5];
    const [bx, by] = mean(outsideLayer({ ...base, region: { joint: J.head, polygon } }));
    const c = Math.cos(Math.PI / 6);
    const sn = Math.sin(Math.PI / 6);
    const [ex, ey] = [hx! + c * (cx - hx!) - sn * (cy - hy!), hy! + sn * (cx - hx!) + c * (cy - hy!)];
    expect(Math.hypot(bx! - ex, by! - ey)).toBeLessThan(1);
  });

  it("leaves the mesh's silhouette to the texture, except for the joints asked in front", () => {
    const { mask } = hairFrame();
    // A silhouette over the upper half of the hair disc.
    const [hx, hy] = project(rest.positions, J.head * 3);
    const covered = { x0: 0, y0: 0, width: W, height: Math.round(hy! - 22), data: new Uint8Array(W * Math.round(hy! - 22)).fill(1) };
    const all = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest });
    const outside = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest, covered });
    const n = (l: { positions: Float32Array }) => l.positions.length / 3;
    expect(n(outside)).toBeGreaterThan(10);
    expect(n(outside)).toBeLessThan(0.6 * n(all));
    for (let v = 0; v < n(outside); v++) expect(outside.sources[v * 2 + 1]! - 0.5).toBeGreaterThanOrEqual(covered.height); // the row it came from
    void hx;
    const face = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest, covered, front: new Set([J.head]) });
    expect(n(face)).toBe(n(all));
  });

  it('with an inset, leaves out the rim of the mask, where the background mixes in', () => {
    const { mask } = hairFrame();
    const [hx, hy] = project(rest.positions, J.head * 3);
    const [cx, cy] = [hx! + 6, hy! - 22];
    const all = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest });
    const inner = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest, inset: 2 });
    const n = (l: { positions: Float32Array }) => l.positions.length / 3;
    expect(n(inner)).toBeGreaterThan(10);
    expect(n(inner)).toBeLessThan(n(all));
    // Every pixel kept lies at least 2 px inside the disc's edge (radius 8).
    for (let v = 0; v < n(inner); v++) expect(Math.hypot(inner.sources[v * 2]! - cx, inner.sources[v * 2 + 1]! - cy)).toBeLessThanOrEqual(6.8);
    expect(Math.max(...Array.from({ length: n(all) }, (_, v) => Math.hypot(all.sources[v * 2]! - cx, all.sources[v * 2 + 1]! - cy)))).toBeGreaterThan(7);
  });

  it('with piece limits, leaves out specks and thin strips beside the hair and keeps the hair whole', () => {
    const { mask } = hairFrame();
    const [hx, hy] = project(rest.positions, J.head * 3).map(Math.round) as [number, number];
    const hair = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest });
    // A 3 x 3 speck right of the hair, and a strip 4 px wide (two grid columns) and 24 long left of it.
    for (let y = hy - 23; y < hy - 20; y++) for (let x = hx + 20; x < hx + 23; x++) mask[y * W + x] = 255;
    for (let y = hy - 44; y < hy - 20; y++) for (let x = hx - 10; x < hx - 6; x++) mask[y * W + x] = 255;
    const n = (l: { positions: Float32Array }) => l.positions.length / 3;
    const all = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest });
    expect(n(all)).toBeGreaterThan(n(hair) + 24); // both are carried without limits
    const clean = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest, minPiece: 40, minCore: 2 });
    expect(n(clean)).toBe(n(hair));
    expect(clean.indices.length).toBe(hair.indices.length);
    expect(clean.sources).toEqual(hair.sources);
    expect(clean.positions).toEqual(hair.positions);
    // The area limit alone takes the speck, not the strip (24 grid points standing for 96 px²).
    const areaOnly = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest, minPiece: 40 });
    expect(n(areaOnly)).toBe(n(hair) + 24);
  });

  it('takes a reach per joint: what lies well beyond a hand is dropped there while hair at the same reach stays', () => {
    const { mask } = hairFrame();
    // A "held sign": a disc 0.12 m below the left hand (its nearest bone), added to the hair.
    const hand = rest.positions.subarray(J.left_hand * 3, J.left_hand * 3 + 3);
    const [sx, sy] = project([hand[0]!, hand[1]! + 0.12, hand[2]!]);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - sx!) ** 2 + (y - sy!) ** 2 <= 4 ** 2) mask[y * W + x] = 255;
    const nearSign = (l: { positions: Float32Array }) =>
      Array.from({ length: l.positions.length / 3 }, (_, v) => project(l.positions, v * 3)).filter(([x, y]) => Math.hypot(x! - sx!, y! - sy!) < 6).length;
    const all = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest, reach: 0.2 });
    const reach = Float32Array.from({ length: skel.offsets.length / 3 }, (_, j) => ([J.left_wrist, J.left_hand].includes(j) ? 0.05 : 0.2));
    const perJoint = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to: rest, reach });
    expect(nearSign(all)).toBeGreaterThan(5);
    expect(nearSign(perJoint)).toBe(0);
    expect(perJoint.positions.length).toBe(all.positions.length - 3 * nearSign(all)); // the hair is all there
  });

  it('with a blend, a dress between the legs stretches as they part instead of tearing down the middle', () => {
    // A "skirt": every pixel between the thighs, from the hips to above the knees.
    const at = (j: number) => project(rest.positions, j * 3);
    const [lhx, lhy] = at(J.left_hip);
    const [rhx] = at(J.right_hip);
    const [, lky] = at(J.left_knee);
    const [x0, x1] = [Math.min(lhx!, rhx!), Math.max(lhx!, rhx!)];
    const mask = new Uint8Array(W * H);
    for (let y = Math.round(lhy!); y < Math.round(lky! - 10); y++) for (let x = Math.round(x0); x <= Math.round(x1); x++) mask[y * W + x] = 255;
    const local = restRotations();
    const half = (25 * Math.PI) / 360;
    local.set([0, 0, Math.sin(half), Math.cos(half)], J.left_hip * 4); // each leg 25° outwards about the camera axis
    local.set([0, 0, -Math.sin(half), Math.cos(half)], J.right_hip * 4);
    const apart = forwardKinematics(skel, local, root);
    const triangles = (blend: number, to = apart) => outsideLayer({ mask, width: W, height: H, k, segments, radii, from: rest, to, blend }).indices.length / 3;
    const whole = triangles(0, rest);
    console.log(`[builtin outside] skirt grid: ${whole} triangles at rest; legs apart: ${triangles(0)} rigid, ${triangles(0.08)} blended`);
    expect(whole).toBeGreaterThan(100);
    // Rigidly, the cells where the nearest bone changes from one leg to the other tear apart.
    expect(triangles(0)).toBeLessThan(whole - 10);
    expect(triangles(0.08)).toBe(whole);
    // Blending changes nothing where the bones do not move.
    expect(triangles(0.08, rest)).toBe(whole);
  });
});
