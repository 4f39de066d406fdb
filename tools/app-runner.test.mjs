import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIsStale } from './app-runner.mjs';

describe('buildIsStale: the runner and the bench rebuild when the app is older than its sources', () => {
  let dir;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  /** An app folder with one source file and a build, each with the given modification time (seconds). */
  function app(sourceTime, buildTime) {
    dir = mkdtempSync(path.join(tmpdir(), 'motionpaste-build-'));
    mkdirSync(path.join(dir, 'src/generate'), { recursive: true });
    const source = path.join(dir, 'src/generate/preview.ts');
    writeFileSync(source, 'export {};');
    utimesSync(source, sourceTime, sourceTime);
    utimesSync(path.join(dir, 'src/generate'), 0, 0);
    utimesSync(path.join(dir, 'src'), 0, 0);
    if (buildTime !== null) {
      mkdirSync(path.join(dir, 'dist'));
      writeFileSync(path.join(dir, 'dist/index.html'), '<!doctype html>');
      utimesSync(path.join(dir, 'dist/index.html'), buildTime, buildTime);
    }
    return dir;
  }

  it('is stale with no build', () => expect(buildIsStale(app(100, null))).toBe(true));
  it('is stale when a file deep in src changed after the build', () => expect(buildIsStale(app(200, 100))).toBe(true));
  it('is fresh when the build is newer than every source', () => expect(buildIsStale(app(100, 200))).toBe(false));
  it('is fresh when only a test changed after the build (tests are not built)', () => {
    const root = app(100, 200);
    const test = path.join(root, 'src/generate/preview.test.ts');
    writeFileSync(test, 'export {};');
    utimesSync(test, 300, 300);
    utimesSync(path.join(root, 'src/generate'), 0, 0);
    expect(buildIsStale(root)).toBe(false);
  });
});
