import { useEditor } from '../state';

/** The finished MP4: playback, facts and download. */
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
      <video src={result.url} controls loop playsInline data-testid="result-video" />
    </section>
  );
}
