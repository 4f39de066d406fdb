/**
 * Browser self-test of the builtin engine's compositor (src/generate/builtin/composite.ts) on a
 * real GPU device; run from the test harness page, not part of the app.
 */
import { GpuCompositor } from '../../src/generate/builtin';

/**
 * Composites a known frame (browser tests): a 6x6 red square of body over a grey plate. Returns
 * pixels inside the square, just outside its left edge, and far from it.
 */
export async function compositeSelfTest(device: GPUDevice): Promise<{ inside: number[]; edgeOutside: number[]; edgeInside: number[]; far: number[] }> {
  const size = 16;
  const grey = [200, 200, 200, 255];
  const red = [200, 40, 40, 255];
  const plate = new Uint8ClampedArray(size * size * 4);
  const body = new Uint8Array(size * size * 4);
  for (let p = 0; p < size * size; p++) {
    plate.set(grey, p * 4);
    const x = p % size;
    const y = Math.floor(p / size);
    if (x >= 5 && x <= 10 && y >= 5 && y <= 10) body.set(red, p * 4);
  }
  const texture = device.createTexture({ size: [size, size], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
  device.queue.writeTexture({ texture }, body, { bytesPerRow: size * 4 }, [size, size]);
  const compositor = new GpuCompositor(device, size, size);
  try {
    const out = await compositor.composite(plate, texture);
    const at = (x: number, y: number) => Array.from(out.subarray((y * size + x) * 4, (y * size + x) * 4 + 3));
    return { inside: at(8, 8), edgeOutside: at(4, 8), edgeInside: at(5, 8), far: at(0, 0) };
  } finally {
    compositor.dispose();
    texture.destroy();
  }
}
