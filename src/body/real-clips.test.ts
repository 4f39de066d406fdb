/**
 * The body fit on real clips: the project's pose tracker (blazepose-full, onnxruntime-web wasm)
 * on 40 consecutive frames of three clips from ../shared/media (decoded by the ffmpeg CLI), then
 * fitBodyTrack. Measured: the median over frames and the 12 limb / torso keypoints of the distance
 * between the projected body markers and the 2D keypoints, as a fraction of the frame's torso
 * height. Skipped, with the reason printed, when the models or the media are missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeRunner, decodeFrames, joinPath, mediaDir, mediaSkipReason, modelsSkipReason } from '../pose/node-testing';
import { emptyTrack, writeFrame } from '../pose/track';
import { PoseTracker, modelFile, type PoseTrackerModels } from '../pose';
import { fitBodyTrack, reprojectionFractions } from './fit';
import { median } from './math';

const skip = modelsSkipReason() ?? mediaSkipReason();
if (skip) console.log(`[body real clips] skipped: ${skip}`);

const CLIPS: ReadonlyArray<{ file: string; start: number; what: string }> = [
  { file: 'fashion_model_turn_navy_dress_91BjuE6irxS.mp4', start: 0, what: 'turning on the spot' },
  { file: 'indoor_dance_woman_yellow_sweater_static.mp4', start: 0, what: 'gesture dance' },
  { file: 'h36m_lab_walking_static_camera.mp4', start: 40, what: 'T-pose, then walking towards the camera' },
];
const FRAMES = 40;

describe.skipIf(skip !== null)('body fit on real clips', () => {
  let models: PoseTrackerModels;
  const releases: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const load = async (id: string) => {
      const r = await createNodeRunner(modelFile(id, 'fp32'));
      releases.push(r.release);
      return r.run;
    };
    models = { detector: await load('blazepose-detector'), landmarks: await load('blazepose-full') };
  }, 60_000);

  afterAll(async () => {
    await Promise.all(releases.map((r) => r()));
  });

  it(
    'median reprojection of the fitted joints is within 5% of the torso height',
    async () => {
      const medians: number[] = [];
      for (const clip of CLIPS) {
        const frames = decodeFrames(joinPath(mediaDir, clip.file), clip.start, FRAMES);
        const tracker = new PoseTracker(models, { hands: false, maskSize: 0 });
        const pose = emptyTrack(frames.length, frames[0]!.width, frames[0]!.height, 0, 'blazepose-full', 'wasm');
        for (let i = 0; i < frames.length; i++) writeFrame(pose, i, await tracker.process(frames[i]!, i / 25), 1);
        const t0 = performance.now();
        const body = fitBodyTrack(pose);
        const ms = performance.now() - t0;
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
      }
      for (const m of medians) expect(m).toBeLessThanOrEqual(0.05);
    },
    120_000,
  );
});
