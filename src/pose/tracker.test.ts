import { describe, expect, it } from 'vitest';
import { BLAZEPOSE_DETECTOR_ANCHORS, generateSsdAnchors } from './anchors';
import { applyAffine, cropToSource, letterboxRoi, sourceToCrop } from './crop';
import { PoseModelError } from './errors';
import { FACE68_FROM_MESH, FACE_MESH_POINTS, faceMeshFromOutputs, faceMeshTo68, faceRoiFromMesh, faceRoiFromPose } from './face';
import { BP } from './layouts';
import { handRoiFromPose } from './roi';
import { PoseTracker, bodyDistance, chooseDetection, headFacesCamera } from './tracker';
import type { Detection, ModelRunner, RgbaImage, TensorData } from './types';

const W = 640;
const H = 480;
const frame: RgbaImage = { data: new Uint8Array(W * H * 4), width: W, height: H };
const anchors = generateSsdAnchors(BLAZEPOSE_DETECTOR_ANCHORS);

interface FakePerson {
  hip: [number, number];
  top: [number, number];
  score: number;
}

/** A detector that "sees" the given people (source pixels), whatever the image. */
function fakeDetector(people: () => FakePerson[], calls: { n: number }): ModelRunner {
  const toInput = sourceToCrop(letterboxRoi(W, H), 224);
  return async (inputs) => {
    calls.n++;
    expect(inputs['input:0']!.dims).toEqual([1, 3, 224, 224]);
    const raw = new Float32Array(2254 * 13).fill(-30);
    people().forEach((p, k) => {
      const hip = applyAffine(toInput, ...p.hip);
      const top = applyAffine(toInput, ...p.top);
      // The stride-32 anchor nearest the hip (six per cell; use the k-th so people do not collide).
      const col = Math.min(6, Math.floor(hip.x / 32));
      const row = Math.min(6, Math.floor(hip.y / 32));
      const a = 1568 + 392 + (row * 7 + col) * 6 + k;
      const ax = anchors[a * 4]! * 224;
      const ay = anchors[a * 4 + 1]! * 224;
      const o = a * 13;
      raw[o] = Math.log(p.score / (1 - p.score));
      raw.set([top.x - ax, top.y - ay, 20, 20], o + 1); // the box frames the face
      raw.set([hip.x - ax, hip.y - ay, top.x - ax, top.y - ay, 0, 0, 0, 0], o + 5);
    });
    return { 'Identity:0': raw };
  };
}

/** A black frame with each person drawn as a 12 px wide bar from hip to top, person k in RGB channel k. */
function drawPeople(people: FakePerson[]): RgbaImage {
  const data = new Uint8Array(W * H * 4);
  people.forEach((p, k) => {
    for (let y = Math.round(p.top[1]); y < Math.round(p.hip[1]); y++) {
      for (let x = Math.round(p.hip[0]) - 6; x < Math.round(p.hip[0]) + 6; x++) data[(y * W + x) * 4 + k] = 255;
    }
  });
  return { data, width: W, height: H };
}

/**
 * A detector that finds the bars `drawPeople` drew in whatever it is shown (so zoomed regions
 * work): hip at the bar's bottom, alignment point at its top, in detector pixels. A bar shorter
 * than `minHeight` detector pixels is not found.
 */
function imageDetector(people: FakePerson[], calls: { n: number }, minHeight = 0): ModelRunner {
  return async (inputs) => {
    calls.n++;
    const t = inputs['input:0']!.data;
    const raw = new Float32Array(2254 * 13).fill(-30);
    people.forEach((p, k) => {
      let y0 = Infinity;
      let y1 = -Infinity;
      let xs = 0;
      let n = 0;
      for (let y = 0; y < 224; y++) {
        for (let x = 0; x < 224; x++) {
          if (t[k * 224 * 224 + y * 224 + x]! > 0) {
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y + 1);
            xs += x + 0.5;
            n++;
          }
        }
      }
      if (n === 0 || y1 - y0 < minHeight) return;
      const cx = xs / n;
      const a = 1568 + 392 + k; // any anchor will do: offsets are relative to it
      const ax = anchors[a * 4]! * 224;
      const ay = anchors[a * 4 + 1]! * 224;
      raw[a * 13] = Math.log(p.score / (1 - p.score));
      raw.set([cx - ax, y0 - ay, 10, 10, cx - ax, y1 - ay, cx - ax, y0 - ay], a * 13 + 1);
    });
    return { 'Identity:0': raw };
  };
}

/**
 * An upright body in crop pixels: hip centre (aux 33) in the middle, alignment point (aux 34)
 * 102.4 px above (so the tracked ROI equals the detected one); left wrist on the crop's right.
 */
function canonicalLandmarks(): Float32Array {
  const lm = new Float32Array(39 * 5);
  for (let i = 0; i < 39; i++) lm.set([100 + i, 60 + 4 * i, 0.5 * i, 5, 5], i * 5);
  lm.set([170, 150, 0, 5, 5], 15 * 5); // left wrist
  lm.set([175, 175, 0, 5, 5], 17 * 5); // left pinky
  lm.set([165, 178, 0, 5, 5], 19 * 5); // left index
  lm.set([86, 150, 0, 5, 5], 16 * 5); // right wrist
  lm.set([81, 175, 0, 5, 5], 18 * 5);
  lm.set([91, 178, 0, 5, 5], 20 * 5);
  // A torso (shoulders 11 / 12, hips 23 / 24) around the hip centre, as follow() checks a click against it.
  lm.set([148, 72, 0, 5, 5], 11 * 5);
  lm.set([108, 72, 0, 5, 5], 12 * 5);
  lm.set([140, 128, 0, 5, 5], 23 * 5);
  lm.set([116, 128, 0, 5, 5], 24 * 5);
  lm.set([128, 128, 0, 5, 5], 33 * 5);
  lm.set([128, 25.6, 0, 5, 5], 34 * 5);
  return lm;
}

function fakeLandmarks(state: { flag: number; shift: number; calls: number }, omit: string[] = []): ModelRunner {
  return async (inputs: Record<string, TensorData>) => {
    state.calls++;
    expect(inputs['input_1:0']!.dims).toEqual([1, 3, 256, 256]);
    const lm = canonicalLandmarks();
    for (let i = 0; i < 33; i++) lm[i * 5]! += state.shift;
    const world = new Float32Array(39 * 3);
    world.set([1, 0, 0.5]);
    const out: Record<string, Float32Array> = {
      'Identity_2:0': lm,
      'Identity_3:0': Float32Array.of(state.flag),
      'Identity_4:0': world,
      'Identity_1:0': new Float32Array(256 * 256).fill(0.5),
    };
    for (const name of omit) delete out[name];
    return out;
  };
}

const handLandmarks = (): Float32Array => Float32Array.from({ length: 63 }, (_, k) => (k % 3 === 0 ? 100 + k : k % 3 === 1 ? 180 - k : 0));

function fakeHand(flag: number, calls: { n: number }): ModelRunner {
  return async (inputs) => {
    calls.n++;
    expect(inputs['input_1:0']!.dims).toEqual([1, 3, 224, 224]);
    return { 'Identity:0': handLandmarks(), 'Identity_1:0': Float32Array.of(flag), 'Identity_2:0': Float32Array.of(0.5), 'Identity_3:0': new Float32Array(63) };
  };
}

/** A face mesh in crop pixels: points spread over a 90 x 110 box round (96, 100), eye corners level. */
function meshLandmarks(): Float32Array {
  const m = new Float32Array(FACE_MESH_POINTS * 3);
  for (let p = 0; p < FACE_MESH_POINTS; p++) m.set([51 + (p % 10) * 10, 45 + (Math.floor(p / 10) % 12) * 10, 0], p * 3);
  m.set([70, 90, 0], 33 * 3);
  m.set([122, 90, 0], 263 * 3);
  return m;
}

function fakeFace(state: { flag: number; calls: number }): ModelRunner {
  return async (inputs) => {
    state.calls++;
    expect(inputs['input_1:0']!.dims).toEqual([1, 3, 192, 192]);
    return { 'Identity_2:0': meshLandmarks(), 'Identity_1:0': Float32Array.of(state.flag), 'Identity:0': new Float32Array(266) };
  };
}

const person: FakePerson = { hip: [320, 300], top: [320, 100], score: 0.9 };

function setup(options: ConstructorParameters<typeof PoseTracker>[1] = {}, people: FakePerson[] = [person]) {
  const det = { n: 0 };
  const lm = { flag: 0.99, shift: 0, calls: 0 };
  const crowd = { people };
  const tracker = new PoseTracker({ detector: fakeDetector(() => crowd.people, det), landmarks: fakeLandmarks(lm) }, { smoothing: false, ...options });
  return { tracker, det, lm, crowd };
}

describe('PoseTracker', () => {
  it('detects, maps landmarks to source pixels, then tracks without the detector', async () => {
    const { tracker, det, lm } = setup();
    const f1 = await tracker.process(frame, 0);
    expect(det.n).toBe(1);
    expect(lm.calls).toBe(1);
    expect(f1.found).toBe(true);
    expect(f1.score).toBeCloseTo(0.99, 6);
    expect(f1.roi!.cx).toBeCloseTo(320, 3);
    expect(f1.roi!.cy).toBeCloseTo(300, 3);
    expect(f1.roi!.size).toBeCloseTo(500, 3);
    expect(f1.roi!.rotation).toBeCloseTo(0, 6);
    // Left wrist: crop (170, 150) of a 500 px ROI centred at (320, 300).
    const k = 500 / 256;
    expect(f1.keypoints[15 * 4]).toBeCloseTo(320 + 42 * k, 2);
    expect(f1.keypoints[15 * 4 + 1]).toBeCloseTo(300 + 22 * k, 2);
    expect(f1.keypoints[15 * 4 + 3]).toBeCloseTo(1 / (1 + Math.exp(-5)), 5); // sigmoid of the logit
    expect(f1.keypoints[2 * 4 + 2]).toBeCloseTo(1 * k, 4); // z = 0.5·2 crop px
    expect(f1.keypoints).toHaveLength(132);
    expect(Array.from(f1.world.subarray(0, 3))).toEqual([1, 0, 0.5]);
    expect(f1.world).toHaveLength(99);
    expect(f1.maskSize).toBe(128);
    expect(f1.mask).toHaveLength(128 * 128);
    expect(f1.mask![0]).toBe(128);
    expect(f1.hands).toEqual({ left: null, right: null });

    const f2 = await tracker.process(frame, 1 / 30);
    expect(det.n).toBe(1); // tracked from the landmarks
    expect(lm.calls).toBe(2);
    expect(f2.roi!.cy).toBeCloseTo(300, 3);
  });

  it('re-detects when the pose flag drops and reports a lost frame', async () => {
    const { tracker, det, lm } = setup();
    await tracker.process(frame, 0);
    lm.flag = 0.2;
    const lost = await tracker.process(frame, 0.1);
    expect(lost.found).toBe(false);
    expect(lost.score).toBeCloseTo(0.2, 6);
    expect(lost.roi).toBeNull();
    expect(Array.from(lost.keypoints).every((v) => v === 0)).toBe(true);
    expect(det.n).toBe(2); // tracking failed, then one detection on the same frame
    lm.flag = 0.9;
    const back = await tracker.process(frame, 0.2);
    expect(back.found).toBe(true);
    expect(det.n).toBe(3);
  });

  it('reads a person detected upside down the right way up, unless upside down clearly scores better', async () => {
    // Bright at the top, dark at the bottom; the fake landmark model scores a crop whose top is
    // brighter than its bottom (an upright reading) `upright`, the other way up `inverted`.
    const data = new Uint8Array(W * H * 4);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(Math.round(255 * (1 - y / H)), (y * W + x) * 4, (y * W + x) * 4 + 3);
    const lit: RgbaImage = { data, width: W, height: H };
    const run = async (upright: number, inverted: number) => {
      const det = { n: 0 };
      let calls = 0;
      const landmarks: ModelRunner = async (inputs) => {
        calls++;
        const t = inputs['input_1:0']!.data;
        const row = (y: number) => t.subarray(y * 256, y * 256 + 256).reduce((a, b) => a + b, 0);
        const out = await fakeLandmarks({ flag: 0, shift: 0, calls: 0 })(inputs);
        out['Identity_3:0'] = Float32Array.of(row(8) > row(247) ? upright : inverted);
        return out;
      };
      // Detected head-for-feet: the alignment point below the hip centre.
      const tracker = new PoseTracker({ detector: fakeDetector(() => [{ hip: [320, 240], top: [320, 400], score: 0.9 }], det), landmarks }, { smoothing: false });
      const first = await tracker.process(lit, 0);
      const second = await tracker.process(lit, 1 / 30);
      return { first, second, calls };
    };
    const fixed = await run(0.99, 0.96);
    expect(fixed.first.score).toBeCloseTo(0.99, 6);
    expect(Math.abs(fixed.first.roi!.rotation)).toBeLessThan(0.01);
    expect(fixed.second.score).toBeCloseTo(0.99, 6);
    expect(fixed.calls).toBe(3); // both ways on the detection; the tracked ROI is upright
    // A handstand: the upside-down reading scores clearly better and stays.
    const handstand = await run(0.6, 0.99);
    expect(handstand.first.score).toBeCloseTo(0.99, 6);
    expect(Math.abs(handstand.first.roi!.rotation)).toBeGreaterThan(3);
  });

  it('reports no person when the detector finds none', async () => {
    const { tracker, lm } = setup({}, []);
    const f = await tracker.process(frame, 0);
    expect(f.found).toBe(false);
    expect(lm.calls).toBe(0);
  });

  it('picks the most prominent person, and the followed one after follow(point)', async () => {
    const a: FakePerson = { hip: [150, 300], top: [150, 100], score: 0.9 };
    const b: FakePerson = { hip: [480, 300], top: [480, 120], score: 0.95 };
    const det = { n: 0 };
    const lm = { flag: 0.99, shift: 0, calls: 0 };
    const image = drawPeople([a, b]);
    const tracker = new PoseTracker({ detector: imageDetector([a, b], det), landmarks: fakeLandmarks(lm) }, { smoothing: false });
    const near = (x: number | undefined, want: number) => expect(Math.abs(x! - want)).toBeLessThan(6);
    near((await tracker.process(image, 0)).roi!.cx, 150); // 500²·0.9 > 450²·0.95
    tracker.follow({ x: 470, y: 200 });
    const f = await tracker.process(image, 0.1);
    expect(det.n).toBe(4); // follow forces a detection: the whole frame and two zoomed squares
    near(f.roi!.cx, 480);
    await tracker.process(image, 0.2);
    expect(det.n).toBe(4); // then tracks
    // Lost and found again: it searches around the last position first.
    lm.flag = 0.1;
    await tracker.process(image, 0.3);
    lm.flag = 0.9;
    near((await tracker.process(image, 0.4)).roi!.cx, 480);
    tracker.unfollow();
    tracker.reset();
    near((await tracker.process(image, 0.5)).roi!.cx, 150);
  });

  it('zooms in around a followed point when the whole frame shows nobody there', async () => {
    // The small person is only "visible" to this detector at a high enough zoom.
    const big: FakePerson = { hip: [150, 300], top: [150, 100], score: 0.9 };
    const small: FakePerson = { hip: [500, 200], top: [500, 160], score: 0.4 };
    const det = { n: 0 };
    const lm = { flag: 0.99, shift: 0, calls: 0 };
    const tracker = new PoseTracker({ detector: imageDetector([big, small], det, 20), landmarks: fakeLandmarks(lm) });
    const image = drawPeople([big, small]);
    expect(await tracker.detect(image)).toHaveLength(1);
    det.n = 0;
    tracker.follow({ x: 500, y: 190 });
    const f = await tracker.process(image, 0);
    expect(det.n).toBe(3); // the whole frame, then squares of 0.75 and 0.5 × 480 px around the point
    expect(Math.abs(f.roi!.cx - 500)).toBeLessThan(4);
    expect(f.roi!.size).toBeLessThan(150);
  });

  it('reports nobody at a click that is on no one, and keeps looking on the next frames', async () => {
    const a: FakePerson = { hip: [150, 300], top: [150, 100], score: 0.9 };
    const b: FakePerson = { hip: [480, 300], top: [480, 120], score: 0.95 };
    const det = { n: 0 };
    const lm = { flag: 0.99, shift: 0, calls: 0 };
    const image = drawPeople([a, b]);
    const tracker = new PoseTracker({ detector: imageDetector([a, b], det), landmarks: fakeLandmarks(lm) }, { smoothing: false });
    tracker.follow({ x: 320, y: 250 }); // between the two
    const f = await tracker.process(image, 0);
    expect(f.found).toBe(false);
    expect(det.n).toBe(3); // the whole frame and both zoomed squares
    expect(lm.calls).toBe(0); // no detection's body holds the click
    const g = await tracker.process(image, 0.1);
    expect(g.found).toBe(false);
    expect(det.n).toBe(6); // still looking for someone at the click
  });

  it('reports nobody when the pose found does not hold the click, whatever its score', async () => {
    const b: FakePerson = { hip: [480, 300], top: [480, 120], score: 0.95 };
    const det = { n: 0 };
    // A confident pose (flag 0.99) whose keypoints lie 60 crop px (105 px) right of the detection.
    const lm = { flag: 0.99, shift: 60, calls: 0 };
    const tracker = new PoseTracker({ detector: imageDetector([b], det), landmarks: fakeLandmarks(lm) }, { smoothing: false });
    tracker.follow({ x: 480, y: 250 });
    const f = await tracker.process(drawPeople([b]), 0);
    expect(lm.calls).toBeGreaterThan(0);
    expect(f.found).toBe(false);
    expect(f.score).toBe(0); // nobody at the click
    lm.shift = 0;
    expect((await tracker.process(drawPeople([b]), 0.1)).found).toBe(true);
  });

  it('chooses the person a point lies on, the nearest to a position, or the most prominent', () => {
    const d = (hip: [number, number], top: [number, number], score = 0.9): Detection => ({
      score,
      box: { cx: top[0], cy: top[1], w: 10, h: 10 },
      keypoints: [{ x: hip[0], y: hip[1] }, { x: top[0], y: top[1] }, { x: hip[0] + 0.6 * (top[0] - hip[0]), y: hip[1] + 0.6 * (top[1] - hip[1]) }, { x: 0, y: 0 }],
    });
    const left = d([100, 300], [100, 100]);
    const right = d([300, 300], [300, 100], 0.8);
    expect(bodyDistance(left, { x: 100, y: 450 })).toBe(0); // on the legs
    expect(bodyDistance(left, { x: 150, y: 200 })).toBeCloseTo(0.25, 9);
    expect(bodyDistance(left, { x: 100, y: 0 })).toBeCloseTo(0.5, 9); // above the head
    expect(chooseDetection([left, right], { point: { x: 160, y: 150 } })).toBe(left);
    expect(chooseDetection([left, right], { point: { x: 200, y: 150 } })).toBeNull(); // on nobody's body (torso 120 px, reach 72 px)
    expect(chooseDetection([left, right], { point: { x: 5000, y: 300 } })).toBeNull(); // not the nearest, however far
    expect(chooseDetection([left, right], { near: { x: 290, y: 310 } })).toBe(right);
    expect(chooseDetection([left, right])).toBe(left);
    expect(chooseDetection([])).toBeNull();
  });

  it('crops hands around each wrist and labels them by the wrist they came from', async () => {
    const det = { n: 0 };
    const hand = { n: 0 };
    const lm = { flag: 0.99, shift: 0, calls: 0 };
    const tracker = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: fakeLandmarks(lm), hand: fakeHand(0.9, hand) }, { smoothing: false });
    const f = await tracker.process(frame, 0);
    expect(hand.n).toBe(2);
    expect(f.hands.left && f.hands.right).toBeTruthy();
    for (const side of ['left', 'right'] as const) {
      const roi = handRoiFromPose(f.keypoints, side)!;
      const p = applyAffine(cropToSource(roi, 224), 100, 179); // hand point 0 of the fake
      expect(f.hands[side]!.keypoints[0]).toBeCloseTo(p.x, 3);
      expect(f.hands[side]!.keypoints[1]).toBeCloseTo(p.y, 3);
      expect(f.hands[side]!.keypoints[2]).toBeCloseTo(0.9, 6);
    }
    expect(f.hands.left!.keypoints[0]).toBeGreaterThan(f.hands.right!.keypoints[0]!); // facing the camera
    const refined = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: fakeLandmarks(lm), hand: fakeHand(0.9, hand) }, { refineHands: true });
    hand.n = 0;
    expect((await refined.process(frame, 0)).hands.left).not.toBeNull();
    expect(hand.n).toBe(4); // a second pass per hand on a ROI fitted to the first pass
    const low = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: fakeLandmarks(lm), hand: fakeHand(0.3, hand) });
    expect((await low.process(frame, 0)).hands).toEqual({ left: null, right: null });
    const off = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: fakeLandmarks(lm), hand: fakeHand(0.9, hand) }, { hands: false });
    const n = hand.n;
    await off.process(frame, 0);
    expect(hand.n).toBe(n);
  });

  it('reads the face on the pose’s face ROI, then on the ROI tracked from the last mesh', async () => {
    const det = { n: 0 };
    const lm = { flag: 0.99, shift: 0, calls: 0 };
    const face = { flag: 0.95, calls: 0 };
    const tracker = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: fakeLandmarks(lm), face: fakeFace(face) }, { smoothing: false });
    const f1 = await tracker.process(frame, 0);
    expect(face.calls).toBe(1);
    const fromPose = faceRoiFromPose(f1.keypoints)!;
    const mesh1 = faceMeshFromOutputs({ 'Identity_2:0': meshLandmarks(), 'Identity_1:0': Float32Array.of(0.95) }, fromPose);
    expect(f1.face!.score).toBeCloseTo(0.95, 6);
    expect(f1.face!.points).toHaveLength(68 * 2);
    expect(Array.from(f1.face!.points)).toEqual(Array.from(faceMeshTo68(mesh1.points)));
    // Point 8 (the chin) is mesh point 152.
    expect(f1.face!.points[16]).toBeCloseTo(mesh1.points[152 * 3]!, 4);
    expect(FACE68_FROM_MESH[8]).toEqual([152, 152]);

    // The next frame crops where the mesh says the face is (one model run, no pose ROI).
    const f2 = await tracker.process(frame, 1 / 30);
    expect(face.calls).toBe(2);
    const mesh2 = faceMeshFromOutputs({ 'Identity_2:0': meshLandmarks() }, faceRoiFromMesh(mesh1.points));
    expect(f2.face!.points[16]).toBeCloseTo(mesh2.points[152 * 3]!, 3);
    expect(f2.face!.points[17]).toBeCloseTo(mesh2.points[152 * 3 + 1]!, 3);

    // A low flag on the tracked ROI: the pose's ROI is tried too, then the face is dropped.
    face.flag = 0.2;
    expect((await tracker.process(frame, 2 / 30)).face).toBeNull();
    expect(face.calls).toBe(4);
    // ... and the next frame starts from the pose again (one run).
    face.flag = 0.9;
    const f4 = await tracker.process(frame, 3 / 30);
    expect(face.calls).toBe(5);
    expect(f4.face!.points[16]).toBeCloseTo(mesh1.points[152 * 3]!, 4);
  });

  it('skips the face mesh when the head turns away, when off, and without the model', async () => {
    const det = { n: 0 };
    const lm = { flag: 0.99, shift: 0, calls: 0 };
    const face = { flag: 0.95, calls: 0 };
    const front = fakeLandmarks(lm);
    // Seen from behind: the nose farther from the camera than the ears.
    const back: ModelRunner = async (inputs) => {
      const out = await front(inputs);
      out['Identity_2:0']![BP.nose * 5 + 2] = 100;
      return out;
    };
    const away = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: back, face: fakeFace(face) });
    const f = await away.process(frame, 0);
    expect(f.found).toBe(true);
    expect(headFacesCamera(f.keypoints)).toBe(false);
    expect(f.face).toBeNull();
    expect(face.calls).toBe(0);
    const off = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: front, face: fakeFace(face) }, { face: false });
    expect((await off.process(frame, 0)).face).toBeNull();
    expect(face.calls).toBe(0);
    const none = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: front });
    expect(none.options.face).toBe(false);
    expect((await none.process(frame, 0)).face).toBeNull();
    const runner: ModelRunner = async () => ({});
    expect(() => new PoseTracker({ detector: runner, landmarks: runner }, { face: true })).toThrow(/models.face/);
    expect(() => new PoseTracker({ detector: runner, landmarks: runner }, { minFaceScore: -1 })).toThrow(/minFaceScore/);
  });

  it('smooths across tracked frames and restarts smoothing on re-detection', async () => {
    const { tracker, lm } = setup({ smoothing: true, smoothingParams: { minCutoff: 0.5, beta: 0 } });
    const x0 = (await tracker.process(frame, 0)).keypoints[0]!;
    lm.shift = 20;
    const smoothed = (await tracker.process(frame, 1 / 30)).keypoints[0]!;
    const raw = x0 + 20 * (500 / 256);
    expect(smoothed).toBeGreaterThan(x0);
    expect(smoothed).toBeLessThan(raw - 5);
    lm.flag = 0.1;
    await tracker.process(frame, 2 / 30);
    lm.flag = 0.9;
    lm.shift = 40;
    expect((await tracker.process(frame, 3 / 30)).keypoints[0]).toBeCloseTo(x0 + 40 * (500 / 256), 3);
  });

  it('rotates world landmarks into the frame axes', async () => {
    // Lying with the head to the right: the crop's x axis points down in the frame.
    const { tracker } = setup({}, [{ hip: [200, 300], top: [400, 300], score: 0.9 }]);
    const f = await tracker.process(frame, 0);
    expect(f.roi!.rotation).toBeCloseTo(Math.PI / 2, 6);
    expect(f.world[0]).toBeCloseTo(0, 6);
    expect(f.world[1]).toBeCloseTo(1, 6);
  });

  it('works without mask and world outputs, and with maskSize 0', async () => {
    const det = { n: 0 };
    const lm = { flag: 0.99, shift: 0, calls: 0 };
    const t = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: fakeLandmarks(lm, ['Identity_1:0', 'Identity_4:0']) });
    const f = await t.process(frame, 0);
    expect(f.found).toBe(true);
    expect(f.mask).toBeNull();
    expect(Array.from(f.world).every((v) => v === 0)).toBe(true);
    const t0 = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: fakeLandmarks(lm) }, { maskSize: 0 });
    expect((await t0.process(frame, 0)).mask).toBeNull();
  });

  it('fails with PoseModelError when the landmark output is missing', async () => {
    const det = { n: 0 };
    const lm = { flag: 0.99, shift: 0, calls: 0 };
    const t = new PoseTracker({ detector: fakeDetector(() => [person], det), landmarks: fakeLandmarks(lm, ['Identity_2:0']) });
    await expect(t.process(frame, 0)).rejects.toBeInstanceOf(PoseModelError);
    await expect(t.process(frame, 0)).rejects.toThrow(/Identity_2:0/);
  });

  it('runs calls one after another even when not awaited', async () => {
    const { tracker, det } = setup();
    const results = await Promise.all([0, 1, 2].map((i) => tracker.process(frame, i / 30)));
    expect(results.every((r) => r.found)).toBe(true);
    expect(det.n).toBe(1);
  });

  it('validates its inputs and options', () => {
    const { tracker } = setup();
    expect(() => tracker.process({ data: new Uint8Array(3), width: 2, height: 2 }, 0)).toThrow(/16 bytes/);
    expect(() => tracker.process(frame, Number.NaN)).toThrow(/timestampS/);
    expect(() => tracker.follow({ x: Number.NaN, y: 0 })).toThrow(/finite/);
    const runner: ModelRunner = async () => ({});
    expect(() => new PoseTracker({ detector: runner, landmarks: runner }, { minPoseScore: 2 })).toThrow(/minPoseScore/);
    expect(() => new PoseTracker({ detector: runner, landmarks: runner }, { maskSize: 12.5 })).toThrow(/maskSize/);
    expect(() => new PoseTracker({ detector: runner, landmarks: runner }, { hands: true })).toThrow(/models.hand/);
  });
});
