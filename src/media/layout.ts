/** A rectangle in output pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/**
 * Layout of the side-by-side preview render: both clips scaled to one height (the smaller of the
 * two heights, capped at `maxHeight`), reference on the left. Sizes are even, as H.264 4:2:0 needs.
 */
export function sideBySideLayout(
  reference: { width: number; height: number },
  motion: { width: number; height: number },
  maxHeight: number,
): { width: number; height: number; reference: Rect; motion: Rect } {
  const height = even(Math.min(reference.height, motion.height, maxHeight));
  const refWidth = even((reference.width * height) / reference.height);
  const motionWidth = even((motion.width * height) / motion.height);
  return {
    width: refWidth + motionWidth,
    height,
    reference: { x: 0, y: 0, width: refWidth, height },
    motion: { x: refWidth, y: 0, width: motionWidth, height },
  };
}
