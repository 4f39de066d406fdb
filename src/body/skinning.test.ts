import { describe, expect, it } from 'vitest';
import { buildBodyMesh } from './mesh';
import { DEG, dist3, qFromRotVec, qRotate, sub, vec3At } from './math';
import { restSkeleton } from './shape';
import { J, PARENTS } from './skeleton';
import { forwardKinematics, posedMesh, restRotations, skinMesh, skinningMatrices } from './skinning';
import { NAMED_POSES } from './synthetic-testing';

describe('forward kinematics and skinning', () => {
  const skel = restSkeleton();
  const mesh = buildBodyMesh();

  it('rest rotations reproduce the rest joints and the rest mesh', () => {
    const posed = forwardKinematics(skel, restRotations(), [0, 0, 0]);
    for (let i = 0; i < 72; i++) expect(posed.positions[i]).toBeCloseTo(skel.joints[i]!, 6);
    const skinned = skinMesh(mesh, skel, posed);
    let err = 0;
    for (let i = 0; i < skinned.positions.length; i++) err = Math.max(err, Math.abs(skinned.positions[i]! - mesh.positions[i]!), Math.abs(skinned.normals[i]! - mesh.normals[i]!));
    expect(err).toBeLessThan(1e-5);
  });

  it('keeps bone lengths in any pose and moves the root', () => {
    const posed = forwardKinematics(skel, NAMED_POSES.squat!(), [0.3, -0.2, 4]);
    expect(Array.from(posed.positions.subarray(0, 3))).toEqual([0.3, -0.2, 4].map(Math.fround));
    for (let j = 1; j < 24; j++) {
      expect(dist3(vec3At(posed.positions, j), vec3At(posed.positions, PARENTS[j]!))).toBeCloseTo(dist3(vec3At(skel.joints, j), vec3At(skel.joints, PARENTS[j]!)), 5);
    }
  });

  it('bends the forearm forwards with a 90° left elbow flexion (+y)', () => {
    const local = restRotations();
    local.set(qFromRotVec([0, 90 * DEG, 0]), J.left_elbow * 4);
    const posed = forwardKinematics(skel, local, [0, 0, 0]);
    const { positions } = skinMesh(mesh, skel, posed);
    const elbow = vec3At(skel.joints, J.left_elbow);
    const wrist = vec3At(skel.joints, J.left_wrist);
    let forearm = 0;
    let upper = 0;
    for (let i = 0; i < mesh.vertexCount; i++) {
      const j = mesh.skinIndices[i * 4]!;
      const w = mesh.skinWeights[i * 4]!;
      const rest = vec3At(mesh.positions, i);
      const now = vec3At(positions, i);
      if (j === J.left_elbow && w === 1) {
        // Rigid rotation about the elbow: the forearm now points to the front (-z).
        const expected = qRotate(qFromRotVec([0, 90 * DEG, 0]), sub(rest, elbow));
        expect(dist3(now, [elbow[0] + expected[0], elbow[1] + expected[1], elbow[2] + expected[2]])).toBeLessThan(1e-5);
        expect(now[2]).toBeLessThan(elbow[2] + 0.05);
        forearm++;
      } else if (j === J.left_shoulder && w === 1) {
        expect(dist3(now, rest)).toBeLessThan(1e-6);
        upper++;
      }
    }
    // The hand follows: the wrist joint moved to the front of the elbow by the forearm's length.
    const w = vec3At(posed.positions, J.left_wrist);
    expect(w[2] - elbow[2]).toBeCloseTo(-(wrist[0] - elbow[0]), 2);
    expect(forearm).toBeGreaterThan(100);
    expect(upper).toBeGreaterThan(100);
  });

  it('gives column-major skinning matrices that map rest joints to posed joints', () => {
    const posed = forwardKinematics(skel, NAMED_POSES.walking!(), [0, 0, 3]);
    const M = skinningMatrices(skel, posed);
    for (const j of [J.left_knee, J.head, J.right_wrist]) {
      const r = vec3At(skel.joints, j);
      const o = j * 16;
      const x = [0, 1, 2].map((i) => M[o + i]! * r[0] + M[o + 4 + i]! * r[1] + M[o + 8 + i]! * r[2] + M[o + 12 + i]!);
      expect(dist3(x as [number, number, number], vec3At(posed.positions, j))).toBeLessThan(1e-5);
    }
    const { normals } = posedMesh(mesh, skel, NAMED_POSES.walking!(), [0, 0, 3]);
    for (let i = 0; i < 100; i++) expect(Math.hypot(normals[i * 3]!, normals[i * 3 + 1]!, normals[i * 3 + 2]!)).toBeCloseTo(1, 5);
  });
});
