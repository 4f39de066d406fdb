/**
 * The builtin engine's prepare stage: the reference person's appearance gathered onto the body's
 * UV layout from views spread over the whole clip, the face views the render may show, the clip's
 * mean person colour, and the same views priming the background plate. One part of the engine
 * (see runner.ts).
 */
import { bodyFrame, forwardKinematics, heading, J, meshSilhouette, posedMesh, restFaceLandmarks, upDirection, type BodyMesh, type BodyTrack, type PosedSkeleton, type RestSkeleton } from '../../body';
import type { EngineProgress } from '../engine';
import { NO_PART_CLOCK, type PartClock } from '../part-times';
import { BodyAppearance } from './appearance';
import type { BuiltinConfig } from './config';
import { boneBox, cropFaceView, faceAngle, handOverFace, type FaceView } from './face-views';
import { faceOutline } from './face-warp';
import type { BoneSegment } from './outside';
import { PlateStream } from './plate-stream';
import { maskedMean, type ReferenceView } from './reference';
import { chooseViews } from './views';

/** The reference body as the parts share it: mesh, rest skeleton, bone segments. */
export interface ReferenceBody {
  track: BodyTrack;
  mesh: BodyMesh;
  skeleton: RestSkeleton;
  segments: BoneSegment[];
}

export interface Gathered {
  appearance: BodyAppearance;
  /** Head crops of the views that showed the face clearly (no hand in front). */
  faces: FaceView[];
  /** The person's mean colour over the views, for the per-frame colour gain; null when no view showed enough of them. */
  personColour: number[] | null;
  plates: PlateStream;
}

/** Whether a hand covers the face in a pose (a face with a hand in front of it tears when moved). */
export function faceIsClear(ref: ReferenceView, segments: readonly BoneSegment[], pose: PosedSkeleton): boolean {
  return !handOverFace(pose, segments, ref.k, ref.width, ref.height);
}

/** A new appearance atlas on the reference body's mesh (the caller disposes it). */
export function newAppearance(device: GPUDevice, body: Pick<ReferenceBody, 'mesh' | 'skeleton'>): BodyAppearance {
  const { mesh, skeleton } = body;
  return new BodyAppearance(device, { uvs: mesh.uvs, indices: mesh.indices, vertexCount: mesh.vertexCount, parts: mesh.parts, positions: mesh.positions, face: restFaceLandmarks(skeleton) });
}

/**
 * The views to gather (spread in time, topped up per heading; fitted frames only) and the plate
 * stream primed with the same frames: behind a person who hardly moves within the plate window,
 * the background comes from the times they stood elsewhere, not from inpainting. `clock` times
 * scene completion as the run's `completion` part.
 */
export function planViews(
  ref: ReferenceView,
  track: BodyTrack,
  frameCount: number,
  lastNeeded: number,
  config: BuiltinConfig,
  clock: PartClock = NO_PART_CLOCK,
): { views: number[]; plates: PlateStream } {
  const fitted = Array.from({ length: track.frameCount }, (_, i) => i).filter((i) => !track.filled[i] && track.confidence[i]! > config.views.minConfidence);
  const up = upDirection(track);
  const views = chooseViews(fitted, fitted.map((i) => heading(track, i, up)), config.views.max);
  const plates = new PlateStream({
    width: ref.width,
    height: ref.height,
    frameCount,
    lastNeeded,
    read: async (r) => ({ rgba: await ref.frame(r), ...ref.plateMasks(r) }),
    primeFrames: views,
    builder: { completion: config.completion, shadows: config.shadow, clock },
  });
  return { views, plates };
}

/** Gathers every view (see the module comment), reporting progress per view; `clock` times priming the plates as the run's `plates` part. */
export async function gather(
  started: { appearance: BodyAppearance; views: number[]; plates: PlateStream },
  ref: ReferenceView,
  body: ReferenceBody,
  config: BuiltinConfig,
  check: () => void,
  onProgress: (p: EngineProgress) => void,
  clock: PartClock = NO_PART_CLOCK,
): Promise<Gathered> {
  const { appearance, views, plates } = started;
  const { mesh, skeleton, segments, track } = body;
  const { k, width } = ref;
  const personColour = [0, 0, 0];
  let colourViews = 0;
  const headEnd = segments.find((s) => s.joint === J.head)?.offset ?? null;
  const faces: FaceView[] = [];
  for (let v = 0; v < views.length; v++) {
    check();
    const r = views[v]!;
    const rgba = await ref.frame(r);
    const f = bodyFrame(track, r);
    // A tight person mask (no margin) in the alpha channel keeps background out of the texture.
    const tight = ref.personPixels(r, rgba);
    const view = new Uint8ClampedArray(rgba);
    for (let p = 0; p < tight.length; p++) view[p * 4 + 3] = tight[p]!;
    const posed = posedMesh(mesh, skeleton, f.rotations, f.root);
    appearance.addView({ data: view, width, height: ref.height }, posed, k, f.confidence);
    const fromPose = forwardKinematics(skeleton, f.rotations, f.root);
    const headBox = headEnd && boneBox(fromPose, J.head, headEnd, k, width, ref.height, config.face.margin);
    if (headBox && faceIsClear(ref, segments, fromPose)) {
      const shape = ref.faceShape(r);
      const outline = shape && faceOutline(shape);
      const face = cropFaceView({ rgba, mask: tight, width }, k, fromPose, meshSilhouette(posed.positions, mesh.indices, ref.camera), headBox, shape && outline ? { shape, outline } : null);
      faces.push({ ...face, maxTurn: faceAngle(fromPose) < config.face.viewMaxAway ? config.face.viewMaxTurn : config.face.frontMaxTurn });
    }
    const alpha = clock.time('plates', () => {
      const masks = ref.plateMasks(r);
      plates.prime({ rgba, ...masks });
      return masks.alpha;
    });
    const mean = maskedMean(rgba, alpha);
    if (mean) {
      mean.forEach((m, c) => (personColour[c]! += m));
      colourViews++;
    }
    onProgress({ stage: 'prepare', done: v + 1, total: views.length + 1 });
  }
  await appearance.finish();
  return { appearance, faces, personColour: colourViews ? personColour.map((c) => c / colourViews) : null, plates };
}
