#!/usr/bin/env node
// Makes docs/screenshot.png for the README: the editor with two synthetic clips loaded and a
// result generated. Synthetic, because the real test footage may not be redistributed.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, loadClip, startApp } from './app-runner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(tmpdir(), 'motionpaste-screenshot');
mkdirSync(dir, { recursive: true });
const clip = (name, filter, extra = []) => {
  const out = path.join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', filter, ...extra, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out]);
  return out;
};
const reference = clip('reference_scene.mp4', 'mandelbrot=s=406x720:r=25:end_pts=200:start_scale=2.5', ['-t', '6']);
const motion = clip('motion_source.mp4', 'testsrc2=s=720x406:r=25:d=4', ['-f', 'lavfi', '-i', 'sine=f=330:d=4', '-c:a', 'aac', '-shortest']);

const app = await startApp({ log: console.error });
try {
  const { page } = app;
  await loadClip(page, 'reference', reference);
  await loadClip(page, 'motion', motion);
  await page.getByTestId('scrubber').fill('40');
  // Synthetic clips have no person, so the builtin engine cannot run: show the preview engine.
  await page.getByTestId('engine').selectOption('preview');
  await generate(page);
  await page.getByTestId('result-video').evaluate((v) => {
    v.pause();
    v.currentTime = 1.6;
  });
  await page.waitForTimeout(800);
  const out = path.join(root, 'docs/screenshot.png');
  await page.screenshot({ path: out, fullPage: true });
  console.error(`wrote ${out}`);
} finally {
  await app.close();
}
