import { describe, expect, it } from 'vitest';
import { ENGINE_PARTS, NO_PART_CLOCK, PartTimer, partTotal, runParts } from './part-times';

/** A clock that moves only when told: `advance(ms)`. */
function manualClock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('PartTimer', () => {
  it('charges time outside any part to other, and a part its own time', () => {
    const c = manualClock();
    const timer = new PartTimer(c.now);
    c.advance(5);
    const v = timer.time('body', () => {
      c.advance(20);
      return 42;
    });
    c.advance(3);
    expect(v).toBe(42);
    expect(timer.times()).toEqual({ body: 20, other: 8 });
  });

  it('counts a nested part in itself, not in its parent, so the parts add up to the run', () => {
    const c = manualClock();
    const timer = new PartTimer(c.now);
    timer.time('plates', () => {
      c.advance(10);
      timer.time('completion', () => c.advance(30));
      c.advance(5);
    });
    expect(timer.times()).toEqual({ plates: 15, completion: 30 });
    expect(partTotal(timer.times())).toBe(45);
  });

  it('times an async part until its promise settles, nested async parts apart', async () => {
    const c = manualClock();
    const timer = new PartTimer(c.now);
    const read = (ms: number) => timer.time('read', async () => {
      await Promise.resolve();
      c.advance(ms);
      return ms;
    });
    const got = await timer.time('plates', async () => {
      c.advance(2);
      const a = await read(7);
      c.advance(1);
      const b = await read(4);
      return a + b;
    });
    c.advance(6);
    expect(got).toBe(11);
    expect(timer.times()).toEqual({ read: 11, plates: 3, other: 6 });
  });

  it('closes a part that throws or rejects, and passes the error on', async () => {
    const c = manualClock();
    const timer = new PartTimer(c.now);
    expect(() =>
      timer.time('layer', () => {
        c.advance(4);
        throw new Error('sync');
      }),
    ).toThrow('sync');
    await expect(
      timer.time('composite', async () => {
        c.advance(6);
        throw new Error('async');
      }),
    ).rejects.toThrow('async');
    c.advance(1);
    expect(timer.times()).toEqual({ layer: 4, composite: 6, other: 1 });
  });

  it('lists the parts in ENGINE_PARTS order, leaving out those that took no time', () => {
    const c = manualClock();
    const timer = new PartTimer(c.now);
    for (const part of ['output', 'read', 'face', 'gather'] as const) timer.time(part, () => c.advance(1));
    timer.time('body', () => undefined);
    expect(Object.keys(timer.times())).toEqual(['read', 'gather', 'face', 'output']);
    expect(ENGINE_PARTS.at(-1)).toBe('other');
  });

  it('NO_PART_CLOCK runs the part as it is', async () => {
    expect(NO_PART_CLOCK.time('read', () => 3)).toBe(3);
    expect(await NO_PART_CLOCK.time('read', async () => 4)).toBe(4);
  });
});

describe('runParts', () => {
  it('adds finishing the output and what the engine did not see, so the parts add up to the whole run', () => {
    const parts = runParts({ read: 100, body: 50, other: 10 }, 40, 250);
    expect(parts).toEqual({ read: 100, body: 50, finish: 40, other: 60 });
    expect(Object.keys(parts)).toEqual(['read', 'body', 'finish', 'other']);
    expect(partTotal(parts)).toBe(250);
  });

  it('never makes other negative when the engine measured more than the run (clocks apart)', () => {
    expect(runParts({ read: 100 }, 0, 90)).toEqual({ read: 100 });
  });
});
