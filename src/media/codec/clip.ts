import {
  ALL_FORMATS,
  BlobSource,
  EncodedPacketSink,
  Input,
  type InputAudioTrack,
  type InputVideoTrack,
} from 'mediabunny';
import { MediaError, mediaErrors } from '../errors';
import { transcodeToMp4 } from './ffmpeg';
import { checkClipShape, checkFileSize } from '../limits';
import { nominalFps } from '../timeline';
import type { ClipInfo } from '../types';

/** An opened clip: the parsed input, its tracks and what we learned about it. Owned by the media worker. */
export interface OpenClip {
  file: File;
  input: Input;
  video: InputVideoTrack;
  audio: InputAudioTrack | null;
  /** Timestamp of the first frame in the file, in seconds; clip time 0 maps to it. */
  firstTimestamp: number;
  info: ClipInfo;
}

type Readable =
  | { ok: true; input: Input; video: InputVideoTrack; audio: InputAudioTrack | null }
  | { ok: false; reason: 'format' | 'no-video' | 'codec'; codec?: string; input?: Input };

async function tryMediabunny(file: File): Promise<Readable> {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    if (!(await input.canRead())) {
      input.dispose();
      return { ok: false, reason: 'format' };
    }
    const video = await input.getPrimaryVideoTrack();
    const audio = await input.getPrimaryAudioTrack();
    if (!video) {
      input.dispose();
      return { ok: false, reason: 'no-video' };
    }
    if (!(await video.canDecode())) {
      const codec = (await video.getCodec()) ?? 'an unknown codec';
      input.dispose();
      return { ok: false, reason: 'codec', codec };
    }
    return { ok: true, input, video, audio };
  } catch {
    input.dispose();
    return { ok: false, reason: 'format' };
  }
}

/**
 * Opens a dropped file: validates it, converts it with ffmpeg.wasm when the browser cannot decode
 * it, and indexes every frame's timestamp for frame-accurate seeking.
 */
export async function openClip(file: File, onConvertProgress?: (fraction: number) => void): Promise<OpenClip> {
  const sizeError = checkFileSize(file.name, file.size);
  if (sizeError) throw sizeError;

  let source = file;
  let convertedFrom: string | null = null;
  let readable = await tryMediabunny(file);
  if (!readable.ok && readable.reason === 'no-video') throw mediaErrors.noVideoTrack(file.name);
  if (!readable.ok) {
    // Not readable by mediabunny/WebCodecs (AVI, ProRes, HEVC, ...): let ffmpeg.wasm try.
    const failure = readable;
    try {
      source = await transcodeToMp4(file, onConvertProgress);
    } catch {
      throw failure.reason === 'codec'
        ? mediaErrors.unsupportedCodec(file.name, failure.codec ?? 'an unknown codec')
        : mediaErrors.notAVideo(file.name);
    }
    convertedFrom = failure.reason === 'codec' ? (failure.codec ?? 'unknown') : file.name.split('.').pop()!.toUpperCase();
    readable = await tryMediabunny(source);
    if (!readable.ok) {
      throw readable.reason === 'no-video' ? mediaErrors.noVideoTrack(file.name) : mediaErrors.notAVideo(file.name);
    }
  }
  const { input, video, audio } = readable;
  try {
    return await indexClip(file, source, input, video, audio, convertedFrom);
  } catch (e) {
    input.dispose();
    throw e;
  }
}

async function indexClip(
  original: File,
  source: File,
  input: Input,
  video: InputVideoTrack,
  audio: InputAudioTrack | null,
  convertedFrom: string | null,
): Promise<OpenClip> {
  const name = original.name;
  const sink = new EncodedPacketSink(video);
  const raw: number[] = [];
  let lastDuration = 0;
  try {
    for await (const p of sink.packets(undefined, undefined, { metadataOnly: true })) {
      raw.push(p.timestamp);
      lastDuration = p.duration;
    }
  } catch (e) {
    throw mediaErrors.truncated(name, `its frame index is unreadable: ${(e as Error).message}`);
  }
  if (raw.length === 0) throw mediaErrors.emptyClip(name);
  raw.sort((a, b) => a - b);

  // A file cut off after its header still lists every frame; reading the last one tells.
  const expected = raw.length;
  try {
    const last = await sink.getPacket(Infinity);
    if (!last || last.byteLength === 0 || last.data.byteLength === 0) throw new Error('no data');
  } catch {
    throw mediaErrors.truncated(name, `the header lists ${expected} frames but the data ends early`);
  }

  const width = await video.getDisplayWidth();
  const height = await video.getDisplayHeight();
  // The 4K limit is about what the decoder holds: the coded size, not the display size that
  // non-square pixels stretch (a 3840x2160 file with 4:3 pixels shows 5120 wide).
  const shapeError = checkClipShape(name, await video.getCodedWidth(), await video.getCodedHeight(), raw.length);
  if (shapeError) throw shapeError;

  const firstTimestamp = raw[0]!;
  const timestamps = raw.map((t) => t - firstTimestamp);
  const fps = nominalFps(timestamps);
  const frameInterval = 1 / fps;
  const durationS = timestamps[timestamps.length - 1]! + (lastDuration > 0 ? lastDuration : frameInterval);
  const variableFrameRate = timestamps.some(
    (t, i) => i > 0 && Math.abs(t - timestamps[i - 1]! - frameInterval) > frameInterval * 0.25,
  );
  const format = await input.getFormat();
  const audioInfo = audio
    ? {
        codec: (await audio.getCodec()) ?? 'unknown',
        channels: await audio.getNumberOfChannels(),
        sampleRate: await audio.getSampleRate(),
      }
    : null;

  const info: ClipInfo = {
    id: `clip-${++openCount}`,
    key: await contentKey(original),
    name,
    sizeBytes: original.size,
    container: format.name,
    codec: convertedFrom ? `avc (converted from ${convertedFrom})` : ((await video.getCodec()) ?? 'unknown'),
    width,
    height,
    rotation: (await video.getRotation()) as ClipInfo['rotation'],
    fps,
    frameCount: timestamps.length,
    durationS,
    timestamps,
    variableFrameRate,
    audio: audioInfo,
    convertedFrom,
  };
  return { file: source, input, video, audio, firstTimestamp, info };
}

let openCount = 0;

/**
 * A content hash of a file, hex: SHA-256 over its size and three 1 MiB samples (start, middle,
 * end). Cheap for multi-GB files and, for video, as good as hashing everything.
 */
export async function contentKey(file: Blob): Promise<string> {
  const chunk = 1 << 20;
  const starts = file.size <= 3 * chunk ? [0] : [0, Math.floor(file.size / 2), file.size - chunk];
  const parts = await Promise.all(starts.map((s) => file.slice(s, s + (starts.length === 1 ? file.size : chunk)).arrayBuffer()));
  const header = new TextEncoder().encode(`${file.size}:`);
  const all = new Uint8Array(header.byteLength + parts.reduce((n, p) => n + p.byteLength, 0));
  all.set(header, 0);
  let at = header.byteLength;
  for (const p of parts) {
    all.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  const digest = await crypto.subtle.digest('SHA-256', all);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function closeClip(clip: OpenClip): void {
  clip.input.dispose();
}

export { MediaError };
