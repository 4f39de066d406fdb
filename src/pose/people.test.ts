import { describe, expect, it } from 'vitest';
import { cocoClassId, type ObjectDetection } from './objects';
import { followedPerson, joinPeople, MAX_PEOPLE, peopleColours, peopleIn, personBoxAt, type PeopleLook } from './people';
import { emptyTrack, otherPeopleAt, peopleAt, peopleInClip, writePeople, KP } from './track';

const box = (x0: number, y0: number, x1: number, y1: number) => ({ x0, y0, x1, y1 });
const person = (b: ReturnType<typeof box>, score = 0.8): ObjectDetection => ({ box: b, score, classId: cocoClassId('person'), label: 'person' });

describe('people in a look', () => {
  it('keeps confident, large enough person boxes, largest first, at most MAX_PEOPLE', () => {
    const ball: ObjectDetection = { box: box(0, 0, 50, 50), score: 0.9, classId: cocoClassId('sports ball'), label: 'sports ball' };
    const found = peopleIn([person(box(10, 10, 40, 100)), person(box(100, 0, 200, 300)), person(box(300, 0, 340, 200), 0.3), person(box(400, 0, 410, 20)), ball], 400);
    expect(found.map((p) => p.box.x0)).toEqual([100, 10]);
    const crowd = Array.from({ length: 9 }, (_, k) => person(box(k * 40, 0, k * 40 + 30, 100 + k)));
    expect(peopleIn(crowd, 400)).toHaveLength(MAX_PEOPLE);
    expect(peopleIn(crowd, 400)[0]!.box.x0).toBe(320);
  });
});

describe('joining looks into people', () => {
  it('two walkers keep their numbers while they move; numbered left to right; one who leaves and comes back late is someone new', () => {
    const looks: PeopleLook[] = [];
    for (let k = 0; k < 6; k++) {
      const right = box(400 - k * 20, 50, 480 - k * 20, 250); // walks left
      const left = box(100 + k * 25, 60, 170 + k * 25, 240); // walks right
      looks.push({ frame: k * 25, boxes: k === 3 ? [left] : [right, left] }); // the right one is missed once
    }
    looks.push({ frame: 400, boxes: [box(100, 50, 180, 250)] }); // long after everyone was last seen
    const people = joinPeople(looks.reverse(), 60);
    expect(people.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(people[0]!.boxes.every((b) => b.x0 < 300)).toBe(true); // the left walker is person 1
    expect(people[0]!.frames).toEqual([0, 25, 50, 75, 100, 125]);
    expect(people[1]!.frames).toEqual([0, 25, 50, 100, 125]); // missed at 75, still the same person
    expect(people[2]!.frames).toEqual([400]);
  });

  it('two people side by side are not merged, and a box goes to one person only', () => {
    const a = box(100, 0, 200, 300);
    const b = box(210, 0, 310, 300);
    const people = joinPeople([{ frame: 0, boxes: [a, b] }, { frame: 10, boxes: [b, a] }, { frame: 20, boxes: [a] }], 30);
    expect(people).toHaveLength(2);
    expect(people[0]!.boxes).toEqual([a, a, a]);
    expect(people[1]!.boxes).toEqual([b, b]);
  });

  it('someone back after being hidden is known again by their clothes; a box near someone else in other clothes is not theirs', () => {
    const red = [0.8, 0.1, 0.1, 0.2, 0.2, 0.6];
    const green = [0.1, 0.7, 0.2, 0.3, 0.3, 0.3];
    const a = box(100, 0, 200, 300);
    const b = box(400, 0, 500, 300);
    const looks: PeopleLook[] = [
      { frame: 0, boxes: [a, b], colours: [red, green] },
      { frame: 30, boxes: [b], colours: [green] }, // red hidden for a long while
      { frame: 200, boxes: [box(20, 0, 120, 300), b], colours: [red.map((v) => v + 0.03), green] },
      // Green steps where red stood: the box is near red's last one, but green's clothes.
      { frame: 220, boxes: [box(30, 0, 130, 300)], colours: [green] },
    ];
    const people = joinPeople(looks, 40);
    expect(people).toHaveLength(2);
    expect(people[0]!.frames).toEqual([0, 200]);
    expect(people[1]!.frames).toEqual([0, 30, 200, 220]);
  });

  it("a person's colours: the upper body's and the legs' means", () => {
    const width = 40;
    const height = 100;
    const data = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(y < 52 ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * width + x) * 4);
    expect(peopleColours({ data, width, height }, box(0, 0, 40, 100))).toEqual([1, 0, 0, 0, 0, 1]);
    expect(peopleColours({ data, width, height }, box(0, 0, 2, 2))).toBeNull();
  });

  it("a person's box between looks is blended by time, held near a look, gone far from every look", () => {
    const [p] = joinPeople([{ frame: 10, boxes: [box(0, 0, 100, 200)] }, { frame: 20, boxes: [box(20, 0, 120, 200)] }], 20);
    expect(personBoxAt(p!, 15, 12)).toEqual(box(10, 0, 110, 200));
    expect(personBoxAt(p!, 8, 12)).toEqual(box(0, 0, 100, 200));
    expect(personBoxAt(p!, 40, 12)).toBeNull();
  });

  it('the followed person is the one whose box fits the pose best', () => {
    const looks = [0, 10, 20].map((frame) => ({ frame, boxes: [box(0, 0, 100, 300), box(300, 0, 420, 360)] }));
    const people = joinPeople(looks, 20);
    expect(followedPerson(people, () => box(310, 20, 410, 340))!.number).toBe(2);
    expect(followedPerson(people, () => null)).toBeNull();
    // A small person in front of a large one: inside both boxes, theirs fits.
    const nested = joinPeople([0, 10].map((frame) => ({ frame, boxes: [box(100, 0, 340, 300), box(120, 100, 220, 300)] })), 20);
    expect(followedPerson(nested, () => box(125, 110, 215, 290))!.boxes[0]).toEqual(box(120, 100, 220, 300));
    // The small one then hides behind the large one, and three looks see only the large one: the
    // pose still follows the small one, though its box fills 0.43 of the large one's.
    const hidden = joinPeople(
      [0, 10, 20, 30].map((frame) => ({ frame, boxes: frame === 0 ? [box(100, 0, 340, 300), box(110, 60, 260, 300)] : [box(100, 0, 340, 300)] })),
      20,
    );
    expect(followedPerson(hidden, () => box(115, 70, 255, 290))!.boxes[0]).toEqual(box(110, 60, 260, 300));
  });
});

describe('people in a pose track', () => {
  it('stored per look (display pixels), joined, the edited person marked where the pose is', () => {
    const track = emptyTrack(30, 640, 360, 0, 'test', 'wasm');
    for (const f of [0, 10, 20]) writePeople(track, f, [person(box(150, 20, 210, 170)), person(box(10, 10, 60, 160))], 2);
    // The pose follows the second (left) person: keypoints spread over its box (display pixels 20-120 x 20-320).
    for (let f = 0; f < 30; f++) {
      track.found[f] = 1;
      for (let k = 0; k < KP; k++) track.keypoints.set([25 + (k % 5) * 22, 30 + Math.floor(k / 5) * 45, 0, 1], (f * KP + k) * 4);
    }
    const { people, editing } = peopleInClip(track);
    expect(people.map((p) => p.boxes[0])).toEqual([box(20, 20, 120, 320), box(300, 40, 420, 340)]);
    expect(editing!.number).toBe(1);
    const at = peopleAt(track, 5);
    expect(at.map((p) => [p.number, p.editing])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(peopleAt(emptyTrack(5, 64, 64, 0, 'test', 'wasm'), 2)).toEqual([]);
  });

  it('the others: everyone but the edited person, carried over a look that missed them, never the edited one under another number', () => {
    const track = emptyTrack(40, 640, 360, 0, 'test', 'wasm');
    // Looks every 8 frames; the right person is missed by the look at frame 16 (hidden a moment).
    for (const f of [0, 8, 16, 24, 32]) {
      const left = person(box(10, 10, 60, 160));
      writePeople(track, f, f === 16 ? [left] : [person(box(150 + f, 20, 210 + f, 170)), left], 2);
    }
    for (let f = 0; f < 40; f++) {
      track.found[f] = 1;
      for (let k = 0; k < KP; k++) track.keypoints.set([25 + (k % 5) * 22, 30 + Math.floor(k / 5) * 45, 0, 1], (f * KP + k) * 4);
    }
    expect(otherPeopleAt(track, 4)).toEqual([box(300 + 8, 40, 420 + 8, 340)]);
    // Between frames 8 and 24 the box moves on by time, though the look at 16 did not see them.
    expect(otherPeopleAt(track, 16)).toEqual([box(300 + 32, 40, 420 + 32, 340)]);
    expect(otherPeopleAt(track, 20)).toEqual([box(300 + 40, 40, 420 + 40, 340)]);
    // A box that is the pose's own (a look that joined the edited person to another number) is not kept.
    const same = emptyTrack(10, 640, 360, 0, 'test', 'wasm');
    for (const f of [0, 5]) writePeople(same, f, [person(box(12, 12, 62, 162))], 2);
    for (let f = 0; f < 10; f++) {
      same.found[f] = 1;
      for (let k = 0; k < KP; k++) same.keypoints.set([25 + (k % 5) * 22, 30 + Math.floor(k / 5) * 45, 0, 1], (f * KP + k) * 4);
    }
    expect(otherPeopleAt(same, 2)).toEqual([]);
  });
});
