// Publishing eval reports: docs/results/eval/<slug>.json and docs/evaluation.md generated from
// all of them (tools/eval/docs.mjs). No browser, no app: `--docs` and `--publish-report` use only this.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluationMarkdown, reportSlug } from './docs.mjs';

/** The repository root (two folders above this file). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where published reports live, and the page made from them, relative to the root. */
export const RESULTS_DIR = 'docs/results/eval';
export const DOC_FILE = 'docs/evaluation.md';
/** Earlier reports that the published ones are compared with (a "before and after" table), by the same names. */
export const BEFORE_DIR = 'docs/results/eval/before';

/** The short commit of HEAD in `root`, or null when git or the repository is not there. */
export function gitCommit(root = ROOT) {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

/** True when the working tree has changes to tracked files under src/ or tools/ (the code a report measures). */
export function gitDirty(root = ROOT) {
  try {
    return execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src', 'tools'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch {
    return null;
  }
}

/** The published reports (or, with BEFORE_DIR, the earlier ones kept for comparison), read in file-name order. */
export function readPublished(root = ROOT, folder = RESULTS_DIR) {
  const dir = path.join(root, folder);
  let names;
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')));
}

/** Rewrites docs/evaluation.md from the published reports; returns its path. */
export function writeEvaluationDoc(root = ROOT) {
  const file = path.join(root, DOC_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, evaluationMarkdown(readPublished(root), readPublished(root, BEFORE_DIR)));
  return file;
}

/**
 * Stores a report under docs/results/eval/<slug>.json (replacing one of the same slug); returns its
 * path. `contactSheet`: the run's contact sheet PNG, stored beside it as <slug>.png and named in the
 * stored report's `contactSheet.stored`; without one, an older <slug>.png is removed, so that the
 * page never shows another run's pictures.
 */
export function storeReport(report, root = ROOT, { contactSheet = null } = {}) {
  const dir = path.join(root, RESULTS_DIR);
  mkdirSync(dir, { recursive: true });
  const slug = reportSlug(report);
  const file = path.join(dir, `${slug}.json`);
  const png = path.join(dir, `${slug}.png`);
  let stored = report;
  if (contactSheet && existsSync(contactSheet)) {
    if (path.resolve(contactSheet) !== path.resolve(png)) copyFileSync(contactSheet, png);
    stored = { ...report, contactSheet: { ...(report.contactSheet ?? {}), stored: `${slug}.png` } };
  } else {
    rmSync(png, { force: true });
    if (report.contactSheet?.stored) stored = { ...report, contactSheet: { ...report.contactSheet, stored: null } };
  }
  writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`);
  return file;
}

/**
 * The contact sheet of a report written earlier (--out, or a stored one), for publishing it: the
 * report's file with .png for its extension (where main.mjs and storeReport put it) when it is
 * there, else the file the report names (`contactSheet.file`); null when neither exists.
 */
export function contactSheetFor(reportFile, report) {
  const p = path.parse(reportFile);
  const beside = path.join(p.dir, `${p.name}.png`);
  if (existsSync(beside)) return beside;
  const named = report?.contactSheet?.file;
  return typeof named === 'string' && existsSync(named) ? named : null;
}

/**
 * Reads a report written earlier (`--out FILE`) for publishing. A report from before reports
 * carried their date takes the file's modification time (the report is written when the run
 * ends), and `commit`, when given, stands for a report that has none; both are noted in
 * `published`, so the page can be traced back.
 */
export function readReportFile(file, { commit = null, now = new Date() } = {}) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  if (!report || typeof report !== 'object' || !report.mode || !report.methods) throw new Error(`${file} is not an eval report (no mode or methods).`);
  const published = { at: now.toISOString(), from: path.basename(file) };
  if (!report.generatedAt) {
    report.generatedAt = statSync(file).mtime.toISOString();
    published.generatedAtFrom = 'the report file\'s modification time';
  }
  if (!report.commit && commit) {
    report.commit = commit;
    published.commitFrom = '--commit (given when publishing)';
  }
  return { ...report, published };
}
