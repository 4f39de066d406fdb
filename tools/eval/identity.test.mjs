// @vitest-environment node
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { faceBox } from './detail.mjs';
import { cosine, createFaceDescriber, faceCrop, identityFigures, isFrontal, meanDescriptor, spread } from './identity.mjs';
import { decodeRgb, mediaDir, mediaSkipReason } from '../models/test-utils.mjs';

/** A BlazePose-33 pose (x, y, visibility triples) with only nose, eyes and ears set. */
function facePose({ nose, leftEye, rightEye, leftEar = null, rightEar = null }) {
  const kps = new Float32Array(33 * 3);
  const set = (j, p) => p && kps.set([p[0], p[1], 1], j * 3);
  set(0, nose);
  set(2, leftEye);
  set(5, rightEye);
  set(7, leftEar);
  set(8, rightEar);
  return kps;
}

describe('face identity: the pure parts', () => {
  it('faceCrop samples the square around the box centre, NCHW, edges repeated', () => {
    // Red is x, green is y, blue 7: a crop of the whole 4x4 image at size 4 gives the image back.
    const w = 4;
    const h = 4;
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set([x * 10, y * 10, 7], (y * w + x) * 3);
    const crop = faceCrop(rgb, w, h, { x0: 0, y0: 0, x1: 4, y1: 4 }, 4);
    expect(Array.from(crop.subarray(0, 4))).toEqual([0, 10, 20, 30]); // red, first row
    expect(Array.from(crop.subarray(16, 32)).filter((_, i) => i % 4 === 0)).toEqual([0, 10, 20, 30]); // green, first column
    expect(crop.subarray(32).every((v) => v === 7)).toBe(true);
    // A box reaching past the image: the outside repeats the edge.
    const past = faceCrop(rgb, w, h, { x0: 2, y0: 0, x1: 6, y1: 4 }, 4);
    expect(Array.from(past.subarray(0, 4))).toEqual([20, 30, 30, 30]);
    // A wide box becomes a square of its longer side around the same centre.
    const wide = faceCrop(rgb, w, h, { x0: 0, y0: 1, x1: 4, y1: 3 }, 4);
    expect(Array.from(wide.subarray(16, 32)).filter((_, i) => i % 4 === 0)).toEqual([0, 10, 20, 30]);
  });

  it('cosine, the mean direction of unit vectors, and an even spread', () => {
    expect(cosine([1, 0], [0, 2])).toBeCloseTo(0);
    expect(cosine([1, 1], [3, 3])).toBeCloseTo(1);
    expect(cosine([0, 0], [1, 0])).toBeNaN();
    // Lengths do not weigh: [10, 0] and [0, 1] average to the diagonal.
    const m = meanDescriptor([new Float32Array([10, 0]), new Float32Array([0, 1])]);
    expect(cosine(m, [1, 1])).toBeCloseTo(1);
    expect(meanDescriptor([])).toBeNull();
    expect(spread([1, 2, 3, 4, 5, 6, 7, 8], 4)).toEqual([2, 4, 6, 8]);
    expect(spread([1, 2], 4)).toEqual([1, 2]);
  });

  it('isFrontal: nose between the eyes; a turned head or a hidden eye is not', () => {
    expect(isFrontal(facePose({ nose: [50, 50], leftEye: [60, 40], rightEye: [40, 40] }))).toBe(true);
    expect(isFrontal(facePose({ nose: [58, 50], leftEye: [60, 40], rightEye: [40, 40] }))).toBe(false);
    const hidden = facePose({ nose: [50, 50], leftEye: [60, 40], rightEye: [40, 40] });
    hidden[5 * 3 + 2] = 0.2;
    expect(isFrontal(hidden)).toBe(false);
    expect(isFrontal(null)).toBe(false);
  });
});

describe('identityFigures', () => {
  // A fake describer: the descriptor is the colour of the box's top-left pixel.
  const describer = { describe: async (rgb, w, _h, box) => Float32Array.from(rgb.subarray((box.y0 * w + box.x0) * 3, (box.y0 * w + box.x0) * 3 + 3)) };
  const w = 100;
  const h = 100;
  const image = (r, g, b) => new Uint8Array(w * h * 3).map((_, i) => [r, g, b][i % 3]);
  const frontal = facePose({ nose: [50, 50], leftEye: [60, 40], rightEye: [40, 40] });
  const turned = facePose({ nose: [59, 50], leftEye: [60, 40], rightEye: [40, 40] });
  const box = { x0: 30, y0: 30, x1: 70, y1: 70 };

  it('the reference mean comes from its frontal faces, each reference frame once; outputs and truth are scored against it', async () => {
    // Output frames 0-3 use reference frames 0, 0, 1, 2: frame 1 is turned away (its colour must not count).
    const refColour = [image(10, 0, 0), image(0, 99, 0), image(10, 0, 0)];
    const got = await identityFigures({
      describer, w, h, F: 4,
      referenceIndex: (k) => [0, 0, 1, 2][k],
      referenceFace: (k) => ({ rgb: refColour[[0, 0, 1, 2][k]], pose: [0, 0, 1, 2][k] === 1 ? turned : frontal }),
      truthFace: () => ({ rgb: image(10, 0, 0), box }),
      methods: [
        { face: (k) => (k < 2 ? { rgb: image(5, 0, 0), box } : { rgb: image(0, 7, 0), box }) },
        { face: (k) => (k === 0 ? { rgb: image(1, 0, 0), box } : null) },
      ],
    });
    expect(got.referenceFaces).toBe(2);
    expect(got.ceiling).toBeCloseTo(1);
    expect(got.ceilingFrames).toBe(4);
    expect(got.methods[0].faceIdentity).toBeCloseTo(0.5); // two frames at 1, two at 0
    expect(got.methods[0].faceIdentityFrames).toBe(4);
    expect(got.methods[1]).toEqual({ faceIdentity: 1, faceIdentityFrames: 1 });
  });

  it('no frontal reference face: nothing is measured', async () => {
    const got = await identityFigures({
      describer, w, h, F: 2,
      referenceIndex: (k) => k,
      referenceFace: () => ({ rgb: image(1, 2, 3), pose: turned }),
      methods: [{ face: () => ({ rgb: image(1, 2, 3), box }) }],
    });
    expect(got.referenceFaces).toBe(0);
    expect(got.ceiling).toBeNull();
    expect(got.methods[0].faceIdentity).toBeNaN();
    expect(got.methods[0].faceIdentityFrames).toBe(0);
  });
});

// Real faces: the two fashion clips' models, face boxes from their DWPose pseudo ground truth.
const skip = mediaSkipReason();
if (skip) console.log(`face identity on real faces skipped: ${skip}`);
describe.skipIf(Boolean(skip))('face identity on real faces (FaceRes)', () => {
  const W = 414;
  const H = 540;
  /** Frame `i` of a fashion clip at W x H and its face box, from the pseudo ground truth (OpenPose-18 nose, eyes, ears). */
  function face(clip, id, i) {
    const gt = JSON.parse(fs.readFileSync(path.join(mediaDir, 'keypoints/ubc_dwpose_pseudo_gt', `${id}_dwpose.json`), 'utf8'));
    const p = (j) => {
      const b = gt.frames[i].body[j];
      return b ? [b[0] * W, b[1] * H] : null;
    };
    const pose = facePose({ nose: p(0), rightEye: p(14), leftEye: p(15), rightEar: p(16), leftEar: p(17) });
    const rgb = decodeRgb(path.join(mediaDir, clip), { width: W, height: H, frame: i, letterbox: false });
    return { rgb, pose, box: faceBox(pose, W, H) };
  }

  it('the same person scores higher than another person; a face against itself scores 1', async () => {
    const describer = await createFaceDescriber();
    const navy = [0, 10, 20].map((i) => face('fashion_model_turn_navy_dress_91BjuE6irxS.mp4', '91BjuE6irxS', i));
    const sequin = [0, 10].map((i) => face('fashion_model_turn_sequin_dress_91bxAN6BjAS.mp4', '91bxAN6BjAS', i));
    for (const f of [...navy, ...sequin]) {
      expect(f.box).not.toBeNull();
      expect(isFrontal(f.pose)).toBe(true);
    }
    const d = async (f) => describer.describe(f.rgb, W, H, f.box);
    const [n0, n1, n2] = await Promise.all(navy.map(d));
    const [s0, s1] = await Promise.all(sequin.map(d));
    expect(n0).toHaveLength(1024);
    expect(cosine(n0, await d(navy[0]))).toBeCloseTo(1, 5);
    const reference = meanDescriptor([n0, n1]);
    const same = cosine(n2, reference);
    const other = Math.max(cosine(s0, reference), cosine(s1, reference));
    console.log(`FaceRes cosine to the navy model's mean: navy frame 20 ${same.toFixed(3)}, the sequin model ${other.toFixed(3)}`);
    expect(same).toBeGreaterThan(other);
    expect(same).toBeGreaterThan(0.5);
  }, 120_000);
});
