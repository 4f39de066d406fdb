/**
 * Where an engine run's time went: wall milliseconds per named part, measured inside the engine
 * with `performance.now()` (issue #21: the bench prints each part's share). Pure: the clock is
 * injected, so the accounting is tested in Node.
 *
 * Parts nest (a reference frame read while a plate is built, scene completion inside the plate):
 * a nested part's time is its own and not its parent's, so every millisecond of a run is in
 * exactly one part and the parts add up to the run. Time in no named part is `other`.
 */

/** The parts, in the order they are shown. */
export const ENGINE_PARTS = ['read', 'gather', 'plates', 'completion', 'body', 'layer', 'face', 'composite', 'output', 'finish', 'other'] as const;

/**
 * A named part of a run:
 * - `read`: reference frames read (decoded by the media worker) and scaled to the output size;
 * - `gather`: the appearance gather (views onto the body's texture, face crops);
 * - `plates`: the background plates (person masks, window fill, model), scene completion apart;
 * - `completion`: scene completion of what no frame saw (plate-model.ts `complete`);
 * - `body`: the re-posed textured body rendered (CPU posing and the GPU submit);
 * - `layer`: the layer beyond the mesh (the frame's person matte, its pieces moved with the bones);
 * - `face`: face views shown where the head turned away from the reference frame;
 * - `composite`: the body over the plate, read back (waits for the frame's GPU work);
 * - `output`: frames handed to the output (encode, live preview);
 * - `finish`: the output finished after the engine's last frame (flush, mux);
 * - `other`: the rest (device, setup, bookkeeping).
 */
export type EnginePart = (typeof ENGINE_PARTS)[number];

/** Wall milliseconds per part of one run, keys in `ENGINE_PARTS` order; parts that took no time are left out. */
export type PartTimes = Partial<Record<EnginePart, number>>;

/** Runs code as one part of a run (see `PartTimer.time`). */
export interface PartClock {
  time<T>(part: EnginePart, fn: () => T): T;
}

/** A clock that measures nothing (parts run as they are). */
export const NO_PART_CLOCK: PartClock = { time: (_part, fn) => fn() };

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

/**
 * Exclusive wall time per part. Starts in `other` when made; `time(part, fn)` charges what `fn`
 * takes to `part` until `fn` returns, or, when it returns a promise, until that settles, less what
 * parts nested in it take. For code that awaits one thing at a time (as the engines do): parts
 * running side by side would be charged to whichever began last.
 */
export class PartTimer implements PartClock {
  private readonly ms = new Map<EnginePart, number>();
  /** Open parts, innermost last; the first is the run's own (`other`). */
  private readonly open: { part: EnginePart }[] = [{ part: 'other' }];
  private mark: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.mark = now();
  }

  /** Charges the time since the last change to the innermost open part. */
  private charge(): void {
    const t = this.now();
    const part = this.open[this.open.length - 1]!.part;
    this.ms.set(part, (this.ms.get(part) ?? 0) + Math.max(0, t - this.mark));
    this.mark = t;
  }

  private enter(part: EnginePart): { part: EnginePart } {
    this.charge();
    const entry = { part };
    this.open.push(entry);
    return entry;
  }

  private leave(entry: { part: EnginePart }): void {
    this.charge();
    const i = this.open.lastIndexOf(entry);
    if (i > 0) this.open.splice(i, 1);
  }

  time<T>(part: EnginePart, fn: () => T): T {
    const entry = this.enter(part);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.leave(entry);
      throw e;
    }
    if (!isThenable(result)) {
      this.leave(entry);
      return result;
    }
    return Promise.resolve(result).then(
      (v) => {
        this.leave(entry);
        return v;
      },
      (e: unknown) => {
        this.leave(entry);
        throw e;
      },
    ) as T;
  }

  /** The times so far (the open parts charged up to now). */
  times(): PartTimes {
    this.charge();
    const out: PartTimes = {};
    for (const part of ENGINE_PARTS) {
      const ms = this.ms.get(part);
      if (ms) out[part] = ms;
    }
    return out;
  }
}

/** Milliseconds in all parts. */
export function partTotal(parts: PartTimes): number {
  let sum = 0;
  for (const part of ENGINE_PARTS) sum += parts[part] ?? 0;
  return sum;
}

/**
 * An engine's parts as part of a whole Generate of `totalMs`: `finishMs` (finishing the output
 * after the engine) as `finish`, and what neither covers (making the job, opening the run) added
 * to `other`, so that the parts add up to the Generate's time. Keys in `ENGINE_PARTS` order.
 */
export function runParts(engine: PartTimes, finishMs: number, totalMs: number): PartTimes {
  const withFinish: PartTimes = { ...engine, finish: (engine.finish ?? 0) + Math.max(0, finishMs) };
  const rest = totalMs - partTotal(withFinish);
  if (rest > 0) withFinish.other = (withFinish.other ?? 0) + rest;
  const out: PartTimes = {};
  for (const part of ENGINE_PARTS) if (withFinish[part]) out[part] = withFinish[part];
  return out;
}
