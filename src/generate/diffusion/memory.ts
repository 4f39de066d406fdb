/**
 * Memory planner of the diffusion engine: from a pack's declared sizes, the adapter's buffer
 * limits and a GPU memory budget, picks the output resolution and the frames per UNet call (and
 * per decoder call), or says plainly why a setting cannot fit.
 *
 * The estimate (all figures in bytes; e = 2 for fp16 packs, 4 otherwise; p = latent pixels
 * (W/8)·(H/8); F = frames per UNet call; D = frames per decoder call):
 * - weights: the files' sizes (+ external data). The encoders are released before denoising and
 *   the decoder is loaded after it, so the stages peak separately:
 *     encode  = image_encoder + vae_encoder + one 224² / H×W activation set
 *     denoise = unet + pose_net + F·p·a_unet + UNet I/O F·p·(8 + 320 + 4)·4
 *     decode  = vae_decoder + D·H·W·a_dec
 * - largest single buffer (must fit maxStorageBufferBindingSize and maxBufferSize):
 *     UNet: F·p·c_wide·e (c_wide: widest top-level tensor, SVD's GEGLU 2560 channels), or with
 *     unfused attention F·heads·p²·e (the score matrix); decoder: D·H·W·c_dec·e; I/O: F·320·p·4.
 * Defaults of a_unet (16 KiB fp16 / 32 KiB fp32 per frame per latent pixel) and a_dec
 * (1.5 KiB / 3 KiB per pixel per frame) are estimates (inferred from the reported 16 GB for
 * 72 frames at 1024×576); a pack may state better ones in pack.json `memory`.
 */
import type { PackManifest, PackRole } from './pack';

/** The adapter limits that matter (GPUSupportedLimits fields), in bytes. */
export interface AdapterLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** One candidate setting. */
export interface MemorySetting {
  /** Output size, pixels. */
  width: number;
  height: number;
  /** Frames per UNet call. */
  tileSize: number;
  /** Frames per decoder call. */
  decodeChunk: number;
}

/** Estimated memory of a setting, in bytes. */
export interface MemoryEstimate {
  encodeBytes: number;
  denoiseBytes: number;
  decodeBytes: number;
  /** max of the three stages. */
  peakBytes: number;
  unetWeightsBytes: number;
  largestBufferBytes: number;
  /** What the largest buffer is, in words. */
  largestBuffer: string;
}

/** What to plan for. */
export interface MemoryRequest {
  manifest: PackManifest;
  limits: AdapterLimits;
  /** GPU memory the engine may use, in bytes. */
  budgetBytes: number;
  /** Aspect ratio to keep (the reference video's size), pixels. */
  aspect: { width: number; height: number };
  /** Fix the output size (else: the pack's default size, then smaller, keeping the aspect). */
  width?: number;
  height?: number;
  /** Fix the frames per UNet call (else: the pack's tile size, then smaller). */
  tileSize?: number;
  /** Smallest short side to try, pixels (default 256). */
  minShortSide?: number;
  /** Fewest frames per UNet call to accept (default max(overlap + 2, 4)). */
  minTileSize?: number;
}

/** The planner's answer. */
export type MemoryPlan =
  | ({ ok: true; estimate: MemoryEstimate; notes: string[] } & MemorySetting)
  | { ok: false; reason: string; estimate: MemoryEstimate | null };

const KIB = 1024;

/** "1.2 GB", "340 MB" (decimal units, as users read them). */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} bytes`;
}

function fileBytes(m: PackManifest, role: PackRole): number {
  const s = m.models[role];
  return s.bytes + s.externalData.reduce((a, x) => a + x.bytes, 0);
}

/** Estimates one setting (see the module comment). */
export function estimateMemory(manifest: PackManifest, s: MemorySetting): MemoryEstimate {
  const e = manifest.fp16 ? 2 : 4;
  const hints = manifest.memory;
  const p = (s.width / 8) * (s.height / 8);
  const F = s.tileSize;
  const aUnet = hints.unetActivationBytesPerFramePixel ?? (manifest.fp16 ? 16 : 32) * KIB;
  const aDec = hints.decoderActivationBytesPerPixel ?? (manifest.fp16 ? 1.5 : 3) * KIB;
  const unetWeightsBytes = fileBytes(manifest, 'unet') + fileBytes(manifest, 'pose_net');
  const io = F * p * (8 + 320 + 4) * 4;
  const encodeBytes = fileBytes(manifest, 'image_encoder') + fileBytes(manifest, 'vae_encoder') + s.width * s.height * aDec;
  const denoiseBytes = unetWeightsBytes + F * p * aUnet + io;
  const decodeBytes = fileBytes(manifest, 'vae_decoder') + s.decodeChunk * s.width * s.height * aDec;
  const candidates: Array<[number, string]> = [
    [F * p * (hints.unetWidestChannels ?? 2560) * e, `the widest UNet tensor for ${F} frames`],
    [F * 320 * p * 4, `the PoseNet latents for ${F} frames`],
    [s.decodeChunk * s.width * s.height * (hints.decoderWidestChannels ?? 128) * e, `the widest VAE decoder tensor for ${s.decodeChunk} frames`],
  ];
  if (hints.attention === 'unfused') candidates.push([F * (hints.attentionHeads ?? 5) * p * p * e, `the UNet attention scores for ${F} frames`]);
  const [largestBufferBytes, largestBuffer] = candidates.reduce((a, b) => (b[0] > a[0] ? b : a));
  return {
    encodeBytes,
    denoiseBytes,
    decodeBytes,
    peakBytes: Math.max(encodeBytes, denoiseBytes, decodeBytes),
    unetWeightsBytes,
    largestBufferBytes,
    largestBuffer,
  };
}

/** Why a setting does not fit, or null. */
function misfit(est: MemoryEstimate, req: MemoryRequest, s: MemorySetting): string | null {
  const at = `At ${s.width}×${s.height} with ${s.tileSize} frames per chunk`;
  const bufferLimit = Math.min(req.limits.maxStorageBufferBindingSize, req.limits.maxBufferSize);
  if (est.largestBufferBytes > bufferLimit) {
    const which = req.limits.maxStorageBufferBindingSize <= req.limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
    return `${at}, ${est.largestBuffer} needs ${formatBytes(est.largestBufferBytes)} in one buffer, but this GPU allows ${formatBytes(bufferLimit)} per buffer (${which}).`;
  }
  if (est.peakBytes > req.budgetBytes) {
    const stage = est.peakBytes === est.denoiseBytes ? 'denoising' : est.peakBytes === est.decodeBytes ? 'decoding' : 'encoding the reference';
    return `${at}, ${stage} needs about ${formatBytes(est.peakBytes)}, more than the GPU memory budget of ${formatBytes(req.budgetBytes)}.`;
  }
  return null;
}

/** Rounds to a positive multiple of `m`. */
const roundTo = (v: number, m: number) => Math.max(m, Math.round(v / m) * m);

/** Output sizes to try, largest first, keeping the aspect; multiples of 64. */
function sizes(req: MemoryRequest, fixed: { width: number | null; height: number | null }): Array<{ width: number; height: number }> {
  if (req.width !== undefined && req.height !== undefined) return [{ width: req.width, height: req.height }];
  if (fixed.width !== null && fixed.height !== null) return [{ width: fixed.width, height: fixed.height }];
  const { width: aw, height: ah } = req.aspect;
  const pack = req.manifest.sampling;
  const start = Math.min(pack.width, pack.height);
  const min = Math.min(start, req.minShortSide ?? 256);
  const out: Array<{ width: number; height: number }> = [];
  for (let short = roundTo(start, 64); short >= min; short -= 64) {
    const size = aw <= ah ? { width: short, height: roundTo((short * ah) / aw, 64) } : { width: roundTo((short * aw) / ah, 64), height: short };
    out.push(size);
  }
  return out.length > 0 ? out : [{ width: roundTo(start, 64), height: roundTo(start, 64) }];
}

/** Sizes a pack's files pin (a number where the contract has a symbol): H, W of the VAE encoder, F of the UNet. */
export function fixedDims(manifest: PackManifest): { width: number | null; height: number | null; frames: number | null } {
  const img = manifest.models.vae_encoder.inputs.find((i) => i.name === 'image')?.shape ?? [];
  const sample = manifest.models.unet.inputs.find((i) => i.name === 'sample')?.shape ?? [];
  const n = (d: unknown) => (typeof d === 'number' ? d : null);
  return { height: n(img[2]), width: n(img[3]), frames: n(sample[1]) };
}

/**
 * Picks the largest resolution (then the most frames per chunk, then the largest decode chunk)
 * that fits; fixed choices in the request or the pack are only checked. Resolution comes first:
 * it matters more to the result than the chunk length above `minTileSize`.
 */
export function planMemory(req: MemoryRequest): MemoryPlan {
  const { manifest } = req;
  const overlap = manifest.sampling.tileOverlap;
  const fixed = fixedDims(manifest);
  const notes: string[] = [];
  const weights = fileBytes(manifest, 'unet') + fileBytes(manifest, 'pose_net');
  if (weights > req.budgetBytes) {
    return {
      ok: false,
      estimate: null,
      reason: `The UNet and PoseNet weights alone need ${formatBytes(weights)}, more than the GPU memory budget of ${formatBytes(req.budgetBytes)}. Use a pack with 4-bit UNet weights or a GPU with more memory.`,
    };
  }
  const tileFixed = req.tileSize ?? fixed.frames;
  const minTile = Math.max(req.minTileSize ?? Math.max(overlap + 2, 4), overlap + 1);
  const tiles = tileFixed !== null ? [tileFixed] : [...new Set([manifest.sampling.tileSize, 72, 48, 32, 24, 16, 12, 8, 6, 4])].filter((t) => t <= manifest.sampling.tileSize && t >= minTile).sort((a, b) => b - a);
  if (tiles.length === 0) return { ok: false, estimate: null, reason: `The pack's ${manifest.sampling.tileSize} frames per chunk are fewer than the ${minTile} needed for an overlap of ${overlap}.` };
  const decodes: number[] = [];
  for (let d = manifest.sampling.decodeChunk; d >= 1; d = d > 1 ? Math.floor(d / 2) : 0) decodes.push(d);
  let last: { reason: string; estimate: MemoryEstimate } | null = null;
  for (const size of sizes(req, fixed)) {
    for (const tileSize of tiles) {
      for (const decodeChunk of decodes) {
        const setting = { ...size, tileSize, decodeChunk };
        const estimate = estimateMemory(manifest, setting);
        const why = misfit(estimate, req, setting);
        if (why === null) {
          if (decodeChunk < manifest.sampling.decodeChunk) notes.push(`Decoding ${decodeChunk} frames at a time (the pack suggests ${manifest.sampling.decodeChunk}).`);
          if (tileSize < manifest.sampling.tileSize) notes.push(`${tileSize} frames per chunk (the pack suggests ${manifest.sampling.tileSize}).`);
          return { ok: true, ...setting, estimate, notes };
        }
        last = { reason: why, estimate };
      }
    }
  }
  const tried = tileFixed !== null && (req.width !== undefined || fixed.width !== null) ? '' : ' Even the smallest setting tried does not fit.';
  return {
    ok: false,
    estimate: last?.estimate ?? null,
    reason: `${last?.reason ?? 'No setting fits.'}${tried} Lower the resolution or the frames per chunk, or use a GPU with more memory.`,
  };
}
