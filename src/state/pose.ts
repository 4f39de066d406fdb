import type { Slot } from '../media';
import { set } from './editor';
import { computeApi } from './services';

/**
 * Follow the person at (x, y), display pixels of frame `frame`, instead of the one followed now:
 * the analysis runs again. The pane shows it queued at once (the core's events follow); resolves
 * when the new analysis has finished in the worker.
 */
export function followPerson(slot: Slot, frame: number, x: number, y: number): Promise<void> {
  const follow = { frame, x, y };
  set((s) => ({ pose: { ...s.pose, [slot]: { ...s.pose[slot], status: 'queued', done: 0, etaS: null, error: null, track: null, follow } } }));
  return computeApi().follow(slot, follow);
}
