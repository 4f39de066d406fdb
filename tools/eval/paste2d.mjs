// The `paste-2d` baseline of the evaluation harness: a classical 2D copy & paste. The reference
// person is cut into parts around the bones of its own pose (capsules around the limbs, the torso
// quad, a disc for the head) and every part is moved onto the motion pose by its own 2D affine
// warp, drawn over the reference frame of the same time.
//
// Choices, kept simple on purpose (a floor, not a competitor):
// - The motion skeleton is first aligned to the reference person: scaled by the ratio of the two
//   clips' body heights (median over the frames of nose->neck + neck->mid-hip + thigh + shin, each
//   in its own clip's display pixels) and moved so that its mid-hip lands on the reference
//   person's mid-hip in that reference frame (tools/eval/main.mjs does this before scaling both
//   poses into the output size, so that a stretched output does not distort the heights).
// - Limbs (upper/lower arms, thighs, shins): the source region is a capsule around the reference
//   bone (radius a fixed share of the body height; forearms and shins extended past the wrist and
//   ankle to take the hand and foot). The warp maps the reference bone onto the motion bone:
//   stretch along the bone by the length ratio (clamped to 0.2..5), rotation, no stretch across.
// - Torso: the quad of shoulders and hips (dilated by a margin), warped along neck->mid-hip like a
//   limb, with the across-stretch the ratio of shoulder+hip widths (clamped to 0.5..2); the same
//   for the quad of hips and knees (what lies between the thighs: skirts, shorts).
// - Head: a disc around the nose, translated with the nose.
// - Drawing order: hips-knees quad, torso, thighs, shins, head, upper arms, forearms; hard edges,
//   bilinear samples.
// - The hole the reference person leaves is filled crudely before the parts are drawn (`fill`):
//   'rows' (default) replaces the reference person's box (its pose box, padded) row by row with a
//   linear blend of the pixels just left and right of the box, which removes the person on plain
//   and simple backgrounds and smears on busy ones; 'reference' keeps the reference frame itself,
//   so the original person stays visible wherever no part covers it.
// - A part is skipped when one of its keypoints has visibility <= 0.5 in either pose; a frame
//   whose reference or motion pose was not found is the reference frame unchanged.
// Poses are 33 BlazePose keypoints as flat (x, y, visibility) triples in output pixels.

const NOSE = 0;
const L_SHOULDER = 11;
const R_SHOULDER = 12;
const L_ELBOW = 13;
const R_ELBOW = 14;
const L_WRIST = 15;
const R_WRIST = 16;
const L_HIP = 23;
const R_HIP = 24;
const L_KNEE = 25;
const R_KNEE = 26;
const L_ANKLE = 27;
const R_ANKLE = 28;

const MIN_VIS = 0.5;

/** Parts as fractions of the body height: capsule radius and extension past the distal joint (share of the bone). */
export const LIMBS = [
  { name: 'left thigh', a: L_HIP, b: L_KNEE, radius: 0.055, extend: 0 },
  { name: 'right thigh', a: R_HIP, b: R_KNEE, radius: 0.055, extend: 0 },
  { name: 'left shin', a: L_KNEE, b: L_ANKLE, radius: 0.045, extend: 0.25 },
  { name: 'right shin', a: R_KNEE, b: R_ANKLE, radius: 0.045, extend: 0.25 },
  { name: 'head', head: true, radius: 0.09 },
  { name: 'left upper arm', a: L_SHOULDER, b: L_ELBOW, radius: 0.04, extend: 0 },
  { name: 'right upper arm', a: R_SHOULDER, b: R_ELBOW, radius: 0.04, extend: 0 },
  { name: 'left forearm', a: L_ELBOW, b: L_WRIST, radius: 0.035, extend: 0.45 },
  { name: 'right forearm', a: R_ELBOW, b: R_WRIST, radius: 0.035, extend: 0.45 },
];
const TORSO_MARGIN = 0.03;

const pt = (k, i) => ({ x: k[i * 3], y: k[i * 3 + 1] });
const vis = (k, ...idx) => idx.every((i) => k[i * 3 + 2] > MIN_VIS);
const mid = (p, q) => ({ x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 });
const len = (p, q) => Math.hypot(q.x - p.x, q.y - p.y);
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** Body height of one pose (nose->neck + neck->mid-hip + mean thigh + mean shin), null when not all seen. */
export function bodyHeight(k) {
  if (!vis(k, NOSE, L_SHOULDER, R_SHOULDER, L_HIP, R_HIP)) return null;
  const neck = mid(pt(k, L_SHOULDER), pt(k, R_SHOULDER));
  const hip = mid(pt(k, L_HIP), pt(k, R_HIP));
  const thighs = [
    [L_HIP, L_KNEE],
    [R_HIP, R_KNEE],
  ].filter(([a, b]) => vis(k, a, b));
  const shins = [
    [L_KNEE, L_ANKLE],
    [R_KNEE, R_ANKLE],
  ].filter(([a, b]) => vis(k, a, b));
  if (!thighs.length || !shins.length) return null;
  const avg = (bones) => bones.reduce((s, [a, b]) => s + len(pt(k, a), pt(k, b)), 0) / bones.length;
  return len(pt(k, NOSE), neck) + len(neck, hip) + avg(thighs) + avg(shins);
}

/** Median body height over poses (nulls skipped); falls back to 3x the median torso length; null when nothing. */
export function medianBodyHeight(poses) {
  const median = (v) => (v.length ? v.sort((a, b) => a - b)[v.length >> 1] : null);
  const h = median(poses.filter(Boolean).map(bodyHeight).filter((v) => v !== null && v > 0));
  if (h) return h;
  const torsos = poses
    .filter((k) => k && vis(k, L_SHOULDER, R_SHOULDER, L_HIP, R_HIP))
    .map((k) => len(mid(pt(k, L_SHOULDER), pt(k, R_SHOULDER)), mid(pt(k, L_HIP), pt(k, R_HIP))));
  const t = median(torsos);
  return t ? 3 * t : null;
}

/** The motion pose scaled by `scale` about its mid-hip and moved onto `anchor` (the reference mid-hip). */
export function alignPose(motion, scale, anchor) {
  const hip = mid(pt(motion, L_HIP), pt(motion, R_HIP));
  const out = Float64Array.from(motion);
  for (let i = 0; i * 3 < motion.length; i++) {
    out[i * 3] = anchor.x + (motion[i * 3] - hip.x) * scale;
    out[i * 3 + 1] = anchor.y + (motion[i * 3 + 1] - hip.y) * scale;
  }
  return out;
}

/** Mid-hip of a pose. */
export const midHip = (k) => mid(pt(k, L_HIP), pt(k, R_HIP));

function distToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? clamp(((px - ax) * dx + (py - ay) * dy) / l2, 0, 1) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function insidePolygon(px, py, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i];
    const b = poly[j];
    if (a.y > py !== b.y > py && px < ((b.x - a.x) * (py - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/**
 * A warp from destination (motion) pixels to source (reference) pixels along a bone: `a`/`b` in
 * each pose, along-stretch the length ratio (clamped), across-stretch `across`.
 */
function boneWarp(as, bs, ad, bd, across = 1) {
  const ls = len(as, bs);
  const ld0 = len(ad, bd);
  const ld = clamp(ld0, 0.2 * ls, 5 * ls);
  const es = { x: (bs.x - as.x) / ls, y: (bs.y - as.y) / ls };
  const ed = ld0 > 1e-6 ? { x: (bd.x - ad.x) / ld0, y: (bd.y - ad.y) / ld0 } : es;
  // dst -> src: u (along, in bone lengths) and v (across, pixels)
  const inverse = (x, y) => {
    const dx = x - ad.x;
    const dy = y - ad.y;
    const u = (dx * ed.x + dy * ed.y) / ld;
    const v = (-dx * ed.y + dy * ed.x) / across;
    return [as.x + u * ls * es.x - v * es.y, as.y + u * ls * es.y + v * es.x];
  };
  // src -> dst, for the destination bounding box
  const forward = (x, y) => {
    const dx = x - as.x;
    const dy = y - as.y;
    const u = (dx * es.x + dy * es.y) / ls;
    const v = (-dx * es.y + dy * es.x) * across;
    return [ad.x + u * ld * ed.x - v * ed.y, ad.y + u * ld * ed.y + v * ed.x];
  };
  return { inverse, forward, ls };
}

/** The parts of one frame: a warp and a source-region test each, in drawing order. */
/**
 * A quad part: the source region is the reference quad (tl, tr, br, bl keypoints) dilated by
 * `margin` pixels, warped along the line from the middle of its top edge to the middle of its
 * bottom edge, stretched across by the ratio of the edge widths (clamped to 0.5..2).
 */
function quadPart(name, ref, motion, [tl, tr, br, bl], margin) {
  if (!vis(ref, tl, tr, br, bl) || !vis(motion, tl, tr, br, bl)) return null;
  const quad = [tl, tr, br, bl].map((i) => pt(ref, i));
  const ts = mid(quad[0], quad[1]);
  const bs = mid(quad[2], quad[3]);
  if (len(ts, bs) <= 2) return null;
  const td = mid(pt(motion, tl), pt(motion, tr));
  const bd = mid(pt(motion, br), pt(motion, bl));
  const ws = len(quad[0], quad[1]) + len(quad[2], quad[3]);
  const wd = len(pt(motion, tl), pt(motion, tr)) + len(pt(motion, br), pt(motion, bl));
  const across = ws > 1 ? clamp(wd / ws, 0.5, 2) : 1;
  const xs = quad.map((p) => p.x);
  const ys = quad.map((p) => p.y);
  const box = [Math.min(...xs) - margin, Math.min(...ys) - margin, Math.max(...xs) + margin, Math.max(...ys) + margin];
  const inside = (x, y) =>
    insidePolygon(x, y, quad) ||
    quad.some((p, i) => {
      const q = quad[(i + 1) % 4];
      return distToSegment(x, y, p.x, p.y, q.x, q.y) <= margin;
    });
  return { name, warp: boneWarp(ts, bs, td, bd, across), inside, box };
}

/** The parts of one frame: a warp and a source-region test each, in drawing order. */
function parts(ref, motion, height) {
  const m = TORSO_MARGIN * height;
  // The hips-to-knees quad first: it carries what lies between the thighs (skirts, shorts).
  const out = [quadPart('pelvis', ref, motion, [L_HIP, R_HIP, R_KNEE, L_KNEE], m), quadPart('torso', ref, motion, [L_SHOULDER, R_SHOULDER, R_HIP, L_HIP], m)].filter(Boolean);
  for (const limb of LIMBS) {
    const r = limb.radius * height;
    if (limb.head) {
      if (!vis(ref, NOSE) || !vis(motion, NOSE)) continue;
      const c = pt(ref, NOSE);
      const d = pt(motion, NOSE);
      const warp = { inverse: (x, y) => [x - d.x + c.x, y - d.y + c.y], forward: (x, y) => [x - c.x + d.x, y - c.y + d.y] };
      out.push({ name: limb.name, warp, inside: (x, y) => Math.hypot(x - c.x, y - c.y) <= r, box: [c.x - r, c.y - r, c.x + r, c.y + r] });
      continue;
    }
    if (!vis(ref, limb.a, limb.b) || !vis(motion, limb.a, limb.b)) continue;
    const as = pt(ref, limb.a);
    const bs = pt(ref, limb.b);
    if (len(as, bs) < 2) continue;
    const warp = boneWarp(as, bs, pt(motion, limb.a), pt(motion, limb.b));
    const es = { x: as.x + (bs.x - as.x) * (1 + limb.extend), y: as.y + (bs.y - as.y) * (1 + limb.extend) };
    const box = [Math.min(as.x, es.x) - r, Math.min(as.y, es.y) - r, Math.max(as.x, es.x) + r, Math.max(as.y, es.y) + r];
    out.push({ name: limb.name, warp, inside: (x, y) => distToSegment(x, y, as.x, as.y, es.x, es.y) <= r, box });
  }
  return out;
}

/** Bilinear sample of channel-interleaved rgb24 at (x, y) into out[o..o+2]; false outside the image. */
function sample(img, w, h, x, y, out, o) {
  if (x < 0 || y < 0 || x > w - 1 || y > h - 1) return false;
  const x0 = Math.min(Math.floor(x), w - 2 < 0 ? 0 : w - 2);
  const y0 = Math.min(Math.floor(y), h - 2 < 0 ? 0 : h - 2);
  const fx = w > 1 ? x - x0 : 0;
  const fy = h > 1 ? y - y0 : 0;
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  for (let c = 0; c < 3; c++) {
    const p00 = img[(y0 * w + x0) * 3 + c];
    const p10 = img[(y0 * w + x1) * 3 + c];
    const p01 = img[(y1 * w + x0) * 3 + c];
    const p11 = img[(y1 * w + x1) * 3 + c];
    out[o + c] = Math.round(p00 * (1 - fx) * (1 - fy) + p10 * fx * (1 - fy) + p01 * (1 - fx) * fy + p11 * fx * fy);
  }
  return true;
}

/**
 * The crude 'rows' fill: a copy of `img` where every row of `box` ({x0, y0, x1, y1}, x1/y1
 * exclusive) is the linear blend of the pixels just outside its left and right ends (one end only
 * where the box touches the frame's edge; unchanged when it spans the whole width).
 */
export function fillBoxRows(img, w, h, box) {
  const out = Uint8Array.from(img);
  if (!box) return out;
  const x0 = Math.max(0, Math.floor(box.x0));
  const x1 = Math.min(w, Math.ceil(box.x1));
  const y0 = Math.max(0, Math.floor(box.y0));
  const y1 = Math.min(h, Math.ceil(box.y1));
  const hasL = x0 > 0;
  const hasR = x1 < w;
  if (!hasL && !hasR) return out;
  for (let y = y0; y < y1; y++) {
    const l = (y * w + (hasL ? x0 - 1 : x1)) * 3;
    const r = (y * w + (hasR ? x1 : x0 - 1)) * 3;
    for (let x = x0; x < x1; x++) {
      const f = (x - x0 + 1) / (x1 - x0 + 1);
      for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = Math.round(img[l + c] * (1 - f) + img[r + c] * f);
    }
  }
  return out;
}

/**
 * One paste-2d frame: the reference person's parts of frame `ref` (rgb24, w x h; pose `refPose`)
 * warped onto `motionPose` (already aligned with alignPose) and drawn over `base` (default: `ref`
 * itself; e.g. fillBoxRows of it). `height` is the reference body height in pixels (part sizes).
 * Either pose null: `base` unchanged.
 */
export function paste2dFrame(ref, w, h, refPose, motionPose, height, base = ref) {
  const out = Uint8Array.from(base);
  if (!refPose || !motionPose || !(height > 0)) return out;
  for (const part of parts(refPose, motionPose, height)) {
    const [bx0, by0, bx1, by1] = part.box;
    const corners = [
      [bx0, by0],
      [bx1, by0],
      [bx0, by1],
      [bx1, by1],
    ].map(([x, y]) => part.warp.forward(x, y));
    const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]))));
    const x1 = Math.min(w - 1, Math.ceil(Math.max(...corners.map((c) => c[0]))));
    const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]))));
    const y1 = Math.min(h - 1, Math.ceil(Math.max(...corners.map((c) => c[1]))));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const [sx, sy] = part.warp.inverse(x, y);
        if (!part.inside(sx, sy)) continue;
        sample(ref, w, h, sx, sy, out, (y * w + x) * 3);
      }
    }
  }
  return out;
}
