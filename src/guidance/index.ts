export { PART_COLORS, encodeDepth, encodeNormal, depthRange, toByte } from './encodings';
export { GuidanceRenderer, GUIDANCE_MAPS, type GuidanceMap, type GuidanceMesh, type Intrinsics } from './renderer';
export { renderGuidance, type GuidanceExportJob, type GuidanceKind } from './export';
