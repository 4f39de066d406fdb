/**
 * The media worker's side of the media module: demuxing and decoding inputs (mediabunny,
 * WebCodecs, ffmpeg.wasm for what WebCodecs cannot read), frame readers, encoding engine output
 * (WebCodecs, or ffmpeg.wasm where there is no H.264 encoder) and muxing MP4 results into the
 * origin's private file system. Apart from ../index.ts so that the page,
 * which needs only the types and the timeline math, loads none of it.
 */
export { closeClip, openClip, type OpenClip } from './clip';
export { FrameReader, thumbnails } from './frames';
export type { EncoderAudio } from './encode';
export { clearStale, discardJob, jobProgress, type JobResult } from './job-output';
export { openOutput, type EngineOutput } from './output';
export { releaseResult } from './results';
