import { describe, expect, it } from 'vitest';
import { avcCodecString, avcLevel } from './avc';

describe('H.264 level for the output size', () => {
  it('picks the smallest level that holds the frame size and rate', () => {
    expect(avcLevel(720, 480, 30)).toBe(30);
    expect(avcLevel(1280, 720, 30)).toBe(31);
    expect(avcLevel(1280, 720, 60)).toBe(32);
    expect(avcLevel(1920, 1080, 30)).toBe(40);
    expect(avcLevel(1920, 1080, 60)).toBe(42);
    expect(avcLevel(3840, 2160, 30)).toBe(51);
    expect(avcLevel(3840, 2160, 60)).toBe(52);
  });

  it('accounts for a very wide frame whose side exceeds the level bound', () => {
    // 1440x1080 side-by-side of two 720x1080 clips still fits level 4.0 at 30 fps.
    expect(avcLevel(1440, 1080, 30)).toBe(40);
    // 4000x200 is few macroblocks but a side of 250 MBs needs MaxFS >= 7813.
    expect(avcLevel(4000, 200, 25)).toBeGreaterThanOrEqual(40);
  });

  it('formats the High-profile codec string', () => {
    expect(avcCodecString(1280, 720, 30)).toBe('avc1.64001f');
    expect(avcCodecString(1920, 1080, 30)).toBe('avc1.640028');
  });
});
