#!/usr/bin/env node
// Headless runner: npm run cli -- render --reference A --motion B --out C.mp4 [--engine builtin] [--json]
// It runs the built app in headless Chromium and clicks through the same UI a person uses.
import { parseArgs } from 'node:util';
import { download, generate, loadClip, RunnerError, startApp } from '../app-runner.mjs';

const USAGE = `Usage: npm run cli -- render --reference A.mp4 --motion B.mp4 --out C.mp4 [options]

Options:
  --audio motion|reference|none   audio track of the output (default: as the app, the motion
                                  clip's, else the reference clip's, else none)
  --max-height N                  output height cap in pixels: 360, 480, 720 or 1080 (default: 720)
  --trim-reference IN:OUT         seconds of the reference clip to use
  --trim-motion IN:OUT            seconds of the motion clip to use
  --offset S                      reference offset against the motion, in seconds
  --engine builtin|preview|diffusion
                                  which engine generates (default: builtin, as in the app; preview
                                  puts the two clips side by side)
  --placement anchor|follow|scene where the moved body stands (the 3D panel's Placement; default
                                  anchor: at the reference person; scene: where the motion person
                                  is in its frame, for two clips from one camera)
  --pack DIR                      model pack folder for --engine diffusion
  --encoder auto|webcodecs|ffmpeg export path (default: auto)
  --rebuild                       rebuild the app before running
  --json                          print one JSON object with the result instead of text`;

/**
 * Exits 1 with `message` as plain text (no terminal colours): on stderr, or with --json as
 * `{ ok: false, error: { code, message } }` on stdout. `code`: 'arguments' (the command line),
 * 'app' (the app's own message: a refused file, no person, a failed analysis or fit),
 * 'unexpected' (anything else, without its stack).
 */
/** A failure the app reported after the clips loaded (its message is the app's). */
class AppFailure extends RunnerError {}

function fail(message, json, code = 'arguments') {
  const plain = String(message).replace(/\x1b\[[0-9;]*m/g, '').trim();
  if (json) console.log(JSON.stringify({ ok: false, error: { code, message: plain } }));
  else console.error(`error: ${plain}`);
  process.exit(1);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    reference: { type: 'string' },
    motion: { type: 'string' },
    out: { type: 'string' },
    audio: { type: 'string' },
    'max-height': { type: 'string', default: '720' },
    'trim-reference': { type: 'string' },
    'trim-motion': { type: 'string' },
    offset: { type: 'string' },
    encoder: { type: 'string', default: 'auto' },
    engine: { type: 'string', default: 'builtin' },
    placement: { type: 'string', default: 'anchor' },
    pack: { type: 'string' },
    rebuild: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
const json = values.json;
if (values.help || positionals[0] !== 'render') {
  console.log(USAGE);
  process.exit(values.help ? 0 : 1);
}
for (const key of ['reference', 'motion', 'out']) if (!values[key]) fail(`--${key} is required.\n\n${USAGE}`, json);
if (values.audio !== undefined && !['motion', 'reference', 'none'].includes(values.audio)) fail('--audio must be motion, reference or none.', json);
if (!['360', '480', '720', '1080'].includes(values['max-height'])) fail('--max-height must be 360, 480, 720 or 1080.', json);
if (!['auto', 'webcodecs', 'ffmpeg'].includes(values.encoder)) fail('--encoder must be auto, webcodecs or ffmpeg.', json);
if (!['anchor', 'follow', 'scene'].includes(values.placement)) fail('--placement must be anchor, follow or scene.', json);
if (values.engine === 'diffusion' && !values.pack) fail('--engine diffusion needs --pack DIR (a model pack folder).', json);
const parseTrim = (s, name) => {
  const m = /^([\d.]+):([\d.]+)$/.exec(s ?? '');
  if (!m) fail(`--${name} must look like IN:OUT in seconds, e.g. 1.5:4`, json);
  return [m[1], m[2]];
};

const log = json ? () => {} : (line) => console.error(line);
let app;
try {
  app = await startApp({ rebuild: values.rebuild, query: values.encoder === 'auto' ? '' : `?encoder=${values.encoder}`, log });
  const { page } = app;
  log(`opening ${values.reference}…`);
  const reference = await loadClip(page, 'reference', values.reference);
  log(`opening ${values.motion}…`);
  const motion = await loadClip(page, 'motion', values.motion);
  for (const slot of ['reference', 'motion']) {
    const trim = values[`trim-${slot}`];
    if (!trim) continue;
    const [inS, outS] = parseTrim(trim, `trim-${slot}`);
    await page.getByTestId(`trim-out-${slot}`).fill(outS);
    await page.getByTestId(`trim-in-${slot}`).fill(inS);
  }
  if (values.offset) await page.getByTestId('offset').fill(String(Number(values.offset)));
  if (values.audio) {
    // Asked for by name: a clip without sound is an error; left out, the app's own fallback applies.
    const audioOption = page.getByTestId('audio-choice').locator(`option[value=${values.audio}]`);
    if (await audioOption.isDisabled()) throw new RunnerError(`The ${values.audio} clip has no audio track; choose another --audio.`);
    await page.getByTestId('audio-choice').selectOption(values.audio);
  }
  await page.getByTestId('max-height').selectOption(values['max-height']);
  const engines = await page.getByTestId('engine').locator('option').evaluateAll((o) => o.map((x) => x.value));
  if (!engines.includes(values.engine)) throw new RunnerError(`--engine must be one of ${engines.join(', ')}.`);
  await page.getByTestId('engine').selectOption(values.engine);
  await page.getByTestId('placement-mode').selectOption(values.placement);
  if (values.engine === 'diffusion') {
    await page.getByTestId('pack-input').setInputFiles(values.pack);
    const error = page.getByTestId('pack-error');
    await Promise.race([page.getByTestId('pack-info').waitFor({ timeout: 600_000 }), error.waitFor({ timeout: 600_000 })]);
    if (await error.count()) throw new RunnerError((await error.textContent()) ?? 'the pack was refused');
  }
  if (values.engine !== 'preview') {
    // Engines other than the preview need the pose of both clips, a person in each, and their
    // bodies: stop at the app's own message when one of them fails, not at a disabled Generate.
    for (const slot of ['reference', 'motion']) {
      log(`waiting for the ${slot} pose analysis…`);
      const status = page.getByTestId(`pose-status-${slot}`);
      await page.locator(`[data-testid=pose-status-${slot}][data-status=done], [data-testid=pose-status-${slot}][data-status=failed]`).waitFor({ timeout: 1_800_000 });
      const text = ((await status.textContent()) ?? '').trim();
      if ((await status.getAttribute('data-status')) === 'failed' || Number(await status.getAttribute('data-found')) === 0) throw new AppFailure(`${slot} clip: ${text}`);
    }
    log('waiting for the 3D bodies…');
    for (;;) {
      if (await page.getByTestId('generate').isEnabled()) break;
      const bad = page.getByTestId('body-status').locator('.bad');
      if (await bad.count()) throw new AppFailure(((await bad.first().textContent()) ?? 'the 3D body could not be fitted').trim());
      await page.waitForTimeout(250);
    }
  }
  let last = '';
  const result = await generate(page, (text) => {
    if (text !== last) log(text);
    last = text;
  });
  const out = await download(page, values.out);
  const summary = { ok: true, out, reference: reference.name, motion: motion.name, ...result };
  if (json) console.log(JSON.stringify(summary));
  else
    console.error(
      `wrote ${out}: ${result.width}x${result.height}, ${result.frameCount} frames at ${result.fps} fps, ` +
        `${result.videoCodec}${result.audioCodec ? ` + ${result.audioCodec}` : ''}, ${result.encoder}, ${result.seconds.toFixed(1)} s`,
    );
} catch (e) {
  // RunnerError: the app refused a file (its message) or the runner could not start it.
  if (e instanceof RunnerError) fail(e.message, json, 'app');
  // Playwright's errors carry a call log after the message: the message is what tells.
  else fail(`unexpected failure: ${String(e?.message ?? e).split('\nCall log:')[0]}`, json, 'unexpected');
} finally {
  await app?.close();
}
