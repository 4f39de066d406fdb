import { describe, expect, it } from 'vitest';
import { toWholeBody, WHOLEBODY_FACE, WHOLEBODY_KEYPOINTS } from './layouts';
import { drawPoseMap, FACE_POINT_RADIUS, hueToRgb, mimicMotionScale, OPENPOSE_COLORS, type PoseMapContext } from './pose-map';
import { emptyTrack, trackFrame, writeFrame } from './track';
import type { PoseFrame } from './types';

type Call = { op: string; args: number[]; fill?: unknown; stroke?: unknown; lineWidth?: number };

/** Records every path operation together with the style in effect. */
class RecordingContext implements PoseMapContext {
  fillStyle: unknown = '#000';
  strokeStyle: unknown = '#000';
  lineWidth = 1;
  calls: Call[] = [];
  private depth = 0;
  private record(op: string, args: number[] = []) {
    this.calls.push({ op, args, fill: this.fillStyle, stroke: this.strokeStyle, lineWidth: this.lineWidth });
  }
  beginPath() {}
  moveTo(x: number, y: number) {
    this.record('moveTo', [x, y]);
  }
  lineTo(x: number, y: number) {
    this.record('lineTo', [x, y]);
  }
  ellipse(...a: [number, number, number, number, number, number, number]) {
    this.record('ellipse', a);
  }
  arc(...a: [number, number, number, number, number]) {
    this.record('arc', a);
  }
  fill() {
    this.record('fill');
  }
  stroke() {
    this.record('stroke');
  }
  save() {
    this.depth++;
  }
  restore() {
    this.depth--;
  }
  get balanced() {
    return this.depth === 0;
  }
  of(op: string) {
    return this.calls.filter((c) => c.op === op);
  }
}

/** An upright OpenPose-18 body with every score = s. */
function body(s = 1): Float32Array {
  const pts: Array<[number, number]> = [
    [50, 10], [50, 30], [35, 30], [30, 50], [28, 70], [65, 30], [70, 50], [72, 70], [40, 70],
    [40, 100], [40, 130], [60, 70], [60, 100], [60, 130], [46, 7], [54, 7], [42, 9], [58, 9],
  ];
  return Float32Array.from(pts.flatMap(([x, y]) => [x, y, s]));
}

describe('pose map drawing', () => {
  // The browser's context must satisfy the interface (checked by tsc).
  const fits = (c: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D): PoseMapContext => c;
  void fits;

  it('draws 17 limbs as ellipses then 18 joints in the OpenPose palette', () => {
    const ctx = new RecordingContext();
    drawPoseMap(ctx, body(), { confidenceAware: false });
    expect(ctx.balanced).toBe(true);
    const ellipses = ctx.of('ellipse');
    const arcs = ctx.of('arc');
    expect(ellipses).toHaveLength(17);
    expect(arcs).toHaveLength(18);
    expect(ctx.calls.findIndex((c) => c.op === 'arc')).toBeGreaterThan(ctx.calls.findIndex((c) => c.op === 'ellipse'));
    // Limb 0: neck (50, 30) → right shoulder (35, 30); half length 7.5, half width 4, dimmed 0.6.
    expect(ellipses[0]!.args.slice(0, 5)).toEqual([42.5, 30, 7.5, 4, Math.PI]);
    expect(ellipses[0]!.fill).toBe('rgb(153, 0, 0)');
    expect(arcs[3]!.fill).toBe(`rgb(${OPENPOSE_COLORS[3]!.join(', ')})`);
    expect(arcs[3]!.args.slice(0, 3)).toEqual([30, 50, 4]);
  });

  it('scales colours by confidence and skips keypoints below 0.3', () => {
    const kp = body(1);
    kp[2 * 3 + 2] = 0.5; // right shoulder
    kp[1 * 3 + 2] = 0.8; // neck
    kp[14 * 3 + 2] = 0.2; // right eye: limb 13 (nose-eye) and 14 (eye-ear) go, and the joint
    const ctx = new RecordingContext();
    drawPoseMap(ctx, kp);
    expect(ctx.of('ellipse')).toHaveLength(15);
    expect(ctx.of('arc')).toHaveLength(17);
    expect(ctx.of('ellipse')[0]!.fill).toBe(`rgb(${Math.floor(255 * 0.6 * 0.4)}, 0, 0)`);
    expect(ctx.of('arc')[2]!.fill).toBe(`rgb(${Math.floor(255 * 0.5)}, ${Math.floor(170 * 0.5)}, 0)`);
  });

  it('swaps red and blue for MimicMotion order, and scales widths', () => {
    const ctx = new RecordingContext();
    drawPoseMap(ctx, body(), { channelOrder: 'bgr', scale: 0.5, confidenceAware: false });
    expect(ctx.of('ellipse')[1]!.fill).toBe('rgb(0, 51, 153)'); // limb 1 [255, 85, 0] × 0.6, R and B swapped
    expect(ctx.of('ellipse')[1]!.args[3]).toBe(2);
    expect(ctx.of('arc')[0]!.args[2]).toBe(2);
    expect(mimicMotionScale(1024, 576)).toBeCloseTo(576 / 2160, 9);
  });

  it('draws hands: HSV-coloured edges by score product, blue points by score', () => {
    const kp = new Float32Array(60 * 3);
    kp.set(body());
    for (let i = 0; i < 21; i++) kp.set([100 + i, 100 + i, 0.5], (18 + i) * 3); // left hand
    const ctx = new RecordingContext();
    drawPoseMap(ctx, kp, { transform: { scaleX: 2, scaleY: 2, offsetX: 1, offsetY: 0 } });
    const strokes = ctx.of('stroke');
    expect(strokes).toHaveLength(20); // right hand absent (scores 0)
    expect(strokes[0]!.stroke).toBe(`rgb(${Math.floor(255 * 0.25)}, 0, 0)`); // hue 0
    expect(strokes[0]!.lineWidth).toBe(2);
    const [r, g, b] = hueToRgb(5 / 20).map((v) => Math.floor(v * 255 * 0.25));
    expect(strokes[5]!.stroke).toBe(`rgb(${r}, ${g}, ${b})`);
    const handPoints = ctx.of('arc').slice(18);
    expect(handPoints).toHaveLength(21);
    expect(handPoints[0]!.fill).toBe(`rgb(0, 0, ${Math.floor(255 * 0.5)})`);
    expect(handPoints[0]!.args.slice(0, 2)).toEqual([201, 200]);
    const lines = ctx.of('moveTo');
    expect(lines[0]!.args).toEqual([201, 200]);
  });

  it('draws the face of a track: 68 white dots (× the face score) where the face scores high enough', () => {
    // A synthetic two-frame track in display pixels (analysis at half size): a standing person
    // whose face is found on frame 0 (score 0.9) and barely on frame 1 (0.3).
    const track = emptyTrack(2, 200, 200, 4, 'blazepose-full', 'wasm');
    const frame = (faceScore: number): PoseFrame => {
      const keypoints = new Float32Array(33 * 4);
      for (let k = 0; k < 33; k++) keypoints.set([20 + k, 10 + 2 * k, 0, 0.9], k * 4);
      return {
        found: true,
        score: 0.9,
        keypoints,
        world: new Float32Array(33 * 3),
        hands: { left: null, right: null },
        face: { score: faceScore, points: Float32Array.from({ length: 68 * 2 }, (_, k) => (k % 2 ? 12 : 40) + Math.floor(k / 2) * 0.1) },
        roi: null,
        mask: null,
        maskSize: 0,
      };
    };
    writeFrame(track, 0, frame(0.9), 2);
    writeFrame(track, 1, frame(0.3), 2);
    const whole = toWholeBody(trackFrame(track, 0));
    expect(whole).toHaveLength(WHOLEBODY_KEYPOINTS * 3);
    expect(Array.from(whole.subarray(WHOLEBODY_FACE * 3, WHOLEBODY_FACE * 3 + 3))).toEqual([80, 24, Math.fround(0.9)]);
    const ctx = new RecordingContext();
    drawPoseMap(ctx, whole, { scale: 2 });
    const dots = ctx.of('arc').filter((c) => c.args[2] === FACE_POINT_RADIUS * 2);
    expect(dots).toHaveLength(68);
    const grey = Math.floor(255 * 0.9);
    expect(dots.every((d) => d.fill === `rgb(${grey}, ${grey}, ${grey})`)).toBe(true);
    expect(dots[67]!.args.slice(0, 2).map((v) => Math.round(v * 100) / 100)).toEqual([80 + 2 * 6.7, 24 + 2 * 6.7]);
    // Drawn after the body and the hands, as MimicMotion does.
    expect(ctx.calls.indexOf(dots[0]!)).toBeGreaterThan(ctx.calls.indexOf(ctx.of('arc')[17]!));
    // Full white without confidence scaling (ControlNet / DWPose style).
    const plain = new RecordingContext();
    drawPoseMap(plain, whole, { confidenceAware: false });
    expect(plain.of('arc').filter((c) => c.args[2] === FACE_POINT_RADIUS).every((d) => d.fill === 'rgb(255, 255, 255)')).toBe(true);
    // Frame 1's face scores below the default 0.5: no dots, unless asked for.
    const low = new RecordingContext();
    drawPoseMap(low, toWholeBody(trackFrame(track, 1)));
    expect(low.of('arc')).toHaveLength(18);
    const lowered = new RecordingContext();
    drawPoseMap(lowered, toWholeBody(trackFrame(track, 1)), { minFaceScore: 0.2 });
    expect(lowered.of('arc')).toHaveLength(18 + 68);
    // The 60-point set (no face) still draws.
    expect(() => drawPoseMap(new RecordingContext(), whole.subarray(0, 60 * 3))).not.toThrow();
  });

  it('converts hues like matplotlib', () => {
    const cases: Array<[number, number[]]> = [[0, [1, 0, 0]], [1 / 3, [0, 1, 0]], [0.5, [0, 1, 1]], [0.75, [0.5, 0, 1]], [0.95, [1, 0, 0.3]]];
    for (const [h, rgb] of cases) hueToRgb(h).forEach((v, i) => expect(v).toBeCloseTo(rgb[i]!, 9));
  });

  it('rejects other layouts', () => {
    expect(() => drawPoseMap(new RecordingContext(), new Float32Array(17 * 3))).toThrow(/OpenPose-18/);
  });
});
