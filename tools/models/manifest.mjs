// public/models/manifest.json: what was converted, from which package version, and the I/O of
// every file. Pure helpers plus the on-disk up-to-date check.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { OPSET } from './translate.mjs';

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_SCHEMA = 1;

export const FP16_SCHEME =
  'fp16 files compute in float16 end to end (weights stored as float16, activations float16) with float32 graph I/O: ' +
  'a Cast to float16 follows the input and a Cast to float32 ends every output, so callers feed and read Float32Array ' +
  'for both variants. onnxruntime-web WebGPU runs them natively where the adapter has the shader-f16 feature; elsewhere ' +
  'use the fp32 files. The wasm backend runs them too (the parity tests do). Outputs saturate at +-65504 ' +
  '(the pose detector has an anchor channel whose logits are ~ -8e5 in fp32).';

export const LAYOUT_NOTE =
  'Image inputs are NCHW [1,3,H,W] float32 RGB. Image-shaped outputs (heatmaps, masks) are NCHW too; ' +
  'all other outputs keep the TF layout (see each output). Batch is fixed to 1.';

export function sha256(bytes) {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export const fileName = (id, variant) => `${id}.${variant}.onnx`;

/** One manifest entry for a converted file. */
export function manifestEntry(model, converted, bytes) {
  return {
    id: model.id,
    variant: converted.variant,
    file: fileName(model.id, converted.variant),
    sha256: sha256(bytes),
    bytes: bytes.length,
    compute: converted.compute,
    task: model.task,
    source: `${model.source}.json`,
    inputs: converted.inputs.map((i) => ({
      name: i.name,
      shape: i.shape,
      dtype: i.dtype,
      layout: i.layout,
      tfShape: i.tfShape,
      ...(model.inputNote ? { note: model.inputNote } : {}),
      ...(model.inputRange ? { range: model.inputRange } : {}),
      ...(model.inputRangeEvidence ? { rangeEvidence: model.inputRangeEvidence } : {}),
    })),
    outputs: converted.outputs.map((o) => ({
      name: o.name,
      shape: o.shape,
      dtype: o.dtype,
      layout: o.layout,
      tfShape: o.tfShape,
      ...(model.outputs?.[o.name] ? { meaning: model.outputs[o.name] } : {}),
    })),
  };
}

export function buildManifest({ sourcePackage, sourceVersion, converterHash, files }) {
  return {
    schema: MANIFEST_SCHEMA,
    generatedBy: 'tools/models/install.mjs',
    converterHash,
    source: { package: sourcePackage, version: sourceVersion },
    opset: OPSET,
    layout: LAYOUT_NOTE,
    fp16: FP16_SCHEME,
    files,
  };
}

export function readManifest(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_NAME), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Why `manifest` in `dir` does not match what we would produce now (null when up to date):
 * same schema, source version and converter, the expected set of files, each present with its
 * recorded size and sha256.
 */
export function staleReason(manifest, dir, { sourceVersion, converterHash, expectedFiles }) {
  if (!manifest) return 'no manifest';
  if (manifest.schema !== MANIFEST_SCHEMA) return 'manifest schema changed';
  if (manifest.source?.version !== sourceVersion) return `source version ${manifest.source?.version} -> ${sourceVersion}`;
  if (manifest.converterHash !== converterHash) return 'converter changed';
  const listed = (manifest.files ?? []).map((f) => f.file).sort();
  if (listed.join('\n') !== [...expectedFiles].sort().join('\n')) return 'model list changed';
  for (const f of manifest.files) {
    const p = path.join(dir, f.file);
    let bytes;
    try {
      bytes = fs.readFileSync(p);
    } catch {
      return `${f.file} missing`;
    }
    if (bytes.length !== f.bytes || sha256(bytes) !== f.sha256) return `${f.file} does not match its sha256`;
  }
  return null;
}

/** Write `bytes` to `file` atomically (temp file in the same folder, then rename). */
export function writeFileAtomic(file, bytes) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}
