/**
 * The pose module's public surface: the data contract, the BlazePose tracker, keypoint layouts,
 * metrics, pose-map drawing, face mesh crops from a pose, the decoding of the COCO object detector
 * and the model constants. Pure TypeScript (no DOM, no worker APIs).
 */
export type { FacePose, ModelRunner, RgbaImage, Roi, TensorData } from './types';

export { PoseTracker, type PoseTrackerModels } from './tracker';
export { AnalysisCanceled } from './errors';
export { FACE_MESH_IO, modelFile } from './models';

export { BP, COCO17_FROM_BLAZEPOSE, toOpenPose18, toWholeBody } from './layouts';

export { pck, pckReferenceLength } from './metrics';

export { drawPoseMap, mimicMotionScale, type PoseMapContext } from './pose-map';

export { applyAffine, cropToSource, invertAffine, type Point } from './crop';

export {
  FACE68_FROM_MESH,
  FACE68_POINTS,
  FACE_MESH_INDEX,
  FACE_MESH_POINTS,
  FACE_ROI_SCALE,
  faceMeshFromOutputs,
  faceMeshInput,
  faceMeshTo68,
  faceRoiFromMesh,
  faceRoiFromPose,
  runFaceMesh,
  type FaceMesh,
  type FaceRoiOptions,
} from './face';

export { decodeObjects, heldObjects, ObjectSchedule, type CocoClass, type DecodeObjectsOptions, type HeldObject, type ObjectDetection } from './objects';

// Per-clip tracks (track.ts) and clip analysis (the module ./analysis) are written by the
// compute-worker side; only their pure parts and types are re-exported, so importing this index
// pulls in no GPU code.
export {
  POSE_TRACK_VERSION,
  emptyTrack,
  foundShare,
  heldObjectBoxes,
  heldObjectLabels,
  nearestHeldObjects,
  otherPeopleAt,
  peopleAt,
  peopleInClip,
  trackFrame,
  trackObjects,
  writeFrame,
  writeObjects,
  writePeople,
  type HeldObjectBox,
  type PeopleInClip,
  type PoseTrack,
} from './track';
export { joinPeople, peopleIn, personBoxAt, followedPerson, MAX_PEOPLE, PEOPLE_LOOK_SECONDS, type PersonIdentity } from './people';
export type { AnalysisOptions, PoseModelId } from './analysis';
export { alignMotionToReference, applySimilarity, composeSimilarity, coverCrop, type Similarity2D } from './align';
