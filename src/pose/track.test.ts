/** PoseTrack storage: a frame's face (and the rest) written in display pixels and read back. */
import { describe, expect, it } from 'vitest';
import { BP } from './layouts';
import { FACE_KP, emptyTrack, heldObjectBoxes, heldObjectLabels, nearestHeldObjects, trackFrame, trackObjects, writeFrame, writeObjects } from './track';
import type { PoseFrame } from './types';

function frameWithFace(score: number): PoseFrame {
  return {
    found: true,
    score: 0.9,
    keypoints: new Float32Array(33 * 4).fill(1),
    world: new Float32Array(33 * 3),
    hands: { left: null, right: null },
    face: score > 0 ? { score, points: Float32Array.from({ length: FACE_KP * 2 }, (_, k) => k) } : null,
    roi: null,
    mask: null,
    maskSize: 0,
  };
}

describe('PoseTrack face', () => {
  it('stores 68 points per frame scaled to display pixels, and the face score', () => {
    const track = emptyTrack(3, 200, 100, 8, 'blazepose-full', 'wasm');
    expect(track.face).toHaveLength(3 * 68 * 2);
    expect(track.faceScore).toHaveLength(3);
    writeFrame(track, 1, frameWithFace(0.8), 2);
    writeFrame(track, 2, frameWithFace(0), 2);
    const f = trackFrame(track, 1);
    expect(f.face!.score).toBeCloseTo(0.8, 6);
    expect(f.face!.points).toHaveLength(136);
    expect(f.face!.points[5]).toBe(10);
    expect(trackFrame(track, 0).face).toBeNull();
    expect(trackFrame(track, 2).face).toBeNull();
    expect(Array.from(track.face.subarray(2 * 136)).every((v) => v === 0)).toBe(true);
  });
});

describe('PoseTrack held objects', () => {
  const racket = (x0: number, score = 0.7) => ({ classId: 38, label: 'tennis racket' as const, score, anchor: BP.right_wrist!, box: { x0, y0: 10, x1: x0 + 20, y1: 30 } });

  it('stores the best four per sampled frame in display pixels and reads them back', () => {
    const track = emptyTrack(4, 200, 100, 8, 'blazepose-full', 'wasm');
    writeObjects(track, 2, [racket(1, 0.4), racket(2, 0.9), racket(3, 0.5), racket(4, 0.6), racket(5, 0.8)], 2);
    expect(track.objectSampled[2]).toBe(1);
    expect(track.objectSampled[1]).toBe(0);
    const got = trackObjects(track, 2);
    expect(got.map((o) => [o.box.x0, o.score])).toEqual([
      [4, expect.closeTo(0.9, 6)],
      [10, expect.closeTo(0.8, 6)],
      [8, expect.closeTo(0.6, 6)],
      [6, expect.closeTo(0.5, 6)],
    ]);
    expect(got[0]).toMatchObject({ label: 'tennis racket', classId: 38, anchor: BP.right_wrist, box: { y0: 20, x1: 44, y1: 60 } });
    expect(trackObjects(track, 1)).toEqual([]);
  });

  it('carries each sample\'s objects along their hand to the frames between, with the box spanning both', () => {
    const track = emptyTrack(30, 200, 100, 8, 'blazepose-full', 'wasm');
    for (let f = 0; f < 30; f++) {
      track.found[f] = 1;
      track.keypoints.set([10 + 2 * f, 20, 0, 1], (f * 33 + BP.right_wrist!) * 4); // the hand moves 2 px a frame
    }
    writeObjects(track, 0, [racket(12)], 1);
    writeObjects(track, 5, [racket(30)], 1);
    track.objectSampled[10] = 1; // sampled, nothing held
    // Frame 5 is a sample: its own object only.
    expect(heldObjectBoxes(track, 5).map((b) => [b.from, b.box.x0])).toEqual([[5, 30]]);
    // Frame 2: frame 0's racket moved with the hand (+4), frame 5's (-6), and the span of the two.
    expect(heldObjectBoxes(track, 2).map((b) => [b.from, b.box.x0, b.box.x1])).toEqual([
      [0, 16, 36],
      [5, 24, 44],
      [0, 16, 44],
    ]);
    // Frame 7: frame 5's racket (+4); frame 10 saw none.
    expect(heldObjectBoxes(track, 7).map((b) => [b.from, b.box.x0])).toEqual([[5, 34]]);
    // Frame 25: the nearest samples are more than maxGap away on one side and empty on the other.
    expect(heldObjectBoxes(track, 25, 12)).toEqual([]);
    // For display, one box per object from the nearest sample (the earlier on a tie): frame 2 takes frame 0's, frame 3 frame 5's.
    expect(nearestHeldObjects(track, 2).map((b) => [b.from, b.box.x0])).toEqual([[0, 16]]);
    expect(nearestHeldObjects(track, 3).map((b) => [b.from, b.box.x0])).toEqual([[5, 26]]);
    expect(nearestHeldObjects(track, 9)).toEqual([]);
    // Held in 2 of the 3 sampled frames: named for the status line, unless asked for more.
    expect(heldObjectLabels(track)).toEqual(['tennis racket']);
    expect(heldObjectLabels(track, 0.7)).toEqual([]);
  });
});
