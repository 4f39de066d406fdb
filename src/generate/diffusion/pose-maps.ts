/**
 * MimicMotion pose maps: the whole-body pose drawn confidence-aware (src/pose `drawPoseMap`) on a
 * black canvas at the output size, in MimicMotion's channel order (R and B swapped relative to
 * ControlNet) and at its stroke scale (4 px at a 2160 px short side).
 */
import { drawPoseMap, mimicMotionScale, type PoseMapContext, type RgbaImage } from '../../pose';

/** What the drawing needs from a 2D canvas context (OffscreenCanvasRenderingContext2D fits). */
export interface PoseMapCanvas extends PoseMapContext {
  fillRect(x: number, y: number, width: number, height: number): void;
  getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray; width: number; height: number };
}

/** Draws `keypoints` (whole-body 128×3 with the face or 60×3 without, or OpenPose-18 18×3; output pixels) onto `ctx` (width×height) and returns the pixels. */
export function drawMimicMotionPoseMap(ctx: PoseMapCanvas, keypoints: Float32Array, width: number, height: number): RgbaImage {
  ctx.save();
  ctx.fillStyle = 'rgb(0, 0, 0)';
  ctx.fillRect(0, 0, width, height);
  ctx.restore();
  drawPoseMap(ctx, keypoints, { scale: mimicMotionScale(width, height), channelOrder: 'bgr', confidenceAware: true });
  const img = ctx.getImageData(0, 0, width, height);
  return { data: img.data, width: img.width, height: img.height };
}
