/**
 * The generate module's public surface: the Engine contract every engine implements, the builtin
 * engine's job, the side-by-side preview engine, the key that says when two jobs would make the
 * same frames (resume), and of the diffusion engine (src/generate/diffusion) what the rest of the
 * app uses: its pack error.
 */
export type { Engine, EngineId, EngineReport, EngineInputs, EngineProgress, EngineRun, EngineRunOptions, FrameEngine, FrameSink, OpenedOutput, OpenOutput } from './engine';
export { PackError } from './diffusion';
export { BUILTIN_CONFIG, builtinConfig, type BuiltinConfig, type BuiltinJob } from './builtin';
export { createPreviewEngine, createPreviewProxy, type PreviewClip, type PreviewEngineParts, type PreviewJob, type PreviewRemote, type ScaledFrameSource } from './preview';
export { jobKey } from './job-key';
export { ENGINE_PARTS, PartTimer, partTotal, runParts, type EnginePart, type PartClock, type PartTimes } from './part-times';
export type { FrameSource, GenerationJob, JobClip } from './job';
export type { DiffusionCheck, OriginPack, PackInfo, PackLoadProgress, PackSource } from './diffusion-service';
export type { CachedPack } from './pack-cache';
