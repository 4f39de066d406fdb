/**
 * The builtin engine's view of the reference clip: its frames scaled to the output size, the
 * person masks the plate and the texture use, and the camera at the output size. One part of the
 * engine (see runner.ts), shared by the plate, the appearance gather and the per-frame render.
 */
import type { BodyCamera } from '../../body';
import type { Intrinsics } from '../../guidance';
import type { RgbaImage } from '../../pose';
import { NO_PART_CLOCK, type PartClock } from '../part-times';
import type { BuiltinConfig } from './config';
import { clipShape, faceOutline, type ClipFaces, type FaceShape } from './face-warp';
import { heldObjectMask, otherPeopleMask, personMask, withHeldObjects } from './mask';
import { refineMatte } from './matte';
import type { BuiltinJob } from './runner';

export class ReferenceView {
  readonly width: number;
  readonly height: number;
  /** The reference camera at the output size. */
  readonly k: Intrinsics;
  readonly camera: BodyCamera;
  private readonly g: OffscreenCanvasRenderingContext2D;
  /**
   * The other people's mask of the latest frames (`others`): the plate reads a frame and the
   * texture and the per-frame layer read it again, and each would otherwise rasterise the boxes
   * and the person's own mask anew. Read-only for its users.
   */
  private readonly othersCache = new Map<number, Uint8Array | null>();

  constructor(
    private readonly job: BuiltinJob,
    private readonly readFrame: (clipId: string, index: number) => Promise<RgbaImage>,
    private readonly config: BuiltinConfig,
    /** Times the frame reads as the run's `read` part. */
    private readonly clock: PartClock = NO_PART_CLOCK,
  ) {
    const { width, height, reference } = job;
    this.width = width;
    this.height = height;
    const scale = width / reference.body.camera.width;
    const c = reference.body.camera;
    this.k = { fx: c.focal * scale, fy: c.focal * scale, cx: c.cx * scale, cy: c.cy * scale };
    this.camera = { focal: this.k.fx, cx: this.k.cx, cy: this.k.cy, width, height };
    this.g = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
  }

  /** Reference frame `r` as RGBA at the output size. */
  frame(r: number): Promise<Uint8ClampedArray> {
    return this.clock.time('read', async () => {
      const f = await this.readFrame(this.job.reference.clipId, r);
      const src = new OffscreenCanvas(f.width, f.height);
      src.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(f.data), f.width, f.height), 0, 0);
      this.g.drawImage(src, 0, 0, this.width, this.height);
      return this.g.getImageData(0, 0, this.width, this.height).data;
    });
  }

  /** The reference clip's face landmarks. */
  get faces(): ClipFaces {
    const t = this.job.reference.track;
    return { points: t.face, scores: t.faceScore, width: t.width, height: t.height };
  }

  /** The face's landmarks in frame `r` at the output size, or null when the frame has none. */
  faceShape(r: number): FaceShape | null {
    return clipShape(this.faces, r, this.width, this.height, this.config.face.expression);
  }

  /** The face's outline in frame `r` at the output size (face-warp.ts `faceOutline`), or null when the frame has no face landmarks. */
  faceOutline(r: number): Float32Array | null {
    const shape = this.faceShape(r);
    return shape && faceOutline(shape);
  }

  /**
   * What the plate removes in frame `r` (`alpha`, 0-255 per pixel): the person with a margin and
   * the whole head, and what they hold (a ball, a racket, a bag: mask.ts `heldObjectMask`), which
   * leaves the scene with them; and the other people in the shot (`others`, mask.ts
   * `otherPeopleMask`), whom it keeps.
   */
  plateMasks(r: number): { alpha: Uint8Array; others: Uint8Array | null } {
    const { width, height } = this;
    const track = this.job.reference.track;
    return {
      alpha: withHeldObjects(personMask(track, r, { width, height }).alpha, track, r, width, height),
      others: this.others(r),
    };
  }

  /** The other people in frame `r` at the output size (mask.ts `otherPeopleMask`), the last 32 frames kept. */
  private others(r: number): Uint8Array | null {
    if (this.othersCache.has(r)) return this.othersCache.get(r)!;
    const mask = otherPeopleMask(this.job.reference.track, r, { width: this.width, height: this.height });
    this.othersCache.set(r, mask);
    if (this.othersCache.size > 32) this.othersCache.delete(this.othersCache.keys().next().value!);
    return mask;
  }

  /**
   * The person's own pixels in frame `r` (`rgba`, the frame): the tracker's mask (no margin) with
   * its edge moved onto the frame's colour edge, less what they hold and the other people.
   */
  personPixels(r: number, rgba: Uint8ClampedArray): Uint8Array {
    const { width, height } = this;
    const m = personMask(this.job.reference.track, r, { width, height, margin: 0, feather: 0, motionBlur: 0, threshold: this.config.tightMaskThreshold, head: false });
    if (m.source === 'mask' && m.box) refineMatte(m.alpha, rgba, width, height, { radius: Math.max(3, Math.round(this.config.matteRadius * Math.max(m.box.x1 - m.box.x0, m.box.y1 - m.box.y0))) });
    // What the person holds is not the person: it stays out of the texture and the layer beyond the mesh.
    const held = heldObjectMask(this.job.reference.track, r, { width, height, margin: 0, feather: 0 });
    if (held) for (let p = 0; p < m.alpha.length; p++) if (held.alpha[p]) m.alpha[p] = 0;
    // Nor is anyone else in the shot: a partner's arm next to them stays out of the texture.
    const others = this.others(r);
    if (others) for (let p = 0; p < m.alpha.length; p++) if (others[p]) m.alpha[p] = 0;
    return m.alpha;
  }
}

/** Mean RGB of `rgba` where `alpha` (0-255) is high; null when nothing is selected. */
export function maskedMean(rgba: Uint8ClampedArray, alpha: Uint8Array): [number, number, number] | null {
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
