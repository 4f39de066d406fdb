/**
 * WGSL sources of the appearance gather and render (appearance.ts): the shared camera projection,
 * the body's depth and limb pass, the gather onto the UV atlas, the textured render, and the
 * layers drawn over it (textured with the image they came from). Apart so that the GPU plumbing in appearance.ts reads on its own;
 * the bindings and vertex locations here match the pipelines built there.
 */

const PROJECT = /* wgsl */ `
struct Camera { fx: f32, fy: f32, cx: f32, cy: f32, width: f32, height: f32, weight: f32, pad: f32, gain: vec4f };
@group(0) @binding(0) var<uniform> cam: Camera;
fn toClip(p: vec3f) -> vec4f {
  let z = max(p.z, 1e-4);
  let px = cam.fx * p.x / z + cam.cx;
  let py = cam.fy * p.y / z + cam.cy;
  let ndc = vec2f(px / cam.width * 2.0 - 1.0, 1.0 - py / cam.height * 2.0);
  return vec4f(ndc * z, clamp(z / 100.0, 0.0, 1.0) * z, z);
}
fn toPixel(p: vec3f) -> vec2f {
  let z = max(p.z, 1e-4);
  return vec2f(cam.fx * p.x / z + cam.cx, cam.fy * p.y / z + cam.cy);
}
`;

export const DEPTH_SHADER = PROJECT + /* wgsl */ `
struct VOut { @builtin(position) pos: vec4f, @location(0) @interpolate(flat) limb: f32 };
@vertex fn vs(@location(0) p: vec3f, @location(1) limb: f32) -> VOut { return VOut(toClip(p), limb); }
@fragment fn fs(i: VOut) -> @location(0) vec4f { return vec4f(i.limb, 0.0, 0.0, 0.0); }
`;

export const GATHER_SHADER = PROJECT + /* wgsl */ `
@group(0) @binding(1) var frame: texture_2d<f32>;
@group(0) @binding(2) var depth: texture_depth_2d;
@group(0) @binding(3) var limbs: texture_2d<f32>;
@group(0) @binding(4) var prior: texture_2d<f32>;
struct VOut { @builtin(position) pos: vec4f, @location(0) p: vec3f, @location(1) n: vec3f, @location(2) sharpness: f32, @location(3) @interpolate(flat) limb: f32 };
@vertex fn vs(@location(0) p: vec3f, @location(1) n: vec3f, @location(2) uv: vec2f, @location(3) sharpness: f32, @location(4) limb: f32) -> VOut {
  var o: VOut;
  o.pos = vec4f(uv.x * 2.0 - 1.0, 1.0 - uv.y * 2.0, 0.5, 1.0);
  o.p = p;
  o.n = n;
  o.sharpness = sharpness;
  o.limb = limb;
  return o;
}
@fragment fn fs(i: VOut) -> @location(0) vec4f {
  let px = toPixel(i.p);
  if (px.x < 0.0 || px.y < 0.0 || px.x >= cam.width || px.y >= cam.height || i.p.z <= 0.0) { discard; }
  let texel = vec2i(px);
  // Visible only if this surface point is the body's nearest at that pixel: within 4 cm on the
  // same limb (a sloped surface samples differently in UV and screen space), within 5 mm when
  // another limb is nearest (a hand resting on the hip hides the hip).
  let nearest = textureLoad(depth, texel, 0);
  let own = clamp(i.p.z / 100.0, 0.0, 1.0);
  let sameLimb = abs(textureLoad(limbs, texel, 0).r - i.limb) < 0.5;
  if (own > nearest + select(0.00005, 0.0004, sameLimb)) { discard; }
  let facing = max(0.0, dot(normalize(i.n), -normalize(i.p)));
  let c = textureLoad(frame, texel, 0);
  // The frame's alpha is the person mask: silhouette-edge samples that hit the background drop out.
  var w = pow(cam.weight, 0.5 * i.sharpness) * pow(facing, i.sharpness) * c.a * c.a;
  if (w <= 0.0001) { discard; }
  // Second gather (cam.pad = spread): a sample far from the first's colour is mostly something that
  // passed in front. Floored, so a texel whose views all disagree keeps their mean (in half floats).
  if (cam.pad > 0.0) {
    let m = textureLoad(prior, vec2i(i.pos.xy), 0);
    let d = c.rgb - m.rgb / max(m.a, 1e-6);
    w *= max(exp(-dot(d, d) / (2.0 * cam.pad * cam.pad)), 1e-3);
  }
  return vec4f(c.rgb * w, w);
}
`;

export const RENDER_SHADER = PROJECT + /* wgsl */ `
@group(0) @binding(1) var atlas: texture_2d<f32>;
@group(0) @binding(2) var linear: sampler;
struct VOut { @builtin(position) pos: vec4f, @location(0) uv: vec2f, @location(1) fill: vec4f };
@vertex fn vs(@location(0) p: vec3f, @location(1) uv: vec2f, @location(2) fill: vec4f) -> VOut {
  var o: VOut;
  o.pos = toClip(p);
  o.uv = uv;
  o.fill = fill;
  return o;
}
@fragment fn fs(i: VOut) -> @location(0) vec4f {
  let acc = textureSample(atlas, linear, i.uv);
  // Texels no frame saw take the fill colour (see surface-fill.ts); texels seen only at a grazing
  // angle lean towards it by how little they are trusted (fill.a, 1 = the atlas alone).
  let seen = mix(i.fill.rgb, acc.rgb / max(acc.a, 1e-6), i.fill.a);
  var c = select(i.fill.rgb, seen, acc.a > 1e-4);
  return vec4f(clamp(c * cam.gain.rgb, vec3f(0.0), vec3f(1.0)), 1.0);
}
`;

export const LAYER_SHADER = PROJECT + /* wgsl */ `
// The layer's own image (the reference frame or a face view's crop), sampled at full resolution
// between the grid's vertices: vertex colours would halve the detail (eyes and mouth blur).
@group(0) @binding(1) var image: texture_2d<f32>;
@group(0) @binding(2) var imageSampler: sampler;
struct VOut { @builtin(position) pos: vec4f, @location(0) source: vec2f };
@vertex fn vs(@location(0) p: vec3f, @location(1) source: vec2f) -> VOut {
  var o: VOut;
  // A fading layer (cam.pad > 0) is drawn this many metres towards the camera, over the layer replacing it.
  o.pos = toClip(p * max(0.0, 1.0 - cam.pad / max(length(p), 1e-4)));
  o.source = source;
  return o;
}
// Catmull-Rom (bicubic) rather than bilinear: a layer is drawn at about its own scale, where
// bilinear's averaging of neighbours softens eyes, lips and the weave of cloth at every
// sub-pixel shift. Nine bilinear taps make the 4x4 kernel: the two middle weights of each axis
// are positive and share one tap placed between their texels.
fn catmullRom(f: vec2f) -> array<vec2f, 4> {
  return array<vec2f, 4>(
    f * (-0.5 + f * (1.0 - 0.5 * f)),
    1.0 + f * f * (-2.5 + 1.5 * f),
    f * (0.5 + f * (2.0 - 1.5 * f)),
    f * f * (-0.5 + 0.5 * f));
}
fn sampleBicubic(at: vec2f) -> vec3f {
  let size = vec2f(textureDimensions(image));
  let t = at - 0.5;
  let base = floor(t);
  let w = catmullRom(t - base);
  let middle = w[1] + w[2];
  let taps = array<vec2f, 3>(base - 0.5, base + 0.5 + w[2] / middle, base + 2.5);
  let weights = array<vec2f, 3>(w[0], middle, w[3]);
  var c = vec3f(0.0);
  for (var y = 0; y < 3; y++) {
    for (var x = 0; x < 3; x++) {
      let uv = vec2f(taps[x].x, taps[y].y) / size;
      c += weights[x].x * weights[y].y * textureSampleLevel(image, imageSampler, uv, 0.0).rgb;
    }
  }
  return clamp(c, vec3f(0.0), vec3f(1.0));
}
@fragment fn fs(i: VOut) -> @location(0) vec4f {
  return vec4f(sampleBicubic(i.source), cam.weight);
}
`;
