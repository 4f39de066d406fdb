import { useEffect, useRef } from 'react';
import { cropToSource, drawPoseMap, nearestHeldObjects, peopleAt, peopleInClip, toOpenPose18, toWholeBody, trackFrame, type HeldObjectBox, type PoseMapContext } from '../pose';

/** Whole-body points before the face: OpenPose-18 body and two hands (see `toWholeBody`). */
const BODY_AND_HANDS = 18 + 2 * 21;
import type { BodyTrack } from '../body';
import { followPerson, frameFeeds, posedBody, useEditor, type Slot } from '../state';

/** Mask tint: a translucent blue over the person. */
const MASK_RGB = [60, 140, 255];

function drawMask(g: CanvasRenderingContext2D, frame: ReturnType<typeof trackFrame>, scale: number): void {
  if (!frame.roi || !frame.mask) return;
  const n = frame.maskSize;
  const image = new ImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    image.data[i * 4] = MASK_RGB[0]!;
    image.data[i * 4 + 1] = MASK_RGB[1]!;
    image.data[i * 4 + 2] = MASK_RGB[2]!;
    image.data[i * 4 + 3] = Math.round(frame.mask[i]! * 0.55);
  }
  const tile = new OffscreenCanvas(n, n);
  tile.getContext('2d')!.putImageData(image, 0, 0);
  const m = cropToSource(frame.roi, n);
  g.save();
  // Canvas order is (a, b, c, d, e, f) with x' = a·x + c·y + e.
  g.setTransform(m.a * scale, m.c * scale, m.b * scale, m.d * scale, m.tx * scale, m.ty * scale);
  g.imageSmoothingEnabled = true;
  g.drawImage(tile, 0, 0);
  g.restore();
}

/** The objects the person holds (they leave with the person, like the mask): a dashed box and the object's name. */
function drawHeldObjects(g: CanvasRenderingContext2D, boxes: readonly HeldObjectBox[], scale: number): void {
  const rgb = MASK_RGB.join(', ');
  g.save();
  g.lineWidth = Math.max(1.5, 2 * scale);
  g.setLineDash([6, 4]);
  g.strokeStyle = `rgba(${rgb}, 0.9)`;
  g.font = `${Math.round(Math.max(11, 13 * scale))}px sans-serif`;
  g.textBaseline = 'bottom';
  const tag = 18 * Math.max(1, scale * 0.9);
  const placed: Array<{ x: number; y: number; w: number }> = [];
  const overlaps = (x: number, y: number, w: number) => placed.some((p) => x < p.x + p.w && p.x < x + w && y < p.y + tag && p.y < y + tag);
  for (const { box, label } of boxes) {
    const x = box.x0 * scale;
    const y = box.y0 * scale;
    g.strokeRect(x, y, (box.x1 - box.x0) * scale, (box.y1 - box.y0) * scale);
    const w = g.measureText(label).width + 8;
    // The name above the box, or below it when another name is already there.
    const top = overlaps(x, y - tag, w) ? box.y1 * scale : y - tag;
    placed.push({ x, y: top, w });
    g.fillStyle = `rgba(${rgb}, 0.85)`;
    g.fillRect(x, top, w, tag);
    g.fillStyle = 'white';
    g.fillText(label, x + 4, top + tag - 3);
  }
  g.restore();
}

/** Highlight of the edited person among several. */
const EDITING_RGB = '255, 196, 0';

/**
 * Everyone in the shot when there is more than one person: a light outline and a number each,
 * the edited person's outline in the highlight colour.
 */
function drawPeople(g: CanvasRenderingContext2D, people: ReturnType<typeof peopleAt>, scale: number): void {
  g.save();
  g.font = `bold ${Math.round(Math.max(12, 14 * scale))}px sans-serif`;
  g.textBaseline = 'bottom';
  const tag = 20 * Math.max(1, scale * 0.9);
  for (const { number, box, editing } of [...people].sort((a, b) => Number(a.editing) - Number(b.editing))) {
    const rgb = editing ? EDITING_RGB : '255, 255, 255';
    const x = box.x0 * scale;
    const y = box.y0 * scale;
    g.lineWidth = editing ? Math.max(2, 2.5 * scale) : Math.max(1, 1.5 * scale);
    g.setLineDash(editing ? [] : [4, 3]);
    g.strokeStyle = `rgba(${rgb}, ${editing ? 0.95 : 0.7})`;
    g.strokeRect(x, y, (box.x1 - box.x0) * scale, (box.y1 - box.y0) * scale);
    const label = editing ? `${number} · editing` : String(number);
    const w = g.measureText(label).width + 10;
    const top = Math.max(0, y - tag);
    g.fillStyle = `rgba(${editing ? EDITING_RGB : '40, 40, 40'}, 0.85)`;
    g.fillRect(x, top, w, tag);
    g.fillStyle = editing ? 'black' : 'white';
    g.fillText(label, x + 5, top + tag - 4);
  }
  g.restore();
}

/**
 * The fitted body's silhouette in the clip's camera: every triangle projected and filled. Triangles
 * are wound the same way so one non-zero fill covers their union.
 */
function drawBody(g: CanvasRenderingContext2D, body: BodyTrack, index: number, scale: number): void {
  const { positions, indices } = posedBody(body, index);
  const { focal, cx, cy } = body.camera;
  const n = positions.length / 3;
  const px = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const z = Math.max(1e-3, positions[i * 3 + 2]!);
    px[i * 2] = ((focal * positions[i * 3]!) / z + cx) * scale;
    px[i * 2 + 1] = ((focal * positions[i * 3 + 1]!) / z + cy) * scale;
  }
  g.beginPath();
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]! * 2;
    let b = indices[t + 1]! * 2;
    let c = indices[t + 2]! * 2;
    const area = (px[b]! - px[a]!) * (px[c + 1]! - px[a + 1]!) - (px[c]! - px[a]!) * (px[b + 1]! - px[a + 1]!);
    if (area < 0) [b, c] = [c, b];
    g.moveTo(px[a]!, px[a + 1]!);
    g.lineTo(px[b]!, px[b + 1]!);
    g.lineTo(px[c]!, px[c + 1]!);
    g.closePath();
  }
  g.fillStyle = 'rgba(255, 154, 60, 0.38)';
  g.fill('nonzero');
}

/**
 * Draws the followed person's pose over a video pane: skeleton in the OpenPose palette with
 * confidence-scaled colours, hands, the face's 68 points (from the track, where the face was
 * found), and the segmentation mask with the objects the person holds. Click to follow someone else.
 */
export function PoseOverlay({ slot, width, height }: { slot: Slot; width: number; height: number }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const track = useEditor((s) => s.pose[slot].track);
  const overlays = useEditor((s) => s.overlays);
  const status = useEditor((s) => s.pose[slot].status);
  const body = useEditor((s) => s.body[slot].track);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const draw = (_bitmap: ImageBitmap | null, index: number) => {
      const frameCanvas = canvas.previousElementSibling as HTMLCanvasElement | null;
      const w = frameCanvas?.width ?? width;
      const h = frameCanvas?.height ?? height;
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      const g = canvas.getContext('2d')!;
      g.clearRect(0, 0, w, h);
      canvas.dataset.frame = String(index);
      delete canvas.dataset.openpose;
      delete canvas.dataset.face;
      delete canvas.dataset.objects;
      delete canvas.dataset.people;
      if (!track || index >= track.frameCount) return;
      const frame = trackFrame(track, index);
      canvas.dataset.found = String(frame.found);
      const scale = w / track.width;
      // Everyone found, numbered, when the clip holds more than one person: who is edited, whom a click would pick.
      if (peopleInClip(track).people.length > 1) {
        const people = peopleAt(track, index);
        canvas.dataset.people = people.map((p) => `${p.number}${p.editing ? '*' : ''}:${[p.box.x0, p.box.y0, p.box.x1, p.box.y1].map(Math.round).join(' ')}`).join(',');
        drawPeople(g, people, scale);
      }
      if (!frame.found) return;
      // What was drawn, in clip pixels: lets tests and tools check the overlay against ground truth.
      canvas.dataset.openpose = Array.from(toOpenPose18(frame), (v) => Math.round(v * 100) / 100).join(',');
      if (overlays.body && body && index < body.frameCount) drawBody(g, body, index, w / body.camera.width);
      if (overlays.mask) drawMask(g, frame, scale);
      // The detector looks every few frames; between, its nearest look is carried along the hand.
      const held = track.objectSampled ? nearestHeldObjects(track, index) : [];
      if (held.length) canvas.dataset.objects = held.map((o) => o.label).join(',');
      if ((overlays.mask || overlays.skeleton) && held.length) drawHeldObjects(g, held, scale);
      if (frame.face) canvas.dataset.face = Array.from(frame.face.points, (v) => Math.round(v * 100) / 100).join(',');
      if (overlays.skeleton || overlays.hands || overlays.face) {
        const whole = toWholeBody(frame);
        const options = { scale: Math.max(0.5, Math.min(w, h) / 512), transform: { scaleX: scale, scaleY: scale, offsetX: 0, offsetY: 0 } };
        // The face's dots first, so that the body's head joints stay on top of them.
        if (overlays.face && frame.face) drawPoseMap(g as unknown as PoseMapContext, whole.slice().fill(0, 0, BODY_AND_HANDS * 3), options);
        const body = whole.slice(0, BODY_AND_HANDS * 3);
        if (!overlays.skeleton) body.fill(0, 0, 18 * 3);
        if (!overlays.hands) body.fill(0, 18 * 3);
        if (overlays.skeleton || overlays.hands) drawPoseMap(g as unknown as PoseMapContext, body, options);
      }
    };
    const unsubscribe = frameFeeds[slot].subscribe((bitmap, index) => draw(bitmap, index));
    return () => void unsubscribe();
  }, [slot, track, body, overlays, width, height]);

  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const frame = frameFeeds[slot].current;
    if (!track || frame === null || status === 'running') return;
    const rect = e.currentTarget.getBoundingClientRect();
    // The canvas keeps the frame's aspect ratio inside its box (object-fit: contain).
    const scale = Math.min(rect.width / track.width, rect.height / track.height);
    const x = (e.clientX - rect.left - (rect.width - track.width * scale) / 2) / scale;
    const y = (e.clientY - rect.top - (rect.height - track.height * scale) / 2) / scale;
    if (x < 0 || y < 0 || x > track.width || y > track.height) return;
    void followPerson(slot, frame, x, y);
  };

  return (
    <canvas
      ref={canvasRef}
      className="overlay"
      data-testid={`overlay-${slot}`}
      onClick={onClick}
      title={track ? 'Click a person to follow them instead' : undefined}
    />
  );
}
