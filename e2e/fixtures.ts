import { test as base, expect, type Page } from '@playwright/test';

export type Slot = 'reference' | 'motion';

/**
 * Every test records each request the page makes and fails if one leaves the page's origin.
 * Page errors fail the test too.
 */
export const test = base.extend<{ offOrigin: string[] }>({
  offOrigin: async ({ page, baseURL }, use) => {
    const origin = new URL(baseURL!).origin;
    const off: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:')) off.push(url);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await use(off);
    expect(off, 'requests that left the page origin').toEqual([]);
    expect(errors, 'uncaught page errors').toEqual([]);
  },
});
export { expect };

export async function openEditor(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-restoring', 'false');
}

export async function loadClip(page: Page, slot: Slot, file: string): Promise<void> {
  await page.getByTestId(`file-${slot}`).setInputFiles(file);
  await expect(page.getByTestId(`loading-${slot}`)).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByTestId(`clip-${slot}`)).toHaveAttribute('data-status', 'ready');
}

/** Drops a file on a clip panel the way a file manager does: a real drop event with a DataTransfer. */
export async function dropFile(page: Page, slot: Slot, file: string): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { basename } = await import('node:path');
  const dataTransfer = await page.evaluateHandle(
    ({ base64, name }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type: 'video/mp4' }));
      return dt;
    },
    { base64: readFileSync(file).toString('base64'), name: basename(file) },
  );
  await page.getByTestId(`clip-${slot}`).dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId(`clip-${slot}`)).toHaveAttribute('data-status', 'ready');
}

/** The facts the clip panel shows, keyed by label. */
export async function clipFacts(page: Page, slot: Slot): Promise<Record<string, string>> {
  const facts = page.getByTestId(`clip-${slot}`).locator('[data-fact]');
  const out: Record<string, string> = {};
  for (const el of await facts.all()) out[(await el.getAttribute('data-fact'))!] = (await el.textContent())!;
  return out;
}

/** Moves the shared timeline to output frame `n` and waits until `slot` shows clip frame `expected`. */
export async function seekTo(page: Page, n: number, slot: Slot, expected: number): Promise<void> {
  await page.getByTestId('scrubber').fill(String(n));
  await expect(page.getByTestId(`frame-${slot}`)).toHaveAttribute('data-frame', String(expected));
}

/** The picture a pane shows, as PNG bytes. */
export async function paneImage(page: Page, slot: Slot): Promise<Buffer> {
  const url = await page.getByTestId(`frame-${slot}`).evaluate((c) => (c as HTMLCanvasElement).toDataURL('image/png'));
  return Buffer.from(url.split(',')[1]!, 'base64');
}

/** Picks the engine, presses Generate, waits for the result, downloads it and returns the saved path. */
export async function generateAndDownload(page: Page, outDir: string, engine: 'preview' | 'builtin' | 'diffusion' = 'preview'): Promise<string> {
  await page.getByTestId('engine').selectOption(engine);
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('result')).toBeVisible({ timeout: 170_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  const file = `${outDir}/${download.suggestedFilename()}`;
  await download.saveAs(file);
  return file;
}

/** The GPU self-tests of the test harness page (e2e/harness/main.ts), on the page's WebGPU device. */
export type SelfTestName = 'guidance' | 'composite' | 'appearance';
export async function runSelfTest<T>(page: Page, name: SelfTestName): Promise<T> {
  await page.goto('/e2e/harness/index.html');
  await expect(page.locator('#status')).toHaveText(/ready|no GPU device/);
  return (await page.evaluate((n) => (globalThis as unknown as { motionpasteSelfTest: Record<string, () => Promise<unknown>> }).motionpasteSelfTest[n]!(), name)) as T;
}
