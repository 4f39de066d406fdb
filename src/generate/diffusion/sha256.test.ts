import { describe, expect, it } from 'vitest';
import { blobSource, bytesSource, hashSource } from './bytes';
import { Sha256, sha256Hex } from './sha256';

async function webcrypto(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice()));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

describe('sha256', () => {
  it('known vectors', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches WebCrypto for all lengths around block borders and in any chunking', async () => {
    const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 255);
    for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 300]) {
      const part = data.subarray(0, n);
      const want = await webcrypto(part);
      expect(sha256Hex(part)).toBe(want);
      const h = new Sha256();
      for (let o = 0; o < n; o += 13) h.update(part.subarray(o, o + 13));
      expect(h.hex()).toBe(want);
    }
  });

  it('hashes sources in chunks (bytes and Blob)', async () => {
    const data = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 7) & 255);
    const want = await webcrypto(data);
    let calls = 0;
    expect(await hashSource(bytesSource('x', data), { chunkBytes: 4096, nativeUpTo: 0, onProgress: () => calls++ })).toBe(want);
    expect(calls).toBe(Math.ceil(100_003 / 4096));
    expect(await hashSource(blobSource('x', new Blob([data.slice()])), { chunkBytes: 10_000, nativeUpTo: 0 })).toBe(want);
    expect(await hashSource(blobSource('x', new Blob([data.slice()])))).toBe(want); // WebCrypto path
  });
});
