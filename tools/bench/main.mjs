#!/usr/bin/env node
// npm run bench: stage throughput for a fixed pair of clips and settings, measured in one run in
// headless Chromium through the app itself. On a software WebGPU adapter compare ratios, not times.
// The diffusion stage loads a generated proxy pack (tools/fixtures) and reports UNet calls per
// second with the latents on the GPU, with the CPU loop on the same WebGPU sessions and on wasm,
// buffer maps per run, and peak GPU buffer memory. `--diffusion-only` runs just that stage.
// The builtin engine's run also prints each part's seconds and share of it (measured inside the
// engine, shown in the result panel); `--only builtin` runs just the decode and builtin stages,
// for quick before/after comparisons of the engine; `--only export` just the decode and the two
// side-by-side export stages.
// `--publish` also writes what it printed to docs/results/bench.json and docs/benchmarks.md
// (tools/bench/docs.mjs); `--docs` only rewrites docs/benchmarks.md from that JSON, without a run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, loadClip, startApp } from '../app-runner.mjs';
import { gitCommit, gitDirty } from '../eval/publish.mjs';
import { benchmarksMarkdown, EXPORT_PART_LABEL, partRows, partShares } from './docs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const media = path.resolve(root, '../shared/media');
const RESULT_FILE = path.join(root, 'docs/results/bench.json');
const DOC_FILE = path.join(root, 'docs/benchmarks.md');

function writeDoc(result) {
  mkdirSync(path.dirname(DOC_FILE), { recursive: true });
  writeFileSync(DOC_FILE, benchmarksMarkdown(result));
  console.error(`wrote ${path.relative(process.cwd(), DOC_FILE)}`);
}

const publish = process.argv.includes('--publish');
// --docs: the stored result only; returns before any clip is made or browser started.
if (process.argv.includes('--docs')) {
  if (!existsSync(RESULT_FILE)) {
    console.error(`error: ${path.relative(process.cwd(), RESULT_FILE)} does not exist yet; run npm run bench -- --publish first.`);
    process.exit(1);
  }
  writeDoc(JSON.parse(readFileSync(RESULT_FILE, 'utf8')));
  process.exit(0);
}
if (publish && process.argv.includes('--diffusion-only')) {
  console.error('error: --publish needs the whole benchmark; leave out --diffusion-only.');
  process.exit(1);
}
/** `--only builtin` or `--only export` (or `--only=…`): the stages to run, or null for all. */
function onlyOption(argv) {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i < 0) return null;
  const value = argv[i] === '--only' ? argv[i + 1] : argv[i].slice('--only='.length);
  if (value !== 'builtin' && value !== 'export') {
    console.error(`error: --only takes builtin (the decode and builtin engine stages) or export (the decode and export stages); got ${value ?? 'nothing'}.`);
    process.exit(1);
  }
  return value;
}
const only = onlyOption(process.argv);
if (only && publish) {
  console.error(`error: --publish needs the whole benchmark; leave out --only ${only}.`);
  process.exit(1);
}
if (only && process.argv.includes('--diffusion-only')) {
  console.error(`error: --only ${only} and --diffusion-only each pick the stages; give one.`);
  process.exit(1);
}

/** The fixed clips: real footage when ../shared/media is there, else clips made with ffmpeg. */
function benchClips() {
  const reference = path.join(media, 'indoor_dance_woman_yellow_sweater_static.mp4');
  const motion = path.join(media, 'street_two_women_walking_handheld_camera.mp4');
  if (existsSync(reference) && existsSync(motion)) return { reference, motion, source: 'shared/media' };
  const dir = path.join(tmpdir(), 'motionpaste-bench');
  mkdirSync(dir, { recursive: true });
  const make = (name, src, extra = []) => {
    const out = path.join(dir, name);
    if (!existsSync(out)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', src, ...extra, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out]);
    return out;
  };
  return {
    reference: make('reference.mp4', 'testsrc2=s=450x720:r=16:d=9'),
    motion: make('motion.mp4', 'testsrc=s=720x406:r=25:d=4'),
    source: 'generated (ffmpeg testsrc)',
  };
}

const diffusionOnly = process.argv.includes('--diffusion-only');
const clips = diffusionOnly ? null : benchClips();
if (only === 'builtin' && clips.source !== 'shared/media') {
  console.error('error: --only builtin needs the real clips in ../shared/media (the builtin engine needs a person in both).');
  process.exit(1);
}
const rows = [];
const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
/** What the run prints, as data (docs/results/bench.json with --publish). */
const result = {
  generatedAt: null,
  startedAt: new Date().toISOString(),
  commit: gitCommit(root),
  uncommittedChanges: gitDirty(root),
  argv: process.argv.slice(2),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, platform: `${os.platform()} ${os.arch()}`, node: process.version },
  adapter: null,
  clips: null,
  rows,
  ratios: {},
  diffusion: null,
  /** The builtin run's time per part of the engine: { part, seconds, share } in order (docs.mjs `partShares`). */
  builtinParts: null,
  /** The same for the side-by-side WebCodecs export. */
  exportParts: null,
};
const printRows = () => {
  console.log('stage'.padEnd(48) + 'fps'.padStart(10) + 'frames'.padStart(8) + 'seconds'.padStart(10));
  for (const r of rows) console.log(r.stage.padEnd(48) + fmt(r.fps).padStart(10) + String(r.frames).padStart(8) + r.seconds.toFixed(2).padStart(10));
};
/** A run's parts: seconds and share of the run, a row each, then the total. */
const printParts = (title, parts, labels) => {
  console.log(`${title} by part (wall time inside the engine; nested parts count in themselves only)`);
  console.log('part'.padEnd(42) + 'seconds'.padStart(10) + 'share'.padStart(10));
  for (const [label, seconds, share] of partRows(parts, labels)) console.log(label.padEnd(42) + seconds.padStart(10) + share.padStart(10));
};
const clipOf = (file, info) => ({ name: path.basename(file), width: info.width, height: info.height, fps: info.fps, frameCount: info.frameCount, durationS: info.durationS, codec: info.codec });

const app = await startApp({ rebuild: process.argv.includes('--rebuild'), query: '?bench&encoder=webcodecs', log: console.error });
// eslint-disable-next-line no-labels
stages: try {
  const { page, url } = app;
  const caps = JSON.parse((await page.getByTestId('gpu-status').getAttribute('data-caps', { timeout: 60_000 })) ?? '{}');
  const adapter = caps.available
    ? `${caps.description}${caps.isFallback ? ' (software adapter)' : ''}, shader-f16 ${caps.shaderF16 ? 'yes' : 'no'}`
    : `none — ${caps.reason}`;
  result.adapter = adapter;
  if (diffusionOnly) {
    console.log(`WebGPU adapter: ${adapter}`);
    await benchDiffusion(page);
    break stages;
  }
  const refInfo = await loadClip(page, 'reference', clips.reference);
  const motInfo = await loadClip(page, 'motion', clips.motion);
  result.clips = { source: clips.source, reference: clipOf(clips.reference, refInfo), motion: clipOf(clips.motion, motInfo) };
  // Loading starts pose analysis; let it finish so it does not compete with the stages timed below.
  for (const slot of ['reference', 'motion']) {
    await page.locator(`[data-testid=pose-status-${slot}][data-status=done], [data-testid=pose-status-${slot}][data-status=failed]`).waitFor({ timeout: 600_000 });
  }
  // And the 3D bodies that follow it (real footage; the generated clips have no person).
  if (clips.source === 'shared/media') await page.locator('[data-testid=body-panel][data-bodies="reference,motion"]').waitFor({ timeout: 600_000 });

  for (const slot of ['reference', 'motion']) {
    const info = slot === 'reference' ? refInfo : motInfo;
    const { frames, seconds } = await page.evaluate((s) => globalThis.motionpasteBench.decode(s), slot);
    rows.push({ stage: `decode ${slot} (${info.width}x${info.height} ${info.codec})`, fps: frames / seconds, frames, seconds });
  }

  // Same clips (restored from the page's storage), same settings, another export path (the
  // encoder choice holds for every engine's output).
  const reopen = async (encoder) => {
    await page.goto(`${url}?bench&encoder=${encoder}`);
    await page.locator('[data-testid=clip-motion][data-status=ready]').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid=pose-status-motion][data-status=done]').waitFor({ timeout: 120_000 });
    if (clips.source === 'shared/media') await page.locator('[data-testid=body-panel][data-bodies="reference,motion"]').waitFor({ timeout: 600_000 });
  };

  let webcodecs = null;
  if (only !== 'builtin') {
    // The export stages time the side-by-side render: decode, draw, encode.
    await page.getByTestId('engine').selectOption('preview');
    webcodecs = await generate(page);
    rows.push({ stage: `export WebCodecs (${webcodecs.width}x${webcodecs.height})`, fps: webcodecs.frameCount / webcodecs.seconds, frames: webcodecs.frameCount, seconds: webcodecs.seconds });
    result.exportParts = partShares(webcodecs.parts);

    await reopen('ffmpeg');
    await page.getByTestId('engine').selectOption('preview');
    const ffmpeg = await generate(page);
    rows.push({ stage: `export ffmpeg.wasm (${ffmpeg.width}x${ffmpeg.height})`, fps: ffmpeg.frameCount / ffmpeg.seconds, frames: ffmpeg.frameCount, seconds: ffmpeg.seconds });
  }

  // The builtin engine on 1 s of the motion (real footage only: it needs a person in both clips),
  // encoded with WebCodecs again, on a page opened afresh as in the whole run.
  if (only !== 'export' && clips.source === 'shared/media') {
    await reopen('webcodecs');
    await page.getByTestId('trim-out-motion').fill('1');
    await page.getByTestId('engine').selectOption('builtin');
    await page.locator('[data-testid=body-panel][data-bodies="reference,motion"]').waitFor({ timeout: 600_000 });
    const builtin = await generate(page);
    rows.push({ stage: `builtin engine (${builtin.width}x${builtin.height}, all stages)`, fps: builtin.frameCount / builtin.seconds, frames: builtin.frameCount, seconds: builtin.seconds });
    result.builtinParts = partShares(builtin.parts);
    if (!result.builtinParts) console.error('builtin engine: the run reported no time per part');
  } else if (only !== 'export') {
    console.error('builtin engine: skipped (the generated clips have no person in them)');
  }

  if (only) {
    console.log(`motionpaste bench --only ${only} — clips: ${clips.source}`);
    console.log(`WebGPU adapter: ${adapter}`);
    console.log('');
    printRows();
    if (result.builtinParts) {
      console.log('');
      printParts('builtin engine', result.builtinParts);
    }
    if (result.exportParts) {
      console.log('');
      printParts('side-by-side export (WebCodecs)', result.exportParts, EXPORT_PART_LABEL);
    }
    break stages;
  }

  // Pose: every landmark model on each execution provider.
  const pose = [];
  const software = !caps.available || caps.isFallback;
  for (const ep of ['wasm', 'webgpu']) {
    if (ep === 'webgpu' && !caps.available) continue;
    for (const model of ['blazepose-lite', 'blazepose-full', 'blazepose-heavy']) {
      // The software adapter takes seconds per frame: a few frames tell the ratio.
      const frames = ep === 'webgpu' && software ? 4 : 24;
      const r = await page.evaluate(([m, e, n]) => globalThis.motionpasteBench.pose('reference', m, e, n), [model, ep, frames]);
      pose.push({ model, ep: r.ep, ...r });
      rows.push({ stage: `pose ${model.replace('blazepose-', '')} on ${r.ep} (+hands, ${refInfo.width}x${refInfo.height})`, fps: r.fps, frames: r.frames, seconds: r.frames / r.fps });
    }
  }

  console.log(`motionpaste bench — clips: ${clips.source}`);
  console.log(`WebGPU adapter: ${adapter}`);
  console.log('');
  printRows();
  console.log('');
  if (result.builtinParts) {
    printParts('builtin engine', result.builtinParts);
    console.log('');
  }
  if (result.exportParts) {
    printParts('side-by-side export (WebCodecs)', result.exportParts, EXPORT_PART_LABEL);
    console.log('');
  }
  result.ratios.exportWebCodecsOverFfmpeg = rows[2].fps / rows[3].fps;
  console.log(`ratio export WebCodecs / ffmpeg.wasm (same frames, this run): ${(rows[2].fps / rows[3].fps).toFixed(1)}x`);
  result.ratios.poseWebGpuOverWasm = [];
  for (const model of ['blazepose-lite', 'blazepose-full', 'blazepose-heavy']) {
    const gpu = pose.find((p) => p.model === model && p.ep === 'webgpu');
    const cpu = pose.find((p) => p.model === model && p.ep === 'wasm');
    if (gpu && cpu) result.ratios.poseWebGpuOverWasm.push({ model, ratio: gpu.fps / cpu.fps });
    if (gpu && cpu) console.log(`ratio pose ${model} WebGPU / wasm (this run): ${(gpu.fps / cpu.fps).toFixed(2)}x`);
  }
  const clipSeconds = motInfo.durationS;
  result.ratios.exportRealTimeFactor = webcodecs.seconds / clipSeconds;
  console.log(`real-time factor of the WebCodecs export: ${(webcodecs.seconds / clipSeconds).toFixed(2)} (pipeline seconds / clip seconds)`);
  const builtin = rows.find((r) => r.stage.startsWith('builtin engine'));
  if (builtin) {
    Object.assign(result.ratios, { builtinSecondsPerOutputSecond: (builtin.seconds / builtin.frames) * motInfo.fps, builtinSecondsPerFrame: builtin.seconds / builtin.frames, outputFps: motInfo.fps });
    console.log(`real-time factor of the builtin engine: ${(builtin.seconds / builtin.frames * motInfo.fps).toFixed(1)} (seconds per second of output at ${fmt(motInfo.fps)} fps)`);
  }
  if (caps.available) result.diffusion = await benchDiffusion(page);
} finally {
  await app.close();
}
if (publish) {
  result.generatedAt = new Date().toISOString();
  mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
  console.error(`wrote ${path.relative(process.cwd(), RESULT_FILE)}`);
  writeDoc(result);
}

/**
 * Diffusion: a proxy pack (128×128 output, 8 frames per UNet call, random weights) through the
 * app's pack loader, then the self-check hook: the same synthetic 12-frame job with the latents on
 * the GPU, with the CPU loop on the same WebGPU sessions, and on wasm. Returns what it printed.
 */
async function benchDiffusion(page) {
  const dir = mkdtempSync(path.join(tmpdir(), 'motionpaste-bench-pack-'));
  try {
    execFileSync('node', [path.join(root, 'tools/fixtures/proxy-pack.mjs'), dir, '--width', '128', '--height', '128', '--frames', '8', '--overlap', '2'], { stdio: 'ignore' });
    await page.getByTestId('engine').selectOption('diffusion');
    await page.getByTestId('pack-input').setInputFiles(dir);
    await page.getByTestId('pack-info').waitFor({ timeout: 120_000 });
    const check = await page.evaluate(() => globalThis.motionpasteBench.diffusionCheck({ frames: 12, steps: [2, 6] }));
    console.log('');
    console.log(`diffusion (proxy pack ${check.width}x${check.height}, ${check.frames} frames, 8 per UNet call, CFG on)`);
    console.log('path'.padEnd(34) + 'steps'.padStart(6) + 'UNet calls'.padStart(12) + 'calls/s'.padStart(10) + 'buffer maps'.padStart(13));
    const label = { gpu: 'latents on the GPU (WebGPU)', 'cpu-on-webgpu': 'CPU loop, WebGPU sessions', wasm: 'CPU loop, wasm' };
    for (const p of check.paths) {
      console.log(label[p.path].padEnd(34) + String(p.steps).padStart(6) + String(p.unetCalls).padStart(12) + fmt(p.unetCallsPerSecond).padStart(10) + String(p.maps).padStart(13));
    }
    const mb = (n) => `${(n / 2 ** 20).toFixed(2)} MiB`;
    console.log(`peak GPU buffer memory (buffers created on onnxruntime-web's device during the GPU runs, weights included): ${mb(check.peakGpuBytes)}; after session creation: ${mb(check.sessionGpuBytes)}`);
    console.log(`memory planner's estimate for this size and chunking: ${mb(check.plannerPeakBytes)} (its activation figures are for the real SVD UNet, not the proxy)`);
    console.log(`largest |GPU loop − wasm| over the decoded frames: ${check.maxAbsDiff.toExponential(2)}`);
    console.log('The first GPU run includes shader compilation; the software adapter makes the WebGPU rows slow. Compare maps and ratios.');
    return {
      width: check.width, height: check.height, frames: check.frames, framesPerCall: 8,
      paths: check.paths.map((p) => ({ path: p.path, steps: p.steps, unetCalls: p.unetCalls, unetCallsPerSecond: p.unetCallsPerSecond, maps: p.maps })),
      peakGpuBytes: check.peakGpuBytes, sessionGpuBytes: check.sessionGpuBytes, plannerPeakBytes: check.plannerPeakBytes, maxAbsDiff: check.maxAbsDiff,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
