import { expect, loadClip, openEditor, test, type Slot } from './fixtures';
import {
  genAudioOnly,
  genLandscape,
  genNotAVideo,
  genOver2GB,
  genOver4K,
  genPortrait,
  genTruncated,
  genUhdWidePixels,
  genZeroLength,
  hasSharedMedia,
  shared,
  SHARED_SKIP_REASON,
} from './media';

async function dropBad(page: import('@playwright/test').Page, slot: Slot, file: string, message: RegExp) {
  await page.getByTestId(`file-${slot}`).setInputFiles(file);
  await expect(page.getByTestId(`error-${slot}`)).toContainText(message, { timeout: 120_000 });
  await expect(page.getByTestId(`loading-${slot}`)).toHaveCount(0);
}

const CASES: [string, () => Promise<string>, RegExp][] = [
  ['a text file named .mp4', genNotAVideo, /is not a video file we can read/],
  ['a truncated MP4', genTruncated, /cut off or damaged/],
  ['an audio-only file', genAudioOnly, /has no video track/],
  ['a clip with zero frames', genZeroLength, /no video frames \(zero length\)/],
  ['a frame larger than 4K', genOver4K, /is 4096x2304, larger than 4K/],
  ['a file over 2 GB', genOver2GB, /the limit is 2\.0 GB/],
];

test.describe('bad input gets a clear message and the other clip stays', () => {
  for (const [what, make, message] of CASES) {
    test(what, async ({ page, offOrigin }) => {
      void offOrigin;
      await openEditor(page);
      await loadClip(page, 'reference', await genLandscape());
      await dropBad(page, 'motion', await make(), message);
      await expect(page.getByTestId('clip-motion')).toHaveAttribute('data-status', 'empty');
      await expect(page.getByTestId('dropzone-motion')).toBeVisible();
      await expect(page.getByTestId('clip-reference')).toHaveAttribute('data-status', 'ready');
      await expect(page.getByTestId('frame-reference')).toBeVisible();
    });
  }

  test('a 4K file with non-square pixels loads: the limit is on the coded size', async ({ page, offOrigin }) => {
    void offOrigin;
    await openEditor(page);
    await loadClip(page, 'reference', await genUhdWidePixels());
    await expect(page.getByTestId('error-reference')).toHaveCount(0);
    await expect(page.getByTestId('clip-reference')).toHaveAttribute('data-status', 'ready');
    // Shown at its display size.
    const info = JSON.parse((await page.getByTestId('clip-reference').getAttribute('data-info')) ?? 'null') as { width: number; height: number };
    expect([info.width, info.height]).toEqual([5120, 2160]);
  });

  test('a bad file dropped on a loaded slot keeps the clip that was there', async ({ page, offOrigin }) => {
    void offOrigin;
    await openEditor(page);
    await loadClip(page, 'reference', await genLandscape());
    await loadClip(page, 'motion', await genPortrait());
    await dropBad(page, 'motion', await genTruncated(), /cut off or damaged/);
    await expect(page.getByTestId('clip-motion')).toHaveAttribute('data-status', 'ready');
    await page.getByTestId('engine').selectOption('preview'); // the clips have no person for the builtin engine
    await expect(page.getByTestId('generate')).toBeEnabled();
    await page.getByTestId('error-motion').getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByTestId('error-motion')).toHaveCount(0);
  });

  test('the bad files in ../shared/media/formats', async ({ page, offOrigin }) => {
    test.skip(!hasSharedMedia, SHARED_SKIP_REASON);
    void offOrigin;
    await openEditor(page);
    await loadClip(page, 'motion', await genLandscape());
    await dropBad(page, 'reference', shared('formats/not_a_video.mp4'), /is not a video file we can read/);
    await dropBad(page, 'reference', shared('formats/truncated.mp4'), /cut off or damaged/);
    await dropBad(page, 'reference', shared('formats/audio_only.m4a'), /has no video track/);
    await expect(page.getByTestId('clip-motion')).toHaveAttribute('data-status', 'ready');
  });
});
