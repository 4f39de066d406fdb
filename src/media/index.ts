import * as Comlink from 'comlink';

export type { ClipInfo, Progress, RenderResult, Slot, AudioChoice, EncoderChoice } from './types';
export type { FrameMapping, TimelineSettings, Trim, TimeMapping } from './timeline';
export { MediaError, asMediaError, mediaErrors, type MediaErrorCode } from './errors';
export { frameIndexAt, frameMapping, outputDuration, outputFrameTimes, sourceTimes, clampTrim, mapTime } from './timeline';
export { MAX_FILE_BYTES } from './limits';
export { sideBySideLayout, type Rect } from './layout';

export const proxy = Comlink.proxy;
