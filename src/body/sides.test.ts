import { describe, expect, it } from 'vitest';
import { heading } from './coverage';
import { consistentSides, fitBodyTrack } from './fit';
import { fitModel } from './fit-frame';
import { type PoseTrackInput } from './fit';
import { BLAZEPOSE_MIRROR, swappedSides, withSidesSwapped } from './sides';
import { seededRandom, syntheticPoseTrack, walkingClip } from './synthetic-testing';
import { centredCamera } from './types';

const model = fitModel({ height: 1.68, legs: 1, arms: 1, torso: 1, neckHead: 1, shoulders: 1, hips: 1, girth: 0 });
const camera = centredCamera(960, 540, 900);
const all = (n: number) => Array.from({ length: n }, (_, i) => i);
const flagged = (s: Uint8Array) => all(s.length).filter((i) => s[i]);

/** A synthetic pose track of a walk at `yawDeg` (180: the back to the camera). */
function walk(frameCount: number, yawDeg: number): PoseTrackInput {
  const clip = walkingClip(model, frameCount, { yawDeg, stride: 0.01, startZ: 5 });
  return syntheticPoseTrack(model, clip.rotations, clip.roots, camera, seededRandom(3));
}

/** A person turning on the spot through `yawsDeg`, one frame each. */
function turn(yawsDeg: number[]): PoseTrackInput {
  const rotations = new Float32Array(yawsDeg.length * 96);
  const roots = new Float32Array(yawsDeg.length * 3);
  yawsDeg.forEach((yawDeg, i) => {
    const one = walkingClip(model, 1, { yawDeg, startZ: 5 });
    rotations.set(one.rotations, i * 96);
    roots.set(one.roots, i * 3);
  });
  return syntheticPoseTrack(model, rotations, roots, camera, seededRandom(4));
}

/** The pose model's mistake: these frames' left and right labels swapped. */
function mislabel(track: PoseTrackInput, frames: number[]): PoseTrackInput {
  const wrong = new Uint8Array(track.frameCount);
  for (const i of frames) wrong[i] = 1;
  return withSidesSwapped(track, wrong);
}

describe('left-right label consistency', () => {
  it('mirrors every keypoint onto its other side and back', () => {
    expect(BLAZEPOSE_MIRROR).toHaveLength(33);
    BLAZEPOSE_MIRROR.forEach((m, k) => expect(BLAZEPOSE_MIRROR[m]).toBe(k));
    expect(BLAZEPOSE_MIRROR[11]).toBe(12);
    expect(BLAZEPOSE_MIRROR[0]).toBe(0);
  });

  it('finds the frames of a back view that the pose model labelled as if facing the camera', () => {
    const truth = walk(60, 180);
    const seen = mislabel(truth, [20, 21, 22, 23, 40]);
    expect(flagged(swappedSides(seen, all(60)))).toEqual([20, 21, 22, 23, 40]);
    // Frames left out of the pass (not confident) are bridged and stay unflagged.
    const some = all(60).filter((i) => i % 7 !== 3);
    expect(flagged(swappedSides(seen, some))).toEqual([20, 21, 22, 23, 40].filter((i) => some.includes(i)));
  });

  it('leaves a clean track alone, a person turning all the way round included', () => {
    expect(flagged(swappedSides(walk(60, 180), all(60)))).toEqual([]);
    expect(flagged(swappedSides(walk(60, 0), all(60)))).toEqual([]);
    const spin = turn(all(72).map((i) => i * 5));
    expect(flagged(swappedSides(spin, all(72)))).toEqual([]);
  });

  it('turns a long mislabelled stretch back to agree with the rest of the track', () => {
    const stretch = all(25).map((i) => i + 30);
    expect(flagged(swappedSides(mislabel(walk(80, 180), stretch), all(80)))).toEqual(stretch);
  });

  it('keeps the fitted body facing away through mislabelled frames', () => {
    const truth = walk(40, 180);
    const seen = mislabel(truth, [12, 13, 14, 25]);
    const body = fitBodyTrack(seen);
    const offBy = all(40).map((i) => 180 - Math.abs(heading(body, i)));
    console.log(`[body sides] back view, 4 of 40 frames mislabelled: fitted heading at most ${Math.max(...offBy).toFixed(1)}° from the back`);
    expect(Math.max(...offBy)).toBeLessThan(15);
  });

  it('repairs a whole track once: hands swap with the body, and a repaired track is left as it is', () => {
    const truth = walk(40, 180);
    // Hands: frame i's left hand holds the value i, its right hand -i, scores 0.9 and 0.1.
    const hands = new Float32Array(40 * 2 * 63);
    const handScore = new Float32Array(40 * 2);
    for (let i = 0; i < 40; i++) {
      hands.fill(i, i * 126, i * 126 + 63);
      hands.fill(-i, i * 126 + 63, (i + 1) * 126);
      handScore.set([0.9, 0.1], i * 2);
    }
    const seen = { ...mislabel(truth, [12, 13, 14, 25]), hands, handScore };
    const repaired = consistentSides(seen);
    // The repaired keypoints are the truth's; the hands of the repaired frames changed sides.
    expect(Array.from(repaired.keypoints)).toEqual(Array.from(truth.keypoints));
    for (const i of [12, 25]) {
      expect(repaired.hands![i * 126]).toBe(-i);
      expect(repaired.hands![i * 126 + 63]).toBe(i);
      expect(Array.from(repaired.handScore!.subarray(i * 2, i * 2 + 2))).toEqual([0.1, 0.9].map(Math.fround));
    }
    expect(repaired.hands![11 * 126]).toBe(11);
    // The fit repairs again inside: on a repaired track that changes nothing.
    expect(consistentSides(repaired)).toBe(repaired);
    const once = fitBodyTrack(repaired);
    const twice = fitBodyTrack(seen);
    expect(Array.from(once.rotations)).toEqual(Array.from(twice.rotations));
  });
});
