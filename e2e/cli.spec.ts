import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { genLandscape, genNotAVideo, genPortrait, probe } from './media';

const cli = (args: string[]) =>
  spawnSync('node', ['tools/cli/main.mjs', ...args], { encoding: 'utf8', timeout: 170_000, env: { ...process.env } });

test.describe('headless runner', () => {
  test('renders through the app and reports JSON', async ({}, info) => {
    const out = path.join(info.outputDir, 'cli.mp4');
    const run = cli(['render', '--reference', await genPortrait(), '--motion', await genLandscape(), '--out', out, '--trim-motion', '0.2:1', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ ok: true, frameCount: 20, fps: 25, encoder: 'webcodecs', audioCodec: 'aac' });
    const probed = probe(out);
    expect(Number(probed.streams.find((s) => s.codec_type === 'video')!.nb_read_frames)).toBe(20);
  });

  test('exits non-zero with the app\'s message on a bad input', async ({}, info) => {
    const run = cli(['render', '--reference', await genNotAVideo(), '--motion', await genLandscape(), '--out', path.join(info.outputDir, 'x.mp4')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is not a video file we can read');
  });

  test('explains missing arguments', () => {
    const run = cli(['render', '--reference', 'a.mp4']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--motion is required');
  });
});
