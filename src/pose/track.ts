import { boxIou, COCO_CLASSES, keypointBoxOf, type HeldObject, type ObjectDetection } from './objects';
import { followedPerson, joinPeople, MAX_PEOPLE, personBoxAt, type PeopleLook, type PersonIdentity } from './people';
import type { PoseFrame } from './types';

/** Bump when the stored layout or the pipeline's results change, so cached tracks are recomputed. */
export const POSE_TRACK_VERSION = 6;

/** Pose of the followed person for every frame of a clip, in the clip's display pixels. */
export interface PoseTrack {
  version: number;
  /** Landmark model id, e.g. "blazepose-full". */
  model: string;
  /** Execution provider that computed it. */
  ep: 'webgpu' | 'wasm';
  frameCount: number;
  /** Display size of the clip the coordinates refer to, in pixels. */
  width: number;
  height: number;
  /** 1 where the person was found. */
  found: Uint8Array;
  /** Pose presence per frame in [0, 1]. */
  score: Float32Array;
  /** frameCount x 33 x (x, y, z, visibility). */
  keypoints: Float32Array;
  /** frameCount x 33 x (x, y, z), metres. */
  world: Float32Array;
  /** frameCount x 2 (left, right) x 21 x (x, y, score); zeros where a hand was not found. */
  hands: Float32Array;
  /** frameCount x 2 hand presence. */
  handScore: Float32Array;
  /** frameCount x 68 x (x, y): the iBUG / DWPose face points; zeros where no face was found. */
  face: Float32Array;
  /** frameCount face presence; 0 where no face was found (or the face model was not run). */
  faceScore: Float32Array;
  /** frameCount x (cx, cy, size, rotation) of the landmark ROI; size 0 when none. */
  rois: Float32Array;
  /** Side of each stored mask, in pixels. */
  maskSize: number;
  /** frameCount x maskSize² person probability (0-255) in ROI space. */
  masks: Uint8Array;
  /** 1 where the object detector ran (every few frames; see `heldObjectBoxes`). */
  objectSampled: Uint8Array;
  /**
   * frameCount x HELD_SLOTS x (x0, y0, x1, y1, score, class id, anchor joint): the objects the
   * person held in the sampled frames (objects.ts `heldObjects`), best first; score 0 marks an empty slot.
   */
  objects: Float32Array;
  /** 1 where the whole frame was looked at for people (every `PEOPLE_LOOK_SECONDS`; see people.ts). */
  peopleSampled: Uint8Array;
  /**
   * frameCount x MAX_PEOPLE x (x0, y0, x1, y1, score, upper-body RGB, legs RGB): everyone in the
   * looked-at frames, largest first, with the colours they wear (people.ts `peopleColours`, -1
   * where unknown); score 0 marks an empty slot.
   */
  people: Float32Array;
  /** Seconds the analysis took. */
  seconds: number;
}

export const KP = 33;
export const HAND_KP = 21;
export const FACE_KP = 68;
/** At most this many held objects are kept per frame. */
export const HELD_SLOTS = 4;
const OBJECT_FIELDS = 7;
const PERSON_FIELDS = 11;

export function emptyTrack(frameCount: number, width: number, height: number, maskSize: number, model: string, ep: PoseTrack['ep']): PoseTrack {
  return {
    version: POSE_TRACK_VERSION,
    model,
    ep,
    frameCount,
    width,
    height,
    found: new Uint8Array(frameCount),
    score: new Float32Array(frameCount),
    keypoints: new Float32Array(frameCount * KP * 4),
    world: new Float32Array(frameCount * KP * 3),
    hands: new Float32Array(frameCount * 2 * HAND_KP * 3),
    handScore: new Float32Array(frameCount * 2),
    face: new Float32Array(frameCount * FACE_KP * 2),
    faceScore: new Float32Array(frameCount),
    rois: new Float32Array(frameCount * 4),
    maskSize,
    masks: new Uint8Array(frameCount * maskSize * maskSize),
    objectSampled: new Uint8Array(frameCount),
    objects: new Float32Array(frameCount * HELD_SLOTS * OBJECT_FIELDS),
    peopleSampled: new Uint8Array(frameCount),
    people: new Float32Array(frameCount * MAX_PEOPLE * PERSON_FIELDS),
    seconds: 0,
  };
}

/** Nearest-neighbour resample of a square byte mask. */
function resampleMask(src: Uint8Array, srcSize: number, dstSize: number): Uint8Array {
  if (srcSize === dstSize) return src;
  const out = new Uint8Array(dstSize * dstSize);
  for (let y = 0; y < dstSize; y++) {
    const sy = Math.min(srcSize - 1, Math.floor(((y + 0.5) * srcSize) / dstSize));
    for (let x = 0; x < dstSize; x++) {
      out[y * dstSize + x] = src[sy * srcSize + Math.min(srcSize - 1, Math.floor(((x + 0.5) * srcSize) / dstSize))]!;
    }
  }
  return out;
}

/**
 * Stores frame `i` of a pipeline result into the track, scaling coordinates by `scale` (analysis
 * pixels to display pixels).
 */
export function writeFrame(track: PoseTrack, i: number, frame: PoseFrame, scale: number): void {
  track.found[i] = frame.found ? 1 : 0;
  track.score[i] = frame.score;
  if (!frame.found) return;
  for (let k = 0; k < KP; k++) {
    const o = (i * KP + k) * 4;
    track.keypoints[o] = frame.keypoints[k * 4]! * scale;
    track.keypoints[o + 1] = frame.keypoints[k * 4 + 1]! * scale;
    track.keypoints[o + 2] = frame.keypoints[k * 4 + 2]! * scale;
    track.keypoints[o + 3] = frame.keypoints[k * 4 + 3]!;
  }
  track.world.set(frame.world.subarray(0, KP * 3), i * KP * 3);
  (['left', 'right'] as const).forEach((side, h) => {
    const hand = frame.hands[side];
    if (!hand) return;
    track.handScore[i * 2 + h] = hand.score;
    const base = (i * 2 + h) * HAND_KP * 3;
    for (let k = 0; k < HAND_KP; k++) {
      track.hands[base + k * 3] = hand.keypoints[k * 3]! * scale;
      track.hands[base + k * 3 + 1] = hand.keypoints[k * 3 + 1]! * scale;
      track.hands[base + k * 3 + 2] = hand.keypoints[k * 3 + 2]!;
    }
  });
  if (frame.face) {
    track.faceScore[i] = frame.face.score;
    const base = i * FACE_KP * 2;
    for (let k = 0; k < FACE_KP * 2; k++) track.face[base + k] = frame.face.points[k]! * scale;
  }
  if (frame.roi) {
    track.rois.set([frame.roi.cx * scale, frame.roi.cy * scale, frame.roi.size * scale, frame.roi.rotation], i * 4);
  }
  if (frame.mask) {
    track.masks.set(resampleMask(frame.mask, frame.maskSize, track.maskSize), i * track.maskSize * track.maskSize);
  }
}

/** Frame `i` of a track as a PoseFrame (views into the track's arrays; no mask). */
export function trackFrame(track: PoseTrack, i: number): PoseFrame {
  const hand = (h: 0 | 1) => {
    const score = track.handScore[i * 2 + h]!;
    const base = (i * 2 + h) * HAND_KP * 3;
    return score > 0 ? { score, keypoints: track.hands.subarray(base, base + HAND_KP * 3) } : null;
  };
  const size = track.rois[i * 4 + 2]!;
  const faceScore = track.faceScore[i]!;
  return {
    found: track.found[i] === 1,
    score: track.score[i]!,
    keypoints: track.keypoints.subarray(i * KP * 4, (i + 1) * KP * 4),
    world: track.world.subarray(i * KP * 3, (i + 1) * KP * 3),
    hands: { left: hand(0), right: hand(1) },
    face: faceScore > 0 ? { score: faceScore, points: track.face.subarray(i * FACE_KP * 2, (i + 1) * FACE_KP * 2) } : null,
    roi: size > 0 ? { cx: track.rois[i * 4]!, cy: track.rois[i * 4 + 1]!, size, rotation: track.rois[i * 4 + 3]! } : null,
    mask: track.masks.subarray(i * track.maskSize * track.maskSize, (i + 1) * track.maskSize * track.maskSize),
    maskSize: track.maskSize,
  };
}

/** Share of frames where the person was found, in [0, 1]. */
export function foundShare(track: PoseTrack): number {
  let n = 0;
  for (let i = 0; i < track.frameCount; i++) n += track.found[i]!;
  return track.frameCount ? n / track.frameCount : 0;
}

/** Stores the objects the person held in sampled frame `i` (best `HELD_SLOTS` of them), scaling boxes by `scale` (analysis pixels to display pixels). */
export function writeObjects(track: PoseTrack, i: number, held: readonly HeldObject[], scale: number): void {
  track.objectSampled[i] = 1;
  const base = i * HELD_SLOTS * OBJECT_FIELDS;
  track.objects.fill(0, base, base + HELD_SLOTS * OBJECT_FIELDS);
  [...held]
    .sort((a, b) => b.score - a.score)
    .slice(0, HELD_SLOTS)
    .forEach((o, k) => {
      const { x0, y0, x1, y1 } = o.box;
      track.objects.set([x0 * scale, y0 * scale, x1 * scale, y1 * scale, o.score, o.classId, o.anchor], base + k * OBJECT_FIELDS);
    });
}

/** The held objects stored for sampled frame `i` (empty where none, or where the detector did not run). */
export function trackObjects(track: PoseTrack, i: number): HeldObject[] {
  const out: HeldObject[] = [];
  for (let k = 0; k < HELD_SLOTS; k++) {
    const o = (i * HELD_SLOTS + k) * OBJECT_FIELDS;
    const score = track.objects[o + 4]!;
    if (!(score > 0)) continue;
    const classId = track.objects[o + 5]!;
    out.push({
      box: { x0: track.objects[o]!, y0: track.objects[o + 1]!, x1: track.objects[o + 2]!, y1: track.objects[o + 3]! },
      score,
      classId,
      label: COCO_CLASSES[classId]!,
      anchor: track.objects[o + 6]!,
    });
  }
  return out;
}

/** A held object's box carried to another frame, with where it came from. */
export interface HeldObjectBox {
  label: HeldObject['label'];
  score: number;
  /** Display pixels of frame `f`. */
  box: HeldObject['box'];
  /** The sampled frame it was seen in. */
  from: number;
}

/**
 * Where the held objects are in frame `f`: the objects of the nearest sampled frame at or before
 * `f` and of the nearest at or after it (each at most `maxGap` frames away), each moved by how far
 * its anchor joint (the hand or foot holding it) moved from the sample to `f`. Both sides are
 * kept, and where both saw the same kind of object the box spanning the two as well, so a racket
 * swung or a ball thrown between two samples is covered along the way; a frame between samples
 * that both missed the object gets nothing.
 */
export function heldObjectBoxes(track: PoseTrack, f: number, maxGap = 12): HeldObjectBox[] {
  const before = nearestSample(track, f, -1, maxGap);
  const after = nearestSample(track, f, 1, maxGap);
  const a = carried(track, before, f);
  if (after === before) return a;
  const b = carried(track, after, f);
  // The same kind of object on both sides: it travelled between them (a ball in flight does not
  // follow the hand), so the box spanning both is covered too.
  const spans = a.flatMap((p) =>
    b
      .filter((q) => q.label === p.label)
      .map((q): HeldObjectBox => ({
        label: p.label,
        score: Math.min(p.score, q.score),
        from: f - before <= after - f ? before : after,
        box: { x0: Math.min(p.box.x0, q.box.x0), y0: Math.min(p.box.y0, q.box.y0), x1: Math.max(p.box.x1, q.box.x1), y1: Math.max(p.box.y1, q.box.y1) },
      })),
  );
  return [...a, ...b, ...spans];
}

/** The held objects of the sampled frame nearest to `f` (the earlier one on a tie), carried to `f` along their hand: one box per object, for display. */
export function nearestHeldObjects(track: PoseTrack, f: number, maxGap = 12): HeldObjectBox[] {
  const before = nearestSample(track, f, -1, maxGap);
  const after = nearestSample(track, f, 1, maxGap);
  const s = before < 0 ? after : after < 0 ? before : f - before <= after - f ? before : after;
  return carried(track, s, f);
}

/** The nearest sampled frame from `f` in direction `step` (±1), at most `maxGap` frames away; −1 when none. */
function nearestSample(track: PoseTrack, f: number, step: number, maxGap: number): number {
  for (let s = f, n = 0; s >= 0 && s < track.frameCount && n <= maxGap; s += step, n++) if (track.objectSampled[s]) return s;
  return -1;
}

/** Sample `s`'s held objects moved to frame `f` by their anchor joint's displacement (none when `s` < 0). */
function carried(track: PoseTrack, s: number, f: number): HeldObjectBox[] {
  if (s < 0) return [];
  return trackObjects(track, s).map((o): HeldObjectBox => {
    const a = o.anchor * 4;
    const move = track.found[s] && track.found[f] && s !== f;
    const dx = move ? track.keypoints[f * KP * 4 + a]! - track.keypoints[s * KP * 4 + a]! : 0;
    const dy = move ? track.keypoints[f * KP * 4 + a + 1]! - track.keypoints[s * KP * 4 + a + 1]! : 0;
    return { label: o.label, score: o.score, from: s, box: { x0: o.box.x0 + dx, y0: o.box.y0 + dy, x1: o.box.x1 + dx, y1: o.box.y1 + dy } };
  });
}

/** The kinds of object the person held in at least `minShare` of the sampled frames where they were found, most often first. */
export function heldObjectLabels(track: PoseTrack, minShare = 0.2): HeldObject['label'][] {
  const counts = new Map<HeldObject['label'], number>();
  let sampled = 0;
  for (let i = 0; i < track.frameCount; i++) {
    if (!track.objectSampled[i] || !track.found[i]) continue;
    sampled++;
    for (const label of new Set(trackObjects(track, i).map((o) => o.label))) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n >= minShare * sampled).sort((a, b) => b[1] - a[1]).map(([label]) => label);
}

/** Stores the people seen in frame `i` (people.ts `peopleIn`: at most `MAX_PEOPLE`), scaling boxes by `scale` (analysis pixels to display pixels). */
export function writePeople(track: PoseTrack, i: number, people: ReadonlyArray<ObjectDetection & { colours?: readonly number[] | null }>, scale: number): void {
  track.peopleSampled[i] = 1;
  const base = i * MAX_PEOPLE * PERSON_FIELDS;
  track.people.fill(0, base, base + MAX_PEOPLE * PERSON_FIELDS);
  people.slice(0, MAX_PEOPLE).forEach((p, k) => {
    const { x0, y0, x1, y1 } = p.box;
    const colours = p.colours?.length === 6 ? p.colours : [-1, -1, -1, -1, -1, -1];
    track.people.set([x0 * scale, y0 * scale, x1 * scale, y1 * scale, p.score, ...colours], base + k * PERSON_FIELDS);
  });
}

/** Everyone in a clip, and who of them the pose follows (`editing`, null when the looks never saw them). */
export interface PeopleInClip {
  people: PersonIdentity[];
  editing: PersonIdentity | null;
  /** Frames between two looks (the median). */
  spacing: number;
}

const peopleCache = new WeakMap<PoseTrack, PeopleInClip>();

/** The people of a track's looks joined into identities (people.ts `joinPeople`); computed once per track. */
export function peopleInClip(track: PoseTrack): PeopleInClip {
  const cached = peopleCache.get(track);
  if (cached) return cached;
  const looks: PeopleLook[] = [];
  for (let i = 0; i < track.frameCount; i++) {
    if (!track.peopleSampled?.[i]) continue;
    const boxes: PeopleLook['boxes'][number][] = [];
    const colours: number[][] = [];
    for (let k = 0; k < MAX_PEOPLE; k++) {
      const o = (i * MAX_PEOPLE + k) * PERSON_FIELDS;
      if (!(track.people[o + 4]! > 0)) continue;
      boxes.push({ x0: track.people[o]!, y0: track.people[o + 1]!, x1: track.people[o + 2]!, y1: track.people[o + 3]! });
      colours.push(Array.from(track.people.subarray(o + 5, o + 11)));
    }
    looks.push({ frame: i, boxes, colours: colours.map((c) => (c[0]! < 0 ? [] : c)) });
  }
  const gaps = looks.slice(1).map((l, k) => l.frame - looks[k]!.frame).sort((a, b) => a - b);
  const spacing = Math.max(1, gaps[gaps.length >> 1] ?? 1);
  // A person missed by a look or two is still the same person.
  const people = joinPeople(looks, Math.round(2.5 * spacing));
  const editing = followedPerson(people, (f) => (track.found[f] ? keypointBoxOf(track.keypoints.subarray(f * KP * 4, (f + 1) * KP * 4)) : null));
  const out = { people, editing, spacing };
  peopleCache.set(track, out);
  return out;
}

/** Everyone's box in frame `f` (display pixels), numbered, the edited person marked. */
export function peopleAt(track: PoseTrack, f: number): Array<{ number: number; box: ObjectDetection['box']; editing: boolean }> {
  const { people, editing, spacing } = peopleInClip(track);
  // Shown between the looks that saw them, not carried past a look that did not.
  return people.flatMap((p) => {
    const box = personBoxAt(p, f, spacing);
    return box ? [{ number: p.number, box, editing: p === editing }] : [];
  });
}

/**
 * The boxes of the people other than the edited one in frame `f` (display pixels). A box that is
 * mostly the followed pose's own (IoU above 0.5 with its keypoints' box) is left out too: a look
 * can join the edited person to another identity for a while, and keeping them would keep the
 * person the edit replaces.
 */
export function otherPeopleAt(track: PoseTrack, f: number): Array<ObjectDetection['box']> {
  const { people, editing, spacing } = peopleInClip(track);
  const pose = track.found[f] ? keypointBoxOf(track.keypoints.subarray(f * KP * 4, (f + 1) * KP * 4)) : null;
  // Carried over a look or two that missed them (as joinPeople joins them): someone half hidden
  // behind the edited person is still there.
  return people.flatMap((p) => {
    const box = p === editing ? null : personBoxAt(p, f, Math.round(2.5 * spacing));
    return box && !(pose && boxIou(pose, box) > 0.5) ? [box] : [];
  });
}
