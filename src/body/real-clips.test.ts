/**
 * The body fit on real clips: the project's pose tracker (blazepose-full, onnxruntime-web wasm)
 * on 40 consecutive frames of three clips from ../shared/media (decoded by the ffmpeg CLI), then
 * fitBodyTrack. Measured: the median over frames and the 12 limb / torso keypoints of the distance
 * between the projected body markers and the 2D keypoints, as a fraction of the frame's torso
 * height. Skipped, with the reason printed, when the models or the media are missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrackerModels, decodeFrames, joinPath, mediaDir, mediaSkipReason, modelsSkipReason } from '../pose/node-testing';
import { PoseTracker, emptyTrack, writeFrame, type PoseTrackerModels } from '../pose';
import { fitBodyTrack, reprojectionFractions } from './fit';
import { type Vec3, DEG, dot, median, mid, norm, sub, vec3At } from './math';
import { heading, surfaceCoverage } from './coverage';
import { retargetMotion } from './retarget';
import { restSkeleton } from './shape';
import { J } from './skeleton';
import { forwardKinematics } from './skinning';

const skip = modelsSkipReason() ?? mediaSkipReason();
if (skip) console.log(`[body real clips] skipped: ${skip}`);

const CLIPS: ReadonlyArray<{ file: string; start: number; what: string }> = [
  { file: 'fashion_model_turn_navy_dress_91BjuE6irxS.mp4', start: 0, what: 'turning on the spot' },
  { file: 'indoor_dance_woman_yellow_sweater_static.mp4', start: 0, what: 'gesture dance' },
  { file: 'h36m_lab_walking_static_camera.mp4', start: 40, what: 'walking towards the camera' },
  { file: 'h36m_lab_walking_static_camera.mp4', start: 0, what: 'T-pose (frames 0-11), arms lowering, walking' },
];

/** Angle between two vectors, degrees. */
const angle = (a: Vec3, b: Vec3) => Math.acos(Math.max(-1, Math.min(1, dot(a, b) / (norm(a) * norm(b))))) / DEG;

/**
 * Arm angles of a posed skeleton (24 x 3 joint positions): upper-arm abduction from the
 * shoulders-to-hips direction (90° in a T-pose) and elbow flexion (0° straight), left and right.
 */
function armAngles(p: Float32Array): { abduction: [number, number]; elbow: [number, number] } {
  const P = (j: number) => vec3At(p, j);
  const down = sub(mid(P(J.left_hip), P(J.right_hip)), mid(P(J.left_shoulder), P(J.right_shoulder)));
  const side = (s: number, e: number, w: number) => [angle(sub(P(e), P(s)), down), angle(sub(P(e), P(s)), sub(P(w), P(e)))] as const;
  const l = side(J.left_shoulder, J.left_elbow, J.left_wrist);
  const r = side(J.right_shoulder, J.right_elbow, J.right_wrist);
  return { abduction: [l[0], r[0]], elbow: [l[1], r[1]] };
}
const FRAMES = 40;

describe.skipIf(skip !== null)('body fit on real clips', () => {
  let models: PoseTrackerModels;
  const releases: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const loaded = await loadTrackerModels();
    models = loaded.models;
    releases.push(loaded.release);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(releases.map((r) => r()));
  });

  it(
    'median reprojection of the fitted joints is within 5% of the torso height',
    async () => {
      const medians: number[] = [];
      const bodies = new Map<string, ReturnType<typeof fitBodyTrack>>();
      for (const clip of CLIPS) {
        const frames = decodeFrames(joinPath(mediaDir, clip.file), clip.start, FRAMES);
        const tracker = new PoseTracker(models, { hands: false, maskSize: 0 });
        const pose = emptyTrack(frames.length, frames[0]!.width, frames[0]!.height, 0, 'blazepose-full', 'wasm');
        for (let i = 0; i < frames.length; i++) writeFrame(pose, i, await tracker.process(frames[i]!, i / 25), 1);
        const t0 = performance.now();
        const body = fitBodyTrack(pose);
        const ms = performance.now() - t0;
        bodies.set(`${clip.file}@${clip.start}`, body);
        const fractions = reprojectionFractions(body, pose);
        const m = median(fractions);
        medians.push(m);
        const s = body.shape;
        console.log(
          `[body real clips] ${clip.file} (${clip.what}), frames ${clip.start}-${clip.start + FRAMES - 1}: fitted ${body.filled.filter((f) => !f).length}/${body.frameCount}, ` +
            `median reprojection ${(m * 100).toFixed(2)}% of torso height (${median(body.reprojectionErrorPx).toFixed(1)} px), ` +
            `focal ${body.camera.focal.toFixed(0)} px for ${pose.width}x${pose.height}, pelvis depth ${body.roots[2]!.toFixed(2)} m, ` +
            `shape: height ${s.height.toFixed(2)} m, legs ${s.legs.toFixed(2)}, arms ${s.arms.toFixed(2)}, torso ${s.torso.toFixed(2)}, neck/head ${s.neckHead.toFixed(2)}, shoulders ${s.shoulders.toFixed(2)}, hips ${s.hips.toFixed(2)}; fit ${ms.toFixed(0)} ms`,
        );
        expect(body.filled.filter((f) => !f).length).toBeGreaterThanOrEqual(FRAMES - 2);
        if (clip.start === 0 && clip.file.startsWith('h36m')) {
          // The T-pose: straight arms held out sideways in frames 0-11 (the image shows it). The
          // retargeted body (here onto itself) copies the rotations, so it must show the same.
          const moved = retargetMotion(body, body);
          const skel = restSkeleton(moved.shape);
          const tpose = Array.from({ length: 12 }, (_, i) => armAngles(forwardKinematics(skel, moved.rotations.subarray(i * 96, (i + 1) * 96), moved.roots.subarray(i * 3, i * 3 + 3)).positions));
          const abd = tpose.flatMap((a) => a.abduction);
          const elbow = tpose.flatMap((a) => a.elbow);
          console.log(`[body real clips] h36m T-pose frames 0-11, retargeted body: upper-arm abduction median ${median(abd).toFixed(0)}° (90° = T), elbow flexion median ${median(elbow).toFixed(0)}°, max ${Math.max(...elbow).toFixed(0)}°`);
          for (const a of abd) expect(Math.abs(a - 90)).toBeLessThan(15);
          expect(median(elbow)).toBeLessThan(12);
        }
      }
      for (const m of medians) expect(m).toBeLessThanOrEqual(0.05);

      // Headings: the dancer faces the camera throughout; the model turns on the spot.
      const dance = bodies.get('indoor_dance_woman_yellow_sweater_static.mp4@0')!;
      const turn = bodies.get('fashion_model_turn_navy_dress_91BjuE6irxS.mp4@0')!;
      const headings = (b: typeof dance) => Array.from({ length: b.frameCount }, (_, i) => heading(b, i));
      const spread = (h: number[]) => `${Math.min(...h).toFixed(0)}°..${Math.max(...h).toFixed(0)}°`;
      const danceOnTurn = surfaceCoverage(dance, retargetMotion(turn, dance));
      console.log(
        `[body real clips] headings: dance ${spread(headings(dance))}, turn ${spread(headings(turn))}; the turn on the dancer: ` +
          `${(danceOnTurn.worstUnseen * 100).toFixed(0)} % unseen at worst, ${(danceOnTurn.framesMostlyUnseen * 100).toFixed(0)} % of frames over a quarter`,
      );
      expect(surfaceCoverage(dance, retargetMotion(dance, dance)).worstUnseen).toBe(0);
    },
    120_000,
  );
});
