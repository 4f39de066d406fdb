import { forwardKinematics, posePoint } from './skinning';
import { J } from './skeleton';
import type { RestSkeleton } from './shape';
import { project, type BodyCamera } from './types';
import { vec3At } from './math';

/**
 * OpenPose-18 keypoints of a posed body seen by a camera: (x, y, score) in the camera's pixels,
 * score 1 for points in front of the camera. Face points sit at fixed offsets from the head joint
 * (the body's front is -z at rest; its left is +x).
 */
const FACE_OFFSETS: Record<'nose' | 'r_eye' | 'l_eye' | 'r_ear' | 'l_ear', [number, number, number]> = {
  nose: [0, 0.0, -0.11],
  r_eye: [-0.032, -0.035, -0.085],
  l_eye: [0.032, -0.035, -0.085],
  r_ear: [-0.075, -0.01, 0],
  l_ear: [0.075, -0.01, 0],
};

/** SMPL joint for each OpenPose-18 body point (neck, shoulders, elbows, wrists, hips, knees, ankles). */
const FROM_SMPL: Partial<Record<number, number>> = {
  1: J.neck, 2: J.right_shoulder, 3: J.right_elbow, 4: J.right_wrist, 5: J.left_shoulder, 6: J.left_elbow, 7: J.left_wrist,
  8: J.right_hip, 9: J.right_knee, 10: J.right_ankle, 11: J.left_hip, 12: J.left_knee, 13: J.left_ankle,
};
const FACE: Array<[number, keyof typeof FACE_OFFSETS]> = [[0, 'nose'], [14, 'r_eye'], [15, 'l_eye'], [16, 'r_ear'], [17, 'l_ear']];

export function openPoseFromBody(skel: RestSkeleton, rotations: Float32Array, root: ArrayLike<number>, camera: BodyCamera, scale = 1): Float32Array {
  const posed = forwardKinematics(skel, rotations, root);
  const out = new Float32Array(18 * 3);
  const put = (k: number, p: ArrayLike<number>) => {
    const [x, y] = project(camera, p);
    const ok = Number.isFinite(x) && Number.isFinite(y);
    out.set([ok ? x * scale : 0, ok ? y * scale : 0, ok ? 1 : 0], k * 3);
  };
  for (const [k, j] of Object.entries(FROM_SMPL)) put(Number(k), vec3At(posed.positions, j!));
  const head = vec3At(skel.joints, J.head);
  for (const [k, name] of FACE) {
    const o = FACE_OFFSETS[name];
    put(k, posePoint(skel, posed, J.head, [head[0] + o[0], head[1] + o[1], head[2] + o[2]]));
  }
  return out;
}
