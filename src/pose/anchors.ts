/**
 * SSD anchors as MediaPipe's SsdAnchorsCalculator generates them. Layers that share a stride are
 * merged into one feature map whose cells carry the anchors of all those layers.
 */

export interface SsdAnchorOptions {
  inputWidth: number;
  inputHeight: number;
  numLayers: number;
  minScale: number;
  maxScale: number;
  /** One stride per layer, in input pixels. */
  strides: readonly number[];
  aspectRatios: readonly number[];
  /** Cell-relative centre of an anchor; 0.5 = the middle of its cell. */
  anchorOffsetX: number;
  anchorOffsetY: number;
  /** Adds one anchor per layer at the geometric mean of this layer's and the next layer's scale; 0 disables. */
  interpolatedScaleAspectRatio: number;
  /** All anchors have width = height = 1 (the network regresses absolute sizes). */
  fixedAnchorSize: boolean;
  /** MediaPipe's option for SSD-MobileNet: three small anchors in the first layer. */
  reduceBoxesInLowestLayer: boolean;
}

/** The BlazePose detector's anchors: 2254 = 28²·2 + 14²·2 + 7²·6. */
export const BLAZEPOSE_DETECTOR_ANCHORS: Readonly<SsdAnchorOptions> = {
  inputWidth: 224,
  inputHeight: 224,
  numLayers: 5,
  minScale: 0.1484375,
  maxScale: 0.75,
  strides: [8, 16, 32, 32, 32],
  aspectRatios: [1],
  anchorOffsetX: 0.5,
  anchorOffsetY: 0.5,
  interpolatedScaleAspectRatio: 1,
  fixedAnchorSize: true,
  reduceBoxesInLowestLayer: false,
};

/** Values per anchor in the array `generateSsdAnchors` returns. */
export const ANCHOR_STRIDE = 4;

function layerScale(min: number, max: number, layer: number, layers: number): number {
  return layers === 1 ? (min + max) / 2 : min + ((max - min) * layer) / (layers - 1);
}

/**
 * Returns anchors as (cx, cy, w, h) quadruples normalised to the input size ([0, 1]), in the order
 * the detector's outputs use: merged layer by layer, then row, column, anchor within the cell.
 */
export function generateSsdAnchors(o: SsdAnchorOptions): Float32Array {
  if (o.strides.length !== o.numLayers) throw new RangeError(`strides must have numLayers = ${o.numLayers} entries; got ${o.strides.length}.`);
  const out: number[] = [];
  let layer = 0;
  while (layer < o.numLayers) {
    const widths: number[] = [];
    const heights: number[] = [];
    let last = layer;
    // Gather the anchor shapes of every consecutive layer with this stride.
    while (last < o.numLayers && o.strides[last] === o.strides[layer]) {
      const scale = layerScale(o.minScale, o.maxScale, last, o.numLayers);
      const shapes: Array<[number, number]> = [];
      if (last === 0 && o.reduceBoxesInLowestLayer) {
        shapes.push([1, 0.1], [2, scale], [0.5, scale]);
      } else {
        for (const ar of o.aspectRatios) shapes.push([ar, scale]);
        if (o.interpolatedScaleAspectRatio > 0) {
          const next = last === o.numLayers - 1 ? 1 : layerScale(o.minScale, o.maxScale, last + 1, o.numLayers);
          shapes.push([o.interpolatedScaleAspectRatio, Math.sqrt(scale * next)]);
        }
      }
      for (const [ar, s] of shapes) {
        const r = Math.sqrt(ar);
        widths.push(s * r);
        heights.push(s / r);
      }
      last++;
    }
    const stride = o.strides[layer]!;
    const rows = Math.ceil(o.inputHeight / stride);
    const cols = Math.ceil(o.inputWidth / stride);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        for (let k = 0; k < widths.length; k++) {
          out.push((x + o.anchorOffsetX) / cols, (y + o.anchorOffsetY) / rows);
          out.push(o.fixedAnchorSize ? 1 : widths[k]!, o.fixedAnchorSize ? 1 : heights[k]!);
        }
      }
    }
    layer = last;
  }
  return Float32Array.from(out);
}
