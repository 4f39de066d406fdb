import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, loadClip, openEditor, test } from './fixtures';
import { genLandscape, genPortrait, hasSharedMedia, probe, shared, SHARED_SKIP_REASON } from './media';

/** A tiny proxy MimicMotion pack with the contract's I/O, made by tools/fixtures. */
function proxyPack(...args: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'motionpaste-pack-'));
  execFileSync('node', ['tools/fixtures/proxy-pack.mjs', dir, ...args], { stdio: 'ignore' });
  return dir;
}

/** Figures of `motionpasteBench.diffusionCheck` (src/generate/diffusion-service.ts DiffusionCheck). */
interface CheckPath {
  path: 'gpu' | 'cpu-on-webgpu' | 'wasm';
  steps: number;
  unetCalls: number;
  unetCallsPerSecond: number;
  maps: number;
  getDataCalls: number;
}


test.describe('diffusion engine with a model pack', () => {
  test('a proxy pack loads from a folder and generates a short clip on WebGPU', async ({ page, offOrigin }, info) => {
    test.setTimeout(240_000);
    void offOrigin;
    await openEditor(page);
    await loadClip(page, 'reference', await genPortrait());
    await loadClip(page, 'motion', await genLandscape());
    await page.getByTestId('trim-out-motion').fill('0.4'); // 10 frames: three chunks of 4 with overlap 1
    await page.getByTestId('engine').selectOption('diffusion');
    await expect(page.getByTestId('generate')).toBeDisabled();
    await page.getByTestId('pack-input').setInputFiles(proxyPack());
    await expect(page.getByTestId('pack-info')).toContainText('runs on WebGPU', { timeout: 60_000 });
    await expect(page.getByTestId('pose-status-motion')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    await expect(page.getByTestId('pose-status-reference')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });

    await page.getByTestId('generate').click();
    await expect(page.getByTestId('render-status')).toContainText(/Denoising step \d+\/4 · chunk \d+\/\d+/);
    await expect(page.getByTestId('result')).toBeVisible({ timeout: 170_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    const out = `${info.outputDir}/diffusion.mp4`;
    await download.saveAs(out);
    const probed = probe(out);
    const video = probed.streams.find((s) => s.codec_type === 'video')!;
    expect(video.codec_name).toBe('h264');
    expect([video.width, video.height]).toEqual([64, 64]);
    expect(probed.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac'); // the motion clip's tone
    expect(Number(video.nb_read_frames)).toBe(10);
  });

  test('a pack whose files disagree with pack.json is refused with the file and the mismatch', async ({ page, offOrigin }) => {
    void offOrigin;
    await openEditor(page);
    await page.getByTestId('engine').selectOption('diffusion');
    await page.getByTestId('pack-input').setInputFiles(proxyPack('--mismatch', 'dtype'));
    await expect(page.getByTestId('pack-error')).toContainText(/\.onnx: (input|output) "[^"]+" has dtype \w+, pack\.json says \w+/, { timeout: 60_000 });
    await expect(page.getByTestId('pack-panel')).toHaveAttribute('data-status', 'failed');
    // A good pack afterwards still loads.
    await page.getByTestId('pack-input').setInputFiles(proxyPack());
    await expect(page.getByTestId('pack-info')).toBeVisible({ timeout: 60_000 });
  });

  test('the denoising loop keeps the latents on the GPU: no readback per step, same frames as wasm', async ({ page, offOrigin }) => {
    test.setTimeout(120_000);
    void offOrigin;
    await openEditor(page, '?bench');
    await page.getByTestId('engine').selectOption('diffusion');
    await page.getByTestId('pack-input').setInputFiles(proxyPack());
    await expect(page.getByTestId('pack-info')).toHaveAttribute('data-denoise', 'gpu', { timeout: 60_000 });
    // 6 frames, chunks of 4 with overlap 1 ('repository' fusion: anchor + 6 slots → 2 windows), CFG on.
    const check = (await page.evaluate(() => (globalThis as never as { motionpasteBench: { diffusionCheck(o: object): Promise<unknown> } }).motionpasteBench.diffusionCheck({ frames: 6, steps: [2, 4] }))) as {
      paths: CheckPath[];
      maxAbsDiff: number;
      peakGpuBytes: number;
      sessionGpuBytes: number;
    };
    console.log(JSON.stringify(check));
    const at = (p: CheckPath['path'], steps: number) => check.paths.find((x) => x.path === p && x.steps === steps)!;
    const [gpu2, gpu4, cpu2, cpu4] = [at('gpu', 2), at('gpu', 4), at('cpu-on-webgpu', 2), at('cpu-on-webgpu', 4)];
    expect(gpu4.unetCalls).toBe(2 * gpu2.unetCalls);
    // GPU loop: twice the steps, not one buffer map more; no UNet or PoseNet output read with getData.
    expect(gpu4.maps).toBe(gpu2.maps);
    expect(gpu2.getDataCalls).toBe(0);
    expect(gpu4.getDataCalls).toBe(0);
    // The same meter sees the CPU loop on the same sessions read every UNet output back.
    expect(cpu4.maps - cpu2.maps).toBeGreaterThanOrEqual(cpu4.unetCalls - cpu2.unetCalls);
    expect(cpu4.getDataCalls).toBe(cpu4.unetCalls + 2); // + PoseNet once per chunk (cached)
    // GPU loop and wasm agree on the decoded frames (values in [0, 1]).
    expect(check.maxAbsDiff).toBeLessThan(1e-4);
    expect(check.peakGpuBytes).toBeGreaterThan(check.sessionGpuBytes);
    expect(check.sessionGpuBytes).toBeGreaterThan(0);
  });

  test('a pack served by this site loads from models/packs/NAME, is kept in browser storage and loads from there after a reload', async ({ page, offOrigin }) => {
    test.setTimeout(120_000);
    void offOrigin;
    const folder = `e2e-proxy-${process.pid}`;
    const dir = path.join('public/models/packs', folder);
    mkdirSync(dir, { recursive: true });
    // With the UNet's weights in external data: the cache copies and serves that file too.
    execFileSync('node', ['tools/fixtures/proxy-pack.mjs', dir, '--seed', '5', '--external-data', 'unet'], { stdio: 'ignore' });
    try {
      await openEditor(page);
      await page.getByTestId('engine').selectOption('diffusion');
      const site = page.locator(`[data-testid=site-pack][data-folder="${folder}"]`);
      await expect(site).toContainText('proxy-64x64');
      await site.getByTestId('site-pack-load').click();
      await expect(page.getByTestId('pack-info')).toHaveAttribute('data-source', 'origin', { timeout: 60_000 });
      await expect(page.getByTestId('pack-info')).toContainText('kept in this browser');
      const cached = page.locator('[data-testid=cached-pack][data-key="proxy-64x64"]');
      await expect(cached).toContainText(/proxy-64x64 · 0\.\d MB in browser storage · loaded/);

      // After a reload the pack is there without its folder: the site copy is gone too.
      rmSync(dir, { recursive: true, force: true });
      await page.reload();
      await expect(page.getByTestId('app')).toHaveAttribute('data-restoring', 'false');
      await page.getByTestId('engine').selectOption('diffusion');
      await expect(page.locator(`[data-testid=site-pack][data-folder="${folder}"]`)).toHaveCount(0);
      await cached.getByTestId('cached-pack-load').click();
      await expect(page.getByTestId('pack-info')).toHaveAttribute('data-source', 'cache', { timeout: 60_000 });
      await expect(page.getByTestId('pack-info')).toContainText('runs on WebGPU');
      await cached.getByTestId('cached-pack-remove').click();
      await expect(cached).toHaveCount(0);

      // A folder the site does not serve is refused with the path to put it at.
      await page.getByTestId('site-pack-name').fill('no-such-pack');
      await page.getByTestId('site-pack-name').press('Enter');
      await expect(page.getByTestId('pack-error')).toContainText('public/models/packs/no-such-pack/');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a pack that does not fit the browser storage quota runs for the session and says so', async ({ page, offOrigin, baseURL }) => {
    void offOrigin;
    await openEditor(page);
    // Chromium's own quota, lowered for this origin: 50 kB, less than the ~190 kB proxy pack.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(baseURL!).origin, quotaSize: 50_000 });
    await page.getByTestId('engine').selectOption('diffusion');
    await page.getByTestId('pack-input').setInputFiles(proxyPack());
    await expect(page.getByTestId('pack-info')).toContainText('runs on WebGPU', { timeout: 60_000 });
    await expect(page.getByTestId('pack-info')).not.toContainText('kept in this browser');
    await expect(page.getByTestId('pack-cache-error')).toContainText(/The pack "proxy-64x64" needs \d+ kB of browser storage to be kept for the next visit( \(the browser grants this site about [^)]+\))?\. It is loaded for this session only\. Remove cached packs/);
    await expect(page.getByTestId('cached-pack')).toHaveCount(0);
  });

  test('refine mode denoises the builtin render from a strength and writes every frame', async ({ page, offOrigin }, info) => {
    test.skip(!hasSharedMedia, SHARED_SKIP_REASON);
    test.setTimeout(480_000);
    void offOrigin;
    await openEditor(page);
    // One short clip as both reference and motion (the motion slot reuses the cached pose
    // analysis): the first 1.2 s of real footage, so pose and the builtin render stay quick.
    const clip = path.join(mkdtempSync(path.join(tmpdir(), 'motionpaste-refine-')), 'street-1.2s.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', shared('street_two_women_walking_handheld_camera.mp4'), '-t', '1.2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip]); // 720x406, 25 fps
    await loadClip(page, 'reference', clip);
    await expect(page.getByTestId('pose-status-reference')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    await loadClip(page, 'motion', clip);
    await page.getByTestId('trim-out-motion').fill('0.24'); // 6 frames
    await page.getByTestId('engine').selectOption('diffusion');
    await page.getByTestId('pack-input').setInputFiles(proxyPack());
    await expect(page.getByTestId('pack-info')).toBeVisible({ timeout: 60_000 });
    await page.getByTestId('refine').check();
    await page.getByTestId('refine-strength').fill('0.5');
    await expect(page.getByTestId('refine-strength-value')).toHaveText('0.50');
    await expect(page.getByTestId('body-panel')).toHaveAttribute('data-bodies', 'reference,motion', { timeout: 240_000 });
    await expect(page.getByTestId('generate')).toBeEnabled({ timeout: 30_000 });
    await page.getByTestId('generate').click();
    // 4 steps at strength 0.5: the last 2 run.
    await expect(page.getByTestId('render-status')).toContainText(/Denoising step [34]\/4/, { timeout: 240_000 });
    await expect(page.getByTestId('result')).toBeVisible({ timeout: 170_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    expect(download.suggestedFilename()).toMatch(/-refined\.mp4$/);
    const out = `${info.outputDir}/refined.mp4`;
    await download.saveAs(out);
    const video = probe(out).streams.find((s) => s.codec_type === 'video')!;
    expect(video.codec_name).toBe('h264');
    expect([video.width, video.height]).toEqual([128, 64]); // the planner's size for a landscape reference
    expect(Number(video.nb_read_frames)).toBe(6);
  });
});
