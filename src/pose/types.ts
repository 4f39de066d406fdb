/**
 * Pose data shared by the pipeline, the store, overlays and (later) the body fit.
 * Image coordinates are display pixels of the source frame (after rotation), origin top-left,
 * x right, y down. Scores are in [0, 1].
 */

/** An RGBA frame in memory: `data.length === width * height * 4`. */
export interface RgbaImage {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** One tensor going into or out of a model: row-major float32 data and its dims. */
export interface TensorData {
  data: Float32Array;
  dims: number[];
}

/**
 * Runs one model: input name -> tensor in, output name -> data out. Implemented with
 * onnxruntime-web (WebGPU or wasm) in the compute worker and with onnxruntime-web wasm in Node tests.
 */
export type ModelRunner = (inputs: Record<string, TensorData>) => Promise<Record<string, Float32Array>>;

/** A square region of interest, rotated about its centre. Pixels of the source frame; radians, clockwise positive in image space. */
export interface Roi {
  cx: number;
  cy: number;
  size: number;
  rotation: number;
}

/** A detected person or palm before landmarks. Box and keypoints in source pixels. */
export interface Detection {
  score: number;
  /** Axis-aligned box: centre and size, in source pixels. */
  box: { cx: number; cy: number; w: number; h: number };
  /** Detector keypoints (x, y) in source pixels. */
  keypoints: Array<{ x: number; y: number }>;
}

/** Hand landmarks: 21 points. */
export interface HandPose {
  /** 21 x (x, y, score) in source pixels. */
  keypoints: Float32Array;
  /** Hand presence in [0, 1]. */
  score: number;
}

/** Face landmarks: the 68 iBUG / DWPose points read off the face mesh (see `FACE68_FROM_MESH`). */
export interface FacePose {
  /** 68 x (x, y) in source pixels. */
  points: Float32Array;
  /** Face presence in [0, 1] (the face mesh's flag). */
  score: number;
}

/** The pose of the followed person in one frame. */
export interface PoseFrame {
  /** False when no person was found; the arrays are then zero-filled. */
  found: boolean;
  /** Pose presence in [0, 1]. */
  score: number;
  /** BlazePose-33 keypoints: 33 x (x, y, z, visibility); x, y in source pixels, z in the same pixel scale relative to the hips, visibility in [0, 1]. */
  keypoints: Float32Array;
  /** BlazePose-33 metric world keypoints: 33 x (x, y, z) in metres, origin between the hips, y down. */
  world: Float32Array;
  /** The person's left and right hands (anatomical), when found. */
  hands: { left: HandPose | null; right: HandPose | null };
  /** The person's face, when the head faced the camera and the face mesh found it. */
  face: FacePose | null;
  /** The region the landmarks were taken from. */
  roi: Roi | null;
  /**
   * Person segmentation over the ROI: `maskSize`² probabilities in [0, 255], row-major in ROI
   * space (map ROI pixels to the source with the ROI's affine).
   */
  mask: Uint8Array | null;
  maskSize: number;
}
