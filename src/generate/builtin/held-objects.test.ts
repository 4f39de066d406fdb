/**
 * What moves with the person leaves with the person: a generated clip where the person juggles a
 * yellow ball beside them. The "detector" reports the ball's true box every fifth frame, as the
 * analysis looks while the person holds something at 30 fps (pose `ObjectSchedule`); `heldObjects` keeps it because the hand
 * is near, the track carries it to the frames between (track.ts `heldObjectBoxes`), and the plate
 * built from those masks (mask.ts `withHeldObjects`, what ReferenceView.plateMasks uses) must hold
 * no ball. Without the objects the same plates keep ball pixels: the check can fail.
 */
import { describe, expect, it } from 'vitest';
import { BP, emptyTrack, heldObjects, ObjectSchedule, writeObjects, type PoseTrack } from '../../pose';
import { withHeldObjects } from './mask';
import { PlateBuilder } from './plate';
import { BALL_RGB, Texture, psnr, syntheticFrame, type SyntheticFrame } from './synthetic-testing';

const W = 320;
const H = 240;
const FRAMES = 40;
const STRIDE = 5;
const SPORTS_BALL = 32;

/** A pose for the synthetic person: every keypoint spread over their box, the right hand's points at their hand. */
function keypointsOf(f: SyntheticFrame): Float32Array {
  const k = new Float32Array(33 * 4);
  const { x0, y0, x1, y1, hand } = f.body;
  for (let j = 0; j < 33; j++) k.set([x0 + ((j % 5) / 4) * (x1 - x0), y0 + (j / 32) * (y1 - y0), 0, 1], j * 4);
  for (const j of [BP.right_wrist, BP.right_pinky, BP.right_index, BP.right_thumb]) k.set([hand[0], hand[1], 0, 1], j! * 4);
  return k;
}

/** The track the analysis would make at 30 fps, with a "detector" that sees the ball's true box when the schedule looks. */
function trackOf(frames: SyntheticFrame[], detect: boolean): PoseTrack {
  const track = emptyTrack(frames.length, W, H, 0, 'test', 'wasm');
  const schedule = new ObjectSchedule(frames.map((_, t) => t / 30));
  frames.forEach((f, t) => {
    track.found[t] = 1;
    track.keypoints.set(keypointsOf(f), t * 33 * 4);
    if (!detect || !schedule.due(t) || !f.ball) return;
    const { x, y, r } = f.ball;
    const detection = { classId: SPORTS_BALL, label: 'sports ball' as const, score: 0.8, box: { x0: x - r, y0: y - r, x1: x + r, y1: y + r } };
    const held = heldObjects([detection], keypointsOf(f));
    schedule.saw(t, held.length);
    writeObjects(track, t, held, 1);
  });
  return track;
}

function plates(frames: SyntheticFrame[], track: PoseTrack) {
  const builder = new PlateBuilder({ width: W, height: H, window: 10 });
  const out = new Map<number, Uint8ClampedArray>();
  frames.forEach((f, t) => {
    const ready = builder.push(t, f.rgba, withHeldObjects(Uint8Array.from(f.alpha), track, t, W, H));
    if (ready !== null) out.set(ready, builder.plate(ready)!);
  });
  for (const i of builder.flush()) out.set(i, builder.plate(i)!);
  return out;
}

const isBall = (rgba: ArrayLike<number>, p: number) =>
  Math.abs(rgba[4 * p]! - BALL_RGB[0]) < 30 && Math.abs(rgba[4 * p + 1]! - BALL_RGB[1]) < 30 && Math.abs(rgba[4 * p + 2]! - BALL_RGB[2]) < 40;

function ballLeft(frames: SyntheticFrame[], out: Map<number, Uint8ClampedArray>): { pixels: number; frames: number } {
  let pixels = 0;
  let withBall = 0;
  for (const [t, plate] of out) {
    let n = 0;
    // Only where the truth is not itself that yellow (the value-noise scene never is, but be exact).
    for (let p = 0; p < W * H; p++) if (isBall(plate, p) && !isBall(frames[t]!.truth, p)) n++;
    pixels += n;
    if (n) withBall++;
  }
  return { pixels, frames: withBall };
}

describe('a held object leaves the plate with the person (generated clip, juggled ball)', () => {
  const tex = new Texture(5);
  const frames = Array.from({ length: FRAMES }, (_, t) => syntheticFrame(tex, { width: W, height: H, frames: FRAMES, ball: true }, t));

  it('keeps the ball as held in every sampled frame, anchored to the hand', () => {
    const track = trackOf(frames, true);
    // Held from the first look on: six looks a second, every fifth frame at 30 fps.
    const sampled = [...track.objectSampled].flatMap((v, t) => (v ? [t] : []));
    expect(sampled).toEqual(Array.from({ length: FRAMES / STRIDE }, (_, k) => k * STRIDE));
    for (let t = 0; t < FRAMES; t++) {
      if (!track.objectSampled[t]) continue;
      expect(track.objects[t * 4 * 7 + 4], `frame ${t} score`).toBeCloseTo(0.8, 5);
      expect(track.objects[t * 4 * 7 + 6], `frame ${t} anchor`).toBe(BP.right_wrist);
    }
  });

  it('no ball in any plate, and the scene where it flew is the true scene', () => {
    const out = plates(frames, trackOf(frames, true));
    const control = ballLeft(frames, plates(frames, trackOf(frames, false)));
    const left = ballLeft(frames, out);
    // Where the ball was, against the true background.
    let sum = 0;
    let count = 0;
    for (const [t, plate] of out) {
      const { x, y, r } = frames[t]!.ball!;
      const s = psnr(plate, frames[t]!.truth, (p) => Math.hypot((p % W) + 0.5 - x, Math.floor(p / W) + 0.5 - y) <= r, W * H);
      sum += 10 ** (-s.psnr / 10) * s.count;
      count += s.count;
    }
    const ballPsnr = -10 * Math.log10(sum / count);
    console.log(
      `[held objects] ball pixels left in the plates: ${left.pixels} in ${left.frames} of ${out.size} frames with the objects, ` +
        `${control.pixels} in ${control.frames} without; plate PSNR where the ball was ${ballPsnr.toFixed(1)} dB`,
    );
    expect(control.frames).toBeGreaterThan(FRAMES / 2);
    expect(left.pixels).toBe(0);
    expect(ballPsnr).toBeGreaterThan(30);
  });
});
