// @vitest-environment node
// Parity of the shipped ONNX files (public/models, or MOTIONPASTE_MODELS_DIR; produced by
// install.mjs) with the source TF.js graphs run on the pure-JS CPU backend, on real frames from
// ../shared/media (face crops for facemesh; a synthetic image for it when the media is missing).
// fp32: every output element within 1e-3 (relative where the value exceeds 1, see TOLERANCE).
// fp16: the difference is reported and only sanity-checked.
// Channels-first graphs exported from ONNX (models with `inputNormalization`: nanodet) take their
// own input and are checked on one real frame after an in-memory conversion (skipped without the
// media); the shipped file must be that conversion's bytes.

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { install } from './install.mjs';
import { MODELS } from './models.mjs';
import { convertModel, readSourceModel } from './convert.mjs';
import { sha256 } from './manifest.mjs';
import { readGraphModel } from './tfjs-graph.mjs';
import { decodeModel } from './onnx-writer.mjs';
import { FLOAT16_MAX, unsupportedOps } from './translate.mjs';
import {
  decodeRgb,
  loadOrt,
  loadTfGraph,
  maxAbs,
  mediaDir,
  mediaSkipReason,
  nchwToNhwc,
  nhwcToNchw,
  outputModelsDir,
  rgbToFloat,
  runOnnx,
  runTfGraph,
  sourceModelsDir,
  syntheticRgb,
} from './test-utils.mjs';

/**
 * fp32: every element within 1e-3 of TF.js, relative to the element where it exceeds 1:
 * |onnx_i - tfjs_i| <= 1e-3 * max(1, |tfjs_i|). That is 1e-3 absolute for probabilities,
 * heatmaps and world coordinates; for pixel coordinates (up to ~250) and logits (the pose
 * detector has a never-firing anchor channel at ~-8e5) it is 1e-3 relative, because both
 * runtimes accumulate in float32 in a different order and the rounding grows with the values.
 */
const TOLERANCE = 1e-3;
/** fp16 is lossy: only a sanity bound on the same scaled error, to catch a broken graph. */
const FP16_SANITY = 0.1;

/** max |a_i - b_i|, and max |a_i - b_i| / max(1, |b_i|), skipping |b_i| > `skipAbove`. */
function diffs(got, ref, skipAbove = Infinity) {
  let abs = 0;
  let scaled = 0;
  let skipped = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i];
    if (Math.abs(r) > skipAbove) {
      skipped++;
      // saturated values must still carry the right sign
      if (Math.sign(got[i]) !== Math.sign(r)) scaled = Infinity;
      continue;
    }
    const d = Math.abs(got[i] - r);
    if (Number.isNaN(d)) return { abs: Infinity, scaled: Infinity, skipped };
    abs = Math.max(abs, d);
    scaled = Math.max(scaled, d / Math.max(1, Math.abs(r)));
  }
  return { abs, scaled, skipped };
}

const IMAGES = [
  { label: 'indoor_dance#30', file: 'indoor_dance_woman_yellow_sweater_static.mp4', frame: 30 },
  { label: 'demo1.jpg', file: 'ref_images/demo1.jpg', frame: null },
];
/** blazepose-heavy takes ~4 s per frame on the TF.js CPU backend: one image. */
const IMAGES_PER_MODEL = { 'blazepose-heavy': 1 };
/**
 * Models that take a crop of one body part get real crops instead of whole frames. crop: a square
 * [x, y, side, side] in source pixels; the face boxes are 1.5x the box of the face mesh found there.
 */
const CROPS = {
  facemesh: [
    { label: 'indoor#30 face', file: 'indoor_dance_woman_yellow_sweater_static.mp4', frame: 30, crop: [172, 112, 98, 98] },
    { label: 'navy#0 face', file: 'fashion_model_turn_navy_dress_91BjuE6irxS.mp4', frame: 0, crop: [178, 26, 62, 62] },
  ],
};
/** Without the media, these models still run on a synthetic image (the others are skipped). */
const SYNTHETIC_FALLBACK = new Set(['facemesh']);
const SYNTHETIC = { label: 'synthetic', synthetic: true };

const skipReason = mediaSkipReason();
if (skipReason) console.log(`[parity] real frames skipped: ${skipReason}; ${[...SYNTHETIC_FALLBACK].join(', ')} runs on a synthetic image`);

function imagesFor(model) {
  if (skipReason) return SYNTHETIC_FALLBACK.has(model.id) ? [SYNTHETIC] : [];
  return (CROPS[model.id] ?? IMAGES).slice(0, IMAGES_PER_MODEL[model.id] ?? Infinity);
}

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

describe('converted models match TF.js (CPU backend) on real frames', () => {
  let manifest;
  const frames = new Map();

  beforeAll(async () => {
    ({ manifest } = await install({ outDir: outputModelsDir, verify: false, log: () => {} }));
    await loadOrt();
  }, 120_000);

  /** rgb24 frame (or square crop, stretched) at w x h, decoded once. */
  function frame(img, w, h) {
    if (img.synthetic) return syntheticRgb(w, h);
    const key = `${img.file}#${img.frame}#${img.crop ?? ''}@${w}x${h}`;
    if (!frames.has(key)) {
      const opts = { width: w, height: h, frame: img.frame, crop: img.crop ?? null, letterbox: !img.crop };
      frames.set(key, decodeRgb(path.join(mediaDir, img.file), opts));
    }
    return frames.get(key);
  }

  for (const model of MODELS.filter((m) => !m.inputNormalization)) {
    const images = imagesFor(model);
    it.skipIf(images.length === 0)(
      model.id,
      async () => {
        const entries = Object.fromEntries(manifest.files.filter((f) => f.id === model.id).map((f) => [f.variant, f]));
        expect(Object.keys(entries).sort()).toEqual(['fp16', 'fp32']);
        const bytes = {};
        for (const [variant, e] of Object.entries(entries)) {
          bytes[variant] = fs.readFileSync(path.join(outputModelsDir, e.file));
          expect(sha256(bytes[variant])).toBe(e.sha256);
        }
        const ort = await loadOrt();
        const sessions = {};
        for (const v of ['fp32', 'fp16']) sessions[v] = await ort.InferenceSession.create(bytes[v]);

        const e32 = entries.fp32;
        const input = e32.inputs[0];
        const [, , h, w] = input.shape;
        const range = input.range ?? [0, 1];
        const tfModel = await loadTfGraph(readSourceModel(sourceModelsDir, model.source));
        for (const img of images) {
          const nhwc = rgbToFloat(frame(img, w, h), range);
          const ref = await runTfGraph(tfModel, nhwc, [1, h, w, 3], e32.outputs.map((o) => o.name));
          const feeds = { [input.name]: { data: nhwcToNchw(nhwc, [1, h, w, 3]), shape: input.shape } };
          const got = {};
          for (const v of ['fp32', 'fp16']) {
            const out = await runOnnx(null, feeds, sessions[v]);
            got[v] = e32.outputs.map((o) => (o.layout === 'NCHW' ? nchwToNhwc(out[o.name], o.shape) : out[o.name]));
          }
          e32.outputs.forEach((o, i) => {
            const d32 = diffs(got.fp32[i], ref[i]);
            const d16 = diffs(got.fp16[i], ref[i], FLOAT16_MAX);
            console.log(
              `[parity] ${model.id.padEnd(18)} ${img.label.padEnd(16)} ${o.name.padEnd(13)} ` +
                `fp32 max|d| ${d32.abs.toExponential(2)} scaled ${d32.scaled.toExponential(2)}   ` +
                `fp16 max|d| ${d16.abs.toExponential(2)} scaled ${d16.scaled.toExponential(2)}` +
                `${d16.skipped ? ` (${d16.skipped} values beyond the fp16 range saturate)` : ''}   max|ref| ${maxAbs(ref[i]).toPrecision(4)}`,
            );
            expect(d32.scaled, `${model.id} ${o.name} fp32`).toBeLessThanOrEqual(TOLERANCE);
            expect(d16.scaled, `${model.id} ${o.name} fp16`).toBeLessThanOrEqual(FP16_SANITY);
          });
          // The conversion should also make sense: people/hands are found in these frames.
          const named = Object.fromEntries(e32.outputs.map((o, i) => [o.name, got.fp32[i]]));
          if (model.id.startsWith('blazepose-') && model.id !== 'blazepose-detector') {
            expect(named['Identity_3:0'][0], 'pose flag').toBeGreaterThan(0.5);
          } else if (model.id === 'blazepose-detector' || model.id === 'handdetect') {
            const det = named['Identity:0'];
            const stride = e32.outputs[0].shape[2];
            let best = -Infinity;
            for (let k = 0; k < det.length; k += stride) best = Math.max(best, det[k]);
            expect(sigmoid(best), 'top detection score').toBeGreaterThan(0.5);
          } else if (model.id === 'facemesh' && !img.synthetic) {
            expect(named['Identity_1:0'][0], 'face flag').toBeGreaterThan(0.5);
            const mesh = named['Identity_2:0'];
            for (let k = 0; k < mesh.length; k += 3) {
              expect(mesh[k], 'mesh x in the crop').toBeGreaterThan(0);
              expect(mesh[k], 'mesh x in the crop').toBeLessThan(w);
              expect(mesh[k + 1], 'mesh y in the crop').toBeGreaterThan(0);
              expect(mesh[k + 1], 'mesh y in the crop').toBeLessThan(h);
            }
          }
        }
        for (const s of Object.values(sessions)) await s.release();
      },
      120_000,
    );
  }
});

/**
 * An input of `entry` from rgb24 bytes (HWC): NCHW planes, scaled to the entry's range or
 * normalised per channel as `inputNormalization` says (plane order, mean, std).
 */
function candidateInput(entry, rgb, h, w) {
  const norm = entry.inputNormalization;
  if (!norm) return nhwcToNchw(rgbToFloat(rgb, entry.inputRange ?? [0, 1]), [1, h, w, 3]);
  const plane = h * w;
  const out = new Float32Array(3 * plane);
  const source = [...norm.order].map((c) => 'RGB'.indexOf(c));
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) out[c * plane + i] = (rgb[i * 3 + source[c]] - norm.mean[c]) / norm.std[c];
  }
  return out;
}

describe('channels-first models (inputNormalization), converted in memory', () => {
  for (const entry of MODELS.filter((m) => m.inputNormalization)) {
    const source = readSourceModel(sourceModelsDir, entry.source);

    it(`${entry.id}: every op converts, the bytes are deterministic and shipped, and the 4-D Transposes cost nothing`, async () => {
      expect(unsupportedOps(readGraphModel(source.json, source.weightData))).toEqual([]);
      const [a, b] = [convertModel(entry, source), convertModel(entry, source)];
      for (const k of [0, 1]) expect(sha256(a[k].bytes)).toBe(sha256(b[k].bytes));
      // The shipped files are this conversion (install names the package's version inside them).
      const { manifest } = await install({ outDir: outputModelsDir, verify: false, log: () => {} });
      const shipped = convertModel(entry, source, { sourceVersion: manifest.source.version });
      for (const c of shipped) expect(manifest.files.find((f) => f.id === entry.id && f.variant === c.variant)?.sha256, `${entry.id} ${c.variant} shipped`).toBe(sha256(c.bytes));
      // NanoDet-style exports: every TF Transpose of rank 4 is absorbed by the layouts.
      const model = decodeModel(a[0].bytes);
      const transposes = model.graph.node.filter((n) => n.op_type === 'Transpose').length;
      const tfTransposes = source.json.modelTopology.node.filter((n) => n.op === 'Transpose').length;
      console.log(`[parity] ${entry.id}: ${tfTransposes} TF Transposes -> ${transposes} ONNX Transposes; fp32 ${a[0].bytes.length} bytes sha256 ${sha256(a[0].bytes).slice(0, 16)}, fp16 ${a[1].bytes.length} bytes`);
      if (entry.id === 'nanodet') expect(transposes).toBe(6); // the rank-3 [0,2,1] of each output
    });

    it.skipIf(skipReason !== null)(
      `${entry.id} on a real frame (tennis racket clip #30)`,
      async () => {
        const converted = Object.fromEntries(convertModel(entry, source).map((c) => [c.variant, c]));
        const input = converted.fp32.inputs[0];
        const [, , h, w] = input.shape;
        const rgb = decodeRgb(path.join(mediaDir, 'tennis_racket_one_person_panning.mp4'), { width: w, height: h, frame: 30 });
        const data = candidateInput(entry, rgb, h, w);
        const names = converted.fp32.outputs.map((o) => o.name);
        const tfModel = await loadTfGraph(source);
        // The TF graph takes the input in its own layout: channels-first when the ONNX shape is the TF shape.
        const tfNhwc = input.tfShape.join() !== input.shape.join();
        const ref = await runTfGraph(tfModel, tfNhwc ? nchwToNhwc(data, input.shape) : data, input.tfShape, names);
        const feeds = { [input.name]: { data, shape: input.shape } };
        const got = {};
        for (const v of ['fp32', 'fp16']) {
          const out = await runOnnx(converted[v].bytes, feeds);
          got[v] = converted[v].outputs.map((o) => (o.layout === 'NCHW' ? nchwToNhwc(out[o.name], o.shape) : out[o.name]));
        }
        converted.fp32.outputs.forEach((o, i) => {
          const d32 = diffs(got.fp32[i], ref[i]);
          const d16 = diffs(got.fp16[i], ref[i], FLOAT16_MAX);
          console.log(
            `[parity] ${entry.id.padEnd(18)} tennis#30        ${o.name.padEnd(13)} ` +
              `fp32 max|d| ${d32.abs.toExponential(2)} scaled ${d32.scaled.toExponential(2)}   ` +
              `fp16 max|d| ${d16.abs.toExponential(2)} scaled ${d16.scaled.toExponential(2)}   max|ref| ${maxAbs(ref[i]).toPrecision(4)}`,
          );
          expect(d32.scaled, `${entry.id} ${o.name} fp32`).toBeLessThanOrEqual(TOLERANCE);
          expect(d16.scaled, `${entry.id} ${o.name} fp16`).toBeLessThanOrEqual(FP16_SANITY);
        });
        if (entry.id === 'nanodet') {
          // The man is found: a person (class 0) score above 0.5 in some cell of some stride.
          let person = 0;
          for (const scores of got.fp32.slice(0, 3)) for (let k = 0; k < scores.length; k += 80) person = Math.max(person, scores[k]);
          expect(person, 'top person score').toBeGreaterThan(0.5);
        }
      },
      120_000,
    );
  }
});
