import { describe, expect, it } from 'vitest';
import { cleanMask, cleanTriangles, erodeDisc, personHeightPixels } from './pieces';

/** A scene drawn at `scale`: shapes in scene units, the mask in pixels (a pixel is set where its centre lies in a shape). */
function scene(scale: number) {
  const W = 200 * scale;
  const H = 200 * scale;
  const mask = new Uint8Array(W * H);
  const fill = (inside: (x: number, y: number) => boolean) => {
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (inside((x + 0.5) / scale, (y + 0.5) / scale)) mask[y * W + x] = 1;
  };
  const box = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) => x >= x0 && x < x1 && y >= y0 && y < y1;
  // The main piece (a hand, a skirt): 40 x 40, with a finger 2 wide and 25 long attached (as thin as the strip below).
  fill(box(20, 20, 60, 60));
  fill(box(60, 38, 85, 40));
  // A large separate piece (hair): 30 x 20.
  fill(box(120, 20, 150, 40));
  // Specks: 2 x 2, 3 x 3, 4 x 3.
  fill(box(100, 100, 102, 102));
  fill(box(30, 100, 33, 103));
  fill(box(150, 150, 154, 153));
  // A strip, thin all along: 2 wide, 60 long (a sliver between the legs).
  fill(box(100, 60, 102, 120));
  // The person is 150 units tall: limits as shares of it.
  const person = 150 * scale;
  return { W, H, mask, limits: { minArea: 0.001 * person * person, coreRadius: 0.012 * person } };
}

const at = (m: Uint8Array, W: number, scale: number, x: number, y: number) => m[Math.floor(y * scale) * W + Math.floor(x * scale)]!;

describe('pieces of the layer beyond the mesh', () => {
  it('erodes by a disc: a square loses its rim and corners, a one-pixel line vanishes', () => {
    const W = 20;
    const mask = new Uint8Array(W * W);
    for (let y = 4; y < 15; y++) for (let x = 4; x < 15; x++) mask[y * W + x] = 1;
    for (let x = 0; x < W; x++) mask[18 * W + x] = 1;
    const e = erodeDisc(mask, W, W, 2);
    const set = [...e.keys()].filter((i) => e[i]);
    expect(set.every((i) => i % W >= 6 && i % W <= 12 && Math.floor(i / W) >= 6 && Math.floor(i / W) <= 12)).toBe(true);
    expect(set.length).toBe(7 * 7);
    expect(erodeDisc(mask, W, W, 0.5).filter((v) => v).length).toBe(11 * 11 + W); // radius < 1: only the pixel itself
    expect(erodeDisc(mask, W, W, 1).filter((v) => v).length).toBe(9 * 9); // the pixel and its 4-neighbours
  });

  it('removes specks and strips, keeps a large piece and a thin finger attached to a thick one', () => {
    const { W, H, mask, limits } = scene(1);
    const out = cleanMask(mask, W, H, limits);
    expect(at(out, W, 1, 40, 40)).toBe(1); // main piece
    expect(at(out, W, 1, 80, 39)).toBe(1); // its finger, to the tip
    expect(at(out, W, 1, 135, 30)).toBe(1); // hair
    for (const [x, y] of [
      [101, 101],
      [31, 101],
      [152, 151],
    ]) {
      expect(at(out, W, 1, x!, y!)).toBe(0); // specks
    }
    expect(at(out, W, 1, 101, 90)).toBe(0); // the strip: big enough, but thin all along
    // Only whole pieces go: what stays is exactly the main piece, its finger and the hair.
    expect(out.reduce((s, v) => s + v, 0)).toBe(40 * 40 + 25 * 2 + 30 * 20);
    // Without the thickness limit the strip stays (it is 120 px, over the area limit); without either, all.
    expect(at(cleanMask(mask, W, H, { ...limits, coreRadius: 0 }), W, 1, 101, 90)).toBe(1);
    expect(cleanMask(mask, W, H, { minArea: 0, coreRadius: 0 }).reduce((s, v) => s + v, 0)).toBe(mask.reduce((s, v) => s + v, 0));
  });

  it('makes the same decisions for the same scene at twice the size (limits scale with the person)', () => {
    const small = scene(1);
    const large = scene(2);
    const a = cleanMask(small.mask, small.W, small.H, small.limits);
    const b = cleanMask(large.mask, large.W, large.H, large.limits);
    let differ = 0;
    for (let y = 0; y < 200; y++) for (let x = 0; x < 200; x++) if (at(b, large.W, 2, x + 0.25, y + 0.25) !== at(a, small.W, 1, x + 0.25, y + 0.25)) differ++;
    expect(differ).toBe(0);
    expect(b.reduce((s, v) => s + v, 0)).toBe(4 * a.reduce((s, v) => s + v, 0));
    // A fixed limit in pixels would not: the small scene's limits keep the large scene's specks.
    const fixed = cleanMask(large.mask, large.W, large.H, small.limits);
    expect(at(fixed, large.W, 2, 152, 151)).toBe(1);
  });

  it('drops small or thin pieces of a triangle mesh, joined through shared vertices', () => {
    // Two pieces: a strip of 6 triangles over vertices 0..7 and a lone triangle 8, 9, 10.
    const strip = [0, 1, 2, 1, 3, 2, 2, 3, 4, 3, 5, 4, 4, 5, 6, 5, 7, 6];
    const indices = [...strip, 8, 9, 10];
    expect([...cleanTriangles(indices, 11, 2)]).toEqual(strip);
    expect([...cleanTriangles(indices, 11, 1)]).toEqual(indices);
    expect([...cleanTriangles(indices, 11, 1, (v) => v === 9)]).toEqual([8, 9, 10]);
    expect(cleanTriangles(indices, 11, 7).length).toBe(0);
  });

  it("measures the person's height at the pelvis's depth", () => {
    expect(personHeightPixels(1000, 1.7, 3.4)).toBeCloseTo(500);
    expect(personHeightPixels(1000, 1.7, 1.7)).toBeCloseTo(2 * personHeightPixels(1000, 1.7, 3.4));
  });
});
