import { frameMapping, type TimelineSettings } from '../media';
import {
  alignMotionToReference,
  applySimilarity,
  composeSimilarity,
  coverCrop,
  toWholeBody,
  trackFrame,
  type PoseTrack,
  type RgbaImage,
  type Similarity2D,
} from '../pose';
import type { EngineInputs } from './engine';

/** One loaded clip as a generation job sees it. Sizes in display pixels; times in seconds. */
export interface JobClip {
  clipId: string;
  width: number;
  height: number;
  timestamps: number[];
  track: PoseTrack;
}

/** Everything an engine run needs besides the engine: the clips, the timeline and the output. */
export interface GenerationJob {
  reference: JobClip;
  motion: JobClip;
  timeline: TimelineSettings;
  fps: number;
  width: number;
  height: number;
}

/** Reads frame `index` of a clip as RGBA (any size; scaled to the clip's display size here). */
export type FrameSource = (clipId: string, index: number) => Promise<RgbaImage>;

function medianHipX(track: PoseTrack, frames: number[]): number | undefined {
  const xs: number[] = [];
  for (const i of frames) {
    if (!track.found[i]) continue;
    const k = track.keypoints;
    xs.push((k[(i * 33 + 23) * 4]! + k[(i * 33 + 24) * 4]!) / 2);
  }
  xs.sort((a, b) => a - b);
  return xs.length ? xs[xs.length >> 1] : undefined;
}

/**
 * Builds the engine inputs of a job: output frame times on the shared timeline, the reference
 * frame and pose at each time cropped to the output (centred on the reference person), and the
 * motion pose aligned onto the reference person.
 */
export function buildEngineInputs(
  job: GenerationJob,
  readFrame: FrameSource,
): EngineInputs & { framing: Similarity2D; cropReference(frame: RgbaImage): RgbaImage } {
  const { times, reference: refIndex, motion: motionIndex } = frameMapping(job.timeline, job.fps, job.reference.timestamps, job.motion.timestamps);
  const { crop, toOutput } = coverCrop(job.reference.width, job.reference.height, job.width, job.height, medianHipX(job.reference.track, refIndex));
  const align = alignMotionToReference(job.motion.track, job.reference.track, motionIndex, refIndex);
  const motionToOutput = composeSimilarity(toOutput, align);
  const canvas = new OffscreenCanvas(job.width, job.height);
  const g = canvas.getContext('2d', { willReadFrequently: true })!;

  /** A frame of the reference's framing (any scale of its display size) cropped to the output. */
  const cropReference = (frame: RgbaImage): RgbaImage => {
    const source = new OffscreenCanvas(frame.width, frame.height);
    source.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(frame.data), frame.width, frame.height), 0, 0);
    // The frame may be smaller than the display size (analysis frames are capped): crop in its pixels.
    const s = frame.width / job.reference.width;
    g.drawImage(source, crop.x * s, crop.y * s, crop.w * s, crop.h * s, 0, 0, job.width, job.height);
    const out = g.getImageData(0, 0, job.width, job.height);
    return { data: out.data, width: job.width, height: job.height };
  };

  return {
    frameCount: times.length,
    width: job.width,
    height: job.height,
    fps: job.fps,
    framing: toOutput,
    referenceFrameIndex: (i) => refIndex[i]!,
    cropReference,
    referenceFrame: async (i) => cropReference(await readFrame(job.reference.clipId, refIndex[i]!)),
    referencePose: (r) => applySimilarity(toWholeBody(trackFrame(job.reference.track, r)), toOutput),
    motionPose: (i) => applySimilarity(toWholeBody(trackFrame(job.motion.track, motionIndex[i]!)), motionToOutput),
  };
}
