/** PoseTrack storage: a frame's face (and the rest) written in display pixels and read back. */
import { describe, expect, it } from 'vitest';
import { FACE_KP, emptyTrack, trackFrame, writeFrame } from './track';
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
