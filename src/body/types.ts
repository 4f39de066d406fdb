/**
 * The body track: one fitted (or retargeted) 3D body per frame of a clip, packed in typed arrays
 * so that it can be stored and posted between workers (see `bodyTrackBuffers`).
 */
import type { BodyModel } from './body-model';
import type { BodyShape } from './shape';

/** Bump when the stored layout or the fit's results change, so cached tracks are recomputed. */
export const BODY_TRACK_VERSION = 3;

/**
 * Pinhole camera, OpenCV convention (x right, y down, z forward, metres; pixels with the origin at
 * the top-left corner of the frame): u = cx + focal * X / Z, v = cy + focal * Y / Z.
 */
export interface BodyCamera {
  /** Focal length, pixels (square pixels). */
  focal: number;
  /** Principal point, pixels (the frame centre). */
  cx: number;
  cy: number;
  /** Frame size in display pixels. */
  width: number;
  height: number;
}

/** A body per frame of a clip. */
export interface BodyTrack {
  version: number;
  frameCount: number;
  /** One body shape for the whole clip. */
  shape: BodyShape;
  /** The body model the shape and rotations refer to; absent: the built-in body. */
  model?: BodyModel;
  camera: BodyCamera;
  /** frameCount x 24 x (x, y, z, w): local joint rotations (SMPL order; see skeleton.ts). Joint 0 is the body's orientation in camera space. */
  rotations: Float32Array;
  /** frameCount x 3: pelvis joint position in camera space, metres. */
  roots: Float32Array;
  /** frameCount confidence of the pose in [0, 1] (pose presence times keypoint visibility). */
  confidence: Float32Array;
  /** frameCount: 1 where the frame was not fitted but filled in from its neighbours. */
  filled: Uint8Array;
  /** frameCount mean distance of the projected body joints from the 2D keypoints, pixels; NaN where not measured. */
  reprojectionErrorPx: Float32Array;
  /**
   * Each frame's own fit before temporal smoothing (same layout as `rotations` and `roots`); absent
   * when the track was not smoothed. Smoothing steadies a body that is shown, but it lags a fast
   * limb: on a tennis player's footwork the smoothed ankles sit 14 px off the keypoints in one
   * frame in ten, the frame's own fit 5 px. What reads the person's pixels through the body (the
   * appearance gather, the layer) wants where the person was in that frame: `perFrameFit`.
   */
  perFrame?: { rotations: Float32Array; roots: Float32Array };
}

/** The track with each frame's own fit (`perFrame`) in place of the smoothed one; the track itself when it has none. */
export function perFrameFit(track: BodyTrack): BodyTrack {
  if (!track.perFrame) return track;
  const { perFrame, ...rest } = track;
  return { ...rest, rotations: perFrame.rotations, roots: perFrame.roots };
}

/** Views into one frame of a track. */
export interface BodyFrame {
  /** 24 x 4 local rotations (a view; do not keep across track edits). */
  rotations: Float32Array;
  /** Pelvis position in camera space, metres (a view). */
  root: Float32Array;
  confidence: number;
  filled: boolean;
  reprojectionErrorPx: number;
}

/** An empty track (identity rotations, roots at the origin). */
export function emptyBodyTrack(frameCount: number, shape: BodyShape, camera: BodyCamera, model?: BodyModel): BodyTrack {
  const rotations = new Float32Array(frameCount * 96);
  for (let i = 0; i < frameCount * 24; i++) rotations[i * 4 + 3] = 1;
  return {
    version: BODY_TRACK_VERSION,
    frameCount,
    shape: { ...shape },
    ...(model ? { model } : {}),
    camera: { ...camera },
    rotations,
    roots: new Float32Array(frameCount * 3),
    confidence: new Float32Array(frameCount),
    filled: new Uint8Array(frameCount),
    reprojectionErrorPx: new Float32Array(frameCount).fill(NaN),
  };
}

/** Frame `i` of a track, as views into its arrays. */
export function bodyFrame(track: BodyTrack, i: number): BodyFrame {
  if (!(i >= 0 && i < track.frameCount)) throw new RangeError(`Frame ${i} is outside the body track (0..${track.frameCount - 1}).`);
  return {
    rotations: track.rotations.subarray(i * 96, (i + 1) * 96),
    root: track.roots.subarray(i * 3, (i + 1) * 3),
    confidence: track.confidence[i]!,
    filled: track.filled[i] === 1,
    reprojectionErrorPx: track.reprojectionErrorPx[i]!,
  };
}

/** The buffers to list as transferables when posting a track to another thread. */
export function bodyTrackBuffers(track: BodyTrack): ArrayBuffer[] {
  const perFrame = track.perFrame ? [track.perFrame.rotations, track.perFrame.roots] : [];
  return [track.rotations, track.roots, track.confidence, track.filled, track.reprojectionErrorPx, ...perFrame].map((a) => a.buffer as ArrayBuffer);
}

/** Projects a camera-space point (metres) to pixels; NaN behind the camera. */
export function project(camera: BodyCamera, p: ArrayLike<number>): [number, number] {
  const z = p[2]!;
  if (!(z > 1e-6)) return [NaN, NaN];
  return [camera.cx + (camera.focal * p[0]!) / z, camera.cy + (camera.focal * p[1]!) / z];
}

/** Default focal length for a frame size: a 53° field of view across the long side. */
export const defaultFocal = (width: number, height: number): number => Math.max(width, height);

/** A camera with the principal point at the frame centre. */
export const centredCamera = (width: number, height: number, focal = defaultFocal(width, height)): BodyCamera => ({ focal, cx: width / 2, cy: height / 2, width, height });
