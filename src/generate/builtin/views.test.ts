import { describe, expect, it } from 'vitest';
import { chooseViews } from './views';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('chooseViews', () => {
  it('spreads the views evenly in time when the body keeps one heading', () => {
    const frames = range(120);
    const views = chooseViews(frames, frames.map(() => 5), 12);
    expect(views).toHaveLength(12);
    const gaps = views.slice(1).map((v, i) => v - views[i]!);
    expect(Math.min(...gaps)).toBe(10);
    expect(Math.max(...gaps)).toBe(10);
  });

  it('gathers the back a turning clip shows only at its end', () => {
    // 140 frames facing the camera, 3 in profile, 4 with the back to it (the sequin dress clip's reference half).
    const headings = [...range(140).map((i) => (i % 2 ? 8 : -8)), 80, 100, 120, 170, 175, -178, -172];
    const frames = range(headings.length);
    const views = chooseViews(frames, headings, 24);
    expect(views).toHaveLength(24);
    const back = views.filter((f) => Math.abs(headings[f]!) > 150);
    expect(back).toHaveLength(2);
    expect(views.filter((f) => headings[f] === 80 || headings[f] === 100 || headings[f] === 120)).toHaveLength(3);
    // The rest go to the front, still spread over its 140 frames.
    const front = views.filter((f) => f < 140);
    expect(front).toHaveLength(19);
    expect(front[0]!).toBeLessThan(10);
    expect(front.at(-1)!).toBeGreaterThan(130);
    expect(views).toEqual([...views].sort((a, b) => a - b));
  });

  it('takes every frame when there are fewer than the views asked for', () => {
    expect(chooseViews([3, 7, 9], [0, 90, 180], 24)).toEqual([3, 7, 9]);
  });

  it('keeps the time spread, and so most views, where the clip dwells', () => {
    // 100 frames with the back to the camera, a quick turn through the side, 20 facing it.
    const headings = [...range(100).map(() => 178), 120, 90, 60, 30, ...range(20).map(() => 2)];
    const views = chooseViews(range(headings.length), headings, 24);
    expect(views).toHaveLength(24);
    expect(views.filter((f) => headings[f] === 178).length).toBeGreaterThanOrEqual(16);
    expect(views.filter((f) => headings[f] === 2).length).toBeGreaterThanOrEqual(3);
    // Each turning frame is its own sector: each is taken.
    for (const f of [100, 101, 102, 103]) expect(views).toContain(f);
  });

  it('is the plain time spread when every sector the clip shows already has its views', () => {
    // A slow turn from 60° one way to 60° the other: some 60 frames in each sector.
    const headings = range(240).map((i) => i / 2 - 60);
    const views = chooseViews(range(240), headings, 24);
    expect(views).toEqual(range(24).map((v) => v * 10));
  });

  it('rejects headings that do not match the frames', () => {
    expect(() => chooseViews([1, 2], [0], 4)).toThrow(RangeError);
  });
});
