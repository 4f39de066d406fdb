// @vitest-environment node
// The postinstall step: converts into a folder, is idempotent, redoes damaged output, fails loudly.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { install } from './install.mjs';
import { MODELS } from './models.mjs';

const script = new URL('./install.mjs', import.meta.url).pathname;

describe('install.mjs', () => {
  it('converts every model to fp32 and fp16, then skips while nothing changed', async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-install-'));
    try {
      const lines = [];
      const first = await install({ outDir, verify: false, log: (l) => lines.push(l) });
      expect(first.status).toBe('converted');
      expect(lines.filter((l) => MODELS.some((m) => l.includes(m.id)))).toHaveLength(MODELS.length);
      const files = first.manifest.files;
      expect(files).toHaveLength(MODELS.length * 2);
      for (const f of files) {
        expect(fs.statSync(path.join(outDir, f.file)).size).toBe(f.bytes);
        expect(f.inputs[0].shape[1]).toBe(3); // NCHW
        expect(f.inputs[0].dtype).toBe('float32');
      }
      const manifestPath = path.join(outDir, 'manifest.json');
      const before = fs.statSync(manifestPath).mtimeMs;
      const second = await install({ outDir, verify: false, log: () => {} });
      expect(second.status).toBe('up-to-date');
      expect(fs.statSync(manifestPath).mtimeMs).toBe(before);

      fs.appendFileSync(path.join(outDir, files[0].file), 'x');
      const third = await install({ outDir, verify: false, log: () => {} });
      expect(third.status).toBe('converted');
      expect(third.reason).toMatch(/sha256/);
      expect(third.manifest.files.map((f) => f.sha256)).toEqual(files.map((f) => f.sha256)); // deterministic output
    } finally {
      fs.rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('exits non-zero with a clear message on error', () => {
    const bad = spawnSync(process.execPath, [script, '--bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/\[models\] ERROR: unknown argument --bogus/);
    // an output path that cannot be a folder: conversion fails, exit 1
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mp-install-')), 'not-a-dir');
    fs.writeFileSync(file, '');
    const failed = spawnSync(process.execPath, [script, '--out', file, '--no-verify'], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/\[models\] ERROR: model conversion failed/);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
