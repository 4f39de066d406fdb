import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { benchmarksMarkdown, partShares } from './docs.mjs';

// A result object in the shape main.mjs collects; the values are fixtures, not measurements.
const fixture = () => JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/bench-result.json'), 'utf8'));
const rowsOf = (md, section) => {
  const body = md.split(`## ${section}`)[1].split('\n## ')[0];
  return body.split('\n').filter((l) => l.startsWith('|')).map((l) => l.slice(2, -2).split(' | '));
};

describe('benchmarksMarkdown', () => {
  it('says it is generated, from what, when, on which commit, machine and adapter', () => {
    const md = benchmarksMarkdown(fixture());
    expect(md.startsWith('# Benchmarks\n')).toBe(true);
    expect(md).toContain('Do not edit by hand');
    expect(md).toContain('Run 2025-01-02 03:04:05Z; commit `abc1234`; 2 CPUs (Fixture CPU), linux x64, Node v22.0.0.');
    expect(md).toContain('WebGPU adapter: Fixture adapter (software adapter), shader-f16 no.');
    expect(md).toContain('Clips (shared/media): reference reference-fixture.mp4 (450×720, 25.0 fps, 150 frames, avc1.64001f)');
  });

  it('a stage row per printed row, frames per second as the console prints them', () => {
    const rows = rowsOf(benchmarksMarkdown(fixture()), 'Stages');
    expect(rows[0]).toEqual(['stage', 'fps', 'frames', 'seconds']);
    expect(rows.slice(2)).toEqual([
      ['decode reference (450x720 avc1.64001f)', '400', '150', '0.38'],
      ['decode motion (720x406 avc1.64001e)', '301', '100', '0.33'],
      ['export WebCodecs (974x406)', '80.0', '100', '1.25'],
      ['export ffmpeg.wasm (974x406)', '10.0', '100', '10.00'],
      ['builtin engine (450x720, all stages)', '2.0', '25', '12.50'],
      ['pose lite on wasm (+hands, 450x720)', '4.0', '24', '6.00'],
      ['pose lite on webgpu (+hands, 450x720)', '0.1', '4', '40.00'],
    ]);
  });

  it("the builtin engine's parts: seconds and share of the run, a row each, and the total", () => {
    const md = benchmarksMarkdown(fixture());
    expect(md.indexOf('## Builtin engine by part')).toBeGreaterThan(md.indexOf('## Stages'));
    expect(rowsOf(md, 'Builtin engine by part')).toEqual([
      ['part', 'seconds', 'share'],
      ['---', '---', '---'],
      ['reference frames read and decoded', '1.25', '10.0 %'],
      ['appearance gather', '2.50', '20.0 %'],
      ['background plates (without completion)', '1.88', '15.0 %'],
      ['scene completion', '3.13', '25.0 %'],
      ['render of the body', '0.63', '5.0 %'],
      ['compositing (+ wait for GPU)', '2.50', '20.0 %'],
      ['other (device, setup)', '0.63', '5.0 %'],
      ['total', '12.50', '100 %'],
    ]);
  });

  it("the side-by-side export's parts, after the builtin engine's, with their own labels", () => {
    const md = benchmarksMarkdown(fixture());
    expect(md.indexOf('## Side-by-side export by part')).toBeGreaterThan(md.indexOf('## Builtin engine by part'));
    expect(rowsOf(md, 'Side-by-side export by part').slice(2)).toEqual([
      ['frames decoded and scaled (waited for)', '0.50', '40.0 %'],
      ['placing the two frames', '0.13', '10.0 %'],
      ['encode', '0.50', '40.0 %'],
      ['finishing the MP4', '0.13', '10.0 %'],
      ['total', '1.25', '100 %'],
    ]);
    const r = fixture();
    r.exportParts = null;
    expect(benchmarksMarkdown(r)).not.toContain('## Side-by-side export by part');
  });

  it('partShares: the result panel\'s milliseconds per part as seconds and shares, in order; null when there are none', () => {
    expect(partShares({ read: 300, plates: 100, finish: 0, other: 600 })).toEqual([
      { part: 'read', seconds: 0.3, share: 0.3 },
      { part: 'plates', seconds: 0.1, share: 0.1 },
      { part: 'finish', seconds: 0, share: 0 },
      { part: 'other', seconds: 0.6, share: 0.6 },
    ]);
    expect(partShares(null)).toBeNull();
    expect(partShares({})).toBeNull();
  });

  it('the ratios', () => {
    expect(rowsOf(benchmarksMarkdown(fixture()), 'Ratios').slice(2)).toEqual([
      ['export WebCodecs / ffmpeg.wasm (same frames)', '8.0×'],
      ['pose blazepose-lite WebGPU / wasm', '0.03×'],
      ['real-time factor of the WebCodecs export (pipeline seconds / clip seconds)', '0.31'],
      ['builtin engine, seconds per second of output at 25.0 fps', '12.5'],
      ['builtin engine, seconds per output frame', '0.50'],
    ]);
  });

  it('the diffusion stage: a row per path, memory and the GPU-wasm difference', () => {
    const md = benchmarksMarkdown(fixture());
    expect(rowsOf(md, 'Diffusion').slice(2)).toEqual([
      ['latents on the GPU (WebGPU)', '2', '8', '0.5', '17'],
      ['CPU loop, WebGPU sessions', '2', '8', '1.0', '26'],
      ['CPU loop, wasm', '6', '24', '200', '0'],
    ]);
    expect(md).toContain('8.00 MiB; after session creation: 1.00 MiB.');
    expect(md).toContain('estimate for this size and chunking: 32.00 MiB');
    expect(md).toContain('Largest |GPU loop − wasm| over the decoded frames: 6.25e-6.');
  });

  it('missing figures print "—"; no diffusion, no builtin row, no commit', () => {
    const r = fixture();
    r.rows[0].fps = null;
    r.rows.splice(4, 1);
    delete r.ratios.builtinSecondsPerOutputSecond;
    r.diffusion = null;
    r.commit = null;
    r.builtinParts = null;
    const md = benchmarksMarkdown(r);
    expect(rowsOf(md, 'Stages')[2]).toEqual(['decode reference (450x720 avc1.64001f)', '—', '150', '0.38']);
    expect(md).not.toContain('builtin engine');
    expect(md).not.toContain('## Builtin engine by part');
    expect(md).toContain('no commit recorded');
    expect(md).toContain('## Diffusion\n\nNot measured in this run');
  });
});
