/**
 * Browser self-test of the builtin engine's appearance gather and render
 * (src/generate/builtin/appearance.ts) on a real GPU device; run from the test harness page, not
 * part of the app.
 */
import { BodyAppearance, type LayerImage } from '../../src/generate/builtin';

/**
 * Gathers one synthetic view and renders it back (browser tests): a hand (red) held 1.5 cm in
 * front of the left half of a hip (blue), both facing the camera. Rendered with the hand moved
 * away, the hip's hidden half must not wear the hand's colour. Returns RGB at the hip's hidden
 * half and seen half, and at the hand when it is in front; and at the seen hip with a green layer
 * in front of it and a red one behind it, both at half opacity. Last, RGB at the left half of the
 * hip alone gathered from four views, in one of which something red passed in front of that half.
 * And `detail`: RGB left and right of the centre of a layer quad drawn from a red | green image;
 * `wave`: the grey levels along a row of a layer drawn half a pixel off from a sine of period 4 px.
 */
export async function appearanceSelfTest(
  device: GPUDevice,
): Promise<{ hiddenHip: number[]; seenHip: number[]; hand: number[]; faded: number[]; passedOver: number[]; detail: number[][]; wave: number[] }> {
  const size = 64;
  const k = { fx: 200, fy: 200, cx: size / 2, cy: size / 2 };
  const positions: number[] = [];
  const uvs: number[] = [];
  const parts: number[] = [];
  const indices: number[] = [];
  // A grid of n x n vertices over [x0, x1] x [-0.2, 0.2] at depth z, UVs in [u0, u1] x [0.05, 0.95].
  const grid = (n: number, x0: number, x1: number, z: number, u0: number, u1: number, part: number) => {
    const first = positions.length / 3;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const s = i / (n - 1);
        const t = j / (n - 1);
        positions.push(x0 + (x1 - x0) * s, -0.2 + 0.4 * t, z);
        uvs.push(u0 + (u1 - u0) * s, 0.05 + 0.9 * t);
        parts.push(part);
      }
    }
    for (let j = 0; j + 1 < n; j++) {
      for (let i = 0; i + 1 < n; i++) {
        const a = first + j * n + i;
        indices.push(a, a + 1, a + n, a + 1, a + n + 1, a + n);
      }
    }
    return first;
  };
  grid(9, -0.2, 0.2, 2, 0.05, 0.45, 0); // hip: pelvis, the trunk
  const handStart = grid(3, -0.2, 0, 1.985, 0.55, 0.95, 22); // left hand
  const vertexCount = positions.length / 3;
  const normals = new Float32Array(vertexCount * 3).map((_, i) => (i % 3 === 2 ? -1 : 0));
  const front = Float32Array.from(positions);
  const behind = Float32Array.from(positions, (v, i) => (i >= handStart * 3 && i % 3 === 2 ? 3 : v));
  // The frame: the hand's pixels red, the hip's blue; the person mask leaves out the 16 columns on
  // the left, so the view is cropped there (read 16 pixels off, the hand would come out blue).
  const frame = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) frame.set(x < size / 2 ? [220, 30, 30, x < 16 ? 0 : 255] : [30, 30, 220, 255], (y * size + x) * 4);
  }
  const appearance = new BodyAppearance(device, { uvs: Float32Array.from(uvs), indices: Uint32Array.from(indices), vertexCount, parts: Uint8Array.from(parts) });
  const target = device.createTexture({ size: [size, size], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
  const depth = device.createTexture({ size: [size, size], format: 'depth32float', usage: GPUTextureUsage.RENDER_ATTACHMENT });
  const readback = device.createBuffer({ size: size * size * 4, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const images: LayerImage[] = [];
  /** A square layer `half` metres either side of the axis at depth z, drawn from an image of `pixels` in a row (its corners at the image's ends, moved `shift` pixels along it). */
  const square = (z: number, pixels: number[][], half = 1, shift = 0) => {
    const image = appearance.layerImage(Uint8ClampedArray.from(pixels.flatMap((rgb) => [...rgb, 255])), pixels.length, 1);
    images.push(image);
    const w = pixels.length;
    return {
      positions: Float32Array.from([-1, -1, z, 1, -1, z, 1, 1, z, -1, 1, z].map((v, i) => (i % 3 === 2 ? v : v * half))),
      sources: Float32Array.from([shift, 0.5, w + shift, 0.5, w + shift, 0.5, shift, 0.5]),
      indices: Uint32Array.from([0, 1, 2, 0, 2, 3]),
      image,
    };
  };
  const renderAt = async (p: Float32Array, layers: { layer: ReturnType<typeof square>; opacity: number }[] = [], from = appearance) => {
    from.render(target, depth, { positions: p, normals: normals.subarray(0, p.length) }, k);
    for (const { layer, opacity } of layers) from.renderLayer(target, depth, layer, layer.image, k, opacity);
    const e = device.createCommandEncoder();
    e.copyTextureToBuffer({ texture: target }, { buffer: readback, bytesPerRow: size * 4 }, [size, size]);
    device.queue.submit([e.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const px = new Uint8Array(readback.getMappedRange().slice(0));
    readback.unmap();
    return (x: number, y: number) => Array.from(px.subarray((y * size + x) * 4, (y * size + x) * 4 + 3));
  };
  try {
    appearance.addView({ data: frame, width: size, height: size }, { positions: front, normals }, k, 1);
    await appearance.finish();
    const moved = await renderAt(behind);
    const hiddenHip = moved(20, size / 2);
    const seenHip = moved(44, size / 2);
    const hand = (await renderAt(front))(20, size / 2);
    // A green layer at half opacity in front of the hip, and a red one behind it.
    const faded = (await renderAt(front, [{ layer: square(1.9, [[0, 255, 0]]), opacity: 0.5 }, { layer: square(2.1, [[255, 0, 0]]), opacity: 0.5 }]))(44, size / 2);
    // A layer of four vertices just covering the view, drawn from an image of four columns (red,
    // red, green, green): the image is sampled between the vertices (vertex colours could only
    // blend its two ends, about two thirds and one third where it is read).
    const striped = await renderAt(front, [{ layer: square(1.9, [[255, 0, 0], [255, 0, 0], [0, 255, 0], [0, 255, 0]], (size / 2) * (1.9 / k.fx)), opacity: 1 }]);
    const detail = [striped(size / 2 - 10, size / 2), striped(size / 2 + 10, size / 2)];
    // One image pixel per view pixel, read half a pixel off: the worst case for sampling between texels.
    const sine = Array.from({ length: size }, (_, x) => Array(3).fill(Math.round(128 + 80 * Math.sin((Math.PI / 2) * x))));
    const shifted = await renderAt(front, [{ layer: square(1.9, sine, (size / 2) * (1.9 / k.fx), 0.5), opacity: 1 }]);
    const wave = Array.from({ length: size - 16 }, (_, i) => shifted(8 + i, size / 2)[1]!);
    // The hip alone, seen in four views; in one of them an arm (red) passes in front of its left half.
    const hip = { uvs: Float32Array.from(uvs.slice(0, 81 * 2)), indices: Uint32Array.from(indices.slice(0, 8 * 8 * 6)), vertexCount: 81, parts: new Uint8Array(81) };
    const paint = (left: number[]) => {
      const data = new Uint8ClampedArray(size * size * 4);
      for (let p = 0; p < size * size; p++) data.set(p % size < size / 2 ? left : [30, 30, 220, 255], p * 4);
      return data;
    };
    const blue = paint([30, 30, 220, 255]);
    const passing = paint([220, 30, 30, 255]);
    const hipAt = front.slice(0, 81 * 3);
    const gathered = new BodyAppearance(device, hip);
    let passedOver: number[];
    try {
      for (const data of [blue, passing, blue, blue]) gathered.addView({ data, width: size, height: size }, { positions: hipAt, normals: normals.subarray(0, 81 * 3) }, k, 1);
      await gathered.finish();
      passedOver = (await renderAt(hipAt, [], gathered))(20, size / 2);
    } finally {
      gathered.dispose();
    }
    return { hiddenHip, seenHip, hand, faded, passedOver, detail, wave };
  } finally {
    for (const image of images) image.destroy();
    appearance.dispose();
    target.destroy();
    depth.destroy();
    readback.destroy();
  }
}
