/**
 * Deterministic synthetic pipeline inputs (a gradient with a moving bright box as reference,
 * pose maps and init frames) for the diffusion self-check and benchmark in the browser: the same
 * inputs on every path, so their outputs can be compared.
 */
import type { RgbaImage } from '../../pose';
import type { MimicMotionInputs } from './pipeline';

/** A W×H RGBA test image: gradient tinted by `hue`, with a bright box moved by `t`. */
export function testImage(width: number, height: number, t: number, hue: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inBox = Math.abs(x - width / 4 - 3 * t) < width / 10 && Math.abs(y - height / 2) < height / 6;
      data[o] = inBox ? 250 : (x * 4 + hue) & 255;
      data[o + 1] = inBox ? 250 : (y * 4) & 255;
      data[o + 2] = (hue * 3) & 255;
      data[o + 3] = 255;
    }
  }
  return { data, width, height };
}

/** `frameCount` frames of synthetic inputs at width×height; with `init`, refine-mode init frames too. */
export function syntheticInputs(frameCount: number, width: number, height: number, init = false): MimicMotionInputs {
  return {
    frameCount,
    width,
    height,
    referenceFrame: (i) => testImage(width, height, 0, 20 + i),
    poseMap: (i) => testImage(width, height, i, 200),
    referencePoseMap: () => testImage(width, height, 0, 200),
    initFrame: init ? (i) => testImage(width, height, i, 90) : undefined,
  };
}
