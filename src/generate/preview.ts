import { frameMapping, sideBySideLayout, type Rect, type TimelineSettings } from '../media';
import type { RgbaImage } from '../pose';
import type { Engine, EngineProgress, EngineReport } from './engine';
import { PartTimer } from './part-times';

/** One clip as the side-by-side preview sees it. Sizes in display pixels; times in seconds. */
export interface PreviewClip {
  clipId: string;
  width: number;
  height: number;
  timestamps: number[];
}

/** The side-by-side preview's job: both clips on the shared timeline, at most `maxHeight` pixels high. */
export interface PreviewJob {
  reference: PreviewClip;
  motion: PreviewClip;
  timeline: TimelineSettings;
  /** Output frame rate, frames per second. */
  fps: number;
  /** Output height cap, pixels. */
  maxHeight: number;
}

/** Reads frame `index` of a clip as RGBA scaled to exactly `width` × `height` pixels. */
export type ScaledFrameSource = (clipId: string, index: number, width: number, height: number) => Promise<RgbaImage>;

/** What the preview engine runs on: the clips' frames, scaled by whoever decodes them. */
export interface PreviewEngineParts {
  readFrame: ScaledFrameSource;
}

/** Copies `image` (exactly `rect`'s size) into `out` (RGBA, `outWidth` pixels wide) at `rect`. */
export function placeImage(out: Uint8ClampedArray, outWidth: number, image: RgbaImage, rect: Rect): void {
  if (image.width !== rect.width || image.height !== rect.height) {
    throw new RangeError(`frame must be ${rect.width}x${rect.height}; got ${image.width}x${image.height}.`);
  }
  const row = rect.width * 4;
  for (let y = 0; y < rect.height; y++) {
    const from = y * row;
    out.set(image.data.subarray(from, from + row), ((rect.y + y) * outWidth + rect.x) * 4);
  }
}

/**
 * The side-by-side preview under the engine contract: reference | motion, both scaled to one
 * height (`sideBySideLayout`), each output frame showing the source frames the shared timeline
 * maps it to (`frameMapping`, as every engine). Needs no GPU and no pose: only the clips.
 */
export function createPreviewEngine(parts: PreviewEngineParts): Engine<PreviewJob> {
  return {
    id: 'preview',
    async run(job, open, { signal, onProgress }) {
      const { reference, motion } = job;
      const layout = sideBySideLayout(reference, motion, job.maxHeight);
      const map = frameMapping(job.timeline, job.fps, reference.timestamps, motion.timestamps);
      const total = map.times.length;
      const read = (k: number) =>
        Promise.all([
          parts.readFrame(reference.clipId, map.reference[k]!, layout.reference.width, layout.reference.height),
          parts.readFrame(motion.clipId, map.motion[k]!, layout.motion.width, layout.motion.height),
        ]);
      signal.throwIfAborted();
      // Where the time goes: waiting for decoded frames, placing them, handing them to the encoder.
      const clock = new PartTimer();
      const { sink, startFrame } = await clock.time('output', () => open(layout.width, layout.height));
      // The next frame pair is decoding while this one is encoded.
      let next = startFrame < total ? read(startFrame) : null;
      try {
        for (let k = startFrame; k < total; k++) {
          signal.throwIfAborted();
          const [r, m] = await clock.time('read', () => next!);
          next = k + 1 < total ? read(k + 1) : null;
          const rgba = clock.time('composite', () => {
            const out = new Uint8ClampedArray(layout.width * layout.height * 4);
            placeImage(out, layout.width, r, layout.reference);
            placeImage(out, layout.width, m, layout.motion);
            return out;
          });
          await clock.time('output', () => sink(rgba, k));
          onProgress({ stage: 'render', done: k + 1, total });
        }
        signal.throwIfAborted();
      } finally {
        // A read started for a frame that will not be made: let it finish unobserved.
        void next?.catch(() => undefined);
      }
      return { parts: clock.times() };
    },
  };
}

/** The side of the app that holds the decoders and the encoder (the media worker), as the preview proxy drives it. */
export interface PreviewRemote {
  /** Runs `createPreviewEngine` there on `job`, writing output frames from `startFrame` on into the open output `outputId`. */
  render(job: PreviewJob, outputId: number, startFrame: number, onProgress: (progress: EngineProgress) => void): Promise<EngineReport | void>;
  /** Stops that run; `render` then rejects. */
  stop(outputId: number): Promise<void>;
}

/**
 * The side-by-side preview as the project core runs it: it opens the output here, then the
 * preview engine runs beside the decoders and the encoder (`remote`), so no frame crosses a worker
 * boundary and a busy compute worker (pose analysis) does not hold it up. Aborting stops it there.
 */
export function createPreviewProxy(remote: PreviewRemote): Engine<PreviewJob> {
  return {
    id: 'preview',
    async run(job, open, { signal, onProgress }) {
      const layout = sideBySideLayout(job.reference, job.motion, job.maxHeight);
      signal.throwIfAborted();
      const { outputId, startFrame } = await open(layout.width, layout.height);
      if (outputId === undefined) throw new Error('The side-by-side preview writes into an encoder; this output has none.');
      signal.throwIfAborted();
      // Messages to the remote keep their order, so a stop always finds the run it stops.
      const stop = () => void remote.stop(outputId).catch(() => undefined);
      signal.addEventListener('abort', stop, { once: true });
      try {
        const report = await remote.render(job, outputId, startFrame, onProgress);
        signal.throwIfAborted();
        return report;
      } finally {
        signal.removeEventListener('abort', stop);
      }
    },
  };
}
