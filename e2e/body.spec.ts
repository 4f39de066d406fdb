import { expect, loadClip, openEditor, seekTo, test } from './fixtures';
import { mkdirSync, writeFileSync } from 'node:fs';
import { syntheticSmplNpz } from '../src/body/smpl-testing';
import { genPortrait, hasSharedMedia, imageToRgba, probe, sharedStart, SHARED_SKIP_REASON } from './media';

/** Pixels of a PNG whose colour is close in hue to `rgb` (a body colour under lighting). */
function countHue(rgba: Buffer, rgb: [number, number, number]): number {
  const target = Math.atan2(Math.sqrt(3) * (rgb[1] - rgb[2]), 2 * rgb[0] - rgb[1] - rgb[2]);
  let n = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const [r, g, b] = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
    if (Math.max(r, g, b) - Math.min(r, g, b) < 40) continue; // greys: background, grid
    const hue = Math.atan2(Math.sqrt(3) * (g - b), 2 * r - g - b);
    const d = Math.abs(Math.atan2(Math.sin(hue - target), Math.cos(hue - target)));
    if (d < 0.25) n++;
  }
  return n;
}

test.describe('3D body', () => {
  test('both bodies in the 3D view, the silhouette overlay, and a guidance map export', async ({ page, offOrigin }, info) => {
    test.skip(!hasSharedMedia, SHARED_SKIP_REASON);
    test.setTimeout(300_000);
    void offOrigin;
    await openEditor(page);
    // The clips' first seconds keep pose analysis short.
    await loadClip(page, 'reference', await sharedStart('indoor_dance_woman_yellow_sweater_static.mp4', 3));
    await loadClip(page, 'motion', await sharedStart('street_two_women_walking_handheld_camera.mp4', 1.5, { audio: true }));
    await expect(page.getByTestId('body-panel')).toHaveAttribute('data-bodies', 'reference,motion', { timeout: 240_000 });
    await expect(page.getByTestId('body-status')).toContainText(/Reference: fitted, [\d.]+ m tall, median reprojection [\d.]+ px/);
    // The view framed both bodies once the second arrived, not only the first.
    await expect(page.getByTestId('body-viewer')).toHaveAttribute('data-framed-bodies', 'reference,motion');

    await seekTo(page, 20, 'motion', 20);
    await page.waitForTimeout(1000); // the viewer draws on the next animation frame
    const viewer = imageToRgba(await page.getByTestId('body-viewer-canvas').screenshot());
    const blue = countHue(viewer, [107, 140, 255]);
    const orange = countHue(viewer, [255, 154, 60]);
    console.log(`3D view: ${blue} reference-body pixels, ${orange} motion-body pixels`);
    expect(blue).toBeGreaterThan(1500);
    expect(orange).toBeGreaterThan(1500);

    // Moved 2 m to the right the body leaves the frame: the editor says so and its fix brings it back.
    await page.getByTestId('placement-offset-x').fill('2');
    const framing = page.getByTestId('framing-warning');
    await expect(framing).toContainText(/The new body leaves the frame at the (right|top|bottom) in \d+ of the motion's \d+ frames/);
    await page.getByTestId('framing-fix').click();
    await expect(framing).toHaveCount(0);
    expect(Number(await page.getByTestId('placement-offset-x').inputValue())).toBeLessThan(2);

    // The fitted body's silhouette over the video pane covers the person.
    await page.getByTestId('overlay-body').check();
    await page.waitForTimeout(300);
    const overlay = imageToRgba(await page.getByTestId('overlay-reference').screenshot());
    expect(countHue(overlay, [255, 154, 60])).toBeGreaterThan(3000);

    // A depth map of every output frame (the motion clip's trimmed range) as an MP4.
    await page.getByTestId('trim-out-motion').fill('1');
    await page.getByTestId('export-depth').click();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByTestId('guidance-download').click({ timeout: 120_000 }),
    ]);
    const out = `${info.outputDir}/depth.mp4`;
    await download.saveAs(out);
    const video = probe(out).streams.find((s) => s.codec_type === 'video')!;
    expect(video.codec_name).toBe('h264');
    expect(Number(video.nb_read_frames)).toBe(25);
    expect([video.width, video.height]).toEqual([450, 720]);
  });
});

test.describe('body model file', () => {
  test("a user's SMPL .npz replaces the built-in body, survives a reload, and a bad file is refused", async ({ page, offOrigin }, info) => {
    void offOrigin;
    // An SMPL-format file made from our own mesh: nothing licensed is needed.
    mkdirSync(info.outputDir, { recursive: true });
    const npz = `${info.outputDir}/SMPL_NEUTRAL.npz`;
    writeFileSync(npz, syntheticSmplNpz());
    const pkl = `${info.outputDir}/basicModel_neutral_lbs_10_207_0_v1.0.0.pkl`;
    writeFileSync(pkl, Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00]));

    await openEditor(page);
    await loadClip(page, 'reference', await genPortrait()); // the 3D panel shows once a clip is in
    await expect(page.getByTestId('body-model-name')).toHaveText(/built-in/i);
    await page.getByTestId('body-model-input').setInputFiles(npz);
    await expect(page.getByTestId('body-model-name')).toContainText('SMPL_NEUTRAL', { timeout: 60_000 });
    await expect(page.getByTestId('body-model')).toContainText('6 shape directions');

    // A pickle is refused with the way to convert it; the loaded model stays.
    await page.getByTestId('body-model-input').setInputFiles(pkl);
    await expect(page.getByTestId('body-model-error')).toContainText(/npz/);
    await expect(page.getByTestId('body-model-name')).toContainText('SMPL_NEUTRAL');
    await expect(page.getByTestId('body-model')).toHaveAttribute('data-saved', 'true');

    await page.reload();
    await expect(page.getByTestId('app')).toHaveAttribute('data-restoring', 'false');
    await expect(page.getByTestId('body-model-name')).toContainText('SMPL_NEUTRAL', { timeout: 60_000 });
    await page.getByTestId('body-model-reset').click();
    await expect(page.getByTestId('body-model-name')).toHaveText(/built-in/i);
    // Reloading before the choice is stored would rightly bring the file back.
    await expect(page.getByTestId('body-model')).toHaveAttribute('data-saved', 'true');
    await page.reload();
    await expect(page.getByTestId('app')).toHaveAttribute('data-restoring', 'false');
    await expect(page.getByTestId('body-model-name')).toHaveText(/built-in/i);
  });
});
