import { describe, expect, it } from 'vitest';
import { BLAZEPOSE_DETECTOR_ANCHORS, generateSsdAnchors } from './anchors';

describe('SSD anchors', () => {
  const anchors = generateSsdAnchors(BLAZEPOSE_DETECTOR_ANCHORS);

  it('gives 2254 anchors for the pose detector: 28²·2 + 14²·2 + 7²·6', () => {
    expect(anchors.length / 4).toBe(28 * 28 * 2 + 14 * 14 * 2 + 7 * 7 * 6);
    expect(anchors.length / 4).toBe(2254);
  });

  it('orders them by merged layer, row, column, then anchor, with fixed size 1', () => {
    const at = (i: number) => Array.from(anchors.subarray(i * 4, i * 4 + 4));
    expect(at(0)).toEqual([0.5 / 28, 0.5 / 28, 1, 1].map(Math.fround));
    expect(at(1)).toEqual(at(0)); // second anchor of the same cell
    expect(at(2)[0]).toBeCloseTo(1.5 / 28, 6); // next column
    expect(at(2 * 28)[1]).toBeCloseTo(1.5 / 28, 6); // next row
    expect(at(1568)).toEqual([0.5 / 14, 0.5 / 14, 1, 1].map(Math.fround)); // stride-16 layer
    expect(at(1568 + 392)).toEqual([0.5 / 7, 0.5 / 7, 1, 1].map(Math.fround)); // stride-32, six per cell
    expect(at(1568 + 392 + 5)).toEqual(at(1568 + 392));
    expect(at(2253)[0]).toBeCloseTo(6.5 / 7, 6);
    for (let i = 0; i < 2254; i++) expect(anchors[i * 4 + 2]).toBe(1);
  });

  it('computes anchor sizes from scales and aspect ratios when not fixed', () => {
    const a = generateSsdAnchors({
      ...BLAZEPOSE_DETECTOR_ANCHORS,
      numLayers: 2,
      strides: [8, 16],
      minScale: 0.2,
      maxScale: 0.6,
      aspectRatios: [1, 4],
      fixedAnchorSize: false,
    });
    // Layer 0: ratio 1 (0.2 x 0.2), ratio 4 (0.4 x 0.1), interpolated sqrt(0.2·0.6).
    expect(a[2]).toBeCloseTo(0.2, 6);
    expect(a[6]).toBeCloseTo(0.4, 6);
    expect(a[7]).toBeCloseTo(0.1, 6);
    expect(a[10]).toBeCloseTo(Math.sqrt(0.12), 6);
    expect(a.length / 4).toBe(28 * 28 * 3 + 14 * 14 * 3);
  });
});
