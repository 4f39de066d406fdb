/**
 * The diffusion engine's public surface: pack contract and validation, sampler, CFG, chunk plan
 * and latent fusion, seeded noise, pre/post-processing, the MimicMotion pipeline, the memory
 * planner, onnxruntime-web runners and the Engine adapter. Imports no runtime code of
 * onnxruntime-web (the caller passes its module in).
 */
export { EulerDiscreteSampler, SVD_EULER_CONFIG, eulerConfigFrom, type EulerDiscreteConfig, type StepResult } from './samplers/euler-discrete';
export { accumulateSegment, coverage, fuse, gatherSegment, planChunks, triangularWeight, type ChunkPlanOptions, type FusionMode, type FusionPlan, type FusionSegment } from './fusion';
export { combineGuidance, guidanceScales, needsUnconditional, type GuidanceSetting } from './cfg';
export { fillGaussian, gaussian } from './random';
export { float32ToHalf, halfToFloat32 } from './half';
export { Sha256, sha256Hex } from './sha256';
export { blobSource, bytesSource, hashSource, type ByteSource, type HashOptions } from './bytes';
export { ONNX_DTYPES, OnnxFormatError, readOnnxInfo, type OnnxModelInfo, type OnnxTensorInfo } from './onnx-io';
export { ModelOutputError, PackError, type PackErrorCode, type PackProblem } from './errors';
export {
  MIMICMOTION_CONTRACT,
  PACK_ROLES,
  checkPackFiles,
  compareModelIo,
  formatShape,
  loadPack,
  packFilesFromList,
  packFilesFromUrl,
  parsePackManifest,
  type Dim,
  type FileSpec,
  type ModelSpec,
  type PackCheckOptions,
  type PackFiles,
  type PackManifest,
  type PackMemoryHints,
  type PackReport,
  type PackRole,
  type SamplingDefaults,
  type TensorDtype,
  type TensorSpec,
} from './pack';
export { CLIP_MEAN, CLIP_SIZE, CLIP_STD, chwToRgba, clipPixelValues, decodedToUnit, resizeWithAntialias, rgbaToChw } from './preprocess';
export {
  MimicMotionPipeline,
  settingsFromPack,
  type MimicMotionInputs,
  type MimicMotionParts,
  type MimicMotionSettings,
  type PipelineProgress,
  type PipelineRunOptions,
  type PipelineStats,
  type StepEndState,
} from './pipeline';
export { estimateMemory, fixedDims, formatBytes, planMemory, type AdapterLimits, type MemoryEstimate, type MemoryPlan, type MemoryRequest, type MemorySetting } from './memory';
export { createPackRunners, createSessionRunner, readbacks, toFloat32, toTensor, type OrtModule, type PackRunners } from './ort-runner';
export type { DenoiseLayout, DenoiserCounters, LatentDenoiser, UnetConditioning } from './latent-denoiser';
export { WebGpuDenoiser, type WebGpuDenoiserOptions } from './webgpu-denoiser';
export { refineStart, type RefineStart } from './refine';
export {
  cacheRecord,
  filesToCopy,
  packCacheKey,
  packFileList,
  parseCacheRecord,
  quotaMessage,
  recordMismatch,
  staleFiles,
  type PackCacheRecord,
} from './pack-cache-plan';
export { drawMimicMotionPoseMap, type PoseMapCanvas } from './pose-maps';
export { syntheticInputs } from './check-inputs';
export { createDiffusionEngine, type DiffusionEngineOptions, type DiffusionSettings } from './engine';
