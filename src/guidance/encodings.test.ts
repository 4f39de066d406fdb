import { describe, expect, it } from 'vitest';
import { depthRange, encodeDepth, encodeNormal, PART_COLORS, toByte } from './encodings';

describe('guidance encodings', () => {
  it('a surface facing the camera is (128, 128, 255)', () => {
    expect(encodeNormal(0, 0, -1).map(toByte)).toEqual([128, 128, 255]);
  });

  it('normals map right, up and toward the camera to R, G, B', () => {
    expect(encodeNormal(1, 0, 0).map(toByte)).toEqual([255, 128, 128]);
    expect(encodeNormal(0, -1, 0).map(toByte)).toEqual([128, 255, 128]); // y down: -y is up
  });

  it('nearer is brighter in depth', () => {
    expect(encodeDepth(2, 2, 3)).toBe(1);
    expect(encodeDepth(3, 2, 3)).toBe(0);
    expect(encodeDepth(2.25, 2, 3)).toBeGreaterThan(encodeDepth(2.75, 2, 3));
  });

  it('finds the body depth range', () => {
    expect(depthRange(new Float32Array([0, 0, 2, 1, 1, 3.5, 0, 0, 2.5]))).toEqual({ zMin: 2, zMax: 3.5 });
  });

  it('has one distinct viridis colour per SMPL joint, pelvis first', () => {
    expect(PART_COLORS).toHaveLength(24);
    expect(PART_COLORS[0]).toEqual([68, 1, 84]);
    expect(PART_COLORS[23]).toEqual([189, 223, 38]);
    expect(new Set(PART_COLORS.map((c) => c.join())).size).toBe(24);
  });
});
