/**
 * The generate module's public surface: the Engine contract both engines implement, the builtin
 * engine's job, the key that says when two jobs would make the same frames (resume), and of the
 * diffusion engine (src/generate/diffusion) what the rest of the app uses: its pack error.
 */
export type { Engine, EngineId, EngineInputs, EngineProgress, EngineRunOptions, GuidanceMaps } from './engine';
export { PackError } from './diffusion';
export type { BuiltinJob } from './builtin';
export { jobKey } from './job-key';
