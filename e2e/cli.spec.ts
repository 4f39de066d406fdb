import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { genLandscape, genNotAVideo, genPortrait, hasSharedMedia, probe, sharedStart, SHARED_SKIP_REASON } from './media';

const cli = (args: string[]) =>
  spawnSync('node', ['tools/cli/main.mjs', ...args], { encoding: 'utf8', timeout: 170_000, env: { ...process.env } });

test.describe('headless runner', () => {
  test('renders through the app and reports JSON', async ({}, info) => {
    const out = path.join(info.outputDir, 'cli.mp4');
    // The generated clips show no person, so this takes the side-by-side preview engine.
    const run = cli(['render', '--reference', await genPortrait(), '--motion', await genLandscape(), '--out', out, '--trim-motion', '0.2:1', '--engine', 'preview', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ ok: true, frameCount: 20, fps: 25, encoder: 'webcodecs', audioCodec: 'aac' });
    const probed = probe(out);
    expect(Number(probed.streams.find((s) => s.codec_type === 'video')!.nb_read_frames)).toBe(20);
  });

  test('renders with the builtin engine by default, as the app does', async ({}, info) => {
    test.skip(!hasSharedMedia, SHARED_SKIP_REASON);
    test.setTimeout(300_000);
    const out = path.join(info.outputDir, 'cli-builtin.mp4');
    const reference = await sharedStart('indoor_dance_woman_yellow_sweater_static.mp4', 3); // 450x720, 16 fps
    const motion = await sharedStart('street_two_women_walking_handheld_camera.mp4', 1); // 25 fps
    const run = spawnSync('node', ['tools/cli/main.mjs', 'render', '--reference', reference, '--motion', motion, '--out', out, '--trim-motion', '0:0.4', '--placement', 'anchor', '--json'], {
      encoding: 'utf8',
      timeout: 280_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!);
    // The reference frame's size (the preview would put both clips side by side), 0.4 s at 25 fps;
    // neither clip has sound, so without --audio the output has none (as in the app).
    expect(summary).toMatchObject({ ok: true, width: 450, height: 720, frameCount: 10, fps: 25, audioCodec: null });
    expect(Number(probe(out).streams.find((s) => s.codec_type === 'video')!.nb_read_frames)).toBe(10);
  });

  test('refuses audio from a clip that has none when asked for it by name', async () => {
    const run = cli(['render', '--reference', await genPortrait(), '--motion', await genPortrait(), '--out', 'c.mp4', '--engine', 'preview', '--audio', 'motion']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('The motion clip has no audio track; choose another --audio.');
  });

  test('refuses an unknown placement', () => {
    const run = cli(['render', '--reference', 'a.mp4', '--motion', 'b.mp4', '--out', 'c.mp4', '--placement', 'nowhere']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--placement must be anchor, follow or scene');
  });

  test('exits non-zero with the app\'s message on a bad input', async ({}, info) => {
    const run = cli(['render', '--reference', await genNotAVideo(), '--motion', await genLandscape(), '--out', path.join(info.outputDir, 'x.mp4')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is not a video file we can read');
  });

  test("stops at the app's message when a clip has nobody in it, as plain JSON", async ({}, info) => {
    const started = Date.now();
    const run = cli(['render', '--reference', await genLandscape(), '--motion', await genPortrait(), '--out', path.join(info.outputDir, 'x.mp4'), '--json']);
    const seconds = (Date.now() - started) / 1000;
    expect(run.status).toBe(1);
    const error = JSON.parse(run.stdout.trim().split('\n').pop()!) as { ok: boolean; error: { code: string; message: string } };
    expect(error.ok).toBe(false);
    expect(error.error.code).toBe('app');
    expect(error.error.message).toMatch(/^reference clip: .*No person found in this clip/);
    expect(error.error.message).not.toMatch(/\x1b\[|Call log|at .*\.js:\d+/);
    // Pose analysis of the 2 s clip, then out: not a wait on a disabled Generate (2 minutes before).
    console.log(`cli: no person reported after ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(90);
  });

  test('explains missing arguments', () => {
    const run = cli(['render', '--reference', 'a.mp4']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--motion is required');
  });
});
