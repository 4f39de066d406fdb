import { bodyFrame, bodyModelMesh, forwardKinematics, J, JOINT_COUNT, modelSkeleton, perFrameFit, posedMesh, meshSilhouette, type BodyTrack, type PosedSkeleton, type Silhouette } from '../../body';
import { frameMapping, type TimelineSettings } from '../../media';
import type { PoseTrack, RgbaImage } from '../../pose';
import type { EngineProgress } from '../engine';
import { NO_PART_CLOCK, type PartClock } from '../part-times';
import { GpuCompositor } from './composite';
import type { BuiltinConfig } from './config';
import { FaceChooser, jointTurn, type FaceView } from './face-views';
import { faceIsClear, gather, newAppearance, planViews, type ReferenceBody } from './gather';
import type { LayerImage } from './appearance';
import { ExpressionTransfer, type ClipFaces } from './face-warp';
import { boneSegments, outsideLayer, segmentRadii } from './outside';
import { personHeightPixels } from './pieces';
import { maskedMean, ReferenceView } from './reference';

/** What the builtin engine renders from: the reference clip with its pose and body, and the retargeted motion body. */
export interface BuiltinJob {
  reference: { clipId: string; width: number; height: number; timestamps: number[]; track: PoseTrack; body: BodyTrack };
  /** The motion body on the reference body and camera, indexed by motion frames. */
  retargeted: BodyTrack;
  /** The motion clip's face landmarks (its expressions, face-warp.ts); null when it has none. */
  motionFaces: ClipFaces | null;
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

/** What the per-frame render takes from a reference frame, kept while that frame repeats (output faster than the reference, or held). */
interface SourceFrame {
  r: number;
  /** This reference frame's person colour against the clip's, per channel. */
  gain: [number, number, number];
  /** The person's own pixels (the layer beyond the mesh comes from them). */
  tight: Uint8Array;
  fromPose: PosedSkeleton;
  faceIsClear: boolean;
  /** The fitted mesh's silhouette in this frame: the layer leaves what it covers to the texture. */
  covered: Silhouette;
  /** The layer's smallest piece (pixels²) and thinnest core (pixels) in this frame: config shares of the person's height. */
  pieces: { minPiece: number; minCore: number };
  /** This frame on the GPU: the layer beyond the mesh samples it at full resolution. */
  image: LayerImage;
  /** The face's outline in this frame, whose pixels go with the head (null: no face landmarks). */
  face: { joint: number; polygon: Float32Array } | null;
}

/**
 * The builtin engine: the reference person's appearance lifted onto the fitted body, the body
 * re-posed with the retargeted motion and rendered with the reference camera, composited over the
 * background plate of the reference frame at the same time, colour-matched to that frame.
 * Frames stream through: memory is bounded by the plate window, not the clip length.
 *
 * A composition of named parts, each in its own file: the reference as the engine sees it
 * (reference.ts), the background plate (plate-stream.ts, plate*.ts), the appearance gather
 * (gather.ts, appearance*.ts), the face (face-views.ts `FaceChooser`), the layer beyond the mesh
 * (outside.ts) and the compositor (composite.ts); the tuning is the job's frozen config (config.ts).
 * `clock` times the parts (part-times.ts) without changing what they make.
 */
export async function runBuiltin(
  device: GPUDevice,
  job: BuiltinJob,
  readFrame: (clipId: string, index: number) => Promise<RgbaImage>,
  emit: (rgba: Uint8ClampedArray, index: number) => Promise<void>,
  onProgress: (p: EngineProgress) => void,
  signal: AbortSignal,
  clock: PartClock = NO_PART_CLOCK,
): Promise<{ frameCount: number; views: number }> {
  const { width, height, reference, retargeted, config } = job;
  const { face: faceConfig, layer: layerConfig } = config;
  const reachByJoint = Float32Array.from({ length: JOINT_COUNT }, (_, j) => (ARM_JOINTS.includes(j) ? layerConfig.armReach : layerConfig.reach));
  const check = () => {
    if (signal.aborted) throw Object.assign(new Error('canceled'), { name: 'AbortError' });
  };
  const { times, reference: refIndex, motion: motionIndex } = frameMapping(job.timeline, job.fps, reference.timestamps, job.motionTimestamps);
  const ref = new ReferenceView(job, readFrame, config, clock);
  const { k } = ref;
  // The layer's piece limits for a reference frame where the body stands at this pose (config.ts `layer.minPiece`, `minCore`).
  const pieceLimits = (pose: PosedSkeleton) => {
    const size = personHeightPixels(k.fx, reference.body.shape.height, pose.positions[J.pelvis * 3 + 2]!);
    return { minPiece: layerConfig.minPiece * size * size, minCore: layerConfig.minCore * size };
  };

  // Where the reference person was in each frame (not the smoothed body, which lags a fast limb):
  // the gather and the layer read their pixels through it.
  const referenceFit = perFrameFit(reference.body);

  // 1. Plate and appearance: the reference body's texels from the best views over the whole clip,
  // the same views priming the background plate.
  const mesh = bodyModelMesh(reference.body.shape, reference.body.model);
  const refSkel = modelSkeleton(reference.body.shape, reference.body.model);
  const appearance = newAppearance(device, { mesh, skeleton: refSkel });
  try {
    const { views, plates } = planViews(ref, referenceFit, reference.track.frameCount, Math.max(...refIndex), config, clock);
    const segments = boneSegments(refSkel);
    const radii = segmentRadii(mesh, refSkel, segments);
    const body: ReferenceBody = { track: referenceFit, mesh, skeleton: refSkel, segments };
    const { faces, personColour: globalColour } = await clock.time('gather', () => gather({ appearance, views, plates }, ref, body, config, check, onProgress, clock));

    // 2. Per output frame: plate of the reference frame, the re-posed textured body, the layer
    // beyond the mesh, the face, composite.
    const motionSkel = modelSkeleton(retargeted.shape, retargeted.model);
    // The retargeted body has the reference's model, so the topology (and the texture's UVs) match.
    const motionMesh = retargeted.shape === reference.body.shape ? mesh : bodyModelMesh(retargeted.shape, retargeted.model);
    const target = device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.TEXTURE_BINDING });
    const depth = device.createTexture({ size: [width, height], format: 'depth32float', usage: GPUTextureUsage.RENDER_ATTACHMENT });
    const compositor = new GpuCompositor(device, width, height);
    const start = Math.min(job.startFrame ?? 0, times.length);
    const faceChooser = new FaceChooser(faces, faceConfig);
    const expression = ExpressionTransfer.create(ref.faces, job.motionFaces, faceConfig.expression);
    // The face's outline in reference frame `r` (output pixels): its pixels go with the head.
    const faceRegion = (r: number) => {
      const polygon = ref.faceOutline(r);
      return polygon ? { joint: J.head, polygon } : null;
    };
    // Face views on the GPU, made when first shown.
    const viewImages = new Map<FaceView, LayerImage>();
    let source = null as SourceFrame | null;
    try {
      for (let i = start; i < times.length; i++) {
        check();
        const r = refIndex[i]!;
        const { plate, frame: cached } = await clock.time('plates', () => plates.plateAt(r));

        if (cached && source?.r !== r) clock.time('layer', () => {
          source?.image.destroy();
          const from = bodyFrame(referenceFit, r);
          const here = maskedMean(cached.rgba, cached.alpha);
          const fromPose = forwardKinematics(refSkel, from.rotations, from.root);
          source = {
            r,
            gain: here && globalColour ? ([0, 1, 2].map((c) => Math.min(config.colourGain.max, Math.max(config.colourGain.min, here[c]! / Math.max(1, globalColour[c]!)))) as [number, number, number]) : [1, 1, 1],
            tight: ref.personPixels(r, cached.rgba),
            fromPose,
            faceIsClear: faceIsClear(ref, segments, fromPose),
            covered: meshSilhouette(posedMesh(mesh, refSkel, from.rotations, from.root).positions, mesh.indices, ref.camera),
            pieces: pieceLimits(fromPose),
            image: appearance.layerImage(cached.rgba, width, height),
            face: faceRegion(r),
          };
        });
        const motionFrame = Math.min(motionIndex[i]!, retargeted.frameCount - 1);
        const toPose = clock.time('body', () => {
          appearance.setGain(cached && source ? source.gain : [1, 1, 1]);
          const m = motionFrame;
          const f = bodyFrame(retargeted, m);
          appearance.render(target, depth, posedMesh(motionMesh, motionSkel, f.rotations, f.root), k);
          return forwardKinematics(motionSkel, f.rotations, f.root);
        });
        const shown = source;
        // Hair and clothes beyond the mesh: this reference frame's person pixels, moved with their bones.
        const faceShown = cached !== null && shown !== null && clock.time('layer', () => {
          const { tight, fromPose, covered, faceIsClear, pieces, image, face } = shown;
          const front = new Set(DETAIL_JOINTS.filter((j) => (j !== J.head || faceIsClear) && jointTurn(fromPose, toPose, j) < faceConfig.frontMaxTurn));
          const layer = outsideLayer({
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
            ...pieces,
            ...(face ? { region: face } : {}),
          });
          // The face carried from this frame makes the motion frame's expression (when both show a face).
          const expressed = front.has(J.head) && expression ? clock.time('face', () => expression.apply(cached.rgba, width, height, shown.r, motionFrame)) : null;
          const faceImage = expressed ? appearance.layerImage(expressed, width, height) : null;
          appearance.renderLayer(target, depth, layer, faceImage ?? image, k);
          faceImage?.destroy();
          return front.has(J.head);
        });
        // The head turned too far from this reference frame: the face of the view that saw it turned most alike.
        clock.time('face', () => {
          for (const { face: view, opacity } of faceChooser.next(toPose, faceShown)) {
            const region = view.outline ? { region: { joint: J.head, polygon: view.outline } } : {};
            const layer = outsideLayer({ ...view, segments, radii, to: toPose, front: HEAD_ONLY, inset: layerConfig.inset, reach: reachByJoint, onlyFront: true, ...pieceLimits(view.from), ...region });
            let image = viewImages.get(view);
            if (!image) viewImages.set(view, (image = appearance.layerImage(view.rgba, view.width, view.height)));
            // This view's face, too, makes the motion frame's expression.
            const expressed = expression && view.shape ? expression.applyTo(view.rgba, view.width, view.height, view.shape, motionFrame) : null;
            const faceImage = expressed ? appearance.layerImage(expressed, view.width, view.height) : null;
            appearance.renderLayer(target, depth, layer, faceImage ?? image, k, opacity);
            faceImage?.destroy();
          }
        });
        const out = await clock.time('composite', () => compositor.composite(plate, target));
        await emit(out, i);
        onProgress({ stage: 'render', done: i + 1, total: times.length });
      }
    } finally {
      target.destroy();
      depth.destroy();
      compositor.dispose();
      source?.image.destroy();
      for (const image of viewImages.values()) image.destroy();
    }
    return { frameCount: times.length, views: appearance.viewCount };
  } finally {
    appearance.dispose();
  }
}
