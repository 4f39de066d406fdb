/**
 * The generate module's public surface: the Engine contract both engines implement, and the
 * diffusion engine (src/generate/diffusion), the builtin engine's job, and the key that says
 * when two jobs would make the same frames (resume).
 */
export type { Engine, EngineId, EngineInputs, EngineProgress, EngineRunOptions, GuidanceMaps } from './engine';
export * from './diffusion';
export type { BuiltinJob } from './builtin';
export { jobKey } from './job-key';
