import { describe, expect, it } from 'vitest';
import { headingArc, surfaceCoverage, heading } from './coverage';
import { DEG, qFromRotVec } from './math';
import { NEUTRAL_SHAPE } from './shape';
import { centredCamera, emptyBodyTrack, type BodyTrack } from './types';

/** A body 4 m in front of the camera turning through `yawsDeg` (about the vertical axis). */
function turning(yawsDeg: number[]): BodyTrack {
  const t = emptyBodyTrack(yawsDeg.length, NEUTRAL_SHAPE, centredCamera(640, 480, 600));
  yawsDeg.forEach((yaw, i) => {
    t.rotations.set(qFromRotVec([0, yaw * DEG, 0]), i * 96);
    t.roots.set([0.3, 0, 4], i * 3);
    t.confidence[i] = 1;
  });
  return t;
}
const range = (from: number, to: number, step = 5) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('surface coverage', () => {
  it('measures heading: 0 facing the camera, ±180 with the back to it', () => {
    const t = turning([0, 90, 180, -45]);
    expect(Math.abs(heading(t, 0))).toBeLessThan(5); // the body is a little off-axis (x = 0.3 m)
    expect(Math.abs(Math.abs(heading(t, 1)) - 90)).toBeLessThan(5);
    expect(Math.abs(Math.abs(heading(t, 2)) - 180)).toBeLessThan(5);
    expect(Math.sign(heading(t, 3))).toBe(-Math.sign(heading(t, 1)));
  });

  it('flags a motion that shows the back of a person the reference shows only from the front', () => {
    const c = surfaceCoverage(turning(range(-30, 30)), turning(range(0, 180)));
    console.log(`[body coverage] front-only reference: ${c.seenDeg}° seen; motion up to ${(c.worstUnseen * 100).toFixed(0)} % unseen, ${(c.framesMostlyUnseen * 100).toFixed(0)} % of frames over a quarter`);
    expect(c.seenDeg).toBeGreaterThan(230);
    expect(c.seenDeg).toBeLessThan(255);
    expect(c.worstUnseen).toBeGreaterThan(0.6);
    expect(c.framesMostlyUnseen).toBeGreaterThan(0.3);
    // Per frame: nothing unseen while the motion faces the camera, most of it at the back.
    const motion = turning(range(0, 180));
    expect(c.unseen.length).toBe(motion.frameCount);
    expect(c.unseen[0]).toBe(0);
    expect(c.unseen[c.unseen.length - 1]!).toBeGreaterThan(0.6);
    expect(Math.max(...c.unseen)).toBe(c.worstUnseen);
  });

  it('says when the reference never shows the face and the motion turns it to the camera', () => {
    const fromBehind = surfaceCoverage(turning(range(130, 230)), turning(range(0, 180)));
    expect(fromBehind.faceSeen).toBe(false);
    // About half of 0..180 (the body stands a little off the camera's axis, which shifts the headings by a few degrees).
    expect(fromBehind.faceShown).toBeGreaterThan(0.45);
    expect(fromBehind.faceShown).toBeLessThan(0.55);
    expect(surfaceCoverage(turning(range(130, 230)), turning(range(150, 210))).faceShown).toBe(0);
    expect(surfaceCoverage(turning(range(-30, 30)), turning(range(0, 180))).faceSeen).toBe(true);
    // A profile shows one side of the face.
    expect(surfaceCoverage(turning(range(70, 180)), turning([0])).faceSeen).toBe(true);
  });

  it('finds nothing unseen when the reference turns all the way round, or the motion stays in front', () => {
    expect(surfaceCoverage(turning(range(-180, 180)), turning(range(0, 180))).worstUnseen).toBe(0);
    expect(surfaceCoverage(turning(range(-30, 30)), turning(range(-20, 20))).worstUnseen).toBe(0);
  });

  it('gives the reference\'s headings as the smallest arc that holds them, across ±180° too', () => {
    expect(headingArc([-30, 10, 25])).toEqual([-30, 25]);
    // A back view: -172° is 188°, so the arc runs from 161° to 188°, not from -172° to 161°.
    expect(headingArc([161, 175, -172, 180])).toEqual([161, 188]);
    expect(headingArc([-100, -80, -170])).toEqual([-170, -80]);
    expect(headingArc([])).toEqual([0, 0]);
    const back = surfaceCoverage(turning(range(150, 210)), turning([0]));
    expect(back.referenceRange[0]).toBeGreaterThan(140);
    expect(back.referenceRange[1] - back.referenceRange[0]).toBeLessThan(75);
  });
});
