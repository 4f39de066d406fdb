/**
 * Following a clicked person on the real models (onnxruntime-web wasm in Node), measured against
 * COCO ground truth: for each annotated person of the COCO test images, click the centre of their
 * visible torso keypoints and analyse the whole image as the app does (a one-frame clip at its
 * full size: `follow(point)` then `process`). Skipped, with the reason printed, when public/models
 * or the shared media folder is missing.
 *
 * Measured: PCK@0.2 of the torso over each clicked person's labelled COCO-17 keypoints (a person
 * reported not found counts as all wrong), and people "found on someone else": a found pose whose
 * torso centre lies outside the clicked person's box or nearer another annotated person.
 *
 * Before the follow rules of follow.ts (nearest detection by a reach scaled by its region, zoom
 * only when no whole-frame detection covered the click, any pose flag ≥ 0.5 counted as found):
 * PCK@0.2 0.586 (106/181), 2 of 12 people found on someone else, 1 not found. After: 0.862
 * (156/181), 0 on someone else, 0 not found, blazepose-full fp32 on wasm. The bound keeps only two
 * keypoints of margin: most misses are the cross-country skiers of 000000197388 (bent forward,
 * overlapping), and about 10 of the 50 keypoints gained come from fusing several reads of the
 * clicked person, a gain measured on these same 12 people.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ON_POSE, detectionReach, followCost, meanReads, poseClick, torsoGap } from './follow';
import { BP, toCoco17 } from './layouts';
import { pck, pckReferenceLength, sumPck, type PckResult } from './metrics';
import { loadTrackerModels, decodeImage, joinPath, mediaDir, mediaSkipReason, modelsSkipReason, readText } from './node-testing';
import { PoseTracker, bodyDistance, type PoseTrackerModels } from './tracker';
import type { Detection } from './types';

const modelsSkip = modelsSkipReason();
const mediaSkip = modelsSkip ?? mediaSkipReason();
if (mediaSkip) console.log(`[pose follow] real-model click tests skipped: ${mediaSkip}`);

interface CocoFile {
  images: Array<{ id: number; file_name: string; width: number; height: number }>;
  annotations: Array<{ image_id: number; bbox: [number, number, number, number]; keypoints: number[]; num_keypoints: number }>;
}

/** COCO-17 shoulders and hips. */
const TORSO = [5, 6, 11, 12];

/** Mean of the torso keypoints with v > 0 of COCO triples, or null when none is labelled. */
function torsoCentre(kp: ArrayLike<number>, minV = 1): { x: number; y: number } | null {
  const pts = TORSO.filter((k) => kp[k * 3 + 2]! >= minV);
  if (pts.length === 0) return null;
  return { x: pts.reduce((s, k) => s + kp[k * 3]!, 0) / pts.length, y: pts.reduce((s, k) => s + kp[k * 3 + 1]!, 0) / pts.length };
}

/** A detection with hip centre, alignment point and shoulder centre (0.6 of the way up). */
function detection(hip: [number, number], top: [number, number]): Detection {
  const shoulder = { x: hip[0] + 0.6 * (top[0] - hip[0]), y: hip[1] + 0.6 * (top[1] - hip[1]) };
  return { score: 0.9, box: { cx: top[0], cy: top[1], w: 10, h: 10 }, keypoints: [{ x: hip[0], y: hip[1] }, { x: top[0], y: top[1] }, shoulder, shoulder] };
}

/** An upright BlazePose-33 pose: shoulders 11 / 12 at y 100, hips 23 / 24 at y 200, x 80–120; limbs hanging straight down. */
function pose(dx = 0): Float32Array {
  const kp = new Float32Array(39 * 4);
  const set = (i: number, x: number, y: number) => kp.set([x + dx, y, 0, 1], i * 4);
  set(0, 100, 60); // nose
  set(7, 115, 60);
  set(8, 85, 60);
  set(11, 120, 100);
  set(12, 80, 100);
  set(13, 125, 150);
  set(14, 75, 150);
  set(15, 125, 200);
  set(16, 75, 200);
  set(23, 115, 200);
  set(24, 85, 200);
  set(25, 115, 260);
  set(26, 85, 260);
  set(27, 115, 320);
  set(28, 85, 320);
  return kp;
}

describe('where a click lies on a person', () => {
  it('covers a click by a detection only within its body boxes, sized by its torso, not its region', () => {
    const upright = detection([100, 300], [100, 100]); // r 200, torso 120
    expect(detectionReach(upright, { x: 100, y: 250 })).toBeLessThan(1); // chest
    expect(detectionReach(upright, { x: 100, y: 450 })).toBeLessThan(1); // legs
    expect(detectionReach(upright, { x: 190, y: 250 })).toBeGreaterThan(1); // 90 px aside: more than 0.6 torso
    expect(detectionReach(upright, { x: 100, y: 90 })).toBeGreaterThan(1); // above the head
    // A large upside-down detection (ROI 1110 px): a click just past the end of its axis was on
    // its body by the old rule (0.35 of its alignment radius), and lies outside its ROI.
    const big = detection([500, 300], [500, 744]);
    const click = { x: 520, y: 870 };
    expect(bodyDistance(big, click)).toBeLessThanOrEqual(0.35);
    expect(detectionReach(big, click)).toBeGreaterThan(1);
    expect(detectionReach(big, { x: 500, y: 500 })).toBeLessThan(1);
  });

  it('places a click relative to a pose: inside its torso, on its limbs or head, or off it', () => {
    const kp = pose();
    const inside = poseClick(kp, { x: 100, y: 150 });
    expect(inside).toMatchObject({ torso: 100, inTorso: true, body: 0, centre: 0 });
    const leg = poseClick(kp, { x: 117, y: 290 });
    expect(leg.inTorso).toBe(false);
    expect(leg.body).toBeCloseTo(0.02, 6);
    expect(poseClick(kp, { x: 100, y: 62 }).body).toBe(0); // the head
    expect(poseClick(kp, { x: 200, y: 150 }).body).toBeGreaterThan(ON_POSE); // beside the arm
    // Of a pose in front whose neck the click touches and one it is central to, the latter wins.
    const front = poseClick(kp, { x: 100, y: 90 });
    const behind = poseClick(pose(), { x: 100, y: 140 });
    expect(front.body).toBeLessThanOrEqual(ON_POSE);
    expect(followCost(behind)).toBeLessThan(followCost(front));
  });

  it('measures how far apart two reads of a person are and averages them', () => {
    expect(torsoGap(pose(), pose(10))).toBeCloseTo(10, 6);
    const mean = meanReads([pose(), pose(10)]);
    expect(mean[11 * 4]).toBeCloseTo(125, 6);
    expect(mean[11 * 4 + 3]).toBeCloseTo(1, 6);
  });
});

describe.skipIf(mediaSkip !== null)('following a clicked person on the real models (COCO)', () => {
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
    'a click on each annotated person finds that person (PCK@0.2 of the torso) and never someone else',
    async () => {
      const dir = joinPath(mediaDir, 'keypoints/coco');
      const coco = JSON.parse(readText(joinPath(dir, 'test_coco.json'))) as CocoFile;
      const tracker = new PoseTracker(models, { hands: false });
      const results: PckResult[] = [];
      let people = 0;
      let found = 0;
      let wrong = 0;
      const started = performance.now();
      for (const img of coco.images) {
        const image = decodeImage(joinPath(dir, img.file_name));
        const anns = coco.annotations.filter((a) => a.image_id === img.id);
        // Where each annotated person is: their torso centre, else their box centre.
        const centres = anns.map((a) => torsoCentre(a.keypoints) ?? { x: a.bbox[0] + a.bbox[2] / 2, y: a.bbox[1] + a.bbox[3] / 2 });
        for (const [i, ann] of anns.entries()) {
          const click = torsoCentre(ann.keypoints);
          if (!click) continue;
          people++;
          tracker.reset();
          tracker.follow(click);
          const result = await tracker.process(image, 0);
          const pred = toCoco17(result);
          const gt = Float32Array.from(ann.keypoints);
          const [bx, by, bw, bh] = ann.bbox;
          const ref = pckReferenceLength(gt, 'coco17', { w: bw, h: bh });
          const r = pck(pred, gt, ref.length, 0.2, 1);
          results.push(r);
          let verdict = 'not found';
          if (result.found) {
            found++;
            const kp = result.keypoints;
            const ids = [BP.left_shoulder, BP.right_shoulder, BP.left_hip, BP.right_hip];
            const c = { x: ids.reduce((s, k) => s + kp[k * 4]!, 0) / 4, y: ids.reduce((s, k) => s + kp[k * 4 + 1]!, 0) / 4 };
            const inBox = c.x >= bx && c.x <= bx + bw && c.y >= by && c.y <= by + bh;
            const d = centres.map((p) => Math.hypot(p.x - c.x, p.y - c.y));
            const nearest = d.indexOf(Math.min(...d));
            const onClicked = inBox && nearest === i;
            if (!onClicked) wrong++;
            verdict = onClicked ? 'found' : `FOUND ON SOMEONE ELSE (torso centre ${c.x.toFixed(0)}, ${c.y.toFixed(0)})`;
          }
          console.log(
            `[pose follow] ${img.file_name} person ${i} box ${bw.toFixed(0)}x${bh.toFixed(0)} click (${click.x.toFixed(0)}, ${click.y.toFixed(0)}): ` +
              `${verdict}, score ${result.score.toFixed(2)}, PCK@0.2 ${r.correct}/${r.total}`,
          );
        }
      }
      const total = sumPck(results);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `[pose follow] COCO clicks: ${people} people, ${found} found, ${wrong} found on someone else, ${people - found} not found; ` +
          `PCK@0.2 (torso, labelled keypoints) = ${total.value.toFixed(3)} (${total.correct}/${total.total}); ${seconds.toFixed(1)} s ` +
          `(before the follow rules: 0.586 (106/181), 2 found on someone else, 1 not found)`,
      );
      expect(people).toBe(12);
      expect(wrong).toBe(0);
      expect(total.value).toBeGreaterThanOrEqual(0.85);
    },
    120_000,
  );
});
