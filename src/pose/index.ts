/**
 * The pose module's public surface: the data contract, the BlazePose tracker, keypoint layouts,
 * metrics, pose-map drawing and the model constants. Pure TypeScript (no DOM, no worker APIs).
 */
export type { Detection, HandPose, ModelRunner, PoseFrame, RgbaImage, Roi, TensorData } from './types';

export { ON_BODY, PoseTracker, bodyDistance, chooseDetection, type PoseTrackerModels, type PoseTrackerOptions } from './tracker';
export { AnalysisCanceled, PoseModelError } from './errors';
export {
  DETECTOR_IO,
  HAND_IO,
  LANDMARK_IO,
  POSE_MODEL_IDS,
  modelFile,
  type LandmarkModelId,
  type ModelVariant,
} from './models';

export {
  BLAZEPOSE_33_NAMES,
  BLAZEPOSE_KEYPOINTS,
  BLAZEPOSE_STRIDE,
  BP,
  COCO_17_NAMES,
  COCO17_FROM_BLAZEPOSE,
  HAND_21_NAMES,
  HAND_KEYPOINTS,
  OPENPOSE_18_NAMES,
  OPENPOSE18_FROM_BLAZEPOSE,
  OPENPOSE_NECK,
  WHOLEBODY_KEYPOINTS,
  WHOLEBODY_LEFT_HAND,
  WHOLEBODY_RIGHT_HAND,
  toCoco17,
  toOpenPose18,
  toWholeBody,
  type BlazePoseName,
  type BodyKeypoints,
} from './layouts';

export { DEFAULT_ONE_EURO, KeypointSmoother, OneEuroFilter, type KeypointSmootherOptions, type OneEuroParams } from './one-euro';

export {
  TORSO_POINTS,
  meanKeypointError,
  pck,
  pckReferenceLength,
  sumPck,
  torsoDiameter,
  type ErrorResult,
  type PckResult,
} from './metrics';

export {
  HAND_EDGES,
  OPENPOSE_COLORS,
  OPENPOSE_LIMBS,
  drawPoseMap,
  mimicMotionScale,
  type PoseMapContext,
  type PoseMapOptions,
} from './pose-map';

export { applyAffine, cropToSource, invertAffine, letterboxRoi, roiContains, sourceToCrop, type Affine, type Point } from './crop';
export { handRoiFromPose, poseRoiFromDetection, poseRoiFromLandmarks, type HandSide } from './roi';

// Per-clip tracks (track.ts) and clip analysis (the module ./analysis) are written by the
// compute-worker side; only their pure parts and types are re-exported, so importing this index
// pulls in no GPU code.
export { POSE_TRACK_VERSION, emptyTrack, foundShare, trackFrame, writeFrame, type PoseTrack } from './track';
export type { AnalysisClip, AnalysisOptions, AnalysisProgress, PoseModelId } from './analysis';
export { alignMotionToReference, applySimilarity, composeSimilarity, coverCrop, type Similarity2D } from './align';
