/**
 * Everyone in the shot. The pose model follows one person; the object detector's `person` boxes,
 * from a look at the whole frame four times a second, find the others. The looks are joined into
 * identities over time (`joinPeople`), so the panes can number everyone and say who is edited.
 * Pure: the analysis (analysis/index.ts) runs the detector and stores the looks in the track.
 */
import { boxIntersection, boxIou, cocoClassId, type ObjectDetection } from './objects';

/** At most this many people are kept per look (the largest). */
export const MAX_PEOPLE = 6;
/**
 * Seconds between two looks for people. A quarter of a second: the engine keeps the others out of
 * the plate by their boxes between looks, and a child jumping on a bed moves half their height in
 * a second.
 */
export const PEOPLE_LOOK_SECONDS = 0.25;

type Box = ObjectDetection['box'];

const PERSON = cocoClassId('person');

export interface PeopleOptions {
  /** Person detections below this score are ignored. Default 0.4. */
  minScore?: number;
  /** Nor those shorter than this share of the frame's height (a crowd far away). Default 0.08. */
  minHeight?: number;
}

/** The people in one look: person detections above the score and size floors, largest first, at most `MAX_PEOPLE`. */
export function peopleIn(detections: readonly ObjectDetection[], frameHeight: number, options: PeopleOptions = {}): ObjectDetection[] {
  const minScore = options.minScore ?? 0.4;
  const minHeight = (options.minHeight ?? 0.08) * frameHeight;
  return detections
    .filter((d) => d.classId === PERSON && d.score >= minScore && d.box.y1 - d.box.y0 >= minHeight)
    .sort((a, b) => area(b.box) - area(a.box))
    .slice(0, MAX_PEOPLE);
}

const area = (b: Box) => Math.max(0, b.x1 - b.x0) * Math.max(0, b.y1 - b.y0);

/** One look: the frame and the people boxes in it, with each box's colours when known (`peopleColours`). */
export interface PeopleLook {
  frame: number;
  boxes: readonly Box[];
  colours?: readonly (readonly number[])[];
}

/**
 * Colours this far apart (RMS, 0-1) or more are different clothes. Lenient: a person half hidden
 * or at the frame's edge shows other parts of their clothes (a boy on a bed measured 0.13 from
 * himself a few seconds on), and two children in light clothes measured 0.1 apart, so colours only
 * tell people apart when they clearly differ.
 */
const OTHER_CLOTHES = 0.2;

/**
 * What a person wears, to know them again after they were hidden or out of the frame: the mean
 * colour (0-1) of the middle of the upper body and of the legs in their box (`image` RGBA, box in
 * its pixels). Null when the box holds too few pixels.
 */
export function peopleColours(image: { data: ArrayLike<number>; width: number; height: number }, box: Box): number[] | null {
  const band = (top: number, bottom: number) => {
    const x0 = Math.max(0, Math.round(box.x0 + 0.3 * (box.x1 - box.x0)));
    const x1 = Math.min(image.width, Math.round(box.x1 - 0.3 * (box.x1 - box.x0)));
    const y0 = Math.max(0, Math.round(box.y0 + top * (box.y1 - box.y0)));
    const y1 = Math.min(image.height, Math.round(box.y0 + bottom * (box.y1 - box.y0)));
    const sum = [0, 0, 0];
    let n = 0;
    for (let y = y0; y < y1; y += 2) {
      for (let x = x0; x < x1; x += 2) {
        const o = (y * image.width + x) * 4;
        for (let c = 0; c < 3; c++) sum[c]! += image.data[o + c]!;
        n++;
      }
    }
    return n >= 4 ? sum.map((v) => v / n / 255) : null;
  };
  const upper = band(0.2, 0.5);
  const lower = band(0.55, 0.9);
  return upper && lower ? [...upper, ...lower] : null;
}

function colourDistance(a: readonly number[] | undefined, b: readonly number[] | undefined): number | null {
  if (!a || !b || a.length === 0 || a.length !== b.length) return null;
  return Math.sqrt(a.reduce((s, v, k) => s + (v - b[k]!) ** 2, 0) / a.length);
}

/** How far `colours` are from the nearest of the colours a person was seen in; null when unknown. */
function apartFrom(seen: readonly (readonly number[] | undefined)[], colours: readonly number[] | undefined): number | null {
  let best: number | null = null;
  for (const c of seen) {
    const d = colourDistance(c, colours);
    if (d !== null && (best === null || d < best)) best = d;
  }
  return best;
}

/** A person over the looks that saw them. */
export interface PersonIdentity {
  /** 1, 2, …: in order of first appearance, then left to right. */
  number: number;
  /** The looks' frames, ascending, and the box in each. */
  frames: number[];
  boxes: Box[];
}

/**
 * How alike a box is to a person's last box: their overlap, or failing that how near their
 * centres are against the person's height (a walker moves about half a height between looks).
 * 0 when they cannot be the same person.
 */
function likeness(last: Box, box: Box): number {
  const iou = boxIou(last, box);
  if (iou >= 0.2) return 1 + iou;
  const h = Math.max(1, last.y1 - last.y0, box.y1 - box.y0);
  const d = Math.hypot((last.x0 + last.x1 - box.x0 - box.x1) / 2, (last.y0 + last.y1 - box.y0 - box.y1) / 2) / h;
  const sizes = (box.y1 - box.y0) / Math.max(1, last.y1 - last.y0);
  return d < 0.6 && sizes > 0.6 && sizes < 1.6 ? 1 - d : 0;
}

/**
 * Joins looks (any order; taken in frame order) into identities. Each look's boxes go, most alike
 * first, to the people last seen within `maxGap` frames (not to one whose clothes are clearly
 * different), one box per person; a box left over goes to someone not in this look whose clothes
 * are not clearly different (back after being hidden), else it starts a new person. Numbered by first appearance,
 * then left to right.
 */
export function joinPeople(looks: readonly PeopleLook[], maxGap: number): PersonIdentity[] {
  type Person = { frames: number[]; boxes: Box[]; colours: (readonly number[] | undefined)[] };
  const people: Person[] = [];
  for (const look of [...looks].sort((a, b) => a.frame - b.frame)) {
    const taken = new Set<number>();
    const matched = new Set<Person>();
    const join = (person: Person, b: number) => {
      taken.add(b);
      matched.add(person);
      person.frames.push(look.frame);
      person.boxes.push(look.boxes[b]!);
      person.colours.push(look.colours?.[b]);
    };
    // Those seen lately: by where their box was, unless their clothes differ.
    const pairs: Array<{ person: Person; box: number; score: number }> = [];
    for (const person of people.filter((p) => look.frame - p.frames.at(-1)! <= maxGap)) {
      look.boxes.forEach((box, b) => {
        const score = likeness(person.boxes.at(-1)!, box);
        const apart = apartFrom(person.colours, look.colours?.[b]);
        if (score > 0 && !(apart !== null && apart >= OTHER_CLOTHES)) pairs.push({ person, box: b, score });
      });
    }
    pairs.sort((a, b) => b.score - a.score);
    for (const { person, box } of pairs) if (!taken.has(box) && !matched.has(person)) join(person, box);
    // Someone back after a while (hidden, or out of the frame): someone this look did not see,
    // in clothes not clearly different, the most alike first. A new person only when nobody fits:
    // a child half behind another, missed for seconds, is still one of the two.
    look.boxes.forEach((_, b) => {
      if (taken.has(b)) return;
      let best: Person | null = null;
      let bestApart = OTHER_CLOTHES;
      for (const person of people) {
        if (matched.has(person)) continue;
        const apart = apartFrom(person.colours, look.colours?.[b]);
        if (apart !== null && apart < bestApart) [best, bestApart] = [person, apart];
      }
      if (best) join(best, b);
    });
    look.boxes.forEach((box, b) => {
      if (!taken.has(b)) people.push({ frames: [look.frame], boxes: [box], colours: [look.colours?.[b]] });
    });
  }
  return people
    .sort((a, b) => a.frames[0]! - b.frames[0]! || a.boxes[0]!.x0 - b.boxes[0]!.x0)
    .map((p, k) => ({ number: k + 1, frames: p.frames, boxes: p.boxes }));
}

/**
 * A person's box at frame `f`: between two looks of them `maxGap` frames apart at most, the two
 * boxes blended by time; else the nearest look's box within half of `maxGap` (a look that missed
 * them is nearer than that); null when no look that near saw them.
 */
export function personBoxAt(person: PersonIdentity, f: number, maxGap: number): Box | null {
  const { frames, boxes } = person;
  let after = frames.findIndex((x) => x >= f);
  if (after === -1) after = frames.length;
  const before = after - 1;
  const a = before >= 0 && f - frames[before]! <= maxGap ? before : -1;
  const b = after < frames.length && frames[after]! - f <= maxGap ? after : -1;
  if (a >= 0 && b >= 0 && frames[b]! > frames[a]!) {
    const t = (f - frames[a]!) / (frames[b]! - frames[a]!);
    const p = boxes[a]!;
    const q = boxes[b]!;
    return { x0: p.x0 + (q.x0 - p.x0) * t, y0: p.y0 + (q.y0 - p.y0) * t, x1: p.x1 + (q.x1 - p.x1) * t, y1: p.y1 + (q.y1 - p.y1) * t };
  }
  const nearest = b >= 0 && (a < 0 || frames[b]! - f < f - frames[a]!) ? b : a;
  return nearest >= 0 && Math.abs(frames[nearest]! - f) <= maxGap / 2 ? boxes[nearest]! : null;
}

/**
 * Which person the pose followed: the one whose box fits the pose's keypoint box best in the most
 * looks (`poseBoxAt` gives the followed pose's box at a frame, null where it was not found).
 * Null when no look saw the followed person among the people.
 */
export function followedPerson(people: readonly PersonIdentity[], poseBoxAt: (frame: number) => Box | null): PersonIdentity | null {
  // Per look, the pose belongs to the one box that fits it best (a child kneeling in front of
  // a jumping one lies inside her box too), and only when it fits well: a look that missed a
  // child hidden behind another must not give the followed child's frames to the other, whose
  // box holds the hidden child's pose with an IoU of a third or so. Votes weigh by the fit.
  const votes = new Map<PersonIdentity, number>();
  const frames = new Set(people.flatMap((p) => p.frames));
  for (const f of frames) {
    const pose = poseBoxAt(f);
    if (!pose) continue;
    let best: PersonIdentity | null = null;
    let bestIou = 0.5;
    for (const person of people) {
      const k = person.frames.indexOf(f);
      if (k < 0) continue;
      const iou = boxIou(pose, person.boxes[k]!);
      if (insideShare(pose, person.boxes[k]!) >= 0.6 && iou > bestIou) [best, bestIou] = [person, iou];
    }
    if (best) votes.set(best, (votes.get(best) ?? 0) + bestIou);
  }
  let best: PersonIdentity | null = null;
  for (const [person, n] of votes) if (!best || n > votes.get(best)!) best = person;
  return best;
}

/** The share of box `a`'s area inside box `b`. */
function insideShare(a: Box, b: Box): number {
  return boxIntersection(a, b) / Math.max(1e-9, area(a));
}
