import { BlobSource, EncodedPacketSink, EncodedVideoPacketSource, Input, MP4, Mp4OutputFormat, Output, type BufferTarget, type Target } from 'mediabunny';
import { RgbaVideoEncoder, type EncoderAudio } from './encode';
import { MediaError } from '../errors';
import { prepareAudioPassthrough } from './audio';
import { fileTarget, nextResultId, opfsDir, RESULTS_DIR, resultTarget } from './results';

/**
 * An engine's output written to disk as it is made, so a long result never sits whole in memory
 * and a run cut short by a reload can go on where it stopped.
 *
 * Frames are encoded into short MP4 segments in the origin's private file system (OPFS), one
 * directory per job; a manifest lists the finished segments. Finishing copies the segments'
 * packets (no re-encode) into one MP4, with the audio, in OPFS too, and hands back that File.
 * A segment cut off mid-way is dropped, so at most one segment's frames are made again.
 */
export interface JobSpec {
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** Frames per segment: the most work a reload can lose. */
  segmentFrames: number;
}

interface Manifest {
  key: string;
  spec: JobSpec;
  segments: { name: string; frames: number }[];
}

export interface JobResult {
  file: File;
  frameCount: number;
  codec: string;
  audioCodec: string | null;
  /** What encoded the video: WebCodecs, or ffmpeg.wasm where the browser has no H.264 encoder or it was asked for. */
  encoder: 'webcodecs' | 'ffmpeg';
}

const JOBS_DIR = 'jobs';
const MANIFEST = 'job.json';

const sameSpec = (a: JobSpec, b: JobSpec) =>
  a.width === b.width && a.height === b.height && a.fps === b.fps && a.frameCount === b.frameCount && a.segmentFrames === b.segmentFrames;

async function readManifest(dir: FileSystemDirectoryHandle): Promise<Manifest | null> {
  try {
    return JSON.parse(await (await (await dir.getFileHandle(MANIFEST)).getFile()).text()) as Manifest;
  } catch {
    return null;
  }
}

async function writeFile(dir: FileSystemDirectoryHandle, name: string, data: string): Promise<void> {
  const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
  await writable.write(data);
  await writable.close();
}

const segmentName = (n: number) => `segment-${String(n).padStart(5, '0')}.mp4`;

/** Frames done of the job `key` when it matches `spec`, or null when there is none to resume. */
export async function jobProgress(key: string, spec?: JobSpec): Promise<{ framesDone: number; frameCount: number } | null> {
  const jobs = await opfsDir(JOBS_DIR);
  if (!jobs) return null;
  try {
    const manifest = await readManifest(await jobs.getDirectoryHandle(key));
    if (!manifest || (spec && !sameSpec(manifest.spec, spec))) return null;
    const framesDone = manifest.segments.reduce((n, s) => n + s.frames, 0);
    return framesDone > 0 ? { framesDone, frameCount: manifest.spec.frameCount } : null;
  } catch {
    return null;
  }
}

/** Removes the job `key`'s segments. */
export async function discardJob(key: string): Promise<void> {
  const jobs = await opfsDir(JOBS_DIR);
  await jobs?.removeEntry(key, { recursive: true }).catch(() => undefined);
}

const ONE_OFF = 'once-';
const entries = (dir: FileSystemDirectoryHandle) => (dir as unknown as { keys(): AsyncIterable<string> }).keys();

/**
 * At start-up: removes the last session's results (nothing refers to them after a reload) and
 * its one-off jobs; resumable jobs stay.
 */
export async function clearStale(): Promise<void> {
  const root = await navigator.storage?.getDirectory?.().catch(() => null);
  if (!root) return;
  await root.removeEntry(RESULTS_DIR, { recursive: true }).catch(() => undefined);
  const jobs = await opfsDir(JOBS_DIR);
  if (!jobs) return;
  for await (const name of entries(jobs)) if (name.startsWith(ONE_OFF)) await jobs.removeEntry(name, { recursive: true }).catch(() => undefined);
}

export class JobOutput {
  private constructor(
    private readonly dir: FileSystemDirectoryHandle | null,
    private readonly manifest: Manifest,
  ) {}

  private segment: RgbaVideoEncoder | null = null;
  private segmentFrames = 0;
  private codec = '';

  /**
   * Opens the resumable job `key`: its finished segments are kept when `spec` matches them,
   * otherwise it starts empty. Other resumable jobs are removed, so storage holds one at a time.
   * With no key the job is one-off: nothing resumes it.
   */
  static async open(key: string | null, spec: JobSpec): Promise<JobOutput> {
    if (key !== null && (!/^[\w-]+$/.test(key) || key.startsWith(ONE_OFF))) throw new RangeError(`job key must be a plain file name; got "${key}"`);
    const jobs = await opfsDir(JOBS_DIR);
    if (!jobs) return new JobOutput(null, { key: key ?? ONE_OFF, spec, segments: [] });
    if (key === null) {
      key = `${ONE_OFF}${nextResultId()}`;
    } else {
      for await (const name of entries(jobs)) if (name !== key && !name.startsWith(ONE_OFF)) await jobs.removeEntry(name, { recursive: true }).catch(() => undefined);
    }
    const dir = await jobs.getDirectoryHandle(key, { create: true });
    const found = await readManifest(dir);
    const manifest: Manifest = found && sameSpec(found.spec, spec) ? found : { key, spec, segments: [] };
    // Segment files the manifest does not list were cut off: drop them.
    const listed = new Set([MANIFEST, ...manifest.segments.map((s) => s.name)]);
    for await (const name of entries(dir)) {
      if (!listed.has(name)) await dir.removeEntry(name).catch(() => undefined);
    }
    if (manifest !== found) await writeFile(dir, MANIFEST, JSON.stringify(manifest));
    return new JobOutput(dir, manifest);
  }

  /** Output frames already on disk: the engine starts at this one. */
  get framesDone(): number {
    return this.manifest.segments.reduce((n, s) => n + s.frames, 0) + this.segmentFrames;
  }

  async add(rgba: Uint8Array | Uint8ClampedArray): Promise<void> {
    const { width, height, fps, segmentFrames } = this.manifest.spec;
    if (!this.segment) {
      const name = segmentName(this.manifest.segments.length);
      const { target } = await fileTarget(this.dir, name);
      this.segment = await RgbaVideoEncoder.create(width, height, fps, target);
      this.codec = this.segment.codec;
      this.pending = { name, target };
    }
    await this.segment.add(rgba);
    this.segmentFrames++;
    if (this.segmentFrames >= segmentFrames) await this.closeSegment();
  }

  /** The open segment's target, kept for memory-only jobs where the bytes are the file. */
  private pending: { name: string; target: Target } | null = null;
  private memorySegments = new Map<string, File>();

  private async closeSegment(): Promise<void> {
    if (!this.segment || !this.pending) return;
    await this.segment.finish();
    if (!this.dir) {
      const buffer = (this.pending.target as BufferTarget).buffer!;
      this.memorySegments.set(this.pending.name, new File([buffer], this.pending.name, { type: 'video/mp4' }));
    }
    this.manifest.segments.push({ name: this.pending.name, frames: this.segmentFrames });
    if (this.dir) await writeFile(this.dir, MANIFEST, JSON.stringify(this.manifest));
    this.segment = null;
    this.pending = null;
    this.segmentFrames = 0;
  }

  private async segmentFile(name: string): Promise<File> {
    if (!this.dir) return this.memorySegments.get(name)!;
    return (await this.dir.getFileHandle(name)).getFile();
  }

  /**
   * Joins the segments into one MP4 with `audio` beside the video, removes the job, and returns
   * the file (OPFS-backed where OPFS exists, so it is read from disk, not memory).
   */
  async finish(audio: EncoderAudio | null = null, fileName = 'result.mp4'): Promise<JobResult> {
    await this.closeSegment();
    const { fps } = this.manifest.spec;
    const { target, file } = await resultTarget(fileName);
    const output = new Output({ format: new Mp4OutputFormat({ fastStart: false }), target });
    const video = new EncodedVideoPacketSource('avc');
    output.addVideoTrack(video, { frameRate: fps });
    const passthrough = audio ? await prepareAudioPassthrough(audio.track) : null;
    if (passthrough) output.addAudioTrack(passthrough.source);
    await output.start();
    const copyAudio = passthrough && audio ? passthrough.copy(audio.startS, audio.startS + audio.durationS, () => false).finally(() => passthrough.source.close()) : null;
    let frame = 0;
    let firstConfig: VideoDecoderConfig | null = null;
    try {
      for (const segment of this.manifest.segments) {
        const input = new Input({ source: new BlobSource(await this.segmentFile(segment.name)), formats: [MP4] });
        try {
          const track = await input.getPrimaryVideoTrack();
          if (!track) throw new MediaError('encode-failed', `Segment ${segment.name} of the result has no video.`);
          const config = await track.getDecoderConfig();
          if (!config) throw new MediaError('encode-failed', `Segment ${segment.name} has no decoder configuration.`);
          if (firstConfig && !sameDecoderConfig(firstConfig, config)) {
            throw new MediaError('encode-failed', 'The encoder changed its settings between segments of the result; generate again from the start.');
          }
          const sink = new EncodedPacketSink(track);
          let first = true;
          for await (const packet of sink.packets()) {
            // Timestamps come from the frame's place in the whole result, not the segment.
            const k = frame + Math.round(packet.timestamp * fps);
            await video.add(packet.clone({ timestamp: k / fps, duration: 1 / fps }), first && !firstConfig ? { decoderConfig: config } : undefined);
            first = false;
          }
          firstConfig ??= config;
          frame += segment.frames;
        } finally {
          input.dispose();
        }
      }
      video.close();
      await copyAudio;
      await output.finalize();
    } catch (e) {
      await output.cancel();
      throw e;
    }
    const result: JobResult = { file: await file(), frameCount: frame, codec: firstConfig?.codec ?? this.codec, audioCodec: passthrough?.codec ?? null, encoder: 'webcodecs' };
    if (this.dir) await discardJob(this.manifest.key);
    return result;
  }

  /** Stops without finishing: the open segment is dropped; finished ones stay for a resume (one-off jobs are removed). */
  async cancel(): Promise<void> {
    await this.segment?.cancel().catch(() => undefined);
    if (this.dir && this.pending) await this.dir.removeEntry(this.pending.name).catch(() => undefined);
    this.segment = null;
    this.pending = null;
    this.segmentFrames = 0;
    if (this.dir && this.manifest.key.startsWith(ONE_OFF)) await discardJob(this.manifest.key);
  }
}

function sameDecoderConfig(a: VideoDecoderConfig, b: VideoDecoderConfig): boolean {
  if (a.codec !== b.codec || a.codedWidth !== b.codedWidth || a.codedHeight !== b.codedHeight) return false;
  const bytes = (d: AllowSharedBufferSource | undefined) => (d ? new Uint8Array(ArrayBuffer.isView(d) ? d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) : d) : new Uint8Array());
  const x = bytes(a.description);
  const y = bytes(b.description);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
