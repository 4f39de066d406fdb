import { describe, expect, it } from 'vitest';
import { fitBodyTrack } from './fit';
import { fitModel } from './fit-frame';
import { DEG, type Quat, type Vec3, dist3, dot, qAngle, qFromRotVec, qFromTo, qMul, qRotate, quatAt, vec3At } from './math';
import { footPoints, floorElevation, groundPlane, lowestFoot, retargetMotion, upDirection } from './retarget';
import { type BodyShape, legLength, restSkeleton } from './shape';
import { PARENTS } from './skeleton';
import { forwardKinematics } from './skinning';
import { seededRandom, syntheticPoseTrack, walkingClip } from './synthetic-testing';
import { type BodyTrack, centredCamera, emptyBodyTrack } from './types';

const MOTION_SHAPE: BodyShape = { height: 1.86, legs: 1.08, arms: 1.02, torso: 0.97, neckHead: 0.95, shoulders: 1.05, hips: 0.95, girth: 0 };
const REF_SHAPE: BodyShape = { height: 1.58, legs: 0.95, arms: 0.97, torso: 1.04, neckHead: 1.1, shoulders: 0.92, hips: 1.1, girth: 0.3 };

/** Turns a clip's camera-space geometry as if the camera were pitched by `deg` (rotation about x). */
function pitch(clip: { rotations: Float32Array; roots: Float32Array }, deg: number): void {
  const r: Quat = qFromRotVec([deg * DEG, 0, 0]);
  for (let i = 0; i < clip.roots.length / 3; i++) {
    clip.roots.set(qRotate(r, vec3At(clip.roots, i)), i * 3);
    clip.rotations.set(qMul(r, quatAt(clip.rotations, i * 24)), i * 96);
  }
}

/** Exact body track of a synthetic clip (no fitting). */
function exactTrack(shape: BodyShape, clip: { rotations: Float32Array; roots: Float32Array }): BodyTrack {
  const n = clip.roots.length / 3;
  const t = emptyBodyTrack(n, shape, centredCamera(1280, 720, 1000));
  t.rotations.set(clip.rotations);
  t.roots.set(clip.roots);
  return t;
}

describe('retargeting', () => {
  // Reference: a person swaying on the spot, seen by a camera pitched 12° down, floor 1.4 m below it.
  const refModel = fitModel(REF_SHAPE);
  const refCamera = centredCamera(720, 1280, 1200);
  const refClip = walkingClip(refModel, 30, { period: 60, stride: 0, floorY: 1.4, startZ: 4 });
  pitch(refClip, -12);
  const reference = fitBodyTrack(syntheticPoseTrack(refModel, refClip.rotations, refClip.roots, refCamera, seededRandom(2), 0.004, 1));
  // Motion: a taller person walking towards a level camera.
  const motionModel = fitModel(MOTION_SHAPE);
  const motionClip = walkingClip(motionModel, 90, { floorY: 1.1, startZ: 7, stride: 0.04, yawDeg: 10 });
  const motion = fitBodyTrack(syntheticPoseTrack(motionModel, motionClip.rotations, motionClip.roots, centredCamera(1280, 720, 1000), seededRandom(3), 0.004, 1));

  it("estimates the reference's ground plane", () => {
    const trueUp = qRotate(qFromRotVec([-12 * DEG, 0, 0]), [0, -1, 0]);
    const up = upDirection(reference);
    const ground = groundPlane(reference, up);
    const angle = Math.acos(Math.min(1, dot(up, trueUp))) / DEG;
    // The synthetic floor touches the true lowest foot point of every frame.
    let worst = 0;
    for (let i = 0; i < refClip.roots.length / 3; i++) {
      const feet = footPoints(refModel.skel, refClip.rotations.subarray(i * 96, (i + 1) * 96), refClip.roots.subarray(i * 3, i * 3 + 3));
      const lowest = feet.reduce((a, p) => (dot(p, trueUp) < dot(a, trueUp) ? p : a));
      worst = Math.max(worst, Math.abs(dot(lowest, up) - ground.height));
    }
    console.log(`[body retarget] reference ground (camera pitched 12°): up off by ${angle.toFixed(1)}°, true floor contacts within ${(worst * 100).toFixed(1)} cm of the plane`);
    expect(angle).toBeLessThan(3);
    expect(worst).toBeLessThan(0.05);
  });

  it("transfers the reference's shape: bone lengths within 1%", () => {
    const out = retargetMotion(motion, reference);
    const skel = restSkeleton(reference.shape);
    let worst = 0;
    for (let i = 0; i < out.frameCount; i++) {
      const posed = forwardKinematics(restSkeleton(out.shape), out.rotations.subarray(i * 96, (i + 1) * 96), out.roots.subarray(i * 3, i * 3 + 3));
      for (let j = 1; j < 24; j++) {
        const got = dist3(vec3At(posed.positions, j), vec3At(posed.positions, PARENTS[j]!));
        const want = dist3(vec3At(skel.joints, j), vec3At(skel.joints, PARENTS[j]!));
        worst = Math.max(worst, Math.abs(got / want - 1));
      }
    }
    console.log(`[body retarget] shape transfer: largest bone length error ${(worst * 100).toFixed(4)}% over ${out.frameCount} frames x 23 bones`);
    expect(worst).toBeLessThan(0.01);
    expect(out.shape.height).toBeCloseTo(reference.shape.height, 6);
    expect(out.camera).toEqual(reference.camera);
  });

  it('keeps the feet on the reference ground for a walk (anchor and follow)', () => {
    const up = upDirection(reference);
    const ground = groundPlane(reference, up);
    for (const placement of ['anchor', 'follow'] as const) {
      const out = retargetMotion(motion, reference, { placement });
      const skel = restSkeleton(out.shape);
      let worst = 0;
      for (let i = 0; i < out.frameCount; i++) {
        const low = lowestFoot(skel, out.rotations.subarray(i * 96, (i + 1) * 96), out.roots.subarray(i * 3, i * 3 + 3), up);
        worst = Math.max(worst, Math.abs(low - ground.height));
      }
      console.log(`[body retarget] ${placement}: lowest foot point off the reference ground by at most ${(worst * 100).toFixed(2)} cm over ${out.frameCount} frames`);
      expect(worst).toBeLessThan(0.02);
    }
  });

  it('anchors to the reference person, or follows the motion scaled by leg length', () => {
    const k = legLength(restSkeleton(reference.shape)) / legLength(restSkeleton(motion.shape));
    const anchored = retargetMotion(motion, reference);
    const follow = retargetMotion(motion, reference, { placement: 'follow' });
    const up = upDirection(reference);
    const flat = (p: Vec3) => {
      const h = dot(p, up);
      return [p[0] - h * up[0], p[1] - h * up[1], p[2] - h * up[2]] as Vec3;
    };
    const anchor = flat(vec3At(reference.roots, 0));
    const n = motion.frameCount;
    const motionTravel = dist3(vec3At(motion.roots, n - 1), vec3At(motion.roots, 0));
    const followTravel = dist3(flat(vec3At(follow.roots, n - 1)), flat(vec3At(follow.roots, 0)));
    let anchorDrift = 0;
    for (let i = 0; i < n; i++) anchorDrift = Math.max(anchorDrift, dist3(flat(vec3At(anchored.roots, i)), anchor));
    console.log(
      `[body retarget] motion travels ${motionTravel.toFixed(2)} m; follow travels ${followTravel.toFixed(2)} m (leg ratio ${k.toFixed(3)}); ` +
        `anchor stays within ${anchorDrift.toFixed(2)} m of the reference person`,
    );
    expect(followTravel / motionTravel).toBeCloseTo(k, 1);
    expect(anchorDrift).toBeLessThan(0.25);
    // The motion's heading relative to the camera is kept, up to the tilt between the two cameras.
    const tilt = qFromTo(upDirection(motion), up);
    expect(qAngle(quatAt(follow.rotations, 0), qMul(tilt, quatAt(motion.rotations, 0)))).toBeLessThan(1e-3);
  });

  it("'scene' puts the body where the motion person is in its frame, at the same pixel size", () => {
    // Two takes from one camera, fitted with different focal lengths and frame sizes; the same
    // body shape on both sides, so every joint must land on the motion's pixels.
    const sameBody: BodyTrack = { ...reference, shape: motion.shape };
    const scene = retargetMotion(motion, sameBody, { placement: 'scene' });
    const skel = restSkeleton(motion.shape);
    const project = (t: BodyTrack, i: number) => {
      const p = forwardKinematics(skel, t.rotations.subarray(i * 96, (i + 1) * 96), vec3At(t.roots, i)).positions;
      // Normalised by frame width, about the principal point.
      return Array.from({ length: 24 }, (_, j) => [(t.camera.focal * p[j * 3]!) / p[j * 3 + 2]! / t.camera.width, (t.camera.focal * p[j * 3 + 1]!) / p[j * 3 + 2]! / t.camera.width]);
    };
    expect(reference.camera.focal).not.toBeCloseTo(motion.camera.focal, 0);
    expect(reference.camera.width).not.toBe(motion.camera.width);
    let worst = 0;
    let pelvis = 0;
    for (let i = 0; i < motion.frameCount; i += 5) {
      const [m, o] = [project(motion, i), project(scene, i)];
      pelvis = Math.max(pelvis, Math.hypot(m[0]![0]! - o[0]![0]!, m[0]![1]! - o[0]![1]!));
      for (let j = 0; j < 24; j++) worst = Math.max(worst, Math.hypot(m[j]![0]! - o[j]![0]!, m[j]![1]! - o[j]![1]!));
    }
    console.log(`[body retarget] scene placement: pelvis within ${(pelvis * 100).toExponential(1)} %, every joint within ${(worst * 100).toFixed(2)} % of the frame width of the motion's`);
    expect(pelvis).toBeLessThan(1e-6);
    // The rest only up to perspective: these two fits' focal lengths differ by 2.1x once frame
    // sizes are normalised, so depth offsets within the body project a little differently.
    expect(worst).toBeLessThan(0.02);
  });

  it('applies offset, scale and ground offset', () => {
    const base = retargetMotion(motion, reference);
    const moved = retargetMotion(motion, reference, { offset: { x: 0.5, z: 1 }, groundOffset: 0.1, scale: 1.1 });
    const up = upDirection(reference);
    const d = vec3At(moved.roots, 0).map((v, c) => v - vec3At(base.roots, 0)[c]!) as Vec3;
    expect(d[0]).toBeGreaterThan(0.45); // to the camera's right
    expect(d[2]).toBeGreaterThan(0.9); // away from the camera
    expect(moved.shape.height).toBeCloseTo(base.shape.height * 1.1, 6);
    const ground = groundPlane(reference, up);
    const low = lowestFoot(restSkeleton(moved.shape), moved.rotations.subarray(0, 96), moved.roots.subarray(0, 3), up);
    expect(low - ground.height).toBeCloseTo(0.1, 2);
    expect(() => retargetMotion(motion, reference, { scale: 0 })).toThrow(/scale/);
  });

  it("keeps a walk on the ground when the motion's feet drift with depth (a floor its up misses)", () => {
    // Walking towards a level camera, the fitted pelvis leaning back 12° in every frame (what a
    // pitched camera does when the fit puts the pitch into the path but not into the pelvis):
    // the feet's height along the motion's up (the pelvis's) drifts by 0.2 m per metre of depth.
    const clip = walkingClip(motionModel, 120, { floorY: 1.1, startZ: 8, stride: 0.05 });
    const lean: Quat = qFromRotVec([12 * DEG, 0, 0]);
    for (let i = 0; i < 120; i++) {
      clip.rotations.set(qMul(lean, quatAt(clip.rotations, i * 24)), i * 96);
      // The feet stay on the level floor (1.1 m below the camera).
      const low = lowestFoot(motionModel.skel, clip.rotations.subarray(i * 96, (i + 1) * 96), [0, 0, 0], [0, -1, 0]);
      clip.roots[i * 3 + 1] = 1.1 + low;
    }
    const drifting = exactTrack(MOTION_SHAPE, clip);
    const upMot = upDirection(drifting);
    const skelMot = restSkeleton(MOTION_SHAPE);
    const lows = Array.from({ length: 120 }, (_, i) => lowestFoot(skelMot, drifting.rotations.subarray(i * 96, (i + 1) * 96), drifting.roots.subarray(i * 3, i * 3 + 3), upMot));
    const drift = Math.max(...lows) - Math.min(...lows);
    const offFloor = Math.max(...floorElevation(drifting, upMot));
    const out = retargetMotion(drifting, reference, { placement: 'anchor' });
    const up = upDirection(reference);
    const ground = groundPlane(reference, up);
    const skel = restSkeleton(out.shape);
    let worst = 0;
    for (let i = 0; i < out.frameCount; i++) worst = Math.max(worst, lowestFoot(skel, out.rotations.subarray(i * 96, (i + 1) * 96), out.roots.subarray(i * 3, i * 3 + 3), up) - ground.height);
    console.log(`[body retarget] feet drifting ${(drift * 100).toFixed(0)} cm along the motion's up: at most ${(offFloor * 100).toFixed(1)} cm above the fitted floor; retargeted feet at most ${(worst * 100).toFixed(1)} cm above the reference ground`);
    expect(drift).toBeGreaterThan(0.15);
    expect(offFloor).toBeLessThan(0.08);
    expect(worst).toBeLessThan(0.03);
  });

  it('carries jumps over: elevation above the contact threshold, scaled', () => {
    const clip = walkingClip(motionModel, 40, { stride: 0 });
    for (let i = 20; i < 26; i++) clip.roots[i * 3 + 1]! -= 0.3; // 30 cm up (y is down)
    const jump = exactTrack(MOTION_SHAPE, clip);
    const out = retargetMotion(jump, reference, { placement: 'follow' });
    const up = upDirection(reference);
    const ground = groundPlane(reference, up);
    const k = legLength(restSkeleton(reference.shape)) / legLength(restSkeleton(MOTION_SHAPE));
    const low = lowestFoot(restSkeleton(out.shape), out.rotations.subarray(22 * 96, 23 * 96), out.roots.subarray(66, 69), up) - ground.height;
    console.log(`[body retarget] a 30 cm jump lands at ${(low * 100).toFixed(1)} cm above the reference ground (expected ${((0.3 - 0.04) * k * 100).toFixed(1)} cm)`);
    expect(low).toBeCloseTo((0.3 - 0.04) * k, 2);
  });
});
