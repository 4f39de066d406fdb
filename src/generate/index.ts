/**
 * The generate module's public surface: the Engine contract both engines implement, and the
 * diffusion engine (src/generate/diffusion). The builtin engine will join here.
 */
export type { Engine, EngineId, EngineInputs, EngineProgress, EngineRunOptions, GuidanceMaps } from './engine';
export * from './diffusion';
