import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, loadClip, openEditor, test } from './fixtures';
import { genLandscape, genPortrait, probe } from './media';

/** A tiny proxy MimicMotion pack with the contract's I/O, made by tools/fixtures. */
function proxyPack(...args: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'motionpaste-pack-'));
  execFileSync('node', ['tools/fixtures/proxy-pack.mjs', dir, ...args], { stdio: 'ignore' });
  return dir;
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
});
