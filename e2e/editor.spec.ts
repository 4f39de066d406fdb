import { execFileSync } from 'node:child_process';
import { clipFacts, dropFile, expect, generateAndDownload, loadClip, openEditor, paneImage, seekTo, test } from './fixtures';
import { decodeFrame, genLandscape, genLong, genPortrait, imageToRgb, probe, psnr } from './media';

test.describe('editor round trip on generated clips', () => {
  test('facts, frame-accurate seeking, trim and offset, generate and download with audio', async ({ page, offOrigin }, info) => {
    void offOrigin;
    const reference = await genPortrait(); // 240x320, 30 fps, 90 frames, no audio
    const motion = await genLandscape(); // 320x240, 25 fps, 50 frames, AAC
    await openEditor(page);
    await expect(page.getByTestId('dropzone-reference')).toContainText('the person and scene to keep');
    await expect(page.getByTestId('dropzone-motion')).toContainText('the movement to copy');
    await expect(page.getByTestId('gpu-status')).toContainText('WebGPU');

    await loadClip(page, 'reference', reference);
    await loadClip(page, 'motion', motion);
    expect(await clipFacts(page, 'reference')).toMatchObject({
      duration: '3.00 s',
      'frame-rate': '30 fps',
      frames: '90',
      resolution: '240×320',
      codec: 'avc',
      rotation: 'none',
      audio: 'none',
    });
    expect(await clipFacts(page, 'motion')).toMatchObject({ duration: '2.00 s', 'frame-rate': '25 fps', frames: '50', audio: 'aac, 1 ch' });

    // The shared timeline runs at the motion clip's 25 fps; the reference follows in time.
    for (const n of [0, 13, 37, 49]) {
      await seekTo(page, n, 'motion', n);
      const refIndex = Math.floor((n / 25) * 30 + 1e-6);
      await expect(page.getByTestId('frame-reference')).toHaveAttribute('data-frame', String(refIndex));
      const shown = imageToRgb(await paneImage(page, 'motion'));
      const exact = psnr(shown, decodeFrame(motion, n));
      expect(exact, `motion frame ${n}`).toBeGreaterThan(40);
      const neighbour = psnr(shown, decodeFrame(motion, n === 0 ? 1 : n - 1));
      expect(neighbour).toBeLessThan(exact - 5);
      const refShown = imageToRgb(await paneImage(page, 'reference'));
      expect(psnr(refShown, decodeFrame(reference, refIndex)), `reference frame ${refIndex}`).toBeGreaterThan(40);
    }

    // Arrow keys step one output frame.
    await page.getByTestId('scrubber').fill('20');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('frame-motion')).toHaveAttribute('data-frame', '22');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('frame-motion')).toHaveAttribute('data-frame', '21');
    await expect(page.getByTestId('clock')).toContainText('frame 22/50');

    // Trim the motion to 0.4-1.6 s (30 frames) and start the reference 0.5 s in.
    await page.getByTestId('trim-in-motion').fill('0.4');
    await page.getByTestId('trim-out-motion').fill('1.6');
    await page.getByTestId('offset').fill('0.5');
    await expect(page.getByTestId('clock')).toContainText('/ 1.20 s');
    await page.getByTestId('audio-choice').selectOption('motion');

    const out = await generateAndDownload(page, info.outputDir);
    await expect(page.getByTestId('result-video')).toHaveJSProperty('readyState', 4);
    const probed = probe(out);
    const video = probed.streams.find((s) => s.codec_type === 'video')!;
    const audio = probed.streams.find((s) => s.codec_type === 'audio');
    expect(video.codec_name).toBe('h264');
    expect([video.width, video.height]).toEqual([180 + 320, 240]);
    expect(video.r_frame_rate).toBe('25/1');
    expect(Number(video.nb_read_frames)).toBe(30);
    expect(audio?.codec_name).toBe('aac');
    expect(Number(probed.format.duration)).toBeCloseTo(1.2, 1);

    // Output frame 5 shows motion frame 10 + 5 on the right and reference time 0.5 + 0.2 s on the left.
    const crop = (n: number, w: number, x: number) =>
      execFileSync('ffmpeg', ['-v', 'error', '-i', out, '-vf', `select=eq(n\\,${n}),crop=${w}:240:${x}:0`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 26 });
    const right = crop(5, 320, 180);
    expect(psnr(right, decodeFrame(motion, 15))).toBeGreaterThan(30);
    expect(psnr(right, decodeFrame(motion, 15))).toBeGreaterThan(psnr(right, decodeFrame(motion, 14)) + 3);
  });

  test('audio "none" gives a silent MP4, and the ffmpeg.wasm export path gives the same frames', async ({ page, offOrigin }, info) => {
    void offOrigin;
    await openEditor(page, '?encoder=ffmpeg');
    await loadClip(page, 'reference', await genPortrait());
    await loadClip(page, 'motion', await genLandscape());
    await page.getByTestId('trim-out-motion').fill('0.6');
    await page.getByTestId('audio-choice').selectOption('none');
    const out = await generateAndDownload(page, info.outputDir);
    await expect(page.getByTestId('result-facts')).toContainText('ffmpeg.wasm');
    const probed = probe(out);
    expect(probed.streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(probed.streams[0]!.codec_name).toBe('h264');
    expect(Number(probed.streams[0]!.nb_read_frames)).toBe(15);
  });

  test("with the default audio choice, a silent motion clip gives the reference clip's sound", async ({ page, offOrigin }, info) => {
    void offOrigin;
    await openEditor(page);
    await loadClip(page, 'reference', await genLandscape()); // AAC
    await loadClip(page, 'motion', await genPortrait()); // no audio
    await expect(page.getByTestId('audio-choice')).toHaveValue('reference');
    await page.getByTestId('engine').selectOption('preview');
    await page.getByTestId('trim-out-motion').fill('0.5');
    const out = await generateAndDownload(page, info.outputDir);
    expect(probe(out).streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
  });

  test('drop, swap; cancel stops a generation and the next one still works', async ({ page, offOrigin }, info) => {
    void offOrigin;
    await openEditor(page);
    await dropFile(page, 'reference', await genLong());
    await dropFile(page, 'motion', await genPortrait());
    await page.getByTestId('swap').click();
    expect(await clipFacts(page, 'reference')).toMatchObject({ resolution: '240×320' });
    expect(await clipFacts(page, 'motion')).toMatchObject({ resolution: '640×360', frames: '600' });
    await expect(page.getByTestId('frame-motion')).toHaveAttribute('data-frame', '0');

    // 600 frames: long enough to cancel midway.
    await page.getByTestId('engine').selectOption('preview');
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('render-status')).toContainText(/frame \d+\/600/);
    await expect(page.getByTestId('render-status')).toContainText('left');
    await page.getByTestId('cancel').click();
    await expect(page.getByTestId('render-canceled')).toBeVisible();
    await expect(page.getByTestId('result')).toHaveCount(0);

    await page.getByTestId('trim-out-motion').fill('0.5');
    const out = await generateAndDownload(page, info.outputDir);
    expect(Number(probe(out).streams[0]!.nb_read_frames)).toBe(15);
    await expect(page.getByTestId('render-canceled')).toHaveCount(0);
  });

  test('play advances the frames of both panes and stops at the end', async ({ page, offOrigin }) => {
    void offOrigin;
    await openEditor(page);
    await loadClip(page, 'reference', await genPortrait());
    await loadClip(page, 'motion', await genLandscape());
    await page.getByTestId('play').click();
    await expect(page.getByTestId('play')).toHaveAttribute('aria-label', 'Pause');
    await expect.poll(async () => Number(await page.getByTestId('frame-motion').getAttribute('data-frame'))).toBeGreaterThan(10);
    await expect.poll(async () => Number(await page.getByTestId('frame-reference').getAttribute('data-frame'))).toBeGreaterThan(12);
    // A 2 s clip ends by itself on its last frame.
    await expect(page.getByTestId('play')).toHaveAttribute('aria-label', 'Play', { timeout: 10_000 });
    await expect(page.getByTestId('frame-motion')).toHaveAttribute('data-frame', '49');
  });

  test('a reload restores both inputs, trims and offset', async ({ page, offOrigin }) => {
    void offOrigin;
    await openEditor(page);
    await loadClip(page, 'reference', await genPortrait());
    await loadClip(page, 'motion', await genLandscape());
    await page.getByTestId('trim-in-reference').fill('0.5');
    await page.getByTestId('trim-out-motion').fill('1.5');
    await page.getByTestId('offset').fill('0.25');
    await page.getByTestId('scrubber').fill('7');
    await page.waitForTimeout(500); // settings are saved shortly after the last change
    await page.reload();
    await expect(page.getByTestId('app')).toHaveAttribute('data-restoring', 'false');
    await expect(page.getByTestId('clip-reference')).toHaveAttribute('data-status', 'ready');
    await expect(page.getByTestId('clip-motion')).toHaveAttribute('data-status', 'ready');
    expect(await clipFacts(page, 'reference')).toMatchObject({ resolution: '240×320' });
    expect(await clipFacts(page, 'motion')).toMatchObject({ resolution: '320×240' });
    await expect(page.getByTestId('trim-in-reference')).toHaveValue('0.5');
    await expect(page.getByTestId('trim-out-motion')).toHaveValue('1.5');
    await expect(page.getByTestId('offset')).toHaveValue('0.25');
    await expect(page.getByTestId('frame-motion')).toHaveAttribute('data-frame', '7');
  });
});
