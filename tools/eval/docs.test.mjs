import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluationMarkdown, reportSlug, sortReports } from './docs.mjs';
import { contactSheetFor, readPublished, readReportFile, storeReport, writeEvaluationDoc } from './publish.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name) => JSON.parse(readFileSync(path.join(here, 'fixtures', name), 'utf8'));
// split-report.json: trimmed from a real report made before reports carried a date, commit or
// machine; cross-report.json: the shape main.mjs writes now, with made-up values.
const split = () => fixture('split-report.json');
const cross = () => fixture('cross-report.json');
const rowsOf = (md, section) => {
  const body = md.split(`## ${section}`)[1].split('\n## ')[0];
  return body.split('\n').filter((l) => l.startsWith('|')).map((l) => l.slice(2, -2).split(' | '));
};

describe('reportSlug', () => {
  it('a split is named after the split clip', () => {
    expect(reportSlug(split())).toBe('split-fashion_model_turn_navy_dress_91BjuE6irxS');
  });
  it('a cross run after the reference and the motion clip, joined by --', () => {
    expect(reportSlug(cross())).toBe('cross-h36m_lab_walking_static_camera--indoor_dance_woman_yellow_sweater_static');
  });
  it('an explicit run names its truth when it is another file', () => {
    const r = { ...cross(), mode: 'explicit', inputs: { ...cross().inputs, truth: { file: '/a/b/truth clip.mp4', sameAsMotion: false } } };
    expect(reportSlug(r)).toBe('explicit-h36m_lab_walking_static_camera--indoor_dance_woman_yellow_sweater_static--truth_clip');
  });
  it('another engine than builtin is added; odd characters are replaced', () => {
    const r = { ...split(), engine: 'diffusion', inputs: { ...split().inputs, split: 'C:\\clips\\my clip (1).mp4' } };
    expect(reportSlug(r)).toBe('split-my_clip_1_.diffusion');
  });
});

describe('evaluationMarkdown', () => {
  it('compares each kept earlier run with the current run of the same name, and leaves out what has no newer run', () => {
    const before = { ...split(), commit: 'aaaaaaa', generatedAt: '2026-12-01T00:00:00Z' };
    before.methods = { ...before.methods, engine: { ...before.methods.engine, revealedPsnr: 27.5, revealedDetail: 0.62 } };
    const after = { ...split(), commit: 'bbbbbbb', generatedAt: '2026-12-07T00:00:00Z' };
    after.methods = { ...after.methods, engine: { ...after.methods.engine, revealedPsnr: 27.8, revealedDetail: 0.81 } };
    const md = evaluationMarkdown([after, cross()], [before, { ...cross(), commit: 'ccccccc' }]);
    const rows = md.split('### Before and after')[1].split('\n## ')[0].split('\n').filter((l) => l.startsWith('| fashion'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('`aaaaaaa` → `bbbbbbb`');
    expect(rows[0]).toContain('27.5 → 27.8');
    expect(rows[0]).toContain('0.62 → 0.81');
    // The same run kept and current: no table.
    expect(evaluationMarkdown([after], [after])).not.toContain('Before and after');
  });

  it('says it is generated, and where from', () => {
    const md = evaluationMarkdown([split(), cross()]);
    expect(md.startsWith('# Evaluation\n')).toBe(true);
    expect(md).toContain('Do not edit by hand');
    expect(md).toContain('npm run eval -- --docs');
  });

  it('a self-reenactment row per method, engine first, with the README columns', () => {
    const rows = rowsOf(evaluationMarkdown([split()]), 'Self-reenactment');
    expect(rows[0]).toEqual([
      'clip, frames', 'method', 'PSNR', 'PSNR box', 'SSIM', 'PCK@0.1', 'PCK@0.2', 'PCK@0.2 seen / unseen side', 'kp err px', 'stability', 'bg PSNR',
      'revealed PSNR', 'revealed detail', 'face detail', 'face identity',
    ]);
    // A report from before the revealed-background and face columns: "—" there, the rest as it was.
    expect(rows.slice(2)).toEqual([
      ['fashion_model_turn_navy_dress_91BjuE6irxS, 150', '**builtin**', '18.83', '13.58', '0.885', '0.958', '**0.997**', '1.000 / 0.995', '7.4', '1.32', '60.4', '—', '—', '—', '—'],
      ['', 'still', '14.59', '10.37', '0.844', '0.300', '0.607', '0.973 / 0.379', '37.4', '0.63', '98.7', '—', '—', '—', '—'],
      ['', 'paste-2d', '17.14', '11.89', '0.878', '0.564', '0.761', '0.994 / 0.615', '24.6', '2.03', '90.6', '—', '—', '—', '—'],
    ]);
    expect(evaluationMarkdown([split()])).not.toContain('Contact sheets');
  });

  it('the revealed background and face detail, with the frames they were measured on', () => {
    const r = split();
    Object.assign(r.methods.engine, { revealedPsnr: 21.456, revealedDetail: 0.3149, revealedFrames: 140, revealedPixelsPerFrame: 5000, faceDetail: 0.52, faceFrames: 57 });
    Object.assign(r.methods.still, { revealedPsnr: null, revealedDetail: null, revealedFrames: 0, faceDetail: 1.04, faceFrames: 57 });
    const rows = rowsOf(evaluationMarkdown([r]), 'Self-reenactment').slice(2);
    expect(rows[0].slice(11, 14)).toEqual(['21.5 (140)', '0.31', '0.52 (57)']);
    expect(rows[1].slice(11, 14)).toEqual(['—', '—', '1.04 (57)']);
    expect(rows[2].slice(11, 14)).toEqual(['—', '—', '—']);
  });

  it("the face identity of each method, the truth's own beside the engine's", () => {
    const r = split();
    r.faceIdentity = { referenceFaces: 16, ceiling: 0.934, ceilingFrames: 57 };
    Object.assign(r.methods.engine, { faceIdentity: 0.8123, faceIdentityFrames: 57 });
    Object.assign(r.methods.still, { faceIdentity: 0.95, faceIdentityFrames: 57 });
    const rows = rowsOf(evaluationMarkdown([r]), 'Self-reenactment').slice(2);
    expect(rows.map((row) => row[14])).toEqual(['0.81 (truth 0.93)', '0.95', '—']);
    const c = cross();
    c.methods.engine.faceIdentity = 0.7;
    expect(rowsOf(evaluationMarkdown([c]), 'Cross-person')[2].at(-1)).toBe('0.70');
  });

  it('names the contact sheet of each run that stored one, under its table (not embedded: frames of the test footage stay out of the repository)', () => {
    const r = { ...split(), contactSheet: { frames: [18, 56, 93, 131], stored: 'split-fashion_model_turn_navy_dress_91BjuE6irxS.png' } };
    const md = evaluationMarkdown([r, cross()]);
    const truthPart = md.split('## Self-reenactment')[1].split('## Cross-person')[0];
    expect(truthPart).toContain('**Contact sheets.**');
    expect(truthPart).toContain('(output frames 18, 56, 93, 131)');
    expect(truthPart).toContain('`results/eval/split-fashion_model_turn_navy_dress_91BjuE6irxS.png` (output frames 18, 56, 93, 131)');
    expect(truthPart).not.toContain('![');
    expect(md.split('## Cross-person')[1]).not.toContain('Contact sheets');
    // A sheet that was not stored (stored: null, or only the --out file) is not linked.
    expect(evaluationMarkdown([{ ...split(), contactSheet: { file: '/tmp/x.png', stored: null } }])).not.toContain('.png');
  });

  it('"—" for what a report lacks or could not measure', () => {
    const r = split();
    r.methods['paste-2d'].psnrBox = null;
    delete r.methods['paste-2d'].pck02SeenSide;
    delete r.methods['paste-2d'].pck02UnseenSide;
    r.methods.still.pck02UnseenSide = null;
    delete r.output.evaluatedFrames;
    const rows = rowsOf(evaluationMarkdown([r]), 'Self-reenactment').slice(2);
    expect(rows[0][0]).toBe('fashion_model_turn_navy_dress_91BjuE6irxS, —');
    expect(rows[1][7]).toBe('0.973 / —');
    expect([rows[2][3], rows[2][7]]).toEqual(['—', '—']);
  });

  it('a cross-person row per method; a background at the PSNR cap reads "same"', () => {
    const rows = rowsOf(evaluationMarkdown([cross()]), 'Cross-person');
    expect(rows[0]).toEqual(['reference ← motion, frames', 'method', 'PCK@0.1', 'PCK@0.2', 'kp err px', 'stability', 'bg PSNR', 'face identity']);
    expect(rows.slice(2)).toEqual([
      ['h36m_lab_walking_static_camera ← indoor_dance_woman_yellow_sweater_static, 30', '**builtin**', '0.407', '**0.978**', '7.7', '0.68', '35.9', '—'],
      ['', 'still', '0.277', '0.544', '18.1', '—', 'same', '—'],
      ['', 'paste-2d', '0.817', '0.990', '6.4', '0.93', '—', '—'],
    ]);
  });

  it('says which runs each table comes from, with their dates and commits', () => {
    const md = evaluationMarkdown([split(), cross()]);
    const truthPart = md.split('## Self-reenactment')[1].split('## Cross-person')[0];
    expect(truthPart).toContain('From 1 published run (`split-fashion_model_turn_navy_dress_91BjuE6irxS.json`), undated, no commit recorded');
    const crossPart = md.split('## Cross-person')[1].split('## Runs')[0];
    expect(crossPart).toContain('dated 2025-01-02, commit `abc1234`');
  });

  it('lists every run with its date, commit, machine and arguments', () => {
    const rows = rowsOf(evaluationMarkdown([cross(), split()]), 'Runs');
    expect(rows[0]).toEqual(['report', 'mode', 'engine', 'frames', 'output', 'placement', 'generated', 'commit', 'machine', 'time s', 'arguments']);
    expect(rows[2].slice(0, 10)).toEqual([
      '[split-fashion_model_turn_navy_dress_91BjuE6irxS](results/eval/split-fashion_model_turn_navy_dress_91BjuE6irxS.json)',
      'split', 'builtin', '150 (56 / 94)', '414×540, 29.97 fps', 'scene', '—', '—', '—', '551',
    ]);
    expect(rows[3]).toContain('2025-01-02 03:04:05Z');
    expect(rows[3]).toContain('`abc1234`');
    expect(rows[3]).toContain('2 CPUs, SwiftShader Device (Subzero) (software adapter)');
    expect(rows[3].at(-1)).toMatch(/^`--reference .* --frames 30 --publish`$/);
  });

  it('does not depend on the order it is given the reports in', () => {
    const a = split();
    const b = cross();
    const c = { ...split(), inputs: { ...split().inputs, split: '/x/aaa.mp4' } };
    expect(evaluationMarkdown([b, a, c])).toBe(evaluationMarkdown([c, a, b]));
    expect(sortReports([b, a, c]).map(reportSlug)).toEqual(['split-aaa', 'split-fashion_model_turn_navy_dress_91BjuE6irxS', reportSlug(b)]);
  });

  it('with no reports, says so', () => {
    const md = evaluationMarkdown([]);
    expect(md).toContain('## Self-reenactment (with a ground truth)\n\nNo published runs yet.');
    expect(md).toContain('## Cross-person (no ground truth)\n\nNo published runs yet.');
  });
});

describe('publishing (a temporary root)', () => {
  let root;
  afterEach(() => root && rmSync(root, { recursive: true, force: true }));

  it('stores reports under their slug and writes the page from all of them', () => {
    root = mkdtempSync(path.join(tmpdir(), 'motionpaste-docs-'));
    expect(path.relative(root, storeReport(cross(), root))).toBe('docs/results/eval/cross-h36m_lab_walking_static_camera--indoor_dance_woman_yellow_sweater_static.json');
    storeReport(split(), root);
    storeReport({ ...split(), output: { ...split().output, evaluatedFrames: 20 } }, root); // same slug: replaces
    expect(readPublished(root).map(reportSlug)).toEqual([reportSlug(cross()), reportSlug(split())]);
    const md = readFileSync(writeEvaluationDoc(root), 'utf8');
    expect(md).toBe(evaluationMarkdown(readPublished(root)));
    expect(md).toContain('fashion_model_turn_navy_dress_91BjuE6irxS, 20 |');
  });

  it('stores a contact sheet as <slug>.png beside the report, and removes a stale one', () => {
    root = mkdtempSync(path.join(tmpdir(), 'motionpaste-docs-'));
    const png = path.join(root, 'run.png');
    writeFileSync(png, 'not really a png');
    const slug = reportSlug(split());
    const file = storeReport({ ...split(), contactSheet: { file: png, frames: [1, 2] } }, root, { contactSheet: png });
    const stored = path.join(root, 'docs/results/eval', `${slug}.png`);
    expect(readFileSync(stored, 'utf8')).toBe('not really a png');
    expect(JSON.parse(readFileSync(file, 'utf8')).contactSheet).toEqual({ file: png, frames: [1, 2], stored: `${slug}.png` });
    expect(readFileSync(writeEvaluationDoc(root), 'utf8')).toContain(`results/eval/${slug}.png`);
    // Publishing the stored report again finds its own sheet.
    expect(contactSheetFor(file, JSON.parse(readFileSync(file, 'utf8')))).toBe(stored);
    storeReport(JSON.parse(readFileSync(file, 'utf8')), root, { contactSheet: stored });
    expect(readFileSync(stored, 'utf8')).toBe('not really a png');
    // A later run of the same slug without a sheet.
    storeReport(split(), root);
    expect(() => readFileSync(stored)).toThrow();
    expect(readFileSync(writeEvaluationDoc(root), 'utf8')).not.toContain('.png');
  });

  it('finds the contact sheet of an --out report: the report\'s name with .png, else the file it names', () => {
    root = mkdtempSync(path.join(tmpdir(), 'motionpaste-docs-'));
    const report = path.join(root, 'r.json');
    const elsewhere = { contactSheet: { file: path.join(root, 'elsewhere.png') } };
    expect(contactSheetFor(report, {})).toBeNull();
    expect(contactSheetFor(report, elsewhere)).toBeNull();
    writeFileSync(path.join(root, 'elsewhere.png'), 'y');
    expect(contactSheetFor(report, elsewhere)).toBe(path.join(root, 'elsewhere.png'));
    writeFileSync(path.join(root, 'r.png'), 'x');
    expect(contactSheetFor(report, {})).toBe(path.join(root, 'r.png'));
    expect(contactSheetFor(report, elsewhere)).toBe(path.join(root, 'r.png'));
  });

  it('a report without a date takes its file time; --commit fills a missing commit only', () => {
    root = mkdtempSync(path.join(tmpdir(), 'motionpaste-docs-'));
    const file = path.join(root, 'old.json');
    writeFileSync(file, JSON.stringify(split()));
    const when = new Date('2025-03-04T05:06:07Z');
    utimesSync(file, when, when);
    const r = readReportFile(file, { commit: 'f00ba12', now: new Date('2025-03-05T00:00:00Z') });
    expect(r.generatedAt).toBe('2025-03-04T05:06:07.000Z');
    expect(r.commit).toBe('f00ba12');
    expect(r.published).toMatchObject({ at: '2025-03-05T00:00:00.000Z', from: 'old.json' });
    expect(r.published.generatedAtFrom).toBeTruthy();
    const run = rowsOf(evaluationMarkdown([r]), 'Runs')[2];
    expect(run[6]).toBe('2025-03-04 05:06:07Z (file time)');
    expect(run[7]).toBe('`f00ba12` (given when published)');
    writeFileSync(file, JSON.stringify(cross()));
    const kept = readReportFile(file, { commit: 'f00ba12' });
    expect([kept.generatedAt, kept.commit, kept.published.commitFrom]).toEqual(['2025-01-02T03:04:05.678Z', 'abc1234', undefined]);
    writeFileSync(file, '{"hello": 1}');
    expect(() => readReportFile(file)).toThrow(/not an eval report/);
  });
});
