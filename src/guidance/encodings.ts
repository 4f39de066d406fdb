/**
 * Champ's guidance-map encodings (REFERENCES.md). Camera space is OpenCV's: x right, y down,
 * z forward (away from the camera), metres.
 */

/** Semantic part colours: viridis(10 · label) for SMPL joints 0..23, as 0-255 RGB. */
export const PART_COLORS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84], [71, 16, 99], [72, 29, 111], [71, 42, 122], [69, 55, 129], [65, 66, 135],
  [61, 78, 138], [56, 89, 140], [51, 99, 141], [46, 109, 142], [42, 118, 142], [39, 128, 142],
  [35, 137, 142], [32, 146, 140], [30, 156, 137], [33, 165, 133], [40, 174, 128], [53, 183, 121],
  [70, 192, 111], [90, 200, 100], [112, 207, 87], [137, 213, 72], [162, 218, 55], [189, 223, 38],
];

/** Depth value in [0, 1]: 1 at the nearest body point (zMin), 0 at the farthest; background is black. */
export function encodeDepth(z: number, zMin: number, zMax: number): number {
  const range = zMax - zMin;
  if (!(range > 1e-9)) return 1;
  return Math.min(1, Math.max(0, 1 - (z - zMin) / range));
}

/**
 * Normal colour in [0, 1]³ from a camera-space unit normal (OpenCV axes): R = right, G = up,
 * B = toward the camera, each mapped from [-1, 1]. A surface facing the camera is (0.5, 0.5, 1).
 */
export function encodeNormal(nx: number, ny: number, nz: number): [number, number, number] {
  const len = Math.hypot(nx, ny, nz) || 1;
  return [(nx / len + 1) / 2, (-ny / len + 1) / 2, (-nz / len + 1) / 2];
}

/** 8-bit value as a GPU writes it (round to nearest). */
export const toByte = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);

/** Near and far body depth of camera-space positions (n x 3), in metres. */
export function depthRange(positions: Float32Array): { zMin: number; zMax: number } {
  let zMin = Infinity;
  let zMax = -Infinity;
  for (let i = 2; i < positions.length; i += 3) {
    const z = positions[i]!;
    if (z < zMin) zMin = z;
    if (z > zMax) zMax = z;
  }
  return { zMin, zMax };
}
