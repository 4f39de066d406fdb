/**
 * Loading an SMPL-format model file: a synthetic `.npz` made in the test from the project's own
 * mesh (smpl-testing.ts), so nothing licensed is needed. Parsed shapes, the skeleton it gives, a
 * pose round trip and a clip fit on it, retargeting, its meshes, and the messages for bad files.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_BODY_MODEL, type BodyModel, bodyModelMesh, loadBodyModelFile, modelSkeleton } from './body-model';
import { BodyModelError } from './errors';
import { estimateShape } from './estimate-shape';
import { fitBodyTrack } from './fit';
import { fitModel, initialPose, refinePose } from './fit-frame';
import { DEG, dist3, dot, normalize, qAngle, qRotate, quatAt, vec3At } from './math';
import { buildBodyMesh } from './mesh';
import { encodeNpy } from './npy';
import { writeZip } from './npz';
import { retargetMotion } from './retarget';
import { type BodyShape, NEUTRAL_SHAPE, restSkeleton } from './shape';
import { J } from './skeleton';
import { forwardKinematics, posedMesh } from './skinning';
import { syntheticSmplArrays, syntheticSmplNpz } from './smpl-testing';
import { NAMED_POSES, hipCentredJointError, randomPose, seededRandom, syntheticKeypoints, syntheticPoseTrack, walkingClip } from './synthetic-testing';
import { centredCamera } from './types';

const TRUE_SHAPE: BodyShape = { height: 1.64, legs: 1.04, arms: 0.96, torso: 1.02, neckHead: 1.05, shoulders: 0.95, hips: 1.08, girth: 0 };
const FULL = [J.left_hip, J.right_hip, J.left_knee, J.right_knee, J.left_ankle, J.right_ankle, J.head, J.left_shoulder, J.right_shoulder, J.left_wrist, J.right_wrist];
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

let model: BodyModel;
let npz: Uint8Array;

beforeAll(async () => {
  npz = syntheticSmplNpz();
  model = await loadBodyModelFile(npz, 'SYNTHETIC_SMPL.npz');
}, 60_000);

describe('an SMPL-format .npz', () => {
  it('parses into a model: shapes, axes, pelvis at the origin, the skeleton its regressor gives', () => {
    const builtin = buildBodyMesh();
    const s = model.smpl!;
    expect(model.kind).toBe('smpl');
    expect(model.name).toBe('SYNTHETIC_SMPL.npz');
    expect(s.vertexCount).toBe(builtin.vertexCount);
    expect(s.faces.length).toBe(builtin.indices.length);
    expect(s.betaCount).toBe(6);
    expect(s.skinWeights.length).toBe(builtin.vertexCount * 4);
    expect(s.hadPosedirs).toBe(false);
    // Back in body space with the pelvis at the origin: the template is the built-in mesh again.
    let worst = 0;
    for (let i = 0; i < builtin.positions.length; i++) worst = Math.max(worst, Math.abs(s.template[i]! - builtin.positions[i]!));
    expect(worst).toBeLessThan(1e-5);
    // The regressed joints are the built-in skeleton's, so shapes mean the same on both (up to the
    // stature: the crown is the mesh's top vertex here, an end site above the head cap there).
    const a = restSkeleton(TRUE_SHAPE);
    const b = modelSkeleton(TRUE_SHAPE, model);
    for (let j = 0; j < 24; j++) expect(dist3(vec3At(a.joints, j), vec3At(b.joints, j)) / b.scale, `joint ${j}`).toBeLessThan(1e-4 + Math.abs(a.scale / b.scale - 1) * 1.2);
    expect(Math.abs(a.scale / b.scale - 1)).toBeLessThan(0.01);
    // Stature from end sites found on the mesh: within 2 cm of the shape's height.
    expect(Math.abs(b.endPositions[b.endSites.length * 3 - 2]! - (b.endPositions[1]! as number)) - TRUE_SHAPE.height).toBeLessThan(0.02);
    // The same file gives the same id; the built-in model has its own.
    expect(model.id).toMatch(/^smpl:/);
    expect(model.id).not.toBe(BUILTIN_BODY_MODEL.id);
  });

  it('gives meshes for shapes: betas from the skeleton, joints blended in, girth widening', () => {
    // Linear shape directions (finite differences at the neutral body) only approximate the
    // built-in mesh far from neutral, hence the looser bound for the extreme shape.
    for (const [shape, bound] of [[NEUTRAL_SHAPE, 0.001], [TRUE_SHAPE, 0.01], [{ ...TRUE_SHAPE, legs: 1.2, arms: 0.85 }, 0.025]] as const) {
      const smplMesh = bodyModelMesh(shape, model);
      const ours = buildBodyMesh(shape);
      const d = Array.from({ length: ours.vertexCount }, (_, v) => dist3(vec3At(smplMesh.positions, v), vec3At(ours.positions, v)));
      console.log(`[body model] SMPL-format mesh vs built-in mesh for ${JSON.stringify(shape)}: mean ${(mean(d) * 1000).toFixed(1)} mm, 95th pct ${(d.sort((x, y) => x - y)[Math.floor(d.length * 0.95)]! * 1000).toFixed(1)} mm`);
      expect(mean(d)).toBeLessThan(bound);
    }
    const thin = bodyModelMesh({ ...TRUE_SHAPE, girth: -1 }, model);
    const heavy = bodyModelMesh({ ...TRUE_SHAPE, girth: 1 }, model);
    const width = (m: { positions: Float32Array }) => {
      // Waist width: x extent of trunk vertices 0.1-0.2 m above the pelvis.
      let lo = Infinity;
      let hi = -Infinity;
      model.smpl!.parts.forEach((p, v) => {
        const y = m.positions[v * 3 + 1]!;
        if ([J.spine1, J.spine2].includes(p) && y < -0.1 && y > -0.2) {
          lo = Math.min(lo, m.positions[v * 3]!);
          hi = Math.max(hi, m.positions[v * 3]!);
        }
      });
      return hi - lo;
    };
    expect(width(heavy) / width(thin)).toBeGreaterThan(1.2);
    // Posing works as for the built-in mesh (same skinning code).
    const posed = posedMesh(heavy, modelSkeleton({ ...TRUE_SHAPE, girth: 1 }, model), NAMED_POSES.walking!(), [0, 0, 3]);
    expect(posed.positions.every(Number.isFinite)).toBe(true);
    expect(bodyModelMesh(TRUE_SHAPE, BUILTIN_BODY_MODEL).vertexCount).toBe(buildBodyMesh().vertexCount);
  });

  it('fits poses on the loaded model within the issue bounds (<= 20 mm, <= 5°)', () => {
    const camera = centredCamera(1280, 720, 1000);
    const truth = fitModel(TRUE_SHAPE, model.skeleton);
    const poses: Float32Array[] = Object.values(NAMED_POSES).map((f) => f());
    const rand = seededRandom(7);
    for (let i = 0; i < 40; i++) poses.push(randomPose(rand));
    const r = seededRandom(103);
    const kps = poses.map((local) => syntheticKeypoints(truth, local, [0, 0, 3.5], camera, r, 0.003, 0));
    const world = new Float32Array(kps.length * 99);
    kps.forEach((k, i) => world.set(k.world, i * 99));
    const { shape } = estimateShape(world, null, null, undefined, model.skeleton);
    const fm = fitModel(shape, model.skeleton);
    const mpjpe: number[] = [];
    const angles: number[] = [];
    poses.forEach((local, i) => {
      const obs = { world: kps[i]!.world, visibility: kps[i]!.visibility };
      const fitted = refinePose(fm, obs, initialPose(fm, obs), [0, 0, 0]).local;
      const a = forwardKinematics(truth.skel, local, [0, 0, 0]);
      const b = forwardKinematics(fm.skel, fitted, [0, 0, 0]);
      mpjpe.push(hipCentredJointError(a, b) * 1000);
      const per = FULL.map((j) => qAngle(quatAt(a.rotations, j), quatAt(b.rotations, j)));
      for (const j of [J.left_elbow, J.right_elbow]) {
        const da = normalize(qRotate(quatAt(a.rotations, j), vec3At(truth.skel.offsets, j + 2)));
        const db = normalize(qRotate(quatAt(b.rotations, j), vec3At(fm.skel.offsets, j + 2)));
        per.push(Math.acos(Math.min(1, dot(da, db))));
      }
      angles.push(mean(per) / DEG);
    });
    console.log(`[body model] round trip on the loaded SMPL-format model, ${poses.length} poses, 3 mm world noise: MPJPE ${mean(mpjpe).toFixed(1)} mm, angle error ${mean(angles).toFixed(2)}°; shape height ${shape.height.toFixed(3)} m (true ${TRUE_SHAPE.height})`);
    expect(mean(mpjpe)).toBeLessThanOrEqual(20);
    expect(mean(angles)).toBeLessThanOrEqual(5);
  });

  it('fits a clip with it and retargets onto it; the tracks carry the model', () => {
    const truth = fitModel(TRUE_SHAPE, model.skeleton);
    const camera = centredCamera(1280, 720, 1100);
    const clip = walkingClip(truth, 60, { floorY: 1.0, startZ: 6, stride: 0.03, yawDeg: 20 });
    const pose = syntheticPoseTrack(truth, clip.rotations, clip.roots, camera, seededRandom(5), 0.005, 1.5);
    const body = fitBodyTrack(pose, { model });
    expect(body.model).toBe(model);
    const rootErr = Array.from({ length: 60 }, (_, i) => dist3(vec3At(body.roots, i), vec3At(clip.roots, i)));
    console.log(`[body model] walking clip (60 frames) fitted on the loaded model: median root error ${(rootErr.sort((a, b) => a - b)[30]! * 100).toFixed(1)} cm at 5-6 m, focal ${body.camera.focal.toFixed(0)} px (true 1100)`);
    expect(Math.abs(body.camera.focal / 1100 - 1)).toBeLessThan(0.25);
    expect(rootErr[30]!).toBeLessThan(0.3);
    const builtinBody = fitBodyTrack(pose);
    expect(builtinBody.model).toBeUndefined();
    // Motion fitted on the built-in body, reference on the loaded model: the output takes the reference's.
    const moved = retargetMotion(builtinBody, body);
    expect(moved.model).toBe(model);
    const skel = modelSkeleton(moved.shape, moved.model);
    const feet = forwardKinematics(skel, moved.rotations.subarray(0, 96), moved.roots.subarray(0, 3)).positions;
    expect(Number.isFinite(feet[J.left_ankle * 3 + 1]!)).toBe(true);
  });
});

describe('bad model files', () => {
  const edited = (edit: Parameters<typeof syntheticSmplNpz>[0]) => syntheticSmplNpz(edit);
  const message = async (bytes: Uint8Array, name = 'bad.npz') => {
    try {
      await loadBodyModelFile(bytes, name);
    } catch (e) {
      expect(e).toBeInstanceOf(BodyModelError);
      return (e as Error).message;
    }
    throw new Error('expected the file to be refused');
  };

  it('names the array and the mismatch', async () => {
    const n = model.smpl!.vertexCount;
    const wrong = edited((arrays) => arrays.map((a) => (a.name === 'weights' ? { ...a, data: new Float32Array(n * 23), shape: [n, 23] } : a)));
    expect(await message(wrong)).toBe(`bad.npz: "weights" has shape [${n}, 23]; expected [${n}, 24] (vertices x joints).`);
    const missing = edited((arrays) => arrays.filter((a) => a.name !== 'J_regressor'));
    expect(await message(missing)).toMatch(/^bad\.npz has no "J_regressor" array, which an SMPL model needs \(arrays found: f, kintree_table, shapedirs, v_template, weights\)\.$/);
    const smplx = edited((arrays) => arrays.map((a) => (a.name === 'J_regressor' ? { ...a, data: new Float64Array(55 * n), shape: [55, n] } : a)));
    expect(await message(smplx)).toMatch(/regresses 55 joints; only SMPL's 24-joint skeleton is supported/);
    const tree = edited((arrays) => arrays.map((a) => (a.name === 'kintree_table' ? { ...a, data: Array.from(a.data as ArrayLike<number>, (x, i) => (i === 5 ? 3 : x)) } : a)));
    expect(await message(tree)).toMatch(/"kintree_table" gives joint 5 the parent 3; SMPL's is 2/);
    const faces = edited((arrays) => arrays.map((a) => (a.name === 'f' ? { ...a, data: Array.from(a.data as ArrayLike<number>, (x, i) => (i === 7 ? n + 5 : x)) } : a)));
    expect(await message(faces)).toMatch(new RegExp(`"f" refers to vertex ${n + 5}, outside the ${n} vertices`));
  });

  it('refuses a pickle with the conversion command, and non-npz files', async () => {
    const pkl = new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x28]);
    const m = await message(pkl, 'SMPL_NEUTRAL.pkl');
    expect(m).toMatch(/^SMPL_NEUTRAL\.pkl is a Python pickle \(\.pkl\).*Convert it to \.npz once \(see docs\/body-model\.md\): python -c /);
    expect(await message(new TextEncoder().encode('hello'), 'notes.txt')).toMatch(/notes\.txt is not an \.npz file/);
    expect(await message(npz.subarray(0, 1000), 'cut.npz')).toMatch(/cut\.npz is not a complete zip archive/);
    const objectArray = writeZip([['v_template.npy', (() => {
      const b = encodeNpy([1, 2, 3], [1, 3], 'f8');
      b.set(new TextEncoder().encode(new TextDecoder().decode(b.subarray(10, 60)).replace("'<f8'", "'|O' ")), 10);
      return b;
    })()]]);
    expect(await message(objectArray, 'chumpy.npz')).toMatch(/holds Python objects/);
  });

  it('keeps the first 16 betas of a file with more', async () => {
    const many = edited((arrays) =>
      arrays.map((a) => {
        if (a.name !== 'shapedirs') return a;
        const [n, , B] = a.shape as [number, number, number];
        const data = new Float32Array(n * 3 * 20);
        for (let i = 0; i < n * 3; i++) for (let b = 0; b < B; b++) data[i * 20 + b] = (a.data as Float32Array)[i * B + b]!;
        return { ...a, data, shape: [n, 3, 20] };
      }),
    );
    const m = await loadBodyModelFile(many, 'many.npz');
    expect(m.smpl!.betaCount).toBe(16);
    expect(syntheticSmplArrays().map((a) => a.name)).toContain('kintree_table');
  });
});
