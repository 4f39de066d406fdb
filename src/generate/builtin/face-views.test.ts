import { describe, expect, it } from 'vitest';
import { forwardKinematics, J, meshSilhouette, posedMesh, restRotations } from '../../body';
import { boneBox, cropFaceView, faceAngle, faceFade, FaceChooser, handOverFace, imageSharpness, jointTurn, nearestFaceView, type FaceFadeStep, type FaceView } from './face-views';
import { outsideLayer } from './outside';
import { neutralBodyScene } from './synthetic-testing';

const { W, H, k, skel, mesh, segments, radii, root } = neutralBodyScene();
const headEnd = segments.find((s) => s.joint === J.head)!.offset;

/** The body with its head turned `deg` degrees about the vertical (neck joint). */
function headTurned(deg: number) {
  const local = restRotations();
  const half = (deg * Math.PI) / 360;
  local.set([0, Math.sin(half), 0, Math.cos(half)], J.neck * 4);
  return { local, pose: forwardKinematics(skel, local, root) };
}

/** A frame of the posed body: person mask = its silhouette, colour a fine checkerboard (or flat: "blurred"). */
function frameOf(local: Float32Array, blurred = false) {
  const posed = posedMesh(mesh, skel, local, root);
  const covered = meshSilhouette(posed.positions, mesh.indices, { focal: k.fx, cx: k.cx, cy: k.cy, width: W, height: H });
  const rgba = new Uint8ClampedArray(W * H * 4);
  const mask = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inside = x >= covered.x0 && y >= covered.y0 && x < covered.x0 + covered.width && y < covered.y0 + covered.height && covered.data[(y - covered.y0) * covered.width + x - covered.x0];
      mask[y * W + x] = inside ? 255 : 0;
      const v = blurred ? 128 : (x + y) % 2 ? 200 : 60;
      rgba.set([v, v, x, 255], (y * W + x) * 4);
    }
  }
  return { rgba, mask, covered };
}

function faceView(deg: number, blurred = false): FaceView {
  const { local, pose } = headTurned(deg);
  const { rgba, mask, covered } = frameOf(local, blurred);
  const box = boneBox(pose, J.head, headEnd, k, W, H, 0.16)!;
  return cropFaceView({ rgba, mask, width: W }, k, pose, covered, box);
}

describe('face views (the face from the reference frame that shows it best)', () => {
  it('measures how far a joint turned between two poses', () => {
    const a = headTurned(0).pose;
    expect(jointTurn(a, a, J.head)).toBeCloseTo(0, 3);
    expect(jointTurn(a, headTurned(25).pose, J.head)).toBeCloseTo(25, 1);
    expect(jointTurn(a, headTurned(25).pose, J.pelvis)).toBeCloseTo(0, 3);
  });

  it('crops the head: the box holds the projected head and the crop keeps pixels, mask and silhouette in place', () => {
    const { local, pose } = headTurned(0);
    const { rgba, mask, covered } = frameOf(local);
    const box = boneBox(pose, J.head, headEnd, k, W, H, 0.16)!;
    const hx = (k.fx * pose.positions[J.head * 3]!) / pose.positions[J.head * 3 + 2]! + k.cx;
    const hy = (k.fy * pose.positions[J.head * 3 + 1]!) / pose.positions[J.head * 3 + 2]! + k.cy;
    expect(hx).toBeGreaterThan(box.x0);
    expect(hx).toBeLessThan(box.x1);
    expect(hy).toBeGreaterThan(box.y0);
    expect(hy).toBeLessThan(box.y1);
    // A 0.16 m margin at about 3 m is about 15 px each side: the crop is head-sized, not body-sized.
    expect(box.x1 - box.x0).toBeLessThan(60);
    const view = cropFaceView({ rgba, mask, width: W }, k, pose, covered, box);
    expect(view.width).toBe(box.x1 - box.x0);
    const [x, y] = [Math.round(hx) - box.x0, Math.round(hy) - box.y0];
    const src = (Math.round(hy) * W + Math.round(hx)) * 4;
    expect(Array.from(view.rgba.subarray((y * view.width + x) * 4, (y * view.width + x) * 4 + 4))).toEqual(Array.from(rgba.subarray(src, src + 4)));
    expect(view.mask[y * view.width + x]).toBe(255);
    expect(view.covered.data[y * view.width + x]).toBe(1);
    expect(view.k.cx).toBe(k.cx - box.x0);
    expect(view.outline).toBeUndefined();
    // A face outline in frame pixels comes into the crop's.
    const outlined = cropFaceView({ rgba, mask, width: W }, k, pose, covered, box, {
      outline: Float32Array.from([box.x0 + 3, box.y0 + 4, box.x0 + 10, box.y0 + 12]),
      shape: Float32Array.from([box.x0 + 5, box.y0 + 6]),
    });
    expect(Array.from(outlined.outline!)).toEqual([3, 4, 10, 12]);
    expect(Array.from(outlined.shape!)).toEqual([5, 6]);
  });

  it('carried from its crop, the face lands where the same face carried from the whole frame does', () => {
    const { local, pose } = headTurned(10);
    const { mask, covered } = frameOf(local);
    const to = headTurned(0).pose;
    const view = faceView(10);
    const head = new Set([J.head]);
    const fromCrop = outsideLayer({ ...view, segments, radii, to, front: head, onlyFront: true });
    const fromFrame = outsideLayer({ mask, width: W, height: H, k, segments, radii, from: pose, to, covered, front: head, onlyFront: true });
    expect(fromCrop.positions.length).toBeGreaterThan(30);
    // The same pixels (up to the grid's phase) in the same places: compare the centroids.
    const centroid = (p: Float32Array) => [0, 1, 2].map((c) => p.filter((_, i) => i % 3 === c).reduce((s, v) => s + v, 0) / (p.length / 3));
    const a = centroid(fromCrop.positions);
    const b = centroid(fromFrame.positions);
    for (let c = 0; c < 3; c++) expect(Math.abs(a[c]! - b[c]!)).toBeLessThan(0.01);
    // Only the head's pixels, all in front of the head joint.
    const headZ = to.positions[J.head * 3 + 2]!;
    for (let v = 0; v < fromCrop.positions.length / 3; v++) expect(fromCrop.positions[v * 3 + 2]!).toBeLessThan(headZ);
  });

  it('picks the sharp view turned least from the target, keeps the previous one within the hysteresis, and none past the limit', () => {
    const views = [faceView(-30), faceView(0), faceView(12), faceView(4, true), faceView(30)];
    expect(views[1]!.sharpness).toBeGreaterThan(10 * views[3]!.sharpness);
    const target = headTurned(5).pose;
    // The blurred view at 4° is nearest but motion-blurred: the one at 0° wins.
    expect(nearestFaceView(views, target, J.head, { maxTurn: 20 })).toBe(views[1]);
    // At 9°: the 12° view is nearer (3° against 9°), but within 8° of hysteresis the previous (0°) stays.
    const towards = headTurned(9).pose;
    expect(nearestFaceView(views, towards, J.head, { maxTurn: 20 })).toBe(views[2]);
    expect(nearestFaceView(views, towards, J.head, { maxTurn: 20, previous: views[1], hysteresis: 8 })).toBe(views[1]);
    expect(nearestFaceView(views, towards, J.head, { maxTurn: 20, previous: views[1], hysteresis: 3 })).toBe(views[2]);
    // 70° from every view: none.
    expect(nearestFaceView(views, headTurned(100).pose, J.head, { maxTurn: 20 })).toBeNull();
    // 25° past the 30° view: only when that view allows more than the choice's 20°.
    const far = headTurned(55).pose;
    expect(nearestFaceView(views, far, J.head, { maxTurn: 20 })).toBeNull();
    const wide = views.map((v, i) => (i === 4 ? { ...v, maxTurn: 30 } : v));
    expect(nearestFaceView(wide, far, J.head, { maxTurn: 20 })).toBe(wide[4]);
    expect(nearestFaceView(wide, far, J.head, { maxTurn: 20, previous: wide[1], hysteresis: 8 })).toBe(wide[4]);
  });

  it('measures how far the face is turned from the camera', () => {
    expect(faceAngle(headTurned(0).pose)).toBeLessThan(15);
    expect(Math.abs(faceAngle(headTurned(90).pose) - 90)).toBeLessThan(15);
    expect(faceAngle(headTurned(180).pose)).toBeGreaterThan(165);
  });

  it('sharpness: a flat image has none, a checkerboard plenty, pixels outside the mask do not count', () => {
    const w = 8;
    const h = 8;
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let p = 0; p < w * h; p++) rgba.fill(((p % w) + Math.floor(p / w)) % 2 ? 255 : 0, p * 4, p * 4 + 3);
    const all = new Uint8Array(w * h).fill(255);
    const inside = new Uint8Array(w * h).fill(1);
    expect(imageSharpness(rgba, all, inside, w, h)).toBeGreaterThan(10000);
    expect(imageSharpness(new Uint8ClampedArray(w * h * 4).fill(90), all, inside, w, h)).toBe(0);
    expect(imageSharpness(rgba, new Uint8Array(w * h), inside, w, h)).toBe(0);
  });
  it('tells a hand in front of the face from hands at the sides, at the chest or behind the head', () => {
    const rest = headTurned(0).pose;
    expect(handOverFace(rest, segments, k, W, H)).toBe(false);
    const head = Array.from(rest.positions.subarray(J.head * 3, J.head * 3 + 3));
    /** The rest pose with the left forearm and hand moved by `shift` to lie level at `at` (camera space). */
    const handAt = (at: number[]) => {
      const pose = { positions: Float32Array.from(rest.positions), rotations: rest.rotations };
      const shift = [0, 1, 2].map((c) => at[c]! - rest.positions[J.left_wrist * 3 + c]!);
      for (const j of [J.left_elbow, J.left_wrist, J.left_hand]) for (let c = 0; c < 3; c++) pose.positions[j * 3 + c]! += shift[c]!;
      return pose;
    };
    // At the chin, 12 cm in front of the head joint: over the face.
    expect(handOverFace(handAt([head[0]!, head[1]! + 0.02, head[2]! - 0.12]), segments, k, W, H)).toBe(true);
    // The same place behind the head: hidden by it, not over the face.
    expect(handOverFace(handAt([head[0]!, head[1]! + 0.02, head[2]! + 0.15]), segments, k, W, H)).toBe(false);
    // In front of the chest, 30 cm below the jaw.
    expect(handOverFace(handAt([head[0]!, head[1]! + 0.3, head[2]! - 0.2]), segments, k, W, H)).toBe(false);
    // Raised high above the head, in front of it.
    expect(handOverFace(handAt([head[0]!, head[1]! - 0.35, head[2]! - 0.1]), segments, k, W, H)).toBe(false);
  });
});

describe('faceFade', () => {
  const run = (choices: (string | null)[], frames = 3) => {
    let shown: string | null = null;
    let fade: FaceFadeStep<string>['fade'] = null;
    return choices.map((face) => {
      const r = faceFade(shown, face, fade, frames);
      shown = face;
      fade = r.fade;
      return r.draws.map((d) => `${d.face}:${d.opacity.toFixed(2)}`).join(' ');
    });
  };

  it('fades the outgoing view out over the new one, frame by frame', () => {
    expect(run(['a', 'a', 'b', 'b', 'b', 'b', 'b'])).toEqual(['a:0.25', 'a:0.50', 'b:1.00 a:0.75', 'b:1.00 a:0.50', 'b:1.00 a:0.25', 'b:1.00', 'b:1.00']);
  });

  it('fades a view in where none was, and out to none', () => {
    expect(run([null, 'a', 'a', 'a', 'a', null, null, null, null])).toEqual(['', 'a:0.25', 'a:0.50', 'a:0.75', 'a:1.00', 'a:0.75', 'a:0.50', 'a:0.25', '']);
  });

  it('restarts the fade on a switch in the middle of one, and draws nothing twice', () => {
    expect(run(['a', 'a', 'a', 'a', 'b', 'a', 'a'], 2)).toEqual(['a:0.33', 'a:0.67', 'a:1.00', 'a:1.00', 'b:1.00 a:0.67', 'a:1.00 b:0.67', 'a:1.00 b:0.33']);
    expect(run(['a', 'a'], 0)).toEqual(['a:1.00', 'a:1.00']);
  });
});

describe('FaceChooser (the face part of the engine)', () => {
  it('draws the view turned most alike, fades between views, and fades out while the frame shows its own face', () => {
    const views = [faceView(0), faceView(25)];
    const chooser = new FaceChooser(views, { frontMaxTurn: 20, hysteresis: 8, fadeFrames: 2 });
    const at = (deg: number, own = false) => chooser.next(headTurned(deg).pose, own).map((d) => [views.indexOf(d.face), +d.opacity.toFixed(3)]);
    // None shown before: the first view fades in over 2 frames.
    expect(at(2)).toEqual([[0, 0.333]]);
    expect(at(2)).toEqual([[0, 0.667]]);
    expect(at(2)).toEqual([[0, 1]]);
    // The head turns to the second view: it shows at once, the first fades out over it.
    expect(at(26)).toEqual([[1, 1], [0, 0.667]]);
    expect(at(26)).toEqual([[1, 1], [0, 0.333]]);
    expect(at(26)).toEqual([[1, 1]]);
    // The reference frame's own face shows: the gathered one fades out.
    expect(at(26, true)).toEqual([[1, 0.667]]);
  });
});
