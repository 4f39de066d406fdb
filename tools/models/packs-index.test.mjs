// The list of packs the site serves (public/models/packs/index.json) on generated proxy packs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeProxyPack } from '../fixtures/proxy-pack.mjs';
import { packIndex, writePackIndex } from './packs-index.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motionpaste-packs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('packs index', () => {
  it('lists the folders that hold a pack.json, with the name and bytes it declares', () => {
    writeProxyPack(path.join(dir, 'b-proxy'), { externalData: ['unet'] });
    writeProxyPack(path.join(dir, 'a-proxy'), { width: 48, height: 32 });
    fs.mkdirSync(path.join(dir, 'not-a-pack'));
    fs.mkdirSync(path.join(dir, 'broken'));
    fs.writeFileSync(path.join(dir, 'broken', 'pack.json'), '{ nope');
    const index = writePackIndex(dir);
    expect(index.packs.map((p) => [p.folder, p.name])).toEqual([
      ['a-proxy', 'proxy-48x32'],
      ['b-proxy', 'proxy-64x64'],
    ]);
    // Declared bytes = the files on disk (models and external data, not pack.json).
    const onDisk = fs.readdirSync(path.join(dir, 'b-proxy')).filter((f) => f !== 'pack.json').reduce((s, f) => s + fs.statSync(path.join(dir, 'b-proxy', f)).size, 0);
    expect(index.packs[1].totalBytes).toBe(onDisk);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'))).toEqual(index);
    expect(packIndex(path.join(dir, 'absent'))).toEqual({ packs: [] });
  });
});
