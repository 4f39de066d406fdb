import { describe, expect, it } from 'vitest';
import { focalCandidates, meanReprojectionError, solveRootTranslation } from './camera';
import { fitModel } from './fit-frame';
import { vec3At } from './math';
import { forwardKinematics } from './skinning';
import { posedMarkers } from './markers';
import { NAMED_POSES, seededRandom, syntheticKeypoints } from './synthetic-testing';
import { centredCamera, project } from './types';

describe('camera', () => {
  const model = fitModel({ height: 1.8, legs: 1, arms: 1, torso: 1, neckHead: 1, shoulders: 1, hips: 1, girth: 0 });
  const camera = centredCamera(720, 1280, 1300);

  it('projects with the OpenCV convention (x right, y down, z forward)', () => {
    expect(project(camera, [0, 0, 2])).toEqual([360, 640]);
    expect(project(camera, [1, 1, 2])).toEqual([360 + 650, 640 + 650]);
    expect(project(camera, [0, 0, -1]).every(Number.isNaN)).toBe(true);
  });

  it('solves the root translation exactly from noise-free keypoints', () => {
    const local = NAMED_POSES.turned90!();
    const truth: [number, number, number] = [0.4, 0.3, 4.2];
    const kp = syntheticKeypoints(model, local, truth, camera, seededRandom(1), 0, 0);
    const posed = forwardKinematics(model.skel, local, [0, 0, 0]);
    const rel = posedMarkers(model.markers, posed.rotations, posed.positions);
    const t = solveRootTranslation(camera, rel, kp.image, new Float32Array(33).fill(1))!;
    t.forEach((v, i) => expect(v).toBeCloseTo(truth[i]!, 6));
    const placed = rel.map((v, i) => v + t[i % 3]!);
    expect(meanReprojectionError(camera, placed, kp.image, [11, 12, 23, 24])).toBeLessThan(1e-3);
    expect(vec3At(placed, 0)[2]).toBeGreaterThan(3);
  });

  it('refuses undetermined translations', () => {
    expect(solveRootTranslation(camera, new Float32Array(99), new Float32Array(132), new Float32Array(33))).toBeNull();
  });

  it('spans wide to narrow fields of view', () => {
    const f = focalCandidates(1280, 720);
    expect(f[0]!).toBeLessThan(500);
    expect(f.at(-1)!).toBeGreaterThan(5000);
  });
});
