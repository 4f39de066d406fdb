import { clipFacts, expect, generateAndDownload, loadClip, openEditor, paneImage, seekTo, test } from './fixtures';
import { decodeFrame, frameTimes, hasSharedMedia, imageToRgb, probe, psnr, shared, SHARED_SKIP_REASON } from './media';

test.describe('real footage from ../shared/media', () => {
  test.skip(!hasSharedMedia, SHARED_SKIP_REASON);

  test('a real AVI (converted by ffmpeg.wasm) and a real MP4: exact frames, export with the chosen audio', async ({ page, offOrigin }, info) => {
    void offOrigin;
    const avi = shared('formats/mpeg4part2_in_avi.avi'); // MPEG-4 Part 2 in AVI: WebCodecs cannot read it
    const mp4 = shared('fitness_dance_woman_red_skirt_static.mp4'); // 406x720, 24 fps, AAC
    await openEditor(page);
    await loadClip(page, 'reference', avi);
    await loadClip(page, 'motion', mp4);
    expect(await clipFacts(page, 'reference')).toMatchObject({ resolution: '450×720', frames: '48', 'frame-rate': '16 fps' });
    expect((await clipFacts(page, 'reference')).codec).toContain('converted from');
    expect(await clipFacts(page, 'motion')).toMatchObject({ resolution: '406×720', frames: '240', 'frame-rate': '24 fps' });

    for (const n of [0, 31, 119, 239]) {
      await seekTo(page, n, 'motion', n);
      const shown = imageToRgb(await paneImage(page, 'motion'));
      const exact = psnr(shown, decodeFrame(mp4, n));
      expect(exact, `mp4 frame ${n}`).toBeGreaterThan(40);
      expect(psnr(shown, decodeFrame(mp4, n === 0 ? 1 : n - 1))).toBeLessThan(exact);
    }
    for (const n of [0, 24, 40]) {
      // Reference time n/24 s selects AVI frame floor(n/24*16), held after its 3 s end.
      const refIndex = Math.min(47, Math.floor((n / 24) * 16 + 1e-6));
      await seekTo(page, n, 'reference', refIndex);
      const shown = imageToRgb(await paneImage(page, 'reference'));
      const exact = psnr(shown, decodeFrame(avi, refIndex));
      expect(exact, `avi frame ${refIndex}`).toBeGreaterThan(40);
      expect(psnr(shown, decodeFrame(avi, refIndex + 1))).toBeLessThan(exact);
    }

    await page.getByTestId('trim-in-motion').fill('1');
    await page.getByTestId('trim-out-motion').fill('3');
    await page.getByTestId('audio-choice').selectOption('motion');
    const out = await generateAndDownload(page, info.outputDir);
    const probed = probe(out);
    const video = probed.streams.find((s) => s.codec_type === 'video')!;
    expect(video.codec_name).toBe('h264');
    expect(Number(video.nb_read_frames)).toBe(48);
    expect(video.r_frame_rate).toBe('24/1');
    expect(video.height).toBe(720);
    expect(probed.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
  });

  test('rotation, variable frame rate, HEVC, ProRes, VP9, odd sizes and a misleading extension', async ({ page, offOrigin }) => {
    void offOrigin;
    await openEditor(page);
    const rotated = shared('formats/rotated_90_phone.mp4');
    await loadClip(page, 'reference', rotated);
    expect(await clipFacts(page, 'reference')).toMatchObject({ rotation: '90° counter-clockwise', resolution: '720×450' });
    await seekTo(page, 10, 'reference', 10);
    // ffmpeg applies the rotation when decoding, like the app does.
    expect(psnr(imageToRgb(await paneImage(page, 'reference')), decodeFrame(rotated, 10))).toBeGreaterThan(40);

    const vfr = shared('formats/variable_frame_rate.mp4');
    await loadClip(page, 'motion', vfr);
    expect((await clipFacts(page, 'motion'))['frame-rate']).toContain('variable');
    // Output frame 20 at the clip's nominal rate is time 20/fps; the frame shown is the last one
    // that starts at or before it, by ffprobe's own timestamps.
    const fps = parseFloat((await clipFacts(page, 'motion'))['frame-rate']!);
    const times = frameTimes(vfr);
    const vfrIndex = times.findLastIndex((t) => t <= 20 / fps + 1e-6);
    await seekTo(page, 20, 'motion', vfrIndex);
    expect(psnr(imageToRgb(await paneImage(page, 'motion')), decodeFrame(vfr, vfrIndex))).toBeGreaterThan(40);

    const expectations: [string, Record<string, string>][] = [
      ['formats/hevc.mp4', { resolution: '450×720' }],
      ['formats/prores.mov', { resolution: '450×720' }],
      ['formats/vp9.webm', { codec: 'vp9' }],
      // 452x722 coded with a 1805:1808 pixel aspect ratio: shown in square pixels.
      ['formats/odd_size_452x722.mp4', { resolution: '452×723' }],
      ['formats/mp4_with_avi_extension_1280x720_50fps.avi', { resolution: '1280×720', 'frame-rate': '50 fps', codec: 'avc' }],
      ['formats/one_frame.mp4', { frames: '1' }],
    ];
    for (const [file, facts] of expectations) {
      await loadClip(page, 'motion', shared(file));
      await expect(page.getByTestId('error-motion')).toHaveCount(0);
      expect(await clipFacts(page, 'motion'), file).toMatchObject(facts);
    }
  });
});
