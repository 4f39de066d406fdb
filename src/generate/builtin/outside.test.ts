import { describe, expect, it } from 'vitest';
import { buildBodyMesh, forwardKinematics, J, NEUTRAL_SHAPE, restRotations, restSkeleton } from '../../body';
import { boneSegments, outsideLayer, segmentRadii } from './outside';

const W = 240;
const H = 320;
const k = { fx: 300, fy: 300, cx: W / 2, cy: H / 2 };
const skel = restSkeleton(NEUTRAL_SHAPE);
const mesh = buildBodyMesh(NEUTRAL_SHAPE);
const segments = boneSegments(skel);
const radii = segmentRadii(mesh, skel, segments);
const root = [0, -0.1, 3.2];
const rest = forwardKinematics(skel, restRotations(), root);
const project = (p: ArrayLike<number>, o = 0) => [(k.fx * p[o]!) / p[o + 2]! + k.cx, (k.fy * p[o + 1]!) / p[o + 2]! + k.cy];

/** A frame whose person mask is a disc of "hair" above and beside the head, coloured by position. */
function hairFrame() {
  const [hx, hy] = project(rest.positions, J.head * 3);
  const cx = hx! + 6;
  const cy = hy! - 22;
  const mask = new Uint8Array(W * H);
  const rgba = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if ((x - cx) ** 2 + (y - cy) ** 2 > 8 ** 2) continue;
      mask[y * W + x] = 255;
      rgba.set([x, y, 200, 255], (y * W + x) * 4);
    }
  }
  return { mask, rgba };
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
    const { mask, rgba } = hairFrame();
    const local = restRotations();
    const half = (30 * Math.PI) / 360;
    local.set([0, 0, Math.sin(half), Math.cos(half)], J.neck * 4); // about the camera axis
    const tilted = forwardKinematics(skel, local, root);
    const layer = outsideLayer({ rgba, mask, width: W, height: H, k, segments, radii, from: rest, to: tilted });
    const n = layer.positions.length / 3;
    expect(n).toBeGreaterThan(40);
    expect(layer.indices.length).toBeGreaterThan(n); // a connected grid, not scattered points
    const [nx, ny] = project(tilted.positions, J.neck * 3);
    let worst = 0;
    for (let v = 0; v < n; v++) {
      // The colour says where the pixel came from; rotate that about the neck by 30°.
      const [sx, sy] = [layer.colours[v * 4]! + 0.5, layer.colours[v * 4 + 1]! + 0.5];
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
    const { mask, rgba } = hairFrame();
    mask[5 * W + 5] = 255; // a speck in the corner, far from any bone
    const layer = outsideLayer({ rgba, mask, width: W, height: H, k, segments, radii, from: rest, to: rest });
    const pixels = Array.from({ length: layer.positions.length / 3 }, (_, v) => project(layer.positions, v * 3));
    expect(pixels.some(([x, y]) => x! < 20 && y! < 20)).toBe(false);
    const headZ = rest.positions[J.head * 3 + 2]!;
    for (let v = 0; v < layer.positions.length / 3; v++) expect(layer.positions[v * 3 + 2]!).toBeGreaterThan(headZ);
    // Asked to, the head's pixels come in front of its surface instead (the face).
    const front = outsideLayer({ rgba, mask, width: W, height: H, k, segments, radii, from: rest, to: rest, front: new Set([J.head]) });
    const headRadius = radii[segments.findIndex((s) => s.joint === J.head)]!;
    for (let v = 0; v < front.positions.length / 3; v++) expect(front.positions[v * 3 + 2]!).toBeLessThan(headZ - headRadius);
  });
});
