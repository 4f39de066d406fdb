/**
 * Pack validation on generated proxy packs (tools/fixtures/proxy-pack.mjs): a good pack passes,
 * each deliberately broken one is refused with a message naming the file and the mismatch.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from './bytes';
import { PackError } from './errors';
import { makeProxyPack, nodePackFiles, readFile, removeTemps, writeFile, type ProxyPackOptions } from './node-testing';
import { readOnnxInfo } from './onnx-io';
import { checkPackFiles, loadPack, parsePackManifest, type PackFiles } from './pack';

afterAll(removeTemps);

async function refusal(files: PackFiles): Promise<PackError> {
  try {
    await loadPack(files);
  } catch (e) {
    if (e instanceof PackError) return e;
    throw e;
  }
  throw new Error('the pack was accepted');
}

describe('proxy pack validation', () => {
  const good = makeProxyPack();

  it('accepts a generated pack and reads its ONNX I/O without loading weights', async () => {
    const { manifest, report } = await loadPack(nodePackFiles(good));
    expect(manifest.name).toBe('proxy-64x64');
    expect(manifest.latentScaling).toBe(0.18215);
    expect(manifest.sampling.tileSize).toBe(4);
    const unet = report.models.unet!;
    expect(unet.inputs.map((i) => i.name)).toEqual(['sample', 'timestep', 'encoder_hidden_states', 'added_time_ids', 'pose_latents']);
    expect(unet.inputs[0]).toEqual({ name: 'sample', dtype: 'float32', shape: [1, 'F', 8, 'h', 'w'] });
    expect(unet.outputs).toEqual([{ name: 'out_sample', dtype: 'float32', shape: [1, 'F', 4, 'h', 'w'] }]);
    expect(report.models.vae_decoder!.inputs[1]).toEqual({ name: 'num_frames', dtype: 'int64', shape: [1] });
    expect(unet.opsets).toEqual([{ domain: '', version: 17 }]);
    expect(unet.irVersion).toBe(8);
    expect(unet.initializerCount).toBeGreaterThan(10);
  });

  it('accepts fp16 I/O and external data, and names the external file', async () => {
    const dir = makeProxyPack({ fp16: true, externalData: ['unet'] });
    const { manifest, report } = await loadPack(nodePackFiles(dir));
    expect(manifest.fp16).toBe(true);
    expect(report.models.unet!.externalDataFiles).toEqual(['unet.onnx.data']);
    expect(report.models.unet!.inputs[1]!.dtype).toBe('float16');
    expect(report.models.unet!.opTypes).toContain('Cast');
  });

  const cases: Array<[NonNullable<ProxyPackOptions['mismatch']>, string, RegExp]> = [
    ['dtype', 'io-dtype', /^unet\.onnx: input "timestep" has dtype float16, pack\.json says float32\./],
    ['name', 'io-name', /^unet\.onnx: pack\.json lists input "encoder_hidden_states", but the file has no such input \(its inputs: sample, timestep, encoder_states, added_time_ids, pose_latents\)\./],
    ['shape', 'io-shape', /^pose_net\.onnx: output "pose_latents" has shape \[F,160,h,w\], pack\.json says \[F,320,h,w\] \(dim 1 is 160, not 320\)\./],
    ['fixed-dim', 'io-shape', /^unet\.onnx: input "sample" has shape \[1,4,8,h,w\], pack\.json says \[1,F,8,h,w\] \(dim 1 is fixed at 4 in the file, pack\.json says symbolic "F"\)\./],
    ['sha256', 'sha256', /^vae_decoder\.onnx: sha256 is [0-9a-f]{64}, pack\.json says [0-9a-f]{64} \(the file is damaged or from another export\)\./],
    ['size', 'size', /^image_encoder\.onnx: the file has \d+ bytes, pack\.json says \d+\./],
    ['missing', 'missing-file', /^vae_encoder\.onnx: the file is missing from the pack \(pack\.json names it as the model of "vae_encoder"\)\./],
  ];
  it.each(cases)('refuses mismatch "%s" with code %s and a precise message', async (mismatch, code, message) => {
    const err = await refusal(nodePackFiles(makeProxyPack({ mismatch })));
    expect(err.code).toBe(code);
    expect(err.problems[0]!.message).toMatch(message);
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/docs\/model-packs\.md/);
  });

  it('the name mismatch also reports the unexpected input', async () => {
    const err = await refusal(nodePackFiles(makeProxyPack({ mismatch: 'name' })));
    expect(err.problems.map((p) => p.message)).toContain('unet.onnx: the file has input "encoder_states", which pack.json does not list (the pipeline would not feed it).');
  });

  it('a file that is not ONNX, and a missing external data file', async () => {
    const dir = makeProxyPack({ externalData: ['unet'] });
    const manifest = JSON.parse(new TextDecoder().decode(readFile(dir, 'pack.json'))) as { models: Record<string, { bytes: number }> };
    const junk = new TextEncoder().encode('\u00ff'.repeat(manifest.models.pose_net!.bytes / 2));
    writeFile(dir, 'pose_net.onnx', junk);
    manifest.models.pose_net!.bytes = junk.length;
    writeFile(dir, 'pack.json', JSON.stringify(manifest));
    const files = nodePackFiles(dir);
    const hidden: PackFiles = { open: (p) => (p === 'unet.onnx.data' ? Promise.resolve(null) : files.open(p)) };
    const report = await checkPackFiles(parsePackManifest(JSON.stringify(manifest)), hidden, { checkHashes: false });
    const messages = report.problems.map((p) => `${p.code}: ${p.message}`);
    expect(messages).toContain('missing-file: unet.onnx.data: the file is missing from the pack (pack.json names it as the external data of "unet").');
    expect(messages.some((m) => m.startsWith('not-onnx: pose_net.onnx: not a readable ONNX model ('))).toBe(true);
  });

  it('undeclared external data is refused', async () => {
    const dir = makeProxyPack({ externalData: ['unet'] });
    const manifest = JSON.parse(new TextDecoder().decode(readFile(dir, 'pack.json'))) as { models: Record<string, { externalData?: unknown }> };
    delete manifest.models.unet!.externalData;
    writeFile(dir, 'pack.json', JSON.stringify(manifest));
    const err = await refusal(nodePackFiles(dir));
    expect(err.code).toBe('external-data');
    expect(err.message).toMatch(/^unet\.onnx: its weights are in "unet\.onnx\.data", which pack\.json does not list in externalData\./);
  });

  it('reads I/O from bytes as well as blobs', async () => {
    const info = await readOnnxInfo(bytesSource('vae_encoder.onnx', readFile(good, 'vae_encoder.onnx')));
    expect(info.inputs).toEqual([{ name: 'image', dtype: 'float32', shape: [1, 3, 'H', 'W'] }]);
    expect(info.opTypes).toEqual(['Conv', 'Mul', 'Sigmoid']);
  });
});

describe('pack.json parsing', () => {
  const base = () => JSON.parse(new TextDecoder().decode(readFile(makeProxyPack(), 'pack.json'))) as Record<string, unknown> & { models: Record<string, Record<string, unknown>> };

  it('names each bad field', () => {
    const m = base();
    m.fp16 = 'yes';
    m.models.unet!.sha256 = 'abc';
    (m.sampling as Record<string, unknown>).fusion = 'magic';
    let err: PackError | null = null;
    try {
      parsePackManifest(m);
    } catch (e) {
      err = e as PackError;
    }
    expect(err).toBeInstanceOf(PackError);
    const messages = err!.problems.map((p) => p.message);
    expect(messages).toContain('pack.json: fp16 must be true or false; got "yes".');
    expect(messages).toContain('pack.json: models.unet.sha256 must be 64 hex characters; got "abc".');
    expect(messages).toContain('pack.json: sampling.fusion must be one of "paper", "repository"; got "magic".');
    expect(err!.code).toBe('manifest');
  });

  it('checks the MimicMotion contract', () => {
    const m = base();
    const unet = m.models.unet as { inputs: Array<{ name: string; dtype: string; shape: unknown[] }> };
    unet.inputs = unet.inputs.filter((i) => i.name !== 'pose_latents');
    unet.inputs[0]!.shape = [1, 'F', 9, 'h', 'w'];
    const dec = m.models.vae_decoder as { inputs: Array<{ name: string; dtype: string }> };
    dec.inputs[1]!.dtype = 'float32';
    delete m.models.pose_net;
    const err = (() => {
      try {
        parsePackManifest(m);
      } catch (e) {
        return e as PackError;
      }
      throw new Error('accepted');
    })();
    const messages = err.problems.map((p) => p.message);
    expect(err.code).toBe('contract');
    expect(messages).toContain('pack.json: models.pose_net is missing; a MimicMotion pack needs image_encoder, vae_encoder, pose_net, unet, vae_decoder.');
    expect(messages).toContain(
      'pack.json: models.unet has no input "pose_latents"; the MimicMotion contract needs inputs "sample", "timestep", "encoder_hidden_states", "added_time_ids", "pose_latents".',
    );
    expect(messages).toContain('pack.json: models.unet input "sample" has shape [1,F,9,h,w]; the contract needs [1,F,8,h,w].');
    expect(messages).toContain('pack.json: models.vae_decoder input "num_frames" has dtype float32; the contract allows int64 or int32.');
  });

  it('accepts a diffusers scheduler config and refuses bad JSON', () => {
    const m = parsePackManifest(base());
    expect(m.sampling.scheduler.predictionType).toBe('v_prediction');
    expect(m.sampling.scheduler.sigmaMax).toBe(700);
    expect(() => parsePackManifest('{')).toThrow(/^pack\.json: not valid JSON/);
  });
});
