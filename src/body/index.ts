/**
 * The body module's public surface: an SMPL-topology skeleton (24 joints), our own procedural
 * skinned body mesh with shape parameters, forward kinematics and linear blend skinning, per-clip
 * fitting to BlazePose keypoints (rotations, root, pinhole camera, one shape), and retargeting a
 * motion onto a reference body and camera. Pure TypeScript on typed arrays: runs in workers and Node.
 *
 * Spaces: body space and camera space share axes (x right / the body's left at rest, y down,
 * z forward / the body's back at rest), metres; see skeleton.ts. Quaternions are (x, y, z, w).
 */
export { J, JOINT_COUNT, PARENTS } from './skeleton';
export { NEUTRAL_SHAPE, restSkeleton, type BodyShape, type RestSkeleton } from './shape';
export { BUILTIN_BODY_MODEL, bodyModelMesh, loadBodyModelFile, modelSkeleton, type BodyModel } from './body-model';
export { buildBodyMesh, type BodyMesh } from './mesh';
export { forwardKinematics, posedMesh, restRotations, type PosedSkeleton } from './skinning';
export { restFaceLandmarks, faceFrame, facePoint, type FaceLandmarks } from './markers';
export { meshSilhouette, silhouetteAt, type Silhouette } from './estimate-girth';
export { fitModel } from './fit-frame';
export { consistentSides, fitBodyTrack } from './fit';
export { retargetMotion, upDirection, type Placement, type RetargetOptions } from './retarget';
export { bodyFrame, centredCamera, emptyBodyTrack, perFrameFit, project, type BodyCamera, type BodyTrack } from './types';
export { BodyModelError, NoBodyError } from './errors';
export type { Vec3 } from './math';
export { openPoseFromBody } from './openpose';
export { surfaceCoverage, heading, MOSTLY_UNSEEN, type SurfaceCoverage } from './coverage';
export { bodyFraming, type BodyFraming, type FrameSide } from './framing';
