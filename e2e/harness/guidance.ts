/**
 * Browser self-test of the guidance renderer (src/guidance/renderer.ts) on a real GPU device; run
 * from the test harness page, not part of the app.
 */
import { GuidanceRenderer, type GuidanceMap } from '../../src/guidance';

/**
 * Renders known geometry with the real renderer and returns the colours at known pixels: two
 * camera-facing quads, the left one nearer (z = 2 m, part 0) than the right one (z = 3 m,
 * part 15), and a quad turned 45° to face right (part 23). Used by the browser tests.
 */
export async function guidanceSelfTest(device: GPUDevice): Promise<Record<string, Record<GuidanceMap, number[]>>> {
  const width = 96;
  const height = 64;
  const k = { fx: 64, fy: 64, cx: width / 2, cy: height / 2 };
  const quads: Array<{ corners: number[][]; normal: number[]; part: number }> = [
    // Left, near: x from -0.6 to -0.1 m at z = 2 covers pixels ~29..45 left of centre.
    { corners: [[-0.6, -0.4, 2], [-0.1, -0.4, 2], [-0.1, 0.4, 2], [-0.6, 0.4, 2]], normal: [0, 0, -1], part: 0 },
    // Right, far: x from 0.15 to 0.9 m at z = 3.
    { corners: [[0.15, -0.6, 3], [0.9, -0.6, 3], [0.9, 0.6, 3], [0.15, 0.6, 3]], normal: [0, 0, -1], part: 15 },
    // Top strip turned 45° to face right and toward the camera: z = 2.5 + x.
    { corners: [[-0.3, -1.2, 2.2], [0.3, -1.2, 2.8], [0.3, -0.6, 2.8], [-0.3, -0.6, 2.2]], normal: [Math.SQRT1_2, 0, -Math.SQRT1_2], part: 23 },
  ];
  const positions: number[] = [];
  const normals: number[] = [];
  const parts: number[] = [];
  const indices: number[] = [];
  for (const q of quads) {
    const base = positions.length / 3;
    for (const c of q.corners) {
      positions.push(...c);
      normals.push(...q.normal);
      parts.push(q.part);
    }
    indices.push(base, base + 1, base + 2, base, base + 2, base + 3);
  }
  const renderer = new GuidanceRenderer(device, width, height);
  try {
    renderer.setMesh({
      positions: new Float32Array(positions),
      normals: new Float32Array(normals),
      parts: new Uint32Array(parts),
      indices: new Uint32Array(indices),
    });
    renderer.render(k, { zMin: 2, zMax: 3 });
    const maps = { depth: await renderer.read('depth'), normal: await renderer.read('normal'), parts: await renderer.read('parts') };
    const project = (x: number, y: number, z: number) => [Math.round((k.fx * x) / z + k.cx), Math.round((k.fy * y) / z + k.cy)] as const;
    const points = {
      near: project(-0.35, 0, 2),
      far: project(0.5, 0, 3),
      tilted: project(0, -0.9, 2.5),
      background: [2, height - 2] as const,
    };
    const out: Record<string, Record<GuidanceMap, number[]>> = {};
    for (const [name, [x, y]] of Object.entries(points)) {
      const o = (y * width + x) * 4;
      out[name] = {
        depth: Array.from(maps.depth.subarray(o, o + 3)),
        normal: Array.from(maps.normal.subarray(o, o + 3)),
        parts: Array.from(maps.parts.subarray(o, o + 3)),
      };
    }
    return out;
  } finally {
    renderer.dispose();
  }
}
