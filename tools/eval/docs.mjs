// docs/evaluation.md from the published eval reports (docs/results/eval/*.json): pure functions,
// no file system. A report is the JSON object tools/eval/main.mjs writes with --out / --publish.
// The Markdown is generated, never hand-edited: `npm run eval -- --docs` rewrites it.

/** Background PSNR at or above this (the PSNR cap of metrics.mjs) means the background is unchanged. */
const SAME_DB = 100;
/** The order of the kinds in file names and in the document. */
const KINDS = ['split', 'explicit', 'cross'];

const stem = (file) => {
  const base = String(file ?? '').split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
};
const safe = (s) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

/**
 * The clip names a report is about: for `split` the split clip's file stem, else the reference's
 * and the motion's (for `explicit` also the truth's when it is another file).
 */
export function reportClips(report) {
  const inputs = report?.inputs ?? {};
  if (report?.mode === 'split') return { split: stem(inputs.split) };
  const truth = inputs.truth && !inputs.truth.sameAsMotion ? stem(inputs.truth.file) : null;
  return { reference: stem(inputs.reference?.file), motion: stem(inputs.motion?.file), truth };
}

/**
 * The published name of a report, without `.json`: `<kind>-<clip>` for a split,
 * `<kind>-<reference>--<motion>` otherwise (kind = the report's mode: split, explicit or cross),
 * then `.<engine>` when the engine is not builtin. Only [A-Za-z0-9._-] are kept.
 */
export function reportSlug(report) {
  const kind = KINDS.includes(report?.mode) ? report.mode : 'unknown';
  const c = reportClips(report);
  const clips = kind === 'split' ? c.split : [c.reference, c.motion, ...(c.truth ? [c.truth] : [])].join('--');
  const engine = report?.engine && report.engine !== 'builtin' ? `.${report.engine}` : '';
  return safe(`${kind}-${clips}${engine}`);
}

/** Reports in document order: by kind (split, explicit, cross), then by slug. Stable. */
export function sortReports(reports) {
  return reports
    .map((report, i) => ({ report, i, kind: KINDS.indexOf(report?.mode), slug: reportSlug(report) }))
    .sort((a, b) => a.kind - b.kind || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : a.i - b.i))
    .map((x) => x.report);
}

const num = (v, digits) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');
const bg = (v) => (typeof v === 'number' && v >= SAME_DB ? 'same' : num(v, 1));
const bold = (s) => (s === '—' ? s : `**${s}**`);
const dateOf = (report) => (typeof report?.generatedAt === 'string' ? report.generatedAt.slice(0, 10) : null);

/** The methods of a report in table order: the engine, then the baselines. */
function methodRows(report) {
  const m = report?.methods ?? {};
  return [
    ['engine', m.engine],
    ['still', m.still],
    ['paste-2d', m['paste-2d']],
  ].filter(([, metrics]) => metrics);
}

function sides(metrics) {
  const a = num(metrics.pck02SeenSide, 3);
  const b = num(metrics.pck02UnseenSide, 3);
  return a === '—' && b === '—' ? '—' : `${a} / ${b}`;
}

/** A value with the number of frames it was measured on, "0.42 (57)"; "—" when not measured. */
function withFrames(v, digits, frames) {
  const s = num(v, digits);
  return s === '—' || typeof frames !== 'number' ? s : `${s} (${frames})`;
}

function truthRows(report) {
  const c = reportClips(report);
  const label = report.mode === 'split' ? c.split : `${c.reference} ← ${c.motion}${c.truth ? ` (truth ${c.truth})` : ''}`;
  const frames = report.output?.evaluatedFrames;
  return methodRows(report).map(([role, m], i) => {
    const engine = role === 'engine';
    const name = m.name ?? (engine ? report.engine : role);
    return [
      i === 0 ? `${label}, ${frames ?? '—'}` : '',
      engine ? `**${name}**` : name,
      num(m.psnr, 2), num(m.psnrBox, 2), num(m.ssim, 3), num(m.pck01, 3),
      engine ? bold(num(m.pck02, 3)) : num(m.pck02, 3),
      sides(m), num(m.keypointErrorPx, 1), num(m.temporalStability, 2), bg(m.backgroundPsnr),
      withFrames(m.revealedPsnr, 1, m.revealedFrames), num(m.revealedDetail, 2), withFrames(m.faceDetail, 2, m.faceFrames),
      i === 0 ? identityWithCeiling(m, report.faceIdentity) : num(m.faceIdentity, 2),
    ];
  });
}

/** The first row's face identity with the truth's own beside it: "0.81 (truth 0.93)". */
function identityWithCeiling(m, identity) {
  const own = num(m.faceIdentity, 2);
  const ceiling = num(identity?.ceiling, 2);
  return own === '—' || ceiling === '—' ? own : `${own} (truth ${ceiling})`;
}

/** One row per earlier report with a current report of the same name: the engine's figures, before → after. */
function beforeAfterRows(before, reports) {
  const now = new Map(reports.map((r) => [reportSlug(r), r]));
  return sortReports(before).flatMap((b) => {
    const r = now.get(reportSlug(b));
    // Nothing to compare: no current run, or the current run is the same one.
    if (!r || (r.commit === b.commit && r.generatedAt === b.generatedAt)) return [];
    const c = reportClips(b);
    const x = b.methods?.engine ?? {};
    const y = r.methods?.engine ?? {};
    const pair = (k, d) => `${num(x[k], d)} → ${num(y[k], d)}`;
    return [[c.split ?? `${c.reference} ← ${c.motion}`, `\`${b.commit ?? '—'}\` → \`${r.commit ?? '—'}\``, pair('psnr', 2), pair('psnrBox', 2), pair('pck02', 3), pair('revealedPsnr', 1), pair('revealedDetail', 2), pair('faceDetail', 2), pair('faceIdentity', 2)]];
  });
}

/** The contact sheets stored with these reports (contactSheet.stored), one paragraph each; [] when none. */
function contactSheets(reports) {
  const withSheet = reports.filter((r) => typeof r.contactSheet?.stored === 'string');
  if (!withSheet.length) return [];
  const out = [
    `**Contact sheets.** One row per output frame (the frame numbers follow each name). Coloured bar over each tile: ground truth green, engine red, still grey, paste-2d blue (without a ground truth the first column is the engine). Then zooms, framed in the colour of the region: the face (yellow; the ground truth's face box, or without one the reference person's face beside the output's) and the reference person's box in the reference frame used (cyan: where background had to be revealed), for the ground truth (or the reference frame) and the engine output. The same regions are outlined on the frames.`,
    '',
  ];
  out.push(
    'The sheets are frames of the test footage in `../shared/media`, several clips of which are for evaluation only and may not be redistributed, so they stay on the machine that made them (git-ignored beside the reports) and are not part of the repository: `--publish` remakes them.',
    '',
  );
  for (const r of withSheet) {
    const frames = Array.isArray(r.contactSheet.frames) ? ` (output frames ${r.contactSheet.frames.join(', ')})` : '';
    out.push(`- \`results/eval/${r.contactSheet.stored}\`${frames}`);
  }
  out.push('');
  return out;
}

function crossRows(report) {
  const c = reportClips(report);
  const frames = report.output?.evaluatedFrames;
  return methodRows(report).map(([role, m], i) => {
    const engine = role === 'engine';
    const name = m.name ?? (engine ? report.engine : role);
    return [
      i === 0 ? `${c.reference} ← ${c.motion}, ${frames ?? '—'}` : '',
      engine ? `**${name}**` : name,
      num(m.pck01, 3), engine ? bold(num(m.pck02, 3)) : num(m.pck02, 3),
      num(m.keypointErrorPx, 1), num(m.temporalStability, 2), bg(m.backgroundPsnr), num(m.faceIdentity, 2),
    ];
  });
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "From 7 runs (…): 2025-12-07, commit f116c06." — which runs a table comes from. */
function fromLine(reports) {
  const list = (xs) => [...new Set(xs)].sort();
  const dates = list(reports.map(dateOf).filter(Boolean));
  const commits = list(reports.map((r) => r.commit).filter(Boolean));
  const missingDate = reports.some((r) => !dateOf(r));
  const missingCommit = reports.some((r) => !r.commit);
  const datePart = dates.length ? `dated ${dates.join(', ')}${missingDate ? ' (some undated)' : ''}` : 'undated';
  const commitPart = commits.length
    ? `${commits.length > 1 ? 'commits' : 'commit'} ${commits.map((c) => `\`${c}\``).join(', ')}${missingCommit ? ' (some without a recorded commit)' : ''}`
    : 'no commit recorded';
  const n = reports.length;
  return `From ${n} published run${n === 1 ? '' : 's'} (${reports.map((r) => `\`${reportSlug(r)}.json\``).join(', ')}), ${datePart}, ${commitPart}; each run is listed under [Runs](#runs).`;
}

function machineOf(report) {
  const m = report.machine;
  const parts = [];
  if (m?.cpus) parts.push(`${m.cpus} CPU${m.cpus === 1 ? '' : 's'}`);
  if (report.adapter) parts.push(report.adapter);
  return parts.length ? parts.join(', ') : '—';
}

function runRows(reports) {
  return reports.map((r) => {
    const s = r.settings ?? {};
    const o = r.output ?? {};
    const side = r.sides ? ` (${r.sides.seen} / ${r.sides.unseen})` : '';
    return [
      `[${reportSlug(r)}](results/eval/${reportSlug(r)}.json)`,
      r.mode ?? '—',
      r.engine ?? '—',
      `${o.evaluatedFrames ?? '—'}${side}`,
      o.width && o.height ? `${o.width}×${o.height}, ${num(o.fps, 2)} fps` : '—',
      s.placement ?? '—',
      r.generatedAt ? `${r.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}${r.published?.generatedAtFrom ? ' (file time)' : ''}` : '—',
      r.commit ? `\`${r.commit}\`${r.uncommittedChanges ? ' + uncommitted changes' : ''}${r.published?.commitFrom ? ' (given when published)' : ''}` : '—',
      machineOf(r),
      num(r.timing?.total, 0),
      r.argv ? `\`${r.argv.join(' ')}\`` : '—',
    ];
  });
}

const INTRO = `# Evaluation

<!-- Generated by tools/eval/docs.mjs from docs/results/eval/*.json. Do not edit by hand:
     \`npm run eval -- <run> --publish\` adds a run, \`npm run eval -- --docs\` rewrites this file. -->

These tables are written by \`npm run eval\` from the JSON reports in
[results/eval/](results/eval/); nothing here is typed in by hand. A run with \`--publish\` stores
its report there and rewrites this page; \`npm run eval -- --docs\` rewrites it from the stored
reports alone, and \`npm run eval -- --publish-report FILE…\` stores reports written earlier with
\`--out\`. How the harness works, and its limits, is in
[tools/eval/README.md](../tools/eval/README.md); what the figures mean for the engine is in
[engine.md](engine.md#known-hard-cases).

**The protocol** (\`../shared/docs/EVALUATION.md\` beside the repository, in short). With
\`--split clip.mp4\` one real clip is cut in two: the first half is the reference, the second half
the motion, and the second half is also the ground truth, since the same person in the same scene
made exactly that movement. The app generates the edit in headless Chromium through its own UI
(\`npm run eval -- --split clip.mp4 --publish\`), and two baselines are made from the same clips:
\`still\` (the reference frame at the same time: no edit at all) and \`paste-2d\` (the reference
person cut out and moved limb by limb with 2D affine warps). Every output then goes back through
the app's own pose pipeline. Cross-person runs (\`--reference A --motion B\`) have no ground
truth, so only pose fidelity, stability and background are reported. The machine and WebGPU
adapter a run recorded are under [Runs](#runs) (reports from before these were recorded show —).

**Columns.** Frames: output frames evaluated. PSNR: dB over RGB against the ground truth, per
frame, capped at 100 dB, averaged. PSNR box: the same inside the ground-truth person's box (its
keypoints, padded 10 % per side). SSIM: luma, 11×11 Gaussian window. PCK@0.1, PCK@0.2: share of
the COCO-17 keypoints of the motion clip (visibility above 0.5) that the pose found on the output
places within 0.1 or 0.2 of the torso size; a frame with no person found counts all its points
wrong. Seen / unseen side: PCK@0.2 over the frames that show the side of the body the reference
showed, and over the others (the app's own coverage rule; the frame counts are under Runs).
kp err px: mean keypoint error in output pixels, over frames where a person was found. Stability:
frame-to-frame change inside the person box, over the same on the ground truth (1 = as steady as
real video; cross-person: over the motion clip, which means little when the cameras differ). bg
PSNR: PSNR outside the padded person boxes against the reference frame at the same time; *same* =
unchanged (the cap). Cross-person pose fidelity is root-relative and at the output person's own
size: it measures the pose, not where the body stands. Revealed PSNR: PSNR against the ground truth
over the background that the reference person hid (inside the reference person's mask in the
reference frame used, outside the ground truth's and the output's person masks, grown a little),
with the number of frames measured in brackets. Revealed detail: the fine detail there, the mean
|Laplacian| of the output's luma over the ground truth's on the same pixels (1 = as detailed as the
real background; a blur scores far below 1; a ghost of the reference person can score 1 or more,
so read it with the PSNR beside it). Face detail: the same ratio inside the ground truth's face box
(from its nose, eyes and ears), over the frames where the face is seen (in brackets). Face
identity: cosine similarity between a face-recognition descriptor (FaceRes) of the output's face and
the mean descriptor of the reference person's frontal faces (1 = the same descriptor; another
person scores clearly lower: see tools/eval/README.md); with a ground truth, the truth's own
similarity beside it is the ceiling, and faces are taken in the truth's face box; cross-person, in
each output's own face box. "—": not measured or not defined (reports from before a column existed
show — too).`;

/**
 * docs/evaluation.md for the given reports (any order; sorted by kind and slug): an intro, the
 * table of runs with a ground truth (split and explicit), the cross-person table and the list of
 * runs with their dates, commits, machines and command lines.
 */
export function evaluationMarkdown(reports, before = []) {
  const sorted = sortReports(reports);
  const truth = sorted.filter((r) => r.mode === 'split' || r.mode === 'explicit');
  const cross = sorted.filter((r) => r.mode === 'cross');
  const out = [INTRO, ''];
  out.push('## Self-reenactment (with a ground truth)', '');
  if (truth.length) {
    out.push(fromLine(truth), '');
    out.push(table(
      ['clip, frames', 'method', 'PSNR', 'PSNR box', 'SSIM', 'PCK@0.1', 'PCK@0.2', 'PCK@0.2 seen / unseen side', 'kp err px', 'stability', 'bg PSNR', 'revealed PSNR', 'revealed detail', 'face detail', 'face identity'],
      truth.flatMap(truthRows),
    ));
    const sheets = contactSheets(truth);
    if (sheets.length) out.push('', ...sheets.slice(0, -1));
  } else out.push('No published runs yet.');
  const changes = beforeAfterRows(before, sorted);
  if (changes.length) {
    out.push('', '### Before and after', '',
      `The builtin engine's figures in an earlier run kept in [results/eval/before/](results/eval/before/) (the run a change is measured against), then in the run above, per clip: before → after.`, '');
    out.push(table(['clip', 'commits', 'PSNR', 'PSNR box', 'PCK@0.2', 'revealed PSNR', 'revealed detail', 'face detail', 'face identity'], changes));
  }
  out.push('', '## Cross-person (no ground truth)', '');
  if (cross.length) {
    out.push(fromLine(cross), '');
    out.push(table(['reference ← motion, frames', 'method', 'PCK@0.1', 'PCK@0.2', 'kp err px', 'stability', 'bg PSNR', 'face identity'], cross.flatMap(crossRows)));
    const sheets = contactSheets(cross);
    if (sheets.length) out.push('', ...sheets.slice(0, -1));
  } else out.push('No published runs yet.');
  out.push('', '## Runs', '');
  if (sorted.length) {
    out.push('Frames: evaluated, with the seen / unseen side counts where the report has them. Time: the whole run, in seconds.',
      'Generated: when the report was written; *file time* marks a report from before reports carried their date, dated by its file.',
      'Commit: HEAD when the run started; *given when published* marks a commit named with `--publish-report --commit`.', '');
    out.push(table(['report', 'mode', 'engine', 'frames', 'output', 'placement', 'generated', 'commit', 'machine', 'time s', 'arguments'], runRows(sorted)));
  } else out.push('None.');
  return `${out.join('\n')}\n`;
}
