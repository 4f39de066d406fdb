/**
 * Girth from silhouettes: masks rasterised from a posed body of known girth (the mesh the fit uses),
 * then estimateGirth on the true pose with girth unknown. Also with the poses fitted from keypoints.
 */
import { describe, expect, it } from 'vitest';
import { bodyModelMesh, modelSkeleton } from './body-model';
import { type Silhouette, estimateGirth, poseMaskSampler, rasterizeSilhouette, silhouetteAt } from './estimate-girth';
import { fitBodyTrack } from './fit';
import { fitModel } from './fit-frame';
import { vec3At } from './math';
import { type BodyShape } from './shape';
import { forwardKinematics, skinMesh } from './skinning';
import { seededRandom, syntheticPoseTrack, walkingClip } from './synthetic-testing';
import { type BodyCamera, type BodyTrack, centredCamera, emptyBodyTrack, project } from './types';

/** Binary silhouettes of a posed mesh per frame. */
function silhouettes(shape: BodyShape, rotations: Float32Array, roots: Float32Array, camera: BodyCamera): Silhouette[] {
  const mesh = bodyModelMesh(shape);
  const skel = modelSkeleton(shape);
  return Array.from({ length: roots.length / 3 }, (_, i) => {
    const pos = skinMesh(mesh, skel, forwardKinematics(skel, rotations.subarray(i * 96, (i + 1) * 96), roots.subarray(i * 3, i * 3 + 3))).positions;
    const pts = new Float32Array((pos.length / 3) * 2);
    for (let v = 0; v < pos.length / 3; v++) pts.set(project(camera, vec3At(pos, v)), v * 2);
    return rasterizeSilhouette(pts, mesh.indices, camera);
  });
}

describe('girth from the person mask', () => {
  const base: BodyShape = { height: 1.7, legs: 1.02, arms: 1, torso: 1, neckHead: 1, shoulders: 1.02, hips: 1.04, girth: 0 };
  const camera = centredCamera(640, 480, 700);
  const truth = fitModel(base);
  const clip = walkingClip(truth, 12, { floorY: 1.0, startZ: 4, stride: 0.02, yawDeg: 25 });

  it('recovers a known girth from silhouettes (true pose, and pose fitted from keypoints)', () => {
    const errors: string[] = [];
    let worst = 0;
    let worstFitted = 0;
    for (const g of [-0.7, 0, 0.5, 0.9]) {
      const masks = silhouettes({ ...base, girth: g }, clip.rotations, clip.roots, camera);
      const sampler = (i: number, x: number, y: number) => silhouetteAt(masks[i]!, x, y);
      const track: BodyTrack = emptyBodyTrack(12, base, camera);
      track.rotations.set(clip.rotations);
      track.roots.set(clip.roots);
      track.confidence.fill(1);
      const est = estimateGirth(track, sampler);
      const pose = syntheticPoseTrack(truth, clip.rotations, clip.roots, camera, seededRandom(3), 0.005, 1);
      const fitted = fitBodyTrack(pose, { focal: camera.focal, shape: base });
      const estFitted = estimateGirth(fitted, sampler);
      worst = Math.max(worst, Math.abs(est.girth - g));
      worstFitted = Math.max(worstFitted, Math.abs(estFitted.girth - g));
      errors.push(`true ${g}: ${est.girth.toFixed(2)} (${est.samples} widths), fitted pose ${estFitted.girth.toFixed(2)}`);
    }
    console.log(`[body girth] ${errors.join('; ')}; worst error ${worst.toFixed(2)} (true pose), ${worstFitted.toFixed(2)} (fitted pose) on the -1..1 scale`);
    expect(worst).toBeLessThan(0.15);
    expect(worstFitted).toBeLessThan(0.3);
  });
});

describe('pose-track masks as a sampler', () => {
  it('maps display pixels into the ROI crop (upright and rotated a quarter turn)', () => {
    const n = 4;
    const masks = new Uint8Array(2 * n * n);
    masks[0 * n * n + 1 * n + 3] = 255; // frame 0: crop pixel (x 3, y 1)
    masks[1 * n * n + 1 * n + 3] = 255; // frame 1: the same crop pixel
    // ROI 40 px wide centred at (100, 50), 10 px per crop pixel: crop pixel (3, 1) covers display x 110-120, y 40-50 upright.
    const sampler = poseMaskSampler({ frameCount: 2, maskSize: n, masks, rois: Float32Array.from([100, 50, 40, 0, 100, 50, 40, Math.PI / 2]) })!;
    expect(sampler(0, 115, 45)).toBe(1);
    expect(sampler(0, 85, 45)).toBe(0);
    // Rotated by +90° (clockwise in y-down): the crop offset (15, -5) px from the centre lands at (5, 15).
    expect(sampler(1, 105, 65)).toBe(1);
    expect(sampler(1, 115, 45)).toBe(0);
    expect(poseMaskSampler({ frameCount: 1, maskSize: 0, masks: new Uint8Array(0), rois: new Float32Array(4) })).toBeNull();
  });
});
