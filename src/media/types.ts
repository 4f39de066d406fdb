/** Which input a clip is: the person and scene to keep, or the movement to copy. */
export type Slot = 'reference' | 'motion';

/** What the app knows about a loaded clip. Times in seconds, sizes in display pixels (after rotation). */
export interface ClipInfo {
  /** Identifies this opened clip in the media worker for as long as it stays loaded. */
  id: string;
  /** Content hash of the file (hex): the cache key for analysis results. */
  key: string;
  name: string;
  sizeBytes: number;
  /** Container format name, e.g. "MP4" or "WebM". */
  container: string;
  /** Video codec as mediabunny names it ("avc", "vp9", ...). */
  codec: string;
  /** Display width and height in pixels, after rotation metadata is applied. */
  width: number;
  height: number;
  /** Clockwise rotation from the file's metadata, in degrees. */
  rotation: 0 | 90 | 180 | 270;
  fps: number;
  frameCount: number;
  durationS: number;
  /** Presentation time of every frame, in seconds from the first frame, sorted. */
  timestamps: number[];
  variableFrameRate: boolean;
  audio: { codec: string; channels: number; sampleRate: number } | null;
  /** Set when the browser could not decode the file and the built-in converter made an H.264 copy. */
  convertedFrom: string | null;
}

/** Progress of a long step; `fraction` in [0, 1]. */
export interface Progress {
  phase: 'convert' | 'render' | 'encode';
  fraction: number;
  /** Frames finished so far, when counting frames. */
  done?: number;
  total?: number;
  /** What is happening, in words, when the phase alone does not say it (e.g. a denoising step). */
  label?: string;
}

export type AudioChoice = 'reference' | 'motion' | 'none';
export type EncoderChoice = 'auto' | 'webcodecs' | 'ffmpeg';

/** A finished Generate as the result panel shows it. */
export interface RenderResult {
  /** The MP4: on disk (OPFS) where the browser has it; `releaseResult(file.name)` frees it. */
  file: File;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  durationS: number;
  videoCodec: string;
  audioCodec: string | null;
  encoder: 'webcodecs' | 'ffmpeg';
  seconds: number;
  /** First frame this run made when it went on from an earlier, stopped run's frames. */
  resumedAt?: number;
}
