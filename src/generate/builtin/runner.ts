import { bodyFrame, bodyModelMesh, forwardKinematics, heading, J, JOINT_COUNT, modelSkeleton, posedMesh, meshSilhouette, restFaceLandmarks, upDirection, type BodyCamera, type BodyTrack, type PosedSkeleton, type Silhouette } from '../../body';
import { frameMapping, type TimelineSettings } from '../../media';
import type { PoseTrack, RgbaImage } from '../../pose';
import type { EngineProgress } from '../engine';
import { BodyAppearance } from './appearance';
import { GpuCompositor } from './composite';
import { boneBox, cropFaceView, faceAngle, faceFade, handOverFace, jointTurn, nearestFaceView, type FaceFade, type FaceFadeStep, type FaceView } from './face-views';
import { boneSegments, outsideLayer, segmentRadii } from './outside';
import { personMask } from './mask';
import { refineMatte } from './matte';
import { PlateStream } from './plate-stream';
import { chooseViews } from './views';
import type { BuiltinConfig } from './config';

/** What the builtin engine renders from: the reference clip with its pose and body, and the retargeted motion body. */
export interface BuiltinJob {
  reference: { clipId: string; width: number; height: number; timestamps: number[]; track: PoseTrack; body: BodyTrack };
  /** The motion body on the reference body and camera, indexed by motion frames. */
  retargeted: BodyTrack;
  motionTimestamps: number[];
  timeline: TimelineSettings;
  fps: number;
  /** Output size, pixels (even); the reference frame scaled to it. */
  width: number;
  height: number;
  /** First output frame to make (a resumed run starts after the frames it kept); 0 by default. */
  startFrame?: number;
  /** The engine's tuning (BUILTIN_CONFIG unless an experiment says otherwise). */
  config: BuiltinConfig;
}

const DETAIL_JOINTS = [J.head, J.left_wrist, J.right_wrist, J.left_hand, J.right_hand];
const HEAD_ONLY: ReadonlySet<number> = new Set([J.head]);
const ARM_JOINTS = [J.left_shoulder, J.right_shoulder, J.left_elbow, J.right_elbow, J.left_wrist, J.right_wrist, J.left_hand, J.right_hand];

/** Mean RGB of `rgba` where `alpha` (0-255) is high; null when nothing is selected. */
function maskedMean(rgba: Uint8ClampedArray, alpha: Uint8Array): [number, number, number] | null {
  const sum: [number, number, number] = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < alpha.length; i += 3) {
    if (alpha[i]! < 200) continue;
    sum[0] += rgba[i * 4]!;
    sum[1] += rgba[i * 4 + 1]!;
    sum[2] += rgba[i * 4 + 2]!;
    n++;
  }
  return n > 50 ? [sum[0] / n, sum[1] / n, sum[2] / n] : null;
}

/**
 * The builtin engine: the reference person's appearance lifted onto the fitted body, the body
 * re-posed with the retargeted motion and rendered with the reference camera, composited over the
 * background plate of the reference frame at the same time, colour-matched to that frame.
 * Frames stream through: memory is bounded by the plate window, not the clip length.
 */
export async function runBuiltin(
  device: GPUDevice,
  job: BuiltinJob,
  readFrame: (clipId: string, index: number) => Promise<RgbaImage>,
  emit: (rgba: Uint8ClampedArray, index: number) => Promise<void>,
  onProgress: (p: EngineProgress) => void,
  signal: AbortSignal,
): Promise<{ frameCount: number; views: number }> {
  const { width, height, reference, retargeted, config } = job;
  const { face: faceConfig, layer: layerConfig } = config;
  const reachByJoint = Float32Array.from({ length: JOINT_COUNT }, (_, j) => (ARM_JOINTS.includes(j) ? layerConfig.armReach : layerConfig.reach));
  const check = () => {
    if (signal.aborted) throw Object.assign(new Error('canceled'), { name: 'AbortError' });
  };
  const { times, reference: refIndex, motion: motionIndex } = frameMapping(job.timeline, job.fps, reference.timestamps, job.motionTimestamps);

  // Reference frames at output size.
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  const outputFrame = async (r: number): Promise<Uint8ClampedArray> => {
    const f = await readFrame(reference.clipId, r);
    const src = new OffscreenCanvas(f.width, f.height);
    src.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(f.data), f.width, f.height), 0, 0);
    g.drawImage(src, 0, 0, width, height);
    return g.getImageData(0, 0, width, height).data;
  };
  const maskOf = (r: number) => personMask(reference.track, r, { width, height }).alpha;
  /** The person's own pixels: the tracker's mask (no margin) with its edge moved onto the frame's colour edge. */
  const tightMask = (r: number, rgba: Uint8ClampedArray) => {
    const m = personMask(reference.track, r, { width, height, margin: 0, feather: 0, motionBlur: 0, threshold: config.tightMaskThreshold, head: false });
    if (m.source === 'mask' && m.box) refineMatte(m.alpha, rgba, width, height, { radius: Math.max(3, Math.round(config.matteRadius * Math.max(m.box.x1 - m.box.x0, m.box.y1 - m.box.y0))) });
    return m.alpha;
  };

  const scale = width / reference.body.camera.width;
  const k = { fx: reference.body.camera.focal * scale, fy: reference.body.camera.focal * scale, cx: reference.body.camera.cx * scale, cy: reference.body.camera.cy * scale };
  const outputCamera: BodyCamera = { focal: k.fx, cx: k.cx, cy: k.cy, width, height };

  // 1. Appearance: the reference body's texels from the best views over the whole clip.
  const mesh = bodyModelMesh(reference.body.shape, reference.body.model);
  const refSkel = modelSkeleton(reference.body.shape, reference.body.model);
  const appearance = new BodyAppearance(device, { uvs: mesh.uvs, indices: mesh.indices, vertexCount: mesh.vertexCount, parts: mesh.parts, positions: mesh.positions, face: restFaceLandmarks(refSkel) });
  try {
    const fitted = Array.from({ length: reference.body.frameCount }, (_, i) => i).filter((i) => !reference.body.filled[i] && reference.body.confidence[i]! > config.views.minConfidence);
    const up = upDirection(reference.body);
    const views = chooseViews(fitted, fitted.map((i) => heading(reference.body, i, up)), config.views.max);
    // The same frames prime the background model: behind a person who hardly moves within the
    // plate window, the background comes from the times they stood elsewhere, not from inpainting.
    const plates = new PlateStream({
      width,
      height,
      frameCount: reference.track.frameCount,
      lastNeeded: Math.max(...refIndex),
      read: async (r) => ({ rgba: await outputFrame(r), alpha: maskOf(r) }),
      primeFrames: views,
    });
    const personColour = [0, 0, 0];
    let colourViews = 0;
    const segments = boneSegments(refSkel);
    const radii = segmentRadii(mesh, refSkel, segments);
    const headEnd = segments.find((s) => s.joint === J.head)?.offset ?? null;
    const faces: FaceView[] = [];
    // A face with a hand in front of it is partly hand: moved into another pose, it tears.
    const faceClear = (pose: PosedSkeleton) => !handOverFace(pose, segments, k, width, height);
    for (let v = 0; v < views.length; v++) {
      check();
      const r = views[v]!;
      const rgba = await outputFrame(r);
      const f = bodyFrame(reference.body, r);
      // A tight person mask (no margin) in the alpha channel keeps background out of the texture.
      const tight = tightMask(r, rgba);
      const view = new Uint8ClampedArray(rgba);
      for (let p = 0; p < tight.length; p++) view[p * 4 + 3] = tight[p]!;
      const posed = posedMesh(mesh, refSkel, f.rotations, f.root);
      appearance.addView({ data: view, width, height }, posed, k, f.confidence);
      const fromPose = forwardKinematics(refSkel, f.rotations, f.root);
      const headBox = headEnd && boneBox(fromPose, J.head, headEnd, k, width, height, faceConfig.margin);
      if (headBox && faceClear(fromPose)) {
        const face = cropFaceView({ rgba, mask: tight, width }, k, fromPose, meshSilhouette(posed.positions, mesh.indices, outputCamera), headBox);
        faces.push({ ...face, maxTurn: faceAngle(fromPose) < faceConfig.viewMaxAway ? faceConfig.viewMaxTurn : faceConfig.frontMaxTurn });
      }
      const alpha = maskOf(r);
      plates.prime({ rgba, alpha });
      const mean = maskedMean(rgba, alpha);
      if (mean) {
        mean.forEach((m, c) => (personColour[c]! += m));
        colourViews++;
      }
      onProgress({ stage: 'prepare', done: v + 1, total: views.length + 1 });
    }
    await appearance.finish();
    const globalColour = colourViews ? personColour.map((c) => c / colourViews) : null;

    // 2. Per output frame: plate of the reference frame, the re-posed textured body, composite.
    const motionSkel = modelSkeleton(retargeted.shape, retargeted.model);
    // The retargeted body has the reference's model, so the topology (and the texture's UVs) match.
    const motionMesh = retargeted.shape === reference.body.shape ? mesh : bodyModelMesh(retargeted.shape, retargeted.model);
    const target = device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING });
    const depth = device.createTexture({ size: [width, height], format: 'depth32float', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    const compositor = new GpuCompositor(device, width, height);
    const start = Math.min(job.startFrame ?? 0, times.length);
    let lastFace: FaceView | null = null;
    let fade: FaceFade<FaceView | null> | null = null;
    let source = null as { r: number; gain: [number, number, number]; tight: Uint8Array; fromPose: PosedSkeleton; faceIsClear: boolean; covered: Silhouette } | null;
    try {
      for (let i = start; i < times.length; i++) {
        check();
        const r = refIndex[i]!;
        const { plate, frame: cached } = await plates.plateAt(r);

        // What depends on the reference frame only, kept while it repeats (output faster than the reference, or held).
        if (cached && source?.r !== r) {
          const from = bodyFrame(reference.body, r);
          // Colour: this reference frame's person colour against the clip's.
          const here = maskedMean(cached.rgba, cached.alpha);
          const fromPose = forwardKinematics(refSkel, from.rotations, from.root);
          source = {
            r,
            gain: here && globalColour ? ([0, 1, 2].map((c) => Math.min(config.colourGain.max, Math.max(config.colourGain.min, here[c]! / Math.max(1, globalColour[c]!)))) as [number, number, number]) : [1, 1, 1],
            tight: tightMask(r, cached.rgba),
            fromPose,
            faceIsClear: faceClear(fromPose),
            covered: meshSilhouette(posedMesh(mesh, refSkel, from.rotations, from.root).positions, mesh.indices, outputCamera),
          };
        }
        appearance.setGain(cached && source ? source.gain : [1, 1, 1]);

        const m = Math.min(motionIndex[i]!, retargeted.frameCount - 1);
        const f = bodyFrame(retargeted, m);
        appearance.render(target, depth, posedMesh(motionMesh, motionSkel, f.rotations, f.root), k);
        const toPose = forwardKinematics(motionSkel, f.rotations, f.root);
        let faceShown = false;
        if (cached && source) {
          // Hair and clothes beyond the mesh: this reference frame's person pixels, moved with their bones.
          const { tight, fromPose, covered, faceIsClear } = source;
          const front = new Set(DETAIL_JOINTS.filter((j) => (j !== J.head || faceIsClear) && jointTurn(fromPose, toPose, j) < faceConfig.frontMaxTurn));
          faceShown = front.has(J.head);
          const layer = outsideLayer({
            rgba: cached.rgba,
            mask: tight,
            width,
            height,
            k,
            segments,
            radii,
            from: fromPose,
            to: toPose,
            front,
            covered,
            inset: layerConfig.inset,
            reach: reachByJoint,
            blend: layerConfig.blend,
          });
          appearance.renderLayer(target, depth, layer, k);
        }
        // The head turned too far from this reference frame: the face of the view that saw it turned most alike.
        const face: FaceView | null = faceShown ? null : nearestFaceView(faces, toPose, J.head, { maxTurn: faceConfig.frontMaxTurn, previous: lastFace, hysteresis: faceConfig.hysteresis });
        const shown: FaceFadeStep<FaceView> = faceFade(lastFace, face, fade, faceConfig.fadeFrames);
        lastFace = face;
        fade = shown.fade;
        for (const { face: view, opacity } of shown.draws) {
          const layer = outsideLayer({ ...view, segments, radii, to: toPose, front: HEAD_ONLY, inset: layerConfig.inset, reach: reachByJoint, onlyFront: true });
          appearance.renderLayer(target, depth, layer, k, opacity);
        }
        const out = await compositor.composite(plate, target);
        await emit(out, i);
        onProgress({ stage: 'render', done: i + 1, total: times.length });
      }
    } finally {
      target.destroy();
      depth.destroy();
      compositor.dispose();
    }
    return { frameCount: times.length, views: appearance.viewCount };
  } finally {
    appearance.dispose();
  }
}
