import { describe, expect, it } from 'vitest';
import {
  clampTrim,
  frameIndexAt,
  frameMapping,
  mapTime,
  nominalFps,
  outputFrameTimes,
  sourceTimes,
  type TimelineSettings,
} from './timeline';

const ts25 = Array.from({ length: 50 }, (_, i) => i / 25);

describe('frameIndexAt', () => {
  it('returns the last frame starting at or before t', () => {
    expect(frameIndexAt(ts25, 0)).toBe(0);
    expect(frameIndexAt(ts25, 0.039)).toBe(0);
    expect(frameIndexAt(ts25, 0.04)).toBe(1);
    expect(frameIndexAt(ts25, 1.0)).toBe(25);
    expect(frameIndexAt(ts25, 100)).toBe(49);
    expect(frameIndexAt(ts25, -1)).toBe(0);
    expect(frameIndexAt([], 1)).toBe(-1);
  });

  it('tolerates float drift at exact frame times', () => {
    for (let i = 0; i < 50; i++) expect(frameIndexAt(ts25, i * (1 / 25))).toBe(i);
  });

  it('works on variable frame rate timestamps', () => {
    const vfr = [0, 0.01, 0.05, 0.2, 0.21];
    expect(frameIndexAt(vfr, 0.1)).toBe(2);
    expect(frameIndexAt(vfr, 0.205)).toBe(3);
  });
});

describe('mapTime', () => {
  it('holds, loops and ping-pongs', () => {
    expect(mapTime(5, 2, 'hold')).toBeCloseTo(2, 5);
    expect(mapTime(-1, 2, 'hold')).toBe(0);
    expect(mapTime(5, 2, 'loop')).toBeCloseTo(1);
    expect(mapTime(2.5, 2, 'ping-pong')).toBeCloseTo(1.5);
    expect(mapTime(4.5, 2, 'ping-pong')).toBeCloseTo(0.5);
  });
});

describe('shared timeline', () => {
  const s: TimelineSettings = {
    motion: { inS: 1, outS: 3 },
    reference: { inS: 0.5, outS: 1.5 },
    offsetS: 0.25,
    mapping: 'hold',
  };

  it('reads the motion from its trim-in and the reference with the offset', () => {
    expect(sourceTimes(s, 0)).toEqual({ motion: 1, reference: 0.75 });
    const late = sourceTimes(s, 1.9);
    expect(late.motion).toBeCloseTo(2.9);
    expect(late.reference).toBeCloseTo(1.5, 4); // held on the reference's last frame
  });

  it('plans one output frame per 1/fps over the motion range', () => {
    const times = outputFrameTimes(s, 25);
    expect(times).toHaveLength(50);
    expect(times[1]).toBeCloseTo(0.04);
    expect(outputFrameTimes({ ...s, motion: { inS: 0, outS: 0 } }, 25)).toHaveLength(1);
  });

  it('clamps trims inside the clip and keeps one frame', () => {
    expect(clampTrim({ inS: -1, outS: 20 }, 10, 0.04)).toEqual({ inS: 0, outS: 10 });
    const short = clampTrim({ inS: 9.99, outS: 9.99 }, 10, 0.04);
    expect(short.inS).toBeCloseTo(9.95, 9);
    expect(short.outS).toBeCloseTo(9.99, 9);
  });
});

describe('nominalFps', () => {
  it('finds constant and NTSC rates', () => {
    expect(nominalFps(ts25)).toBe(25);
    expect(nominalFps(Array.from({ length: 10 }, (_, i) => (i * 1001) / 30000))).toBe(29.97);
    expect(nominalFps([0])).toBe(30);
  });
});

describe('frameMapping', () => {
  it('maps each output frame to the reference and motion frames shown then', () => {
    // Motion 10 fps trimmed to [0.5, 0.8); reference 5 fps read 0.45 s later, looped over its first 0.4 s.
    const motion = Array.from({ length: 20 }, (_, i) => i / 10);
    const reference = Array.from({ length: 10 }, (_, i) => i / 5);
    const m = frameMapping({ motion: { inS: 0.5, outS: 0.8 }, reference: { inS: 0, outS: 0.4 }, offsetS: 0.45, mapping: 'loop' }, 10, reference, motion);
    expect(m.times.map((t) => +t.toFixed(3))).toEqual([0, 0.1, 0.2]);
    expect(m.motion).toEqual([5, 6, 7]);
    // Reference time = (t + 0.45) looped in [0, 0.4): 0.05, 0.15, 0.25 -> frames 0, 0, 1.
    expect(m.reference).toEqual([0, 0, 1]);
  });
});
