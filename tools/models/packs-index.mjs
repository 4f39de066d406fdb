#!/usr/bin/env node
// Lists the model packs under public/models/packs/ (one folder per pack, each with pack.json) as
// public/models/packs/index.json, which the app reads to offer them in the Pack panel. The dev and
// preview servers answer /models/packs/index.json live (vite.config.ts) and `vite build` writes
// it into dist/; run this script for other static hosting of the public/ folder.
//
//   node tools/models/packs-index.mjs [PACKS_DIR]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PACKS_DIR = path.join(root, 'public/models/packs');

/** Sum of the bytes pack.json declares for its models and their external data. */
function declaredBytes(manifest) {
  let total = 0;
  for (const m of Object.values(manifest?.models ?? {})) {
    total += Number(m?.bytes) || 0;
    for (const x of m?.externalData ?? []) total += Number(x?.bytes) || 0;
  }
  return total;
}

/** { packs: [{ folder, name, totalBytes }] } for the folders of `dir` that hold a readable pack.json. */
export function packIndex(dir = PACKS_DIR) {
  const packs = [];
  if (!fs.existsSync(dir)) return { packs };
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const file = path.join(dir, entry.name, 'pack.json');
    if (!fs.existsSync(file)) continue;
    try {
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
      packs.push({ folder: entry.name, name: typeof manifest.name === 'string' ? manifest.name : entry.name, totalBytes: declaredBytes(manifest) });
    } catch {
      // Not valid JSON: the app would refuse it anyway; leave it out of the list.
    }
  }
  packs.sort((a, b) => a.folder.localeCompare(b.folder));
  return { packs };
}

/** Writes DIR/index.json when DIR exists; returns the index. */
export function writePackIndex(dir = PACKS_DIR) {
  const index = packIndex(dir);
  if (fs.existsSync(dir)) fs.writeFileSync(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(process.argv[2] ?? PACKS_DIR);
  const index = writePackIndex(dir);
  console.log(`${index.packs.length} pack(s) listed in ${path.join(dir, 'index.json')}`);
}
