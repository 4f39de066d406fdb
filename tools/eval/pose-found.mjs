#!/usr/bin/env node
// Share of frames where the app finds the person, for every real clip in ../shared/media, through
// the app itself in headless Chromium. Usage: node tools/eval/pose-found.mjs [clip.mp4 ...]
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClip, startApp } from '../app-runner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const media = path.resolve(root, '../shared/media');
const clips = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(media).filter((f) => f.endsWith('.mp4')).map((f) => path.join(media, f));

const app = await startApp({ log: console.error });
try {
  const { page } = app;
  console.log('clip'.padEnd(52) + 'frames'.padStart(8) + 'found'.padStart(8) + 'seconds'.padStart(9) + '  ep');
  for (const clip of clips) {
    const info = await loadClip(page, 'motion', clip);
    const status = page.getByTestId('pose-status-motion');
    await page.locator('[data-testid=pose-status-motion][data-status=done], [data-testid=pose-status-motion][data-status=failed]').waitFor({ timeout: 900_000 });
    const found = Number(await status.getAttribute('data-found'));
    const text = await status.innerText();
    const seconds = /· ([\d.]+) s/.exec(text)?.[1] ?? (text.includes('cache') ? 'cached' : '?');
    const ep = text.includes('WebGPU') ? 'webgpu' : 'wasm';
    console.log(path.basename(clip).padEnd(52) + String(info.frameCount).padStart(8) + `${(found * 100).toFixed(1)}%`.padStart(8) + String(seconds).padStart(9) + `  ${ep}`);
  }
} finally {
  await app.close();
}
