/**
 * The project core's public surface: the framework-free owner of the pipeline
 * (clip -> pose -> body -> retarget -> engine job), which runs in the compute worker beside the
 * tracks it makes, and the events a view follows it by.
 */
export { BUILTIN_OUTPUT_VERSION, Project, defaultPlacement, etaSeconds, idleBodyStage, idlePoseStage } from './project';
export { CanceledError, NotReadyError } from './errors';
export { idbPoseCache } from './pose-cache';
export type {
  AnalysisReport,
  BodyStage,
  EngineJob,
  DiffusionJob,
  Engines,
  FollowPoint,
  GenerateHooks,
  GenerateProgress,
  GenerateRequest,
  GenerateResult,
  OutputService,
  OutputSpec,
  OutputAudio,
  PlacementSettings,
  PoseCache,
  PoseStage,
  ProjectClip,
  ProjectEvent,
  ProjectListener,
  ProjectServices,
  StageStatus,
} from './types';
