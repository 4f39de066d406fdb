/**
 * The media worker's side of the media module: demuxing and decoding inputs (mediabunny,
 * WebCodecs, ffmpeg.wasm for what WebCodecs cannot read), frame readers, encoding and muxing
 * MP4 results into the origin's private file system. Apart from ../index.ts so that the page,
 * which needs only the types and the timeline math, loads none of it.
 */
export { closeClip, openClip, type OpenClip } from './clip';
export { FrameReader, thumbnails } from './frames';
export type { EncoderAudio } from './encode';
export { clearStale, discardJob, JobOutput, jobProgress, type JobResult } from './job-output';
export { releaseResult } from './results';
export { renderSideBySide } from './render';
