/**
 * The body module's public surface: an SMPL-topology skeleton (24 joints), our own procedural
 * skinned body mesh with shape parameters, forward kinematics and linear blend skinning, per-clip
 * fitting to BlazePose keypoints (rotations, root, pinhole camera, one shape), and retargeting a
 * motion onto a reference body and camera. Pure TypeScript on typed arrays: runs in workers and Node.
 *
 * Spaces: body space and camera space share axes (x right / the body's left at rest, y down,
 * z forward / the body's back at rest), metres; see skeleton.ts. Quaternions are (x, y, z, w).
 */
export {
  END_SITE_NAMES,
  J,
  JOINT_COUNT,
  JOINT_LIMITS,
  JOINT_NAMES,
  MIRROR,
  PARENTS,
  clampToLimit,
  fromLimitComponents,
  limitComponents,
  type EndSiteName,
  type JointLimit,
  type JointName,
} from './skeleton';
export { BUILTIN_SKELETON, NEUTRAL_SHAPE, SHAPE_RANGES, boneLength, endSite, legLength, restSkeleton, validateShape, type BodyShape, type RestSkeleton, type SkeletonTemplate } from './shape';
export { BUILTIN_BODY_MODEL, PKL_TO_NPZ, bodyModelMesh, loadBodyModelFile, modelSkeleton, skeletonOf, smplModelFromArrays, type BodyModel, type SmplData } from './body-model';
export { NpyFormatError, encodeNpy, parseNpy, type NpyArray, type NpyDtype } from './npy';
export { readNpz, writeZip } from './npz';
export { TUBE_NAMES, buildBodyMesh, packCharts, uvCharts, vertexNormals, type BodyMesh, type Chart, type TubeName } from './mesh';
export { forwardKinematics, posePoint, posedMesh, restRotations, skinMesh, skinningMatrices, type PosedSkeleton, type SkinnableMesh } from './skinning';
export { BLAZEPOSE_MARKERS, MARKER_COUNT, markerOffsets, posedMarkers, restFaceLandmarks, faceFrame, facePoint, type FaceFrame, type FaceLandmarks, type Marker } from './markers';
export { estimateGirth, meshSilhouette, poseMaskSampler, rasterizeSilhouette, silhouetteAt, type MaskSampler, type PoseMasks, type Silhouette } from './estimate-girth';
export { estimateShape, measureKeypoints, measureSkeleton, shapeFromMeasures, type BodyMeasures } from './estimate-shape';
export { FITTED_JOINTS, fitModel, initialPose, refinePose, worldMarkers, type FitModel, type FrameObservation, type RefineOptions } from './fit-frame';
export { CORE_KEYPOINTS, estimateFocal, consistentSides, fitBodyTrack, frameConfidence, reprojectionFractions, type FitOptions, type PoseTrackInput } from './fit';
export { focalCandidates, meanReprojectionError, solveRootTranslation } from './camera';
export { SMOOTHING_TAPS, fillGaps, smoothFrames } from './temporal';
export { footPoints, groundPlane, lowestFoot, retargetMotion, upDirection, type GroundPlane, type Placement, type RetargetOptions } from './retarget';
export {
  BODY_TRACK_VERSION,
  bodyFrame,
  bodyTrackBuffers,
  centredCamera,
  defaultFocal,
  emptyBodyTrack,
  project,
  type BodyCamera,
  type BodyFrame,
  type BodyTrack,
} from './types';
export { BodyArgumentError, BodyModelError, NoBodyError } from './errors';
export type { Quat, Vec3 } from './math';
export { openPoseFromBody } from './openpose';
export { surfaceCoverage, heading, MOSTLY_UNSEEN, type SurfaceCoverage } from './coverage';
