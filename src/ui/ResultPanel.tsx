import type { EnginePart, PartTimes } from '../generate';
import { useEditor } from '../state';

/** How the result panel names each part of a run (src/generate part-times.ts). */
const PART_LABEL: Record<EnginePart, string> = {
  read: 'reading frames',
  gather: 'appearance',
  plates: 'plates',
  completion: 'scene completion',
  body: 'body',
  layer: 'layer beyond the mesh',
  face: 'face',
  composite: 'compositing',
  output: 'output',
  finish: 'finishing the MP4',
  other: 'other',
};

/** Where the run's time went: a compact line per part, seconds and share, in the order the parts were measured. */
function PartTimesLine({ parts }: { parts: PartTimes }) {
  const entries = Object.entries(parts) as [EnginePart, number][];
  const total = entries.reduce((sum, [, ms]) => sum + ms, 0);
  if (!(total > 0)) return null;
  return (
    <details className="part-times muted" data-testid="part-times" data-parts={JSON.stringify(parts)}>
      <summary>time per part</summary>
      {entries.map(([part, ms]) => `${PART_LABEL[part] ?? part} ${(ms / 1000).toFixed(1)} s (${Math.round((100 * ms) / total)}%)`).join(' · ')}
    </details>
  );
}

/** The finished MP4: playback, facts, where the time went, and download. */
export function ResultPanel() {
  const result = useEditor((s) => s.render.result);
  if (!result) return null;
  const { info } = result;
  return (
    <section className="result" data-testid="result" data-info={JSON.stringify({ ...info, sizeBytes: result.sizeBytes })}>
      <header>
        <h2>Result</h2>
        <span className="muted" data-testid="result-facts">
          {info.width}×{info.height} · {Number(info.fps.toFixed(3))} fps · {info.frameCount} frames · {info.videoCodec}
          {info.audioCodec ? ` + ${info.audioCodec}` : ', no audio'} · {(result.sizeBytes / 2 ** 20).toFixed(1)} MB · made in{' '}
          {info.seconds.toFixed(1)} s ({info.encoder === 'webcodecs' ? 'WebCodecs' : 'ffmpeg.wasm'})
          {info.resumedAt ? ` · went on from frame ${info.resumedAt + 1}, the earlier frames kept from a stopped run` : ''}
        </span>
        <a className="button primary" href={result.url} download={result.fileName} data-testid="download">
          Download MP4
        </a>
      </header>
      {info.parts ? <PartTimesLine parts={info.parts} /> : null}
      <video src={result.url} controls loop playsInline data-testid="result-video" />
    </section>
  );
}
