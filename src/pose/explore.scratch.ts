import { it } from 'vitest';
import path from 'node:path';
import { createNodeRunner, decodeFrames, mediaDir } from './node-testing';
import { PoseTracker } from './tracker';
it('explore', async () => {
  const det = await createNodeRunner('blazepose-detector.fp32.onnx');
  const lm = await createNodeRunner('blazepose-full.fp32.onnx');
  const tr = new PoseTracker({ detector: det.run, landmarks: lm.run }, { minDetectionScore: 0.3 });
  for (const n of [20, 50, 80, 100]) {
    const [frame] = decodeFrames(path.join(mediaDir, 'street_two_women_walking_handheld_camera.mp4'), n, 1);
    for (const p of [{ x: 410, y: 150 }, { x: 525, y: 170 }, {x: 160, y: 160}]) for (const side of [406, 300, 203]) {
      const dets = await tr.detect(frame!, { cx: p.x, cy: p.y, size: side, rotation: 0 });
      console.log(n, p.x, side, dets.map((d) => `${d.score.toFixed(2)} face(${d.box.cx.toFixed(0)},${d.box.cy.toFixed(0)}) hip(${d.keypoints[0]!.x.toFixed(0)},${d.keypoints[0]!.y.toFixed(0)}) top(${d.keypoints[1]!.x.toFixed(0)},${d.keypoints[1]!.y.toFixed(0)})`).join(' | '));
    }
  }
});
