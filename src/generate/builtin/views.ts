/**
 * Which reference frames the appearance gathers. Spread evenly in time alone, the views of a clip
 * that faces the camera for five seconds and turns its back for the last quarter second are all
 * front views, and the back the clip did show is never gathered. So views are shared out by the
 * body's heading first: every heading sector the clip shows gets views before any sector gets
 * more, then each sector's views are spread evenly over its frames in time.
 */

/** Heading sectors (degrees wide) that share out the views. */
export const HEADING_SECTOR = 30;

/**
 * Up to `max` of `frames` (in time order), given each one's body heading in degrees (0 facing the
 * camera, ±180 its back): returned in time order.
 */
export function chooseViews(frames: readonly number[], headings: readonly number[], max: number): number[] {
  if (frames.length !== headings.length) throw new RangeError(`chooseViews: ${frames.length} frames but ${headings.length} headings.`);
  const sectorCount = Math.round(360 / HEADING_SECTOR);
  const sectors: number[][] = Array.from({ length: sectorCount }, () => []);
  frames.forEach((frame, i) => {
    const deg = ((headings[i]! % 360) + 360 + HEADING_SECTOR / 2) % 360;
    sectors[Math.floor(deg / HEADING_SECTOR) % sectorCount]!.push(frame);
  });
  // Round by round, one more view to each sector that has frames left, fullest sectors first when the last round cannot serve all.
  const quota = new Array<number>(sectorCount).fill(0);
  const order = sectors.map((_, i) => i).sort((a, b) => sectors[b]!.length - sectors[a]!.length);
  let left = Math.min(max, frames.length);
  while (left > 0) {
    for (const s of order) {
      if (left === 0) break;
      if (quota[s]! < sectors[s]!.length) {
        quota[s]!++;
        left--;
      }
    }
  }
  const chosen: number[] = [];
  sectors.forEach((sector, s) => {
    const q = quota[s]!;
    for (let j = 0; j < q; j++) chosen.push(sector[Math.floor(((j + 0.5) * sector.length) / q)]!);
  });
  return chosen.sort((a, b) => a - b);
}
