import { describe, expect, it } from 'vitest';
import { checkClipShape, checkFileSize, MAX_FILE_BYTES } from './limits';

describe('input limits', () => {
  it('accepts files up to 2 GiB and refuses larger ones with the size in the message', () => {
    expect(checkFileSize('a.mp4', MAX_FILE_BYTES)).toBeNull();
    const err = checkFileSize('big.mp4', MAX_FILE_BYTES + 1);
    expect(err?.code).toBe('too-large-file');
    expect(err?.message).toContain('2.0 GB');
  });

  it('accepts 4K in both orientations and refuses anything larger', () => {
    expect(checkClipShape('a', 3840, 2160, 10)).toBeNull();
    expect(checkClipShape('a', 2160, 3840, 10)).toBeNull();
    expect(checkClipShape('a', 4096, 2160, 10)?.code).toBe('too-large-frame');
    expect(checkClipShape('a', 3000, 3000, 10)?.code).toBe('too-large-frame');
  });

  it('refuses clips without frames', () => {
    expect(checkClipShape('a', 640, 480, 0)?.code).toBe('empty-clip');
    expect(checkClipShape('a', 640, 480, 1)).toBeNull();
  });
});
