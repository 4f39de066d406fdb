// Drives the built app in headless Debian Chromium through its own UI: the code path a user takes.
// Shared by the headless runner (tools/cli) and the benchmark (tools/bench).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** An error the user can fix; the runner prints its message without a stack trace. */
export class RunnerError extends Error {
  name = 'RunnerError';
}

/** What the built app is made from: a change to any of these makes `dist/` stale. */
const BUILD_INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package-lock.json'];

/** Newest modification time (ms) of a file, or of any file under a folder; 0 when absent. */
export function newestChange(file) {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(file, { recursive: true, withFileTypes: true })) {
    // Tests are not part of the build: editing one must not rebuild (and drop the test harness from) dist/.
    if (entry.isFile() && !/\.test\.[cm]?[jt]sx?$/.test(entry.name)) newest = Math.max(newest, statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

/** Whether `dist/` is missing or older than a source of it (a run must measure the code it names). */
export function buildIsStale(appRoot = root) {
  const built = newestChange(path.join(appRoot, 'dist/index.html'));
  return built === 0 || BUILD_INPUTS.some((input) => newestChange(path.join(appRoot, input)) > built);
}

/** Builds the app when it is missing or stale, serves it on loopback and opens it in Chromium. */
export async function startApp({ rebuild = false, query = '', log = () => {} } = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new RunnerError(`Chromium was not found at ${CHROMIUM_PATH}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  if (rebuild || buildIsStale()) {
    log('building the app…');
    await build({ root, logLevel: 'warn' });
  }
  const server = await preview({ root, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const url = server.resolvedUrls.local[0];
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  // MOTIONPASTE_CONSOLE=1 passes the page's (and its workers') console to stderr, for debugging a run.
  if (process.env.MOTIONPASTE_CONSOLE) page.on('console', (m) => process.stderr.write(`[page ${m.type()}] ${m.text()}\n`));
  await page.goto(`${url}${query}`);
  await page.getByTestId('app').and(page.locator('[data-restoring=false]')).waitFor();
  return {
    page,
    url,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Loads a file into a slot and waits until it is ready; throws the app's own message on failure. */
export async function loadClip(page, slot, file) {
  if (!existsSync(file)) throw new RunnerError(`${slot} file not found: ${file}`);
  await page.getByTestId(`file-${slot}`).setInputFiles(path.resolve(file));
  const error = page.getByTestId(`error-${slot}`);
  const ready = page.locator(`[data-testid=clip-${slot}][data-status=ready]`);
  await page.getByTestId(`loading-${slot}`).waitFor({ state: 'detached', timeout: 600_000 }).catch(() => undefined);
  await Promise.race([error.waitFor({ timeout: 600_000 }), ready.waitFor({ timeout: 600_000 })]);
  if (await error.count()) throw new RunnerError((await error.locator('span').first().textContent()) ?? 'could not open the clip');
  return JSON.parse((await page.getByTestId(`clip-${slot}`).getAttribute('data-info')) ?? 'null');
}

/** Presses Generate, reports progress, and resolves with the result info once the MP4 exists. */
export async function generate(page, onProgress = () => {}) {
  const status = page.getByTestId('render-status');
  const result = page.getByTestId('result');
  const failed = page.getByTestId('render-error');
  const earlier = await result.count();
  await page.getByTestId('generate').click();
  // A result already on the page is the last run's: wait until this run replaced it.
  if (earlier) await result.waitFor({ state: 'detached', timeout: 30_000 });
  for (;;) {
    if (await result.count()) return JSON.parse((await result.getAttribute('data-info')) ?? '{}');
    if (await failed.count()) throw new RunnerError((await failed.textContent()) ?? 'generation failed');
    const text = await status.textContent({ timeout: 200 }).catch(() => null);
    if (text) onProgress(text);
    await page.waitForTimeout(500);
  }
}

/** Saves the generated MP4 through the Download button. */
export async function download(page, out) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  await file.saveAs(path.resolve(out));
  return path.resolve(out);
}
