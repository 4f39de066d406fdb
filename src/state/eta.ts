export { etaSeconds } from '../project';

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
