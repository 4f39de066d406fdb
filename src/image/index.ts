/**
 * Pixel-grid helpers shared by the pose crops and the builtin engine: bilinear sampling over
 * interleaved typed arrays (four placed taps, inside the grid, masked, known-only, accumulated
 * with a border; the separable blend). Pure TypeScript with no imports.
 */
export {
  accumulateBilinear,
  bilinearLerp,
  blendTaps,
  sampleBilinear,
  sampleBilinearKnown,
  sampleBilinearMasked,
  type SampleArray,
} from './bilinear';
