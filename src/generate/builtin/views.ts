/**
 * Which reference frames the appearance gathers. Spread evenly in time alone, the views of a clip
 * that faces the camera for five seconds and turns its back for the last quarter second are all
 * front views, and the back the clip did show is never gathered. So every heading sector the clip
 * shows gets a few views of its own, and the rest stay spread evenly in time: a clip that dwells
 * on its back keeps many back views (equal shares per sector would thin them out in favour of
 * quick turns through the sides, whose grazing views blur the face onto the back of the head).
 */

/** Heading sectors (degrees wide) that each get views. */
export const HEADING_SECTOR = 30;
/** Views each heading sector the clip shows gets at least (or all its frames, when it has fewer). */
export const VIEWS_PER_SECTOR = 2;

/** `count` of `frames`, evenly spread (the first included). */
function spread(frames: readonly number[], count: number): number[] {
  const step = frames.length / count;
  return Array.from({ length: Math.min(count, frames.length) }, (_, v) => frames[Math.floor(v * step)]!);
}

/**
 * Up to `max` of `frames` (in time order), given each one's body heading in degrees (0 facing the
 * camera, ±180 its back): returned in time order.
 */
export function chooseViews(frames: readonly number[], headings: readonly number[], max: number): number[] {
  if (frames.length !== headings.length) throw new RangeError(`chooseViews: ${frames.length} frames but ${headings.length} headings.`);
  if (frames.length <= max) return [...frames];
  const sectorCount = Math.round(360 / HEADING_SECTOR);
  const sectorOf = new Map<number, number>();
  const sectors: number[][] = Array.from({ length: sectorCount }, () => []);
  frames.forEach((frame, i) => {
    const deg = ((headings[i]! % 360) + 360 + HEADING_SECTOR / 2) % 360;
    const s = Math.floor(deg / HEADING_SECTOR) % sectorCount;
    sectors[s]!.push(frame);
    sectorOf.set(frame, s);
  });
  // Evenly in time, then each sector short of its share topped up from its own frames; the time
  // spread shrinks by as many and is checked again (it may now miss a sector it covered).
  let extras: number[] = [];
  for (let round = 0; round < 4; round++) {
    const inTime = spread(frames, max - extras.length);
    const have = new Array<number>(sectorCount).fill(0);
    for (const f of inTime) have[sectorOf.get(f)!]!++;
    const next = sectors.flatMap((sector, s) => {
      const want = Math.min(VIEWS_PER_SECTOR, sector.length);
      return have[s]! >= want ? [] : spread(sector, want).filter((f) => !inTime.includes(f)).slice(0, want - have[s]!);
    });
    if (next.length === extras.length && next.every((f, i) => f === extras[i])) return [...new Set([...inTime, ...extras])].sort((a, b) => a - b);
    extras = next;
  }
  return [...new Set([...spread(frames, max - extras.length), ...extras])].sort((a, b) => a - b);
}
