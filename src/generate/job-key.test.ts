import { describe, expect, it } from 'vitest';
import { jobKey } from './job-key';

describe('jobKey', () => {
  const job = { width: 640, height: 360, timeline: { offsetS: 0, mapping: 'hold' }, rotations: new Float32Array([0, 0.5, 1]) };

  it('is stable and ignores key order', async () => {
    const a = await jobKey(job);
    const b = await jobKey({ rotations: new Float32Array([0, 0.5, 1]), timeline: { mapping: 'hold', offsetS: 0 }, height: 360, width: 640 });
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).toBe(a);
  });

  it('changes with any scalar or any byte of a typed array', async () => {
    const a = await jobKey(job);
    expect(await jobKey({ ...job, width: 642 })).not.toBe(a);
    expect(await jobKey({ ...job, timeline: { ...job.timeline, mapping: 'loop' } })).not.toBe(a);
    expect(await jobKey({ ...job, rotations: new Float32Array([0, 0.5, 1.0000001]) })).not.toBe(a);
  });

  it('tells typed arrays of equal bytes but different types apart, and views by their range', async () => {
    const bytes = new Uint8Array(12);
    expect(await jobKey({ x: bytes })).not.toBe(await jobKey({ x: new Float32Array(3) }));
    const big = new Float32Array([9, 1, 2, 9]);
    expect(await jobKey({ x: big.subarray(1, 3) })).toBe(await jobKey({ x: new Float32Array([1, 2]) }));
  });
});
