/**
 * Seconds left for a job that is `fraction` done after `elapsedS` seconds, assuming the rate so
 * far holds. Null until there is enough progress to say anything.
 */
export function etaSeconds(fraction: number, elapsedS: number): number | null {
  if (!(fraction > 0.01) || elapsedS <= 0) return null;
  if (fraction >= 1) return 0;
  return (elapsedS * (1 - fraction)) / fraction;
}

/** "1:05", "0:07", "1:02:03": a duration in seconds as a clock. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** "2.40 s": a timeline position with frame-level precision. */
export function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(2)} s`;
}
