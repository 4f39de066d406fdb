/**
 * Face mesh crops from a pose (face.ts): the ROI geometry on synthetic keypoints, and on real frames
 * the converted `facemesh` model (onnxruntime-web wasm in Node) run on the crop that the tracker's
 * pose gives. The real-frame tests are skipped, with the reason printed, when public/models (or
 * MOTIONPASTE_MODELS_DIR) has no facemesh or the shared media is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropToSource, applyAffine } from './crop';
import { FACE68_FROM_MESH, FACE_MESH_INDEX, FACE_MESH_POINTS, FACE_ROI_SCALE, faceMeshFromOutputs, faceMeshTo68, faceRoiFromMesh, faceRoiFromPose, runFaceMesh } from './face';
import { BLAZEPOSE_KEYPOINTS, BP } from './layouts';
import { FACE_MESH_IO, modelFile } from './models';
import { createNodeRunner, decodeFrames, joinPath, loadTrackerModels, mediaDir, mediaSkipReason, modelsDir, modelsSkipReason, readText } from './node-testing';
import { PoseTracker, headFacesCamera, type PoseTrackerModels } from './tracker';
import type { ModelRunner, RgbaImage } from './types';

/** BlazePose-33 keypoints (x, y, z, visibility), all visible, with the head points given. */
function pose(head: Partial<Record<keyof typeof BP, [number, number]>>, visibility = 1): Float32Array {
  const k = new Float32Array(BLAZEPOSE_KEYPOINTS * 4);
  for (const [name, [x, y]] of Object.entries(head)) {
    const i = BP[name as keyof typeof BP];
    k.set([x, y, 0, visibility], i * 4);
  }
  return k;
}

/** An upright frontal head: eyes at y = 100, mouth at y = 120 (eye–mouth distance 20), ears 40 apart. */
const UPRIGHT = {
  nose: [200, 110],
  left_eye: [210, 100],
  right_eye: [190, 100],
  mouth_left: [206, 120],
  mouth_right: [194, 120],
  left_ear: [220, 104],
  right_ear: [180, 104],
} satisfies Partial<Record<keyof typeof BP, [number, number]>>;

describe('faceRoiFromPose', () => {
  it('centres an upright square below the eyes, sized from the eye–mouth and ear distances', () => {
    const roi = faceRoiFromPose(pose(UPRIGHT))!;
    expect(roi.rotation).toBeCloseTo(0, 6);
    expect(roi.cx).toBeCloseTo(200, 6);
    expect(roi.cy).toBeGreaterThan(100);
    expect(roi.cy).toBeLessThan(120);
    // max(2.45 x 20, 1.3 x 40) x 1.5
    expect(roi.size).toBeCloseTo(Math.max(2.45 * 20, 1.3 * 40) * FACE_ROI_SCALE, 4);
  });

  it('turns with the head: mouth → eyes becomes the crop’s up', () => {
    // The upright head rotated 90° clockwise about (200, 110): up (0, -1) becomes (1, 0).
    const rot = (p: [number, number]): [number, number] => [200 - (p[1] - 110), 110 + (p[0] - 200)];
    const head = Object.fromEntries(Object.entries(UPRIGHT).map(([k, p]) => [k, rot(p as [number, number])]));
    const roi = faceRoiFromPose(pose(head))!;
    expect(roi.rotation).toBeCloseTo(Math.PI / 2, 6);
    // The crop's up direction maps to +x in the frame.
    const m = cropToSource(roi, 192);
    const top = applyAffine(m, 96, 0);
    expect(top.x).toBeGreaterThan(roi.cx);
    expect(top.y).toBeCloseTo(roi.cy, 6);
    const upright = faceRoiFromPose(pose(UPRIGHT))!;
    expect(roi.size).toBeCloseTo(upright.size, 6);
  });

  it('needs both eyes and mouth corners visible', () => {
    expect(faceRoiFromPose(pose(UPRIGHT, 0.2))).toBeNull();
    const noMouth: Partial<typeof UPRIGHT> = { ...UPRIGHT };
    delete noMouth.mouth_left;
    expect(faceRoiFromPose(pose(noMouth))).toBeNull();
    expect(() => faceRoiFromPose(new Float32Array(10))).toThrow(RangeError);
    // Without the ears the eye–mouth distance alone sizes the box.
    const noEars: Partial<typeof UPRIGHT> = { ...UPRIGHT };
    delete noEars.left_ear;
    expect(faceRoiFromPose(pose(noEars))!.size).toBeCloseTo(2.45 * 20 * FACE_ROI_SCALE, 4);
  });
});

describe('faceRoiFromMesh and faceMeshFromOutputs', () => {
  it('round-trips a mesh through the crop: the mesh ROI levels the eye corners and boxes the points', () => {
    // A synthetic mesh in crop pixels: points on a 60 x 80 box around (96, 100), eye corners level.
    const crop = new Float32Array(FACE_MESH_POINTS * 3);
    for (let p = 0; p < FACE_MESH_POINTS; p++) crop.set([66 + (p % 7) * 10, 60 + (Math.floor(p / 7) % 9) * 10, p % 5], p * 3);
    crop.set([76, 90, 0], FACE_MESH_INDEX.rightEyeOuter * 3);
    crop.set([116, 90, 0], FACE_MESH_INDEX.leftEyeOuter * 3);
    const roi = { cx: 300, cy: 200, size: 120, rotation: 0.4 };
    const mesh = faceMeshFromOutputs({ [FACE_MESH_IO.mesh]: crop, [FACE_MESH_IO.flag]: new Float32Array([0.9]) }, roi);
    expect(mesh.score).toBeCloseTo(0.9, 6);
    const m = cropToSource(roi, FACE_MESH_IO.size);
    const p0 = applyAffine(m, crop[0]!, crop[1]!);
    expect(mesh.points[0]).toBeCloseTo(p0.x, 4);
    expect(mesh.points[1]).toBeCloseTo(p0.y, 4);
    expect(mesh.points[2]).toBeCloseTo(0, 6);
    const back = faceRoiFromMesh(mesh.points);
    expect(back.rotation).toBeCloseTo(0.4, 5);
    // Box in crop pixels: x 66..126, y 60..140; centre (96, 100), longer side 80.
    const c = applyAffine(m, 96, 100);
    expect(back.cx).toBeCloseTo(c.x, 3);
    expect(back.cy).toBeCloseTo(c.y, 3);
    expect(back.size).toBeCloseTo(80 * (roi.size / FACE_MESH_IO.size) * FACE_ROI_SCALE, 3);
    expect(() => faceMeshFromOutputs({}, roi)).toThrow(/Identity_2:0/);
  });
});

describe('FACE68_FROM_MESH', () => {
  it('maps each of the 68 iBUG points to one or two distinct mesh points, groups in iBUG order', () => {
    expect(FACE68_FROM_MESH).toHaveLength(68);
    const used = new Set<number>();
    for (const [a, b] of FACE68_FROM_MESH) {
      expect(a >= 0 && a < FACE_MESH_POINTS && b >= 0 && b < FACE_MESH_POINTS).toBe(true);
      used.add(a);
    }
    expect(used.size).toBe(68);
    // Eye corners and mouth corners are the mesh's named ones.
    expect(FACE68_FROM_MESH[36]![0]).toBe(FACE_MESH_INDEX.rightEyeOuter);
    expect(FACE68_FROM_MESH[39]![0]).toBe(FACE_MESH_INDEX.rightEyeInner);
    expect(FACE68_FROM_MESH[42]![0]).toBe(FACE_MESH_INDEX.leftEyeInner);
    expect(FACE68_FROM_MESH[45]![0]).toBe(FACE_MESH_INDEX.leftEyeOuter);
    expect(FACE68_FROM_MESH[48]![0]).toBe(FACE_MESH_INDEX.mouthRight);
    expect(FACE68_FROM_MESH[54]![0]).toBe(FACE_MESH_INDEX.mouthLeft);
    expect(FACE68_FROM_MESH[8]![0]).toBe(FACE_MESH_INDEX.chin);
    const mesh = Float32Array.from({ length: FACE_MESH_POINTS * 3 }, (_, k) => k);
    const p = faceMeshTo68(mesh);
    expect(p[3 * 2]).toBe(((132 + 58) / 2) * 3); // point 3: between mesh 132 and 58
    expect(p[8 * 2 + 1]).toBe(152 * 3 + 1);
    expect(() => faceMeshTo68(new Float32Array(10))).toThrow(RangeError);
  });
});

function facemeshSkipReason(): string | null {
  const models = modelsSkipReason();
  if (models) return models;
  const manifest = JSON.parse(readText(joinPath(modelsDir, 'manifest.json'))) as { files: Array<{ id: string }> };
  if (!manifest.files.some((f) => f.id === FACE_MESH_IO.id)) return `${modelsDir} has no ${FACE_MESH_IO.id} (run "node tools/models/install.mjs")`;
  return mediaSkipReason();
}

const skip = facemeshSkipReason();
if (skip) console.log(`[face mesh] real-frame tests skipped: ${skip}`);

describe.skipIf(skip !== null)('face mesh on the crop a pose gives (real model, real frames)', () => {
  let models: PoseTrackerModels;
  let face: ModelRunner;
  const releases: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const loaded = await loadTrackerModels();
    models = loaded.models;
    releases.push(loaded.release);
    const runner = await createNodeRunner(modelFile(FACE_MESH_IO.id, 'fp32'));
    face = runner.run;
    releases.push(runner.release);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(releases.map((r) => r()));
  });

  it('FACE_MESH_IO matches the manifest', () => {
    const manifest = JSON.parse(readText(joinPath(modelsDir, 'manifest.json'))) as {
      files: Array<{ id: string; variant: string; inputs: Array<{ name: string; shape: number[]; range?: number[] }>; outputs: Array<{ name: string; shape: number[] }> }>;
    };
    const entry = manifest.files.find((f) => f.id === FACE_MESH_IO.id && f.variant === 'fp32')!;
    expect(entry.inputs[0]).toMatchObject({ name: FACE_MESH_IO.input, shape: [1, 3, FACE_MESH_IO.size, FACE_MESH_IO.size], range: [...FACE_MESH_IO.range] });
    const outputs = Object.fromEntries(entry.outputs.map((o) => [o.name, o.shape]));
    expect(outputs[FACE_MESH_IO.mesh]).toEqual([1, FACE_MESH_POINTS * 3]);
    expect(outputs[FACE_MESH_IO.flag]).toEqual([1, 1]);
    expect(outputs[FACE_MESH_IO.contours]).toEqual([1, 266]);
  });

  async function poseOf(image: RgbaImage): Promise<Float32Array> {
    const p = await new PoseTracker(models, { hands: false }).process(image, 0);
    expect(p.found, 'a person is found').toBe(true);
    return p.keypoints;
  }

  /** dwpose: the clip's DWPose pseudo ground truth (68 face points, [0,1] coordinates), where there is one. */
  const FRONTAL = [
    { label: 'indoor#30', file: 'indoor_dance_woman_yellow_sweater_static.mp4', frame: 30, dwpose: null },
    { label: 'navy#0', file: 'fashion_model_turn_navy_dress_91BjuE6irxS.mp4', frame: 0, dwpose: 'keypoints/ubc_dwpose_pseudo_gt/91BjuE6irxS_dwpose.json' },
  ];
  for (const { label, file, frame, dwpose } of FRONTAL) {
    it(`${label}: the landmarks land on the face`, async () => {
      const image = decodeFrames(joinPath(mediaDir, file), frame, 1)[0]!;
      const k = await poseOf(image);
      const kp = (i: number) => ({ x: k[i * 4]!, y: k[i * 4 + 1]! });
      const roi = faceRoiFromPose(k)!;
      expect(roi).not.toBeNull();
      const mesh = await runFaceMesh(face, image, roi);
      const pt = (i: number) => ({ x: mesh.points[i * 3]!, y: mesh.points[i * 3 + 1]! });
      const mid = (a: { x: number; y: number }, b: { x: number; y: number }) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
      const dist = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);
      const eyeDist = dist(kp(BP.left_eye), kp(BP.right_eye));
      // The mesh's eye centres (between the corners) against the pose's eye keypoints.
      const right = mid(pt(FACE_MESH_INDEX.rightEyeOuter), pt(FACE_MESH_INDEX.rightEyeInner));
      const left = mid(pt(FACE_MESH_INDEX.leftEyeOuter), pt(FACE_MESH_INDEX.leftEyeInner));
      const eRight = dist(right, kp(BP.right_eye)) / eyeDist;
      const eLeft = dist(left, kp(BP.left_eye)) / eyeDist;
      // Every point inside the box of the pose's head points (nose, eyes, ears, mouth), padded by
      // one eye distance on each side and two below (the chin).
      const head = [BP.nose, BP.left_eye_inner, BP.left_eye, BP.left_eye_outer, BP.right_eye_inner, BP.right_eye, BP.right_eye_outer, BP.left_ear, BP.right_ear, BP.mouth_left, BP.mouth_right].map(kp);
      const x0 = Math.min(...head.map((p) => p.x)) - eyeDist;
      const x1 = Math.max(...head.map((p) => p.x)) + eyeDist;
      const y0 = Math.min(...head.map((p) => p.y)) - eyeDist;
      const y1 = Math.max(...head.map((p) => p.y)) + 2 * eyeDist;
      let outside = 0;
      for (let p = 0; p < FACE_MESH_POINTS; p++) {
        const { x, y } = pt(p);
        if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) outside++;
      }
      // A second pass from the mesh's own ROI (MediaPipe's tracking) barely moves the points.
      const again = await runFaceMesh(face, image, faceRoiFromMesh(mesh.points));
      let moved = 0;
      for (let p = 0; p < FACE_MESH_POINTS; p++) moved += Math.hypot(again.points[p * 3]! - mesh.points[p * 3]!, again.points[p * 3 + 1]! - mesh.points[p * 3 + 1]!);
      moved /= FACE_MESH_POINTS * eyeDist;
      console.log(
        `[face mesh] ${label}: score ${mesh.score.toFixed(3)}, ROI ${roi.size.toFixed(0)} px at ${(roi.rotation * 57.3).toFixed(1)}°; ` +
          `eye centres off the pose's eyes by ${eRight.toFixed(2)} / ${eLeft.toFixed(2)} eye distances (${eyeDist.toFixed(1)} px); ` +
          `${outside} points outside the padded head box; a second pass moves points ${moved.toFixed(3)} eye distances on average`,
      );
      expect(mesh.score).toBeGreaterThan(0.9);
      // BlazePose's eye points are coarse on small faces (navy#0: about 4 px above the eyes, a
      // quarter of the eye distance), hence the loose bound; DWPose's face points check closer.
      expect(eRight).toBeLessThan(0.4);
      expect(eLeft).toBeLessThan(0.4);
      if (dwpose) {
        const face = (JSON.parse(readText(joinPath(mediaDir, dwpose))) as { frames: Array<{ face: Array<[number, number]> }> }).frames[frame]!.face;
        const centre = (from: number) => {
          const pts = face.slice(from, from + 6).map(([x, y]) => ({ x: x * image.width, y: y * image.height }));
          return { x: pts.reduce((a, p) => a + p.x, 0) / 6, y: pts.reduce((a, p) => a + p.y, 0) / 6 };
        };
        // iBUG-68: 36..41 the person's right eye, 42..47 the left.
        const dRight = dist(right, centre(36)) / eyeDist;
        const dLeft = dist(left, centre(42)) / eyeDist;
        console.log(`[face mesh] ${label}: eye centres off DWPose's by ${dRight.toFixed(2)} / ${dLeft.toFixed(2)} eye distances`);
        expect(dRight).toBeLessThan(0.15);
        expect(dLeft).toBeLessThan(0.15);
      }
      expect(outside).toBe(0);
      expect(again.score).toBeGreaterThan(0.9);
      expect(moved).toBeLessThan(0.1);
    });
  }

  it('navy#180 (seen from behind): the pose still gives a ROI, the mesh score says there is no face', async () => {
    const image = decodeFrames(joinPath(mediaDir, 'fashion_model_turn_navy_dress_91BjuE6irxS.mp4'), 180, 1)[0]!;
    const roi = faceRoiFromPose(await poseOf(image));
    if (!roi) return; // the pose rated the head points invisible: also fine
    const mesh = await runFaceMesh(face, image, roi);
    console.log(`[face mesh] navy#180 (back): score ${mesh.score.toFixed(4)}`);
    expect(mesh.score).toBeLessThan(0.5);
  });
});

describe.skipIf(skip !== null)('face tracked by the PoseTracker (real models, real frames)', () => {
  it('navy 140–269, a turn away and back: 68 points near DWPose’s on the frontal frames, no face mesh run from behind', async () => {
    const { models, release } = await loadTrackerModels({ face: true });
    try {
      const file = joinPath(mediaDir, 'fashion_model_turn_navy_dress_91BjuE6irxS.mp4');
      const gt = (JSON.parse(readText(joinPath(mediaDir, 'keypoints/ubc_dwpose_pseudo_gt/91BjuE6irxS_dwpose.json'))) as {
        frames: Array<{ face: Array<[number, number] | null> | null }>;
      }).frames;
      const first = 140;
      const frames = decodeFrames(file, first, 130);
      const timing = { face: 0, faceRuns: 0, pose: 0, poseRuns: 0 };
      const faceRunner = models.face!;
      const timed: ModelRunner = async (inputs) => {
        const t0 = performance.now();
        const out = await faceRunner(inputs);
        timing.face += performance.now() - t0;
        timing.faceRuns++;
        return out;
      };
      const landmarks: ModelRunner = async (inputs) => {
        const t0 = performance.now();
        const out = await models.landmarks(inputs);
        timing.pose += performance.now() - t0;
        timing.poseRuns++;
        return out;
      };
      const tracker = new PoseTracker({ ...models, landmarks, face: timed }, { hands: false });
      const groups = { jaw: [0, 17], brows: [17, 27], nose: [27, 36], eyes: [36, 48], mouth: [48, 68] } as const;
      const errors: Record<string, number[]> = {};
      let found = 0;
      let skipped = 0;
      let skippedFacing = 0;
      const started = performance.now();
      for (const [n, image] of frames.entries()) {
        const f = first + n;
        const runs = timing.faceRuns;
        const pose = await tracker.process(image, n / 30);
        if (!pose.found) continue;
        if (timing.faceRuns === runs) {
          // Not run: the (raw) pose's head faced away. The smoothed pose returned lags a little.
          skipped++;
          if (headFacesCamera(pose.keypoints)) skippedFacing++;
          expect(pose.face).toBeNull();
          continue;
        }
        if (!pose.face) continue;
        found++;
        expect(pose.face.score).toBeGreaterThanOrEqual(0.5);
        const g = gt[f]?.face;
        if (!g || !g.every((q) => q)) continue;
        const G = g.map((q) => [q![0] * image.width, q![1] * image.height] as const);
        const io = Math.hypot(G[36]![0] - G[45]![0], G[36]![1] - G[45]![1]);
        if (io < 20) continue; // near profile: DWPose's own points scatter there
        for (const [name, [a, b]] of Object.entries(groups)) {
          let e = 0;
          for (let i = a; i < b; i++) e += Math.hypot(pose.face.points[i * 2]! - G[i]![0], pose.face.points[i * 2 + 1]! - G[i]![1]) / io;
          (errors[name] ??= []).push(e / (b - a));
        }
      }
      const total = performance.now() - started;
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const summary = Object.entries(errors).map(([k, v]) => `${k} ${mean(v).toFixed(3)}`);
      console.log(
        `[face track] navy ${first}–${first + frames.length - 1}: face on ${found} frames, face mesh skipped (head turned away) on ${skipped}; ` +
          `mean error against DWPose (outer-eye-corner distances, ${errors.eyes?.length ?? 0} frames): ${summary.join(', ')}; ` +
          `face mesh ${timing.faceRuns} runs, ${(timing.face / timing.faceRuns).toFixed(1)} ms each, ${(timing.face / frames.length).toFixed(1)} ms of ` +
          `${(total / frames.length).toFixed(1)} ms per frame (pose landmarks ${(timing.pose / timing.poseRuns).toFixed(1)} ms a run; wasm, 1 thread)`,
      );
      expect(skipped).toBeGreaterThan(40); // the back of the head, frames ~168–242
      expect(skippedFacing).toBeLessThanOrEqual(3);
      expect(found).toBeGreaterThan(30);
      expect(errors.eyes!.length).toBeGreaterThan(20);
      expect(mean(errors.eyes!)).toBeLessThan(0.05);
      expect(mean(errors.nose!)).toBeLessThan(0.06);
      expect(mean(errors.mouth!)).toBeLessThan(0.08);
      expect(mean(errors.brows!)).toBeLessThan(0.08);
      expect(mean(errors.jaw!)).toBeLessThan(0.12);
      // At most one run per frame, and a second only when a tracked crop loses the face.
      expect(timing.faceRuns).toBeLessThanOrEqual(frames.length - skipped + 5);
    } finally {
      await release();
    }
  }, 300_000);
});
