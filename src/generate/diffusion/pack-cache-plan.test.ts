/** The pack cache's bookkeeping on real manifests of generated proxy packs. */
import { afterAll, describe, expect, it } from 'vitest';
import { makeProxyPack, nodePackFiles, removeTemps } from './node-testing';
import { loadPack, type PackManifest } from './pack';
import { cacheRecord, filesToCopy, packCacheKey, packFileList, parseCacheRecord, quotaMessage, recordMismatch, staleFiles } from './pack-cache-plan';

afterAll(removeTemps);

const manifestOf = async (dir: string): Promise<PackManifest> => (await loadPack(nodePackFiles(dir), { checkHashes: false })).manifest;

describe('pack cache bookkeeping', () => {
  it('keys a pack by a filesystem-safe form of its name', () => {
    expect(packCacheKey('MimicMotion 1.1 (fp16)')).toBe('mimicmotion-1-1-fp16');
    expect(packCacheKey('proxy-64x64')).toBe('proxy-64x64');
    expect(packCacheKey('../../etc')).toBe('etc');
    expect(packCacheKey('Ünïcode ✓')).toBe('unicode');
    expect(packCacheKey('!!!')).toBe('pack');
    expect(packCacheKey('x'.repeat(200))).toHaveLength(64);
  });

  it('lists the models and their external data; the record round-trips through JSON', async () => {
    const m = await manifestOf(makeProxyPack({ externalData: ['unet'] }));
    const files = packFileList(m);
    expect(files.map((f) => f.file)).toEqual(['image_encoder.onnx', 'vae_encoder.onnx', 'pose_net.onnx', 'unet.onnx', 'unet.onnx.data', 'vae_decoder.onnx']);
    const rec = cacheRecord(m, 1234);
    expect(rec.totalBytes).toBe(files.reduce((s, f) => s + f.bytes, 0));
    expect(parseCacheRecord(JSON.stringify(rec))).toEqual(rec);
    expect(parseCacheRecord('{"format":"something-else"}')).toBeNull();
    expect(parseCacheRecord('not json')).toBeNull();
    expect(recordMismatch(rec, m)).toBeNull();
  });

  it('copies only files whose sha256 or size changed or that are missing on disk', async () => {
    const a = await manifestOf(makeProxyPack({ seed: 1 }));
    const b = await manifestOf(makeProxyPack({ seed: 2 })); // same names, other weights
    const all = new Map(packFileList(a).map((f) => [f.file, f.bytes]));
    expect(filesToCopy(a, null, new Map())).toHaveLength(5);
    expect(filesToCopy(a, cacheRecord(a, 0), all)).toEqual([]);
    // A file cut short on disk (an interrupted copy) is copied again.
    const cut = new Map(all).set('unet.onnx', 10);
    expect(filesToCopy(a, cacheRecord(a, 0), cut).map((f) => f.file)).toEqual(['unet.onnx']);
    // Another export under the same names: every file whose hash differs.
    const changed = filesToCopy(b, cacheRecord(a, 0), all).map((f) => f.file);
    expect(changed.length).toBeGreaterThan(0);
    for (const f of changed) expect(packFileList(b).find((x) => x.file === f)!.sha256).not.toBe(packFileList(a).find((x) => x.file === f)!.sha256);
    expect(recordMismatch(cacheRecord(a, 0), b)).toMatch(/another version/);
    expect(staleFiles(a, ['pack.json', 'cache.json', 'unet.onnx', 'old.onnx.data'])).toEqual(['old.onnx.data']);
  });

  it('says what a quota failure means and what to do', () => {
    const msg = quotaMessage('MimicMotion', 4.5e9, 1.2e9);
    expect(msg).toContain('needs 4.5 GB of browser storage');
    expect(msg).toContain('about 1.2 GB more');
    expect(msg).toContain('loaded for this session only');
    expect(msg).toMatch(/Remove cached packs/);
  });
});
