import { readFileSync } from 'node:fs';
import { expect, loadClip, openEditor, seekTo, test } from './fixtures';
import { genLandscape, hasSharedMedia, imageToRgba, shared, sharedStart, SHARED_SKIP_REASON } from './media';

/** OpenPose-18 joint colours (REFERENCES.md), in joint order. */
const PALETTE = [
  [255, 0, 0], [255, 85, 0], [255, 170, 0], [255, 255, 0], [170, 255, 0], [85, 255, 0], [0, 255, 0], [0, 255, 85], [0, 255, 170],
  [0, 255, 255], [0, 170, 255], [0, 85, 255], [0, 0, 255], [85, 0, 255], [170, 0, 255], [255, 0, 255], [255, 0, 170], [255, 0, 85],
];

async function overlayPose(page: import('@playwright/test').Page, slot: 'reference' | 'motion'): Promise<number[]> {
  const attr = await page.getByTestId(`overlay-${slot}`).getAttribute('data-openpose');
  return attr ? attr.split(',').map(Number) : [];
}

test.describe('pose analysis', () => {
  test('a clip with no person says so', async ({ page, offOrigin }) => {
    void offOrigin;
    await openEditor(page);
    await loadClip(page, 'motion', await genLandscape());
    await expect(page.getByTestId('pose-status-motion')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    await expect(page.getByTestId('pose-status-motion')).toContainText('No person found in this clip');
    await expect(page.getByTestId('overlay-motion')).toHaveAttribute('data-found', 'false');
  });

  test('real clip: keypoints match the DWPose pseudo ground truth, the overlay is drawn, the cache survives a reload', async ({ page, offOrigin }) => {
    test.skip(!hasSharedMedia, SHARED_SKIP_REASON);
    test.setTimeout(300_000);
    void offOrigin;
    // 414x540, 30 fps: its first 7 s, from facing the camera to her back (frame 203).
    const clip = await sharedStart('fashion_model_turn_navy_dress_91BjuE6irxS.mp4', 7);
    const truth = JSON.parse(readFileSync(shared('keypoints/ubc_dwpose_pseudo_gt/91BjuE6irxS_dwpose.json'), 'utf8')) as {
      frames: Array<{ body: Array<[number, number] | null>; face: Array<[number, number] | null> | null }>;
    };
    await openEditor(page);
    await loadClip(page, 'motion', clip);
    const status = page.getByTestId('pose-status-motion');
    await expect(status).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
    expect(Number(await status.getAttribute('data-found'))).toBeGreaterThan(0.95);
    await expect(page.getByTestId('confidence-motion')).toBeVisible();
    // The model turns round with empty hands: nothing held is named.
    await expect(status).not.toContainText('holds');

    let hits = 0;
    let total = 0;
    let faces = 0;
    for (const n of [12, 60, 111, 150, 180, 203]) {
      await seekTo(page, n, 'motion', n);
      await expect(page.getByTestId('overlay-motion')).toHaveAttribute('data-frame', String(n));
      const pose = await overlayPose(page, 'motion');
      expect(pose).toHaveLength(54);
      // The face's 68 points, where the tracker found the face: eye centres on DWPose's.
      const faceAttr = await page.getByTestId('overlay-motion').getAttribute('data-face');
      const gtFace = truth.frames[n]!.face;
      if (faceAttr && gtFace && gtFace.every((p) => p)) {
        const face = faceAttr.split(',').map(Number);
        expect(face).toHaveLength(136);
        const centre = (pts: number[][]) => [pts.reduce((a, p) => a + p[0]!, 0) / pts.length, pts.reduce((a, p) => a + p[1]!, 0) / pts.length];
        const ours = (from: number) => centre(Array.from({ length: 6 }, (_, k) => [face[(from + k) * 2]!, face[(from + k) * 2 + 1]!]));
        const theirs = (from: number) => centre(gtFace.slice(from, from + 6).map((p) => [p![0] * 414, p![1] * 540]));
        const io = Math.hypot(gtFace[36]![0] * 414 - gtFace[45]![0] * 414, gtFace[36]![1] * 540 - gtFace[45]![1] * 540);
        for (const from of [36, 42]) {
          const [a, b] = [ours(from), theirs(from)];
          expect(Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!) / io, `frame ${n}, eye ${from}`).toBeLessThan(0.15);
        }
        faces++;
      }
      const gt = truth.frames[n]!.body.map((p) => (p ? [p[0] * 414, p[1] * 540] : null));
      // Torso size: neck to the middle of the hips, in the ground truth.
      const hip = gt[8] && gt[11] ? [(gt[8][0] + gt[11][0]) / 2, (gt[8][1] + gt[11][1]) / 2] : null;
      if (!gt[1] || !hip) continue;
      const torso = Math.hypot(gt[1][0] - hip[0], gt[1][1] - hip[1]);
      for (let k = 0; k < 14; k++) {
        const g = gt[k];
        if (!g) continue;
        total++;
        if (Math.hypot(pose[k * 3]! - g[0], pose[k * 3 + 1]! - g[1]) <= 0.2 * torso) hits++;
      }
    }
    expect(faces, 'frames with the face found and checked').toBeGreaterThanOrEqual(3);
    const pck = hits / total;
    console.log(`PCK@0.2 (torso) against DWPose on the navy-dress clip: ${pck.toFixed(3)} over ${total} keypoints`);
    expect(pck).toBeGreaterThan(0.8);

    // The overlay shows palette colours at the confident joints of the last frame checked.
    const pose = await overlayPose(page, 'motion');
    const png = await page.getByTestId('overlay-motion').evaluate((c) => (c as HTMLCanvasElement).toDataURL('image/png'));
    const { width } = await page.getByTestId('overlay-motion').evaluate((c) => ({ width: (c as HTMLCanvasElement).width }));
    const rgba = imageToRgba(Buffer.from(png.split(',')[1]!, 'base64'));
    const scale = width / 414;
    let coloured = 0;
    let confident = 0;
    for (let k = 0; k < 18; k++) {
      if (pose[k * 3 + 2]! < 0.8) continue;
      confident++;
      const x = Math.round(pose[k * 3]! * scale);
      const y = Math.round(pose[k * 3 + 1]! * scale);
      const o = (y * width + x) * 4;
      const [r, g, b, a] = [rgba[o]!, rgba[o + 1]!, rgba[o + 2]!, rgba[o + 3]!];
      const p = PALETTE[k]!;
      const cos = (r * p[0]! + g * p[1]! + b * p[2]!) / (Math.hypot(r, g, b) * Math.hypot(p[0]!, p[1]!, p[2]!) || 1);
      if (a > 200 && cos > 0.9) coloured++;
    }
    expect(confident).toBeGreaterThan(8);
    expect(coloured / confident).toBeGreaterThan(0.7);

    // A reload takes the track from the cache instead of recomputing it.
    await page.reload();
    await expect(status).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
    await expect(status).toContainText('from cache');
    await seekTo(page, 150, 'motion', 150);
    await expect(page.getByTestId('overlay-motion')).toHaveAttribute('data-frame', '150');
    expect((await overlayPose(page, 'motion')).length).toBe(54);
  });

  test('what the person holds is found, drawn and named: the racket clip', async ({ page, offOrigin }) => {
    test.skip(!hasSharedMedia, SHARED_SKIP_REASON);
    test.setTimeout(300_000);
    void offOrigin;
    await openEditor(page);
    await loadClip(page, 'reference', shared('tennis_racket_one_person_panning.mp4')); // 720x404, 70 frames
    const status = page.getByTestId('pose-status-reference');
    await expect(status).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
    await expect(status).toContainText('holds: tennis racket (removed with the person)');
    // Frame 60: the racket in his right hand, in front of the wall.
    await seekTo(page, 60, 'reference', 60);
    const overlay = page.getByTestId('overlay-reference');
    await expect(overlay).toHaveAttribute('data-frame', '60');
    await expect(overlay).toHaveAttribute('data-objects', /tennis racket/);
  });
});
