import { expect, runSelfTest, test } from './fixtures';

test('guidance maps on known geometry in WebGPU: normals, depth order, part colours', async ({ page, offOrigin }) => {
  void offOrigin;
  const px = await runSelfTest<Record<string, Record<string, number[]>>>(page, 'guidance');
  // A surface facing the camera renders normal (128, 128, 255); one turned 45° to the right
  // ((1, 0, -1)/√2 in camera space) renders (218, 128, 218).
  expect(px.near!.normal).toEqual([128, 128, 255]);
  expect(px.far!.normal).toEqual([128, 128, 255]);
  px.tilted!.normal.forEach((v, i) => expect(Math.abs(v - [218, 128, 218][i]!)).toBeLessThanOrEqual(1));
  // Nearer is brighter: the near quad is the nearest body point (white), the far one the farthest.
  expect(px.near!.depth).toEqual([255, 255, 255]);
  expect(px.far!.depth).toEqual([0, 0, 0]);
  // About halfway in depth (z ≈ 2.5 m between 2 and 3 at that pixel centre) is mid-grey.
  expect(Math.abs(px.tilted!.depth[0]! - 128)).toBeLessThanOrEqual(8);
  // Each part gets its viridis colour: pelvis (0), head (15), right hand (23).
  expect(px.near!.parts).toEqual([68, 1, 84]);
  expect(px.far!.parts).toEqual([33, 165, 133]);
  expect(px.tilted!.parts).toEqual([189, 223, 38]);
  // Background is black in every map.
  expect(px.background).toEqual({ depth: [0, 0, 0], normal: [0, 0, 0], parts: [0, 0, 0] });
});
