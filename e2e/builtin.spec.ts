import { execFileSync } from 'node:child_process';
import { expect, loadClip, openEditor, runSelfTest, test } from './fixtures';
import { hasSharedMedia, probe, psnr, sharedStart, SHARED_SKIP_REASON } from './media';

/** Frame `n` of `file` scaled to w x h, RGB24. */
function frameAt(file: string, n: number, w: number, h: number): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${n}),scale=${w}:${h}`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 27 });
}

/** Keeps only the pixels of a band of columns (x0..x1) of an RGB24 image. */
function columns(rgb: Buffer, w: number, h: number, x0: number, x1: number): Buffer {
  const out = Buffer.alloc((x1 - x0) * h * 3);
  for (let y = 0; y < h; y++) rgb.copy(out, y * (x1 - x0) * 3, (y * w + x0) * 3, (y * w + x1) * 3);
  return out;
}

test('the builtin compositor blends the body edge with the plate, without a dark outline', async ({ page, offOrigin }) => {
  void offOrigin;
  const px = await runSelfTest<{ inside: number[]; edgeOutside: number[]; edgeInside: number[]; far: number[] }>(page, 'composite');
  // A red square (200, 40, 40) over grey (200, 200, 200): inside is red, far away grey.
  expect(px.inside).toEqual([200, 40, 40]);
  expect(px.far).toEqual([200, 200, 200]);
  // Across the edge every pixel lies between the two colours: red stays 200 (no darkening),
  // green falls from grey towards red, and the pixel inside the edge is redder than the one outside.
  for (const edge of [px.edgeOutside, px.edgeInside]) {
    expect(edge[0]).toBe(200);
    expect(edge[1]).toBeGreaterThan(40);
    expect(edge[1]).toBeLessThan(200);
    expect(edge[2]).toBe(edge[1]);
  }
  expect(px.edgeInside[1]!).toBeLessThan(px.edgeOutside[1]!);
});

test('the appearance gather does not paint a hand resting on the hip onto the hip, nor what passed in front of it in one view of four; a fading layer blends over the body; a layer is sampled at full resolution', async ({ page, offOrigin }) => {
  void offOrigin;
  const px = await runSelfTest<{ hiddenHip: number[]; seenHip: number[]; hand: number[]; faded: number[]; passedOver: number[]; detail: number[][]; wave: number[] }>(
    page,
    'appearance',
  );
  // The hand (red) is 1.5 cm in front of the hip (blue): within a surface's depth tolerance, but another limb.
  const blue = (c: number[]) => c[2]! > 150 && c[0]! < 90;
  expect(blue(px.seenHip), `seen hip ${px.seenHip}`).toBe(true);
  expect(blue(px.hiddenHip), `hip behind the hand ${px.hiddenHip}`).toBe(true);
  expect(px.hand[0]!, `hand ${px.hand}`).toBeGreaterThan(150);
  expect(px.hand[2]!).toBeLessThan(90);
  // A fading layer blends half and half over the hip; one behind the hip stays hidden.
  const [r, g, b] = px.faded as [number, number, number];
  expect(Math.abs(g - (px.seenHip[1]! + 255) / 2), `faded ${px.faded} over ${px.seenHip}`).toBeLessThan(12);
  expect(Math.abs(b - px.seenHip[2]! / 2)).toBeLessThan(12);
  expect(r).toBeLessThan(40);
  // A plain mean of the four views would be a quarter red (about 78, 30, 172).
  expect(blue(px.passedOver), `hip after something passed in front in one view ${px.passedOver}`).toBe(true);
  expect(px.passedOver[0]!).toBeLessThan(45);
  // A layer samples its image between its vertices, at full resolution: a quad of four vertices
  // over a red | green image is red on the left and green on the right, not a blend.
  const [left, right] = px.detail as [number[], number[]];
  expect(left[0]!, `layer left ${left}`).toBeGreaterThan(200);
  expect(left[1]!).toBeLessThan(50);
  expect(right[1]!, `layer right ${right}`).toBeGreaterThan(200);
  expect(right[0]!).toBeLessThan(50);
  // Read half a pixel off, a sine of period 4 px and amplitude 80 keeps 80 sin(45°) = 57 at best:
  // bicubic keeps about 88 % of that (50), bilinear 71 % (40).
  const amplitude = (Math.max(...px.wave) - Math.min(...px.wave)) / 2;
  console.log(`layer: a half-pixel shift keeps amplitude ${amplitude} of a sine's 57`);
  expect(amplitude, `wave ${px.wave}`).toBeGreaterThan(46);
});

test.describe('builtin engine', () => {
  test('the reference person performs the motion in the reference scene', async ({ page, offOrigin }, info) => {
    test.skip(!hasSharedMedia, SHARED_SKIP_REASON);
    test.setTimeout(300_000);
    void offOrigin;
    // The clips' first seconds keep pose analysis short: the output is 1 s of the motion clip.
    const referenceFile = await sharedStart('indoor_dance_woman_yellow_sweater_static.mp4', 3); // 450x720, 16 fps
    await openEditor(page);
    await loadClip(page, 'reference', referenceFile);
    await loadClip(page, 'motion', await sharedStart('street_two_women_walking_handheld_camera.mp4', 1.5, { audio: true })); // 25 fps
    await page.getByTestId('trim-out-motion').fill('1');
    await expect(page.getByTestId('body-panel')).toHaveAttribute('data-bodies', 'reference,motion', { timeout: 240_000 });
    await page.getByTestId('engine').selectOption('builtin');
    await expect(page.getByTestId('generate')).toBeEnabled({ timeout: 30_000 });
    await page.getByTestId('generate').click();
    // Finished frames show while it runs.
    await expect(page.getByTestId('live-preview')).toHaveAttribute('data-frame', /\d+/, { timeout: 120_000 });
    await expect(page.getByTestId('result')).toBeVisible({ timeout: 240_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    const out = `${info.outputDir}/builtin.mp4`;
    await download.saveAs(out);
    const probed = probe(out);
    expect(probed.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac'); // the street clip's sound
    const video = probed.streams.find((s) => s.codec_type === 'video')!;
    expect(video.codec_name).toBe('h264');
    expect([video.width, video.height]).toEqual([450, 720]);
    expect(Number(video.nb_read_frames)).toBe(25); // 1 s of the 25 fps motion clip

    // Background kept: the outer columns (away from the dancer) match the reference frame at that time.
    const n = 20;
    const output = frameAt(out, n, 450, 720);
    const refIndex = Math.floor((n / 25) * 16 + 1e-6);
    const reference = frameAt(referenceFile, refIndex, 450, 720);
    const edges = psnr(Buffer.concat([columns(output, 450, 720, 0, 60), columns(output, 450, 720, 390, 450)]), Buffer.concat([columns(reference, 450, 720, 0, 60), columns(reference, 450, 720, 390, 450)]));
    console.log(`builtin: PSNR of the background columns against the reference frame: ${edges.toFixed(1)} dB`);
    expect(edges).toBeGreaterThan(28);
    // The person region changed: the body was re-posed, not copied.
    const middle = psnr(columns(output, 450, 720, 150, 300), columns(reference, 450, 720, 150, 300));
    expect(middle).toBeLessThan(edges - 3);
  });
});

test.describe('builtin engine, resume', () => {
  test('a run stopped by a reload goes on after the frames it kept', async ({ page, offOrigin }, info) => {
    test.skip(!hasSharedMedia, SHARED_SKIP_REASON);
    test.setTimeout(420_000);
    void offOrigin;
    // 450x720, 16 fps (16-frame segments); its first 3 s keep pose analysis short.
    const clip = await sharedStart('indoor_dance_woman_yellow_sweater_static.mp4', 3);
    await openEditor(page);
    await loadClip(page, 'reference', clip);
    await loadClip(page, 'motion', clip);
    // 48 output frames: three 16-frame segments leave time to reload after the first is kept.
    await expect(page.getByTestId('body-panel')).toHaveAttribute('data-bodies', 'reference,motion', { timeout: 240_000 });
    await page.getByTestId('engine').selectOption('builtin');
    await expect(page.getByTestId('generate')).toBeEnabled({ timeout: 30_000 });
    await page.getByTestId('generate').click();
    // Past the first segment (frames 1-16), reload in the middle of the run.
    await expect
      .poll(async () => Number((await page.getByTestId('live-preview').getAttribute('data-frame').catch(() => null)) ?? -1), { timeout: 200_000, intervals: [500] })
      .toBeGreaterThanOrEqual(17);
    await page.reload();
    await expect(page.getByTestId('app')).toHaveAttribute('data-restoring', 'false', { timeout: 120_000 });

    // The kept frames (whole segments) are found once the bodies are fitted again; Generate becomes Resume.
    const note = page.getByTestId('resume-note');
    await expect(note).toContainText(/after (16|32) of 48 frames/, { timeout: 240_000 });
    const kept = Number(/after (\d+) of/.exec((await note.textContent()) ?? '')![1]);
    await expect(page.getByTestId('generate')).toHaveText('Resume');
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('result')).toBeVisible({ timeout: 200_000 });
    await expect(page.getByTestId('result-facts')).toContainText(`went on from frame ${kept + 1}`);
    await expect(page.getByTestId('resume-note')).toHaveCount(0);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    const out = `${info.outputDir}/resumed.mp4`;
    await download.saveAs(out);
    const video = probe(out).streams.find((s) => s.codec_type === 'video')!;
    expect(Number(video.nb_read_frames)).toBe(48);
    // Kept and new frames join without a jump: the step across the join is like the steps beside it.
    const f = [kept - 2, kept - 1, kept, kept + 1].map((n) => frameAt(out, n, 450, 720));
    const across = psnr(f[1]!, f[2]!);
    const beside = Math.min(psnr(f[0]!, f[1]!), psnr(f[2]!, f[3]!));
    console.log(`resume: PSNR between neighbouring frames across the join ${across.toFixed(1)} dB, beside it ${beside.toFixed(1)} dB`);
    expect(across).toBeGreaterThan(beside - 6);
  });
});
