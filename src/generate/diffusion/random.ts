/**
 * Seeded, reproducible Gaussian noise. Counter-based: value j of stream `stream` under `seed`
 * depends only on (seed, stream, j), so any frame's noise can be drawn alone, in any order, in
 * any chunking, and comes out identical. Uniforms come from a 32-bit hash (the "lowbias32"
 * integer mixer applied to the key and the counter); pairs are turned into normals with the
 * Box-Muller transform. Not cryptographic; statistically fine for diffusion noise.
 */

/** 32-bit integer mixer (lowbias32). */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** The key of (seed, stream). `seed` and `stream` are taken as 32-bit unsigned integers (a seed may also be any finite number). */
function key(seed: number, stream: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return mix(mix(mix(lo ^ 0x9e3779b9) ^ hi) ^ Math.imul(stream >>> 0, 0x85ebca6b));
}

/** Uniform in (0, 1) for counter `c` under `k`. */
function uniform(k: number, c: number): number {
  const hi = Math.floor(c / 4294967296) >>> 0;
  return (mix(mix(k ^ mix(c >>> 0)) ^ Math.imul(hi, 0xc2b2ae35)) + 0.5) / 4294967296;
}

/**
 * Fills `out` with standard normal values of (seed, stream) at positions offset .. offset+out.length-1.
 * `seed`: a non-negative integer (up to 2^53); `stream`: a 32-bit index (e.g. a frame number).
 */
export function fillGaussian(out: Float32Array, seed: number, stream = 0, offset = 0): Float32Array {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer; got ${seed}.`);
  if (!Number.isInteger(stream) || stream < 0 || stream > 0xffffffff) throw new RangeError(`stream must be a 32-bit unsigned integer; got ${stream}.`);
  const k = key(seed, stream);
  let i = 0;
  while (i < out.length) {
    const j = offset + i;
    const pair = Math.floor(j / 2);
    const r = Math.sqrt(-2 * Math.log(uniform(k, 2 * pair)));
    const a = 2 * Math.PI * uniform(k, 2 * pair + 1);
    if (j % 2 === 0) {
      out[i++] = r * Math.cos(a);
      if (i < out.length) out[i++] = r * Math.sin(a);
    } else out[i++] = r * Math.sin(a);
  }
  return out;
}

/** `count` standard normal values of (seed, stream). */
export function gaussian(count: number, seed: number, stream = 0): Float32Array {
  return fillGaussian(new Float32Array(count), seed, stream);
}
