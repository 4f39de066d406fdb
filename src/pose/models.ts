/**
 * The model files the pose pipeline runs (converted into public/models/ at install, see
 * tools/models/README.md) and the tensor names, sizes and input ranges it feeds and reads.
 * These match public/models/manifest.json; a test checks that they still do.
 */

export type LandmarkModelId = 'blazepose-lite' | 'blazepose-full' | 'blazepose-heavy';
export type ModelVariant = 'fp32' | 'fp16';

/** Manifest ids of the models. */
export const POSE_MODEL_IDS = {
  detector: 'blazepose-detector',
  landmarks: ['blazepose-lite', 'blazepose-full', 'blazepose-heavy'] as readonly LandmarkModelId[],
  hand: 'handlandmark-full',
} as const;

/** File name of a model in public/models/, e.g. `modelFile('blazepose-full', 'fp32')`. */
export function modelFile(id: string, variant: ModelVariant): string {
  return `${id}.${variant}.onnx`;
}

/** Pose detector: RGB letterboxed to 224², values in [-1, 1]; output [1, 2254, 13]. */
export const DETECTOR_IO = {
  input: 'input:0',
  size: 224,
  range: [-1, 1] as const,
  output: 'Identity:0',
  numKeypoints: 4,
} as const;

/** BlazePose landmark models: RGB ROI crop 256², values in [0, 1]. */
export const LANDMARK_IO = {
  input: 'input_1:0',
  size: 256,
  range: [0, 1] as const,
  /** [1, 195]: 39 x (x, y, z, visibility logit, presence logit), crop pixels. */
  landmarks: 'Identity_2:0',
  /** [1, 1]: pose presence probability. */
  flag: 'Identity_3:0',
  /** [1, 117]: 39 x (x, y, z) metres, in the crop's rotated frame. */
  world: 'Identity_4:0',
  /** [1, 1, 256, 256]: person probability over the crop. */
  mask: 'Identity_1:0',
  /** [1, 39, 64, 64]: heatmaps; the pipeline does not read them. */
  heatmap: 'Identity:0',
  numPoints: 39,
  valuesPerPoint: 5,
} as const;

/**
 * Hand landmark model: RGB ROI crop 224². The manifest leaves the range open; MediaPipe feeds
 * [0, 1], and the real-frame test (pipeline.test.ts) compares it with [-1, 1].
 */
export const HAND_IO = {
  input: 'input_1:0',
  size: 224,
  range: [0, 1] as const,
  /** [1, 63]: 21 x (x, y, z), crop pixels. */
  landmarks: 'Identity:0',
  /** [1, 1]: hand presence probability. */
  flag: 'Identity_1:0',
  /** [1, 1]: handedness probability (convention unverified; the pipeline does not use it). */
  handedness: 'Identity_2:0',
  /** [1, 63]: 21 x (x, y, z) metres. */
  world: 'Identity_3:0',
} as const;

/**
 * Face mesh model (MediaPipe FaceMesh, `facemesh` in the manifest): RGB face crop 192², upright,
 * about 1.5× the face (face.ts makes it), values in [0, 1].
 */
export const FACE_MESH_IO = {
  id: 'facemesh',
  input: 'input_1:0',
  size: 192,
  range: [0, 1] as const,
  /** [1, 1404]: 468 x (x, y, z), crop pixels. */
  mesh: 'Identity_2:0',
  /** [1, 1]: face presence probability. */
  flag: 'Identity_1:0',
  /** [1, 266]: 133 x (x, y) contour points on the mesh, crop pixels; not read. */
  contours: 'Identity:0',
} as const;

/**
 * Object detector (`nanodet`: NanoDet-g-416 of RangiLyu/nanodet v0.x, Apache-2.0, COCO's 80
 * classes; converted at install like the others). Input NCHW
 * [1, 3, 416, 416], letterboxed, planes in **BGR** order, each byte normalised as
 * (v − mean) / std (objects.ts makes it; see `objectDetectorInput` for the evidence). Per stride
 * 8 / 16 / 32 (52², 26², 13² cells, row-major): class scores [1, cells, 80] with the sigmoid
 * applied in-graph, and box distributions [1, cells, 44] = 4 sides (left, top, right, bottom) ×
 * 11 bins (softmax, expectation × stride = distance from the cell centre).
 */
export const OBJECT_DETECTOR_IO = {
  id: 'nanodet',
  input: 'input_1:0',
  size: 416,
  /** Per plane, in the input's plane order (B, G, R): NanoDet's own normalisation. */
  mean: [103.53, 116.28, 123.675] as const,
  std: [57.375, 57.12, 58.395] as const,
  classes: 80,
  /** Distance bins per side: 0..regMax. */
  regMax: 10,
  levels: [
    { stride: 8, grid: 52, scores: 'Identity:0', boxes: 'Identity_3:0' },
    { stride: 16, grid: 26, scores: 'Identity_1:0', boxes: 'Identity_4:0' },
    { stride: 32, grid: 13, scores: 'Identity_2:0', boxes: 'Identity_5:0' },
  ] as const,
} as const;
