/**
 * The builtin engine's public surface. So far: the background plate of every reference frame (the
 * scene with the original person removed), built from streamed frames and pose-track masks.
 * Pure TypeScript over typed arrays: runs in a worker and in Node.
 */
export { PlateError, type PlateErrorCode } from './errors';
export { dilateMask, nonzeroBox, personMask, rasterizeRoiMask, type PersonMask, type PersonMaskOptions, type PersonMaskSource, type PixelBox } from './mask';
export {
  estimateMotion,
  motionFrame,
  type MotionEstimate,
  type MotionFrame,
  type MotionLevel,
  type MotionModel,
  type MotionOptions,
} from './motion';
export { PlateBuilder, type PlateBuilderOptions, type PlateCamera, type PlateStats } from './plate';
export { pushPullFill } from './inpaint';
export {
  apply3,
  cornerDistance3,
  identity3,
  invert3,
  isIdentity3,
  multiply3,
  similarity3,
  translation3,
  type Mat3,
} from './mat3';
export { BodyAppearance, ATLAS_SIZE, type LayerImage } from './appearance';
export { runBuiltin, type BuiltinJob } from './runner';
export { createBuiltinEngine, type BuiltinEngineParts } from './engine';
export { BUILTIN_CONFIG, builtinConfig, type BuiltinConfig } from './config';
export { GpuCompositor } from './composite';
