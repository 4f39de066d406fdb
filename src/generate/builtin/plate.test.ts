import { describe, expect, it } from 'vitest';
import { PlateError } from './errors';
import { apply3 } from './mat3';
import { PlateBuilder, type PlateBuilderOptions } from './plate';
import { Texture, psnr, syntheticFrame, trueMotion, type SyntheticClipOptions, type SyntheticFrame } from './synthetic-testing';

const W = 320;
const H = 240;
const FRAMES = 40;
const K = 10;

interface Run {
  frames: SyntheticFrame[];
  plates: Map<number, Uint8ClampedArray>;
  seconds: number;
}

function build(clip: SyntheticClipOptions, options: Partial<PlateBuilderOptions> = {}): Run {
  const tex = new Texture(11);
  const frames = Array.from({ length: clip.frames }, (_, t) => syntheticFrame(tex, clip, t));
  const builder = new PlateBuilder({ width: W, height: H, window: K, ...options });
  const plates = new Map<number, Uint8ClampedArray>();
  const started = performance.now();
  for (let t = 0; t < frames.length; t++) {
    const ready = builder.push(t, frames[t]!.rgba, frames[t]!.alpha);
    if (ready !== null) plates.set(ready, builder.plate(ready)!);
  }
  for (const i of builder.flush()) plates.set(i, builder.plate(i)!);
  return { frames, plates, seconds: (performance.now() - started) / 1000 };
}

/**
 * Pixels of frame i's person region that some frame in [0, i + K] saw as background (mapped with
 * the true motion, nearest pixel, with a one-pixel safety ring).
 */
function seenMask(run: Run, i: number): Uint8Array {
  const seen = new Uint8Array(W * H);
  const fi = run.frames[i]!;
  const q = new Float64Array(2);
  for (let j = 0; j <= Math.min(run.frames.length - 1, i + K); j++) {
    if (j === i) continue;
    const fj = run.frames[j]!;
    const m = trueMotion(fj, fi);
    for (let p = 0; p < W * H; p++) {
      if (!fi.alpha[p] || seen[p]) continue;
      apply3(m, (p % W) + 0.5, Math.floor(p / W) + 0.5, q);
      const x = Math.floor(q[0]!);
      const y = Math.floor(q[1]!);
      if (x < 1 || y < 1 || x >= W - 1 || y >= H - 1) continue;
      let clear = true;
      for (let v = -1; v <= 1 && clear; v++) for (let u = -1; u <= 1; u++) if (fj.alpha[(y + v) * W + x + u]) clear = false;
      if (clear) seen[p] = 1;
    }
  }
  return seen;
}

/** Fit of every plate against the true background, split by what any frame saw. */
function score(run: Run, label: string) {
  let seenSum = 0;
  let seenCount = 0;
  let worstSeen = Infinity;
  let unseenMae = 0;
  let unseenCount = 0;
  let personLeft = 0;
  let outsideExact = true;
  for (const [i, plate] of run.plates) {
    const f = run.frames[i]!;
    const seen = seenMask(run, i);
    const s = psnr(plate, f.truth, (p) => f.alpha[p] === 255 && seen[p] === 1, W * H);
    const u = psnr(plate, f.truth, (p) => f.alpha[p] === 255 && seen[p] === 0, W * H);
    if (s.count) {
      worstSeen = Math.min(worstSeen, s.psnr);
      seenSum += 10 ** (-s.psnr / 10) * s.count;
      seenCount += s.count;
    }
    unseenMae += u.mae * u.count;
    unseenCount += u.count;
    for (let p = 0; p < W * H; p++) {
      if (f.alpha[p] === 0) {
        if (plate[4 * p] !== f.rgba[4 * p] || plate[4 * p + 1] !== f.rgba[4 * p + 1] || plate[4 * p + 2] !== f.rgba[4 * p + 2]) outsideExact = false;
        continue;
      }
      // The blob's magenta (230, 20 or 60, 220) must be gone everywhere.
      if (Math.abs(plate[4 * p]! - 230) < 40 && plate[4 * p + 1]! < 90 && Math.abs(plate[4 * p + 2]! - 220) < 40) personLeft++;
    }
  }
  const seenPsnr = seenCount ? -10 * Math.log10(seenSum / seenCount) : Infinity;
  // Temporal stability inside the union of person regions of consecutive frames, against the truth's own change there.
  let dPlate = 0;
  let dTruth = 0;
  let n = 0;
  for (let i = 0; i + 1 < run.frames.length; i++) {
    const a = run.plates.get(i)!;
    const b = run.plates.get(i + 1)!;
    const fa = run.frames[i]!;
    const fb = run.frames[i + 1]!;
    for (let p = 0; p < W * H; p++) {
      if (!fa.alpha[p] && !fb.alpha[p]) continue;
      for (let c = 0; c < 3; c++) {
        dPlate += Math.abs(a[4 * p + c]! - b[4 * p + c]!);
        dTruth += Math.abs(fa.truth[4 * p + c]! - fb.truth[4 * p + c]!);
      }
      n += 3;
    }
  }
  console.log(
    `[plate] ${label}: ${run.plates.size} plates in ${run.seconds.toFixed(2)} s; seen-by-some-frame PSNR ${seenPsnr.toFixed(1)} dB ` +
      `(worst plate ${worstSeen.toFixed(1)} dB, ${seenCount} px); never-seen MAE ${(unseenMae / Math.max(1, unseenCount)).toFixed(1)} levels (${unseenCount} px); ` +
      `person pixels left ${personLeft}; consecutive-plate change in person regions ${(dPlate / n).toFixed(2)} levels (truth ${(dTruth / n).toFixed(2)})`,
  );
  return { seenPsnr, worstSeen, unseenMae: unseenMae / Math.max(1, unseenCount), unseenCount, personLeft, outsideExact, stability: dPlate / n, truthChange: dTruth / n };
}

describe('PlateBuilder on synthetic clips', () => {
  it('static camera: exact where any frame saw the background, smooth fill elsewhere, stable', () => {
    const run = build({ width: W, height: H, frames: FRAMES }, { camera: 'auto' });
    expect(run.plates.size).toBe(FRAMES);
    const s = score(run, 'static');
    expect(s.seenPsnr).toBeGreaterThan(50);
    expect(s.worstSeen).toBeGreaterThan(45);
    expect(s.unseenCount).toBeGreaterThan(0);
    expect(s.unseenMae).toBeLessThan(30);
    expect(s.personLeft).toBe(0);
    expect(s.outsideExact).toBe(true);
    expect(s.stability).toBeLessThan(1.5);
  });

  it('panning and rolling camera (1.7, -0.9 px and 0.2° per frame): aligned fill', () => {
    const run = build({ width: W, height: H, frames: FRAMES, pan: [1.7, -0.9], roll: (0.2 * Math.PI) / 180 });
    const s = score(run, 'pan+roll');
    expect(s.seenPsnr).toBeGreaterThan(36);
    expect(s.worstSeen).toBeGreaterThan(32);
    expect(s.unseenMae).toBeLessThan(30);
    expect(s.personLeft).toBe(0);
    expect(s.outsideExact).toBe(true);
    // The true background itself moves under a panning camera; the plate's change should stay near it.
    expect(s.stability).toBeLessThan(s.truthChange * 1.3 + 1);
  });

  it('priming the model with a first pass fills what the window never saw (static camera)', () => {
    const clip: SyntheticClipOptions = { width: W, height: H, frames: FRAMES };
    const tex = new Texture(11);
    const frames = Array.from({ length: FRAMES }, (_, t) => syntheticFrame(tex, clip, t));
    const builder = new PlateBuilder({ width: W, height: H, window: K });
    for (let t = 0; t < FRAMES; t += 4) expect(builder.prime(frames[t]!.rgba, frames[t]!.alpha)).toBe(true);
    let inpainted = 0;
    let worst = Infinity;
    const check = (i: number) => {
      const plate = builder.plate(i)!;
      inpainted += builder.stats.completed + builder.stats.inpainted;
      worst = Math.min(worst, psnr(plate, frames[i]!.truth, (p) => frames[i]!.alpha[p] === 255, W * H).psnr);
    };
    for (let t = 0; t < FRAMES; t++) {
      const ready = builder.push(t, frames[t]!.rgba, frames[t]!.alpha);
      if (ready !== null) check(ready);
    }
    builder.flush().forEach(check);
    console.log(`[plate] static, primed with every 4th frame: ${inpainted} px left to the spatial fill; worst plate PSNR over the whole person region ${worst.toFixed(1)} dB`);
    expect(inpainted).toBe(0);
    expect(worst).toBeGreaterThan(50);
    expect(() => builder.prime(frames[0]!.rgba, null)).toThrow(PlateError);
  });

  it('a part clock times scene completion and changes no pixel', () => {
    // Small, and a person who hardly walks: behind them, no frame in the window saw the scene.
    const clip: SyntheticClipOptions = { width: 96, height: 72, frames: 8, walk: 0.02 };
    const tex = new Texture(5);
    const frames = Array.from({ length: clip.frames }, (_, t) => syntheticFrame(tex, clip, t));
    const plates = (options: Partial<PlateBuilderOptions>) => {
      const b = new PlateBuilder({ width: clip.width, height: clip.height, window: 2, ...options });
      frames.forEach((f, t) => b.push(t, f.rgba, f.alpha));
      return b.flush().map((i) => b.plate(i)!);
    };
    const seen: string[] = [];
    const timed = plates({ clock: { time: (part, fn) => (seen.push(part), fn()) } });
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(['completion']));
    expect(timed).toEqual(plates({}));
  });

  it('streams with bounded memory and refuses misuse', () => {
    const tex = new Texture(3);
    const clip = { width: 64, height: 48, frames: 12 };
    const b = new PlateBuilder({ width: 64, height: 48, window: 3 });
    const frames = Array.from({ length: 12 }, (_, t) => syntheticFrame(tex, clip, t));
    expect(b.push(0, frames[0]!.rgba, frames[0]!.alpha)).toBeNull();
    expect(b.plate(0)).toBeNull();
    expect(() => b.push(2, frames[2]!.rgba, null)).toThrow(PlateError);
    for (let t = 1; t < 12; t++) {
      const ready = b.push(t, frames[t]!.rgba, frames[t]!.alpha);
      expect(ready).toBe(t >= 3 ? t - 3 : null);
      if (t === 8) {
        // Plate 3 needs frame 0, which has left the 7-frame window.
        expect(() => b.plate(3)).toThrow(PlateError);
      }
    }
    expect(b.memoryBytes).toBeLessThan(7 * 64 * 48 * 5 + 64 * 48 * 14 * 2 + 64 * 48 * 8);
    expect(b.plate(11)).toBeNull();
    expect(b.flush()).toEqual([9, 10, 11]);
    expect(b.plate(11)).toHaveLength(64 * 48 * 4);
  });
});

describe('PlateBuilder with other people in the shot', () => {
  // A grey striped room; the removed person (red) walks across it, in front of a second person
  // (blue) who sinks slowly, so what the blue person covers changes from frame to frame.
  const w = 160;
  const h = 120;
  const frames = 30;
  const rect = (t: number, who: 'a' | 'b') =>
    who === 'a' ? { x0: 10 + 4 * t, y0: 40, x1: 30 + 4 * t, y1: 90 } : { x0: 70, y0: 20 + t, x1: 94, y1: 60 + t };
  const inside = (r: { x0: number; y0: number; x1: number; y1: number }, x: number, y: number, grow = 0) =>
    x >= r.x0 - grow && x < r.x1 + grow && y >= r.y0 - grow && y < r.y1 + grow;
  const scene = (t: number) => {
    const rgba = new Uint8ClampedArray(w * h * 4);
    const alpha = new Uint8Array(w * h);
    const others = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        let c = [90 + 60 * ((x >> 3) & 1) + y / 4, 90 + 60 * ((x >> 3) & 1) + y / 4, 90 + 60 * ((x >> 3) & 1) + y / 4];
        if (inside(rect(t, 'b'), x, y)) c = [20, 30, 170 + 3 * t]; // their colour changes as they move
        if (inside(rect(t, 'a'), x, y)) c = [230, 20, 20];
        rgba.set([...c, 255], 4 * p);
        // The removed person's alpha has a 3-pixel margin (as personMask's), which reaches over the blue person.
        if (inside(rect(t, 'a'), x, y, 3)) alpha[p] = 255;
        if (inside(rect(t, 'b'), x, y, 4) && !inside(rect(t, 'a'), x, y)) others[p] = 255;
      }
    }
    return { rgba, alpha, others };
  };
  const clip = Array.from({ length: frames }, (_, t) => scene(t));
  const plates = (withOthers: boolean) => {
    const b = new PlateBuilder({ width: w, height: h, window: 6, camera: 'static' });
    const out = new Map<number, Uint8ClampedArray>();
    clip.forEach((f, t) => {
      const ready = b.push(t, f.rgba, f.alpha, withOthers ? f.others : null);
      if (ready !== null) out.set(ready, b.plate(ready)!);
    });
    for (const i of b.flush()) out.set(i, b.plate(i)!);
    return out;
  };
  const blue = (plate: Uint8ClampedArray, p: number) => plate[4 * p + 2]! > 160 && plate[4 * p]! < 80;

  it('keeps the other person where the removed one reaches over them, and never copies them into the hole', () => {
    const count = (withOthers: boolean) => {
      let kept = 0;
      let visible = 0;
      let ghosts = 0;
      for (const [t, plate] of plates(withOthers)) {
        const f = clip[t]!;
        for (let p = 0; p < w * h; p++) {
          const x = p % w;
          const y = Math.floor(p / w);
          const isB = inside(rect(t, 'b'), x, y) && !inside(rect(t, 'a'), x, y);
          // The blue person's visible pixels that the red one's margin covers.
          if (isB && f.alpha[p]) {
            visible++;
            if (plate[4 * p] === f.rgba[4 * p] && plate[4 * p + 2] === f.rgba[4 * p + 2]) kept++;
          }
          // Blue inside the red person's own rectangle: copied from a frame where blue stood there.
          if (inside(rect(t, 'a'), x, y) && blue(plate, p)) ghosts++;
        }
      }
      return { kept, visible, ghosts };
    };
    const without = count(false);
    const withOthers = count(true);
    expect(without.visible).toBeGreaterThan(100);
    // Without being told, the plate erases the blue person under the margin and copies them into the hole.
    expect(without.kept).toBeLessThan(0.1 * without.visible);
    expect(without.ghosts).toBeGreaterThan(50);
    // Told, it keeps every one of those pixels and copies none.
    expect(withOthers.kept).toBe(withOthers.visible);
    expect(withOthers.ghosts).toBe(0);
  });
});
