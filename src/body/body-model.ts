/**
 * Body models: the built-in procedural body (mesh.ts) or a user's own SMPL model file, behind one
 * interface. A model gives the skeleton template that shapes scale (fitting, retargeting) and the
 * skinned mesh of a shape (viewer, guidance maps, builtin engine).
 *
 * SMPL files (`.npz`, as the `smplx` Python package uses them; see docs/body-model.md) carry:
 * `v_template` (N x 3), `shapedirs` (N x 3 x B), `J_regressor` (24 x N, dense), `weights` (N x 24),
 * `kintree_table` (2 x 24), `f` (F x 3) and optionally `posedirs` (checked, not used: skinning is
 * linear blend skinning without pose correctives). SMPL's axes (x = the body's left, y up, z = the
 * body's front, metres) become body space (x left, y down, z back) by a 180° turn about x.
 *
 * The project's shape parameters (height, length ratios, girth) stay the one shape vocabulary:
 * for an SMPL model, a shape's rest skeleton scales SMPL's own neutral joints (shape.ts), its mesh
 * takes the betas whose regressed joints best match that skeleton (ridge least squares), the small
 * remaining joint differences are blended into the vertices along the bones, and girth scales the
 * distance of each vertex from its bone.
 */
import { BodyModelError } from './errors';
import { type Vec3, add, clamp, dot, lerp3, scale, solveSpd, sub, vec3At } from './math';
import { type BodyMesh, buildBodyMesh, vertexNormals } from './mesh';
import { type NpyArray, NpyFormatError, shapeSize } from './npy';
import { looksLikeZip, readNpz } from './npz';
import { type BodyShape, BUILTIN_SKELETON, type RestSkeleton, type SkeletonTemplate, restSkeleton } from './shape';
import { J, JOINT_COUNT, NEUTRAL_END_SITES, PARENTS, type EndSite, CHILDREN } from './skeleton';

/** An SMPL-format model converted to body space, pelvis at the origin at beta = 0. */
export interface SmplData {
  vertexCount: number;
  /** N x 3 template vertices. */
  template: Float32Array;
  /** Number of shape directions (betas) kept. */
  betaCount: number;
  /** N x 3 x B shape directions, metres per unit beta. */
  shapeDirs: Float32Array;
  /** 24 x 3 joints of the template (J_regressor times v_template), pelvis at the origin. */
  restJoints: Float32Array;
  /** 24 x 3 x B: how each joint moves per beta, relative to the pelvis. */
  jointDirs: Float32Array;
  /** 3 x B: how the pelvis joint itself moves per beta. */
  pelvisDirs: Float32Array;
  /** N x 4 joint indices and weights (the 4 largest SMPL weights, renormalised). */
  skinIndices: Uint16Array;
  skinWeights: Float32Array;
  /** N dominant joint: the semantic part label. */
  parts: Uint8Array;
  /** Triangles (F x 3). */
  faces: Uint32Array;
  /** N x 2 texture coordinates: one cylindrical chart per part (SMPL's own UVs are not in the file). */
  uvs: Float32Array;
  /** True when the file had pose-corrective blend shapes (not applied). */
  hadPosedirs: boolean;
}

/** A body model. Plain data: can be posted between threads and stored. */
export interface BodyModel {
  /** 'builtin' or a content-derived id of the loaded file; equal ids mean the same model. */
  id: string;
  /** What the UI shows: "built-in body" or the file name. */
  name: string;
  kind: 'builtin' | 'smpl';
  skeleton: SkeletonTemplate;
  smpl: SmplData | null;
}

/** The built-in procedural body. */
export const BUILTIN_BODY_MODEL: Readonly<BodyModel> = Object.freeze({ id: 'builtin', name: 'built-in body', kind: 'builtin', skeleton: BUILTIN_SKELETON, smpl: null });

/** The skeleton template of a model (the built-in one when absent). */
export const skeletonOf = (model: Readonly<BodyModel> | null | undefined): SkeletonTemplate => model?.skeleton ?? BUILTIN_SKELETON;

/** The rest skeleton of a shape on a model. */
export const modelSkeleton = (shape: Readonly<BodyShape>, model?: Readonly<BodyModel> | null): RestSkeleton => restSkeleton(shape, skeletonOf(model));

const SMPL_AXES = (x: number, y: number, z: number): Vec3 => [x, -y, -z];

/** The one-line conversion from SMPL's pickle to .npz, shown in messages and docs/body-model.md. */
export const PKL_TO_NPZ =
  "python -c \"import pickle,numpy as np,sys; d=pickle.load(open(sys.argv[1],'rb'),encoding='latin1'); np.savez(sys.argv[1][:-4]+'.npz',**{k:np.array(v.toarray() if hasattr(v,'toarray') else getattr(v,'r',v)) for k,v in d.items() if k in ('v_template','shapedirs','J_regressor','weights','kintree_table','f','posedirs')})\" SMPL_NEUTRAL.pkl";

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Checks and converts the arrays of an SMPL-format file. Throws BodyModelError naming the array and
 * the mismatch. `maxBetas` caps the shape directions kept (SMPL files carry 10 to 300).
 */
export function smplModelFromArrays(arrays: ReadonlyMap<string, NpyArray>, name: string, maxBetas = 16): BodyModel {
  const need = (key: string): NpyArray => {
    const a = arrays.get(key);
    if (!a) {
      const found = [...arrays.keys()].sort().join(', ') || 'none';
      throw new BodyModelError(`${name} has no "${key}" array, which an SMPL model needs (arrays found: ${found}).`);
    }
    return a;
  };
  const expectShape = (key: string, a: NpyArray, expected: readonly (number | null)[], meaning: string) => {
    const ok = a.shape.length === expected.length && expected.every((d, i) => d === null || a.shape[i] === d);
    if (!ok) throw new BodyModelError(`${name}: "${key}" has shape ${fmt(a.shape)}; expected ${fmt(expected.map((d) => d ?? '*') as number[])} (${meaning}).`);
  };
  const vt = need('v_template');
  expectShape('v_template', vt, [null, 3], 'vertices x 3');
  const n = vt.shape[0]!;
  if (n < 100) throw new BodyModelError(`${name}: "v_template" has only ${n} vertices; an SMPL body has 6890.`);
  const jr = need('J_regressor');
  if (jr.shape.length === 2 && jr.shape[1] === n && jr.shape[0] !== JOINT_COUNT) {
    throw new BodyModelError(`${name}: "J_regressor" regresses ${jr.shape[0]} joints; only SMPL's 24-joint skeleton is supported (SMPL-X and SMPL+H files have 55 or 52).`);
  }
  expectShape('J_regressor', jr, [JOINT_COUNT, n], 'joints x vertices, stored dense');
  const sd = need('shapedirs');
  if (sd.shape.length !== 3 || sd.shape[0] !== n || sd.shape[1] !== 3 || sd.shape[2]! < 1) expectShape('shapedirs', sd, [n, 3, null], 'vertices x 3 x betas');
  const w = need('weights');
  expectShape('weights', w, [n, JOINT_COUNT], 'vertices x joints');
  const kt = need('kintree_table');
  expectShape('kintree_table', kt, [2, JOINT_COUNT], 'parent and joint ids');
  const f = need('f');
  expectShape('f', f, [null, 3], 'triangles x 3 vertex indices');
  const pd = arrays.get('posedirs');
  if (pd && !(pd.shape[0] === n || pd.shape[0] === n * 3)) throw new BodyModelError(`${name}: "posedirs" has shape ${fmt(pd.shape)}; its first axis should be the ${n} vertices.`);

  // Kinematic tree: SMPL's parents (the root's parent is stored as -1 or 2^32 - 1).
  for (let c = 0; c < JOINT_COUNT; c++) {
    const id = kt.data[JOINT_COUNT + c]!;
    const parent = kt.data[c]!;
    if (id !== c) throw new BodyModelError(`${name}: "kintree_table" lists joint ${id} in column ${c}; SMPL lists joints 0-23 in order.`);
    if (c > 0 && parent !== PARENTS[c]) throw new BodyModelError(`${name}: "kintree_table" gives joint ${c} the parent ${parent}; SMPL's is ${PARENTS[c]}. This is not an SMPL (24-joint) skeleton.`);
  }
  for (const [key, a] of [['v_template', vt], ['shapedirs', sd], ['J_regressor', jr], ['weights', w]] as const) {
    for (let i = 0; i < a.data.length; i++) if (!Number.isFinite(a.data[i]!)) throw new BodyModelError(`${name}: "${key}" contains NaN or infinite values.`);
  }
  const faces = new Uint32Array(f.data.length);
  for (let i = 0; i < faces.length; i++) {
    const v = f.data[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < n)) throw new BodyModelError(`${name}: "f" refers to vertex ${v}, outside the ${n} vertices of "v_template".`);
    faces[i] = v;
  }

  // Joints of the template (SMPL axes), then everything in body space with the pelvis at the origin.
  const regress = (src: ArrayLike<number>, stride: number, offset: number): Float64Array => {
    const out = new Float64Array(JOINT_COUNT * 3);
    for (let j = 0; j < JOINT_COUNT; j++) {
      for (let v = 0; v < n; v++) {
        const r = jr.data[j * n + v]!;
        if (r === 0) continue;
        for (let c = 0; c < 3; c++) out[j * 3 + c]! += r * src[(v * 3 + c) * stride + offset]!;
      }
    }
    return out;
  };
  const j0 = regress(vt.data, 1, 0);
  const pelvis = SMPL_AXES(j0[0]!, j0[1]!, j0[2]!);
  const template = new Float32Array(n * 3);
  for (let v = 0; v < n; v++) template.set(sub(SMPL_AXES(vt.data[v * 3]!, vt.data[v * 3 + 1]!, vt.data[v * 3 + 2]!), pelvis), v * 3);
  const restJoints = new Float32Array(JOINT_COUNT * 3);
  for (let j = 0; j < JOINT_COUNT; j++) restJoints.set(sub(SMPL_AXES(j0[j * 3]!, j0[j * 3 + 1]!, j0[j * 3 + 2]!), pelvis), j * 3);

  const B = Math.min(maxBetas, sd.shape[2]!);
  const total = sd.shape[2]!;
  const shapeDirs = new Float32Array(n * 3 * B);
  for (let v = 0; v < n; v++) {
    for (let b = 0; b < B; b++) {
      const d = SMPL_AXES(sd.data[(v * 3) * total + b]!, sd.data[(v * 3 + 1) * total + b]!, sd.data[(v * 3 + 2) * total + b]!);
      for (let c = 0; c < 3; c++) shapeDirs[(v * 3 + c) * B + b] = d[c]!;
    }
  }
  const jointDirs = new Float32Array(JOINT_COUNT * 3 * B);
  const pelvisDirs = new Float32Array(3 * B);
  for (let b = 0; b < B; b++) {
    const jd = regress(shapeDirs, B, b);
    for (let c = 0; c < 3; c++) pelvisDirs[c * B + b] = jd[c]!;
    for (let j = 0; j < JOINT_COUNT; j++) for (let c = 0; c < 3; c++) jointDirs[(j * 3 + c) * B + b] = jd[j * 3 + c]! - jd[c]!;
  }

  // Skinning: the 4 largest weights per vertex.
  const skinIndices = new Uint16Array(n * 4);
  const skinWeights = new Float32Array(n * 4);
  const parts = new Uint8Array(n);
  for (let v = 0; v < n; v++) {
    const row = Array.from({ length: JOINT_COUNT }, (_, j) => [j, w.data[v * JOINT_COUNT + j]!] as const).filter(([, x]) => x > 0);
    row.sort((a, b) => b[1] - a[1]);
    const top = row.slice(0, 4);
    const sum = top.reduce((s, [, x]) => s + x, 0);
    if (!(sum > 1e-6)) throw new BodyModelError(`${name}: "weights" gives vertex ${v} no joint (its row sums to ${sum}).`);
    top.forEach(([j, x], k) => {
      skinIndices[v * 4 + k] = j;
      skinWeights[v * 4 + k] = x / sum;
    });
    parts[v] = top[0]![0];
  }

  const smpl: SmplData = {
    vertexCount: n,
    template,
    betaCount: B,
    shapeDirs,
    restJoints,
    jointDirs,
    pelvisDirs,
    skinIndices,
    skinWeights,
    parts,
    faces,
    uvs: partUvs(template, restJoints, parts),
    hadPosedirs: Boolean(pd),
  };
  return { id: `smpl:${n}:${B}:${contentHash(template, faces)}`, name, kind: 'smpl', skeleton: smplSkeleton(smpl), smpl };
}

/** A short hash of the geometry (FNV-1a over the float bits), so the same file gives the same id. */
function contentHash(template: Float32Array, faces: Uint32Array): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h ^= x;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  const bits = new Uint32Array(template.buffer, template.byteOffset, template.length);
  for (let i = 0; i < bits.length; i += 7) mix(bits[i]!);
  for (let i = 0; i < faces.length; i += 11) mix(faces[i]!);
  return h.toString(36);
}

/** The designated child of each joint for bone directions (spine3 -> neck, pelvis -> spine1), -1 for leaves. */
const BONE_CHILD: readonly number[] = Array.from({ length: JOINT_COUNT }, (_, j) => {
  if (j === J.pelvis) return J.spine1;
  if (j === J.spine3) return J.neck;
  return CHILDREN[j]!.length === 1 ? CHILDREN[j]![0]! : -1;
});

/** The skeleton template of an SMPL model: its joints, and end sites found on its template mesh. */
function smplSkeleton(m: SmplData): SkeletonTemplate {
  const offsets = new Float32Array(JOINT_COUNT * 3);
  for (let j = 1; j < JOINT_COUNT; j++) offsets.set(sub(vec3At(m.restJoints, j), vec3At(m.restJoints, PARENTS[j]!)), j * 3);
  const joint = (j: number) => vec3At(m.restJoints, j);
  const extreme = (pick: (v: number) => boolean, key: (p: Vec3) => number): Vec3 => {
    let best: Vec3 | null = null;
    for (let v = 0; v < m.vertexCount; v++) {
      if (!pick(v)) continue;
      const p = vec3At(m.template, v);
      if (!best || key(p) > key(best)) best = p;
    }
    if (!best) throw new BodyModelError('The SMPL model has no vertices on its feet, hands or head (check "weights").');
    return best;
  };
  const part = (v: number, ...js: number[]) => js.includes(m.parts[v]!);
  const ends: EndSite[] = NEUTRAL_END_SITES.map((e) => ({ ...e, offset: [...e.offset] as Vec3 }));
  const set = (i: number, j: number, p: Vec3) => (ends[i] = { joint: j, offset: sub(p, joint(j)), tag: ends[i]!.tag });
  set(0, J.head, extreme((v) => part(v, J.head, J.neck), (p) => -p[1]));
  set(1, J.left_hand, extreme((v) => part(v, J.left_wrist, J.left_hand), (p) => p[0]));
  set(2, J.right_hand, extreme((v) => part(v, J.right_wrist, J.right_hand), (p) => -p[0]));
  for (const [left, toe, heel, sole] of [[true, 3, 5, 7], [false, 4, 6, 8]] as const) {
    const ankle = left ? J.left_ankle : J.right_ankle;
    const foot = (v: number) => (left ? part(v, J.left_ankle, J.left_foot) : part(v, J.right_ankle, J.right_foot));
    set(toe, ankle, extreme(foot, (p) => -p[2]));
    set(heel, ankle, extreme(foot, (p) => p[2]));
    const bottom = extreme(foot, (p) => p[1]);
    const a = joint(ankle);
    set(sole, ankle, [a[0], bottom[1], a[2]]);
  }
  return { offsets, endSites: ends };
}

/** Closest point to p on the segment a-b, and its parameter t in [0, 1]. */
function onSegment(p: Vec3, a: Vec3, b: Vec3): { q: Vec3; t: number } {
  const d = sub(b, a);
  const dd = dot(d, d);
  const t = dd > 1e-12 ? clamp(dot(sub(p, a), d) / dd, 0, 1) : 0;
  return { q: add(a, scale(d, t)), t };
}

/** Per-part cylindrical UV charts in a 6 x 4 grid (u around the part's bone, v along it). */
function partUvs(template: Float32Array, joints: Float32Array, parts: Uint8Array): Float32Array {
  const n = parts.length;
  const uvs = new Float32Array(n * 2);
  for (let v = 0; v < n; v++) {
    const j = parts[v]!;
    const a = vec3At(joints, j);
    const c = BONE_CHILD[j]!;
    // Leaves (hands, feet, head) use the direction from their parent.
    const b = c >= 0 ? vec3At(joints, c) : add(a, sub(a, vec3At(joints, Math.max(0, PARENTS[j]!))));
    const p = vec3At(template, v);
    const axis = sub(b, a);
    const len = Math.hypot(...axis) || 1;
    const ax = scale(axis, 1 / len);
    const ref: Vec3 = Math.abs(ax[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
    const e1 = sub(ref, scale(ax, dot(ref, ax)));
    const e1n = scale(e1, 1 / (Math.hypot(...e1) || 1));
    const e2: Vec3 = [ax[1] * e1n[2] - ax[2] * e1n[1], ax[2] * e1n[0] - ax[0] * e1n[2], ax[0] * e1n[1] - ax[1] * e1n[0]];
    const r = sub(p, a);
    const around = (Math.atan2(dot(r, e2), dot(r, e1n)) / (2 * Math.PI) + 0.5) % 1;
    const along = clamp(dot(r, ax) / len * 0.5 + 0.25, 0, 1);
    const cx = j % 6;
    const cy = Math.floor(j / 6);
    uvs[v * 2] = (cx + 0.02 + 0.96 * around) / 6;
    uvs[v * 2 + 1] = (cy + 0.02 + 0.96 * along) / 4;
  }
  return uvs;
}

/** How much girth +1 widens a part: limbs and trunk 13 %, head, hands and feet 3 %. */
const GIRTH_GAIN = (part: number) => ([J.head, J.left_hand, J.right_hand, J.left_foot, J.right_foot, J.left_wrist, J.right_wrist].includes(part) ? 0.03 : 0.13);

/** Ridge regularisation of the betas fit, m² (keeps betas near the shape space's mean). */
const BETA_RIDGE = 1e-4;

/** The betas whose regressed joints best match a rest skeleton (least squares, pelvis-relative). */
export function betasForSkeleton(m: SmplData, skel: RestSkeleton): Float64Array {
  const B = m.betaCount;
  const A = new Float64Array(B * B);
  const rhs = new Float64Array(B);
  for (let r = 0; r < JOINT_COUNT * 3; r++) {
    const target = skel.joints[r]! - m.restJoints[r]!;
    for (let a = 0; a < B; a++) {
      const da = m.jointDirs[r * B + a]!;
      rhs[a]! += da * target;
      for (let b = 0; b < B; b++) A[a * B + b]! += da * m.jointDirs[r * B + b]!;
    }
  }
  for (let a = 0; a < B; a++) A[a * B + a]! += BETA_RIDGE;
  if (!solveSpd(A, rhs, B)) rhs.fill(0);
  for (let a = 0; a < B; a++) rhs[a] = clamp(rhs[a]!, -5, 5);
  return rhs;
}

/** The SMPL mesh of a shape (rest pose, body space, pelvis at the origin); see the module comment. */
function smplMesh(model: Readonly<BodyModel>, shape: Readonly<BodyShape>): BodyMesh {
  const m = model.smpl!;
  const skel = restSkeleton(shape, model.skeleton);
  const B = m.betaCount;
  const beta = betasForSkeleton(m, skel);
  const n = m.vertexCount;
  // Joints of the betas (pelvis-relative) and their differences from the wanted skeleton.
  const jb = new Float32Array(JOINT_COUNT * 3);
  for (let r = 0; r < JOINT_COUNT * 3; r++) {
    let s = m.restJoints[r]!;
    for (let b = 0; b < B; b++) s += m.jointDirs[r * B + b]! * beta[b]!;
    jb[r] = s;
  }
  const positions = new Float32Array(n * 3);
  for (let v = 0; v < n; v++) {
    for (let c = 0; c < 3; c++) {
      let s = m.template[v * 3 + c]!;
      for (let b = 0; b < B; b++) s += m.shapeDirs[(v * 3 + c) * B + b]! * beta[b]!;
      positions[v * 3 + c] = s;
    }
  }
  // The pelvis moves with the betas too; keep it at the origin.
  const pelvisShift: Vec3 = [0, 1, 2].map((c) => beta.reduce((sum, x, b) => sum + m.pelvisDirs[c * B + b]! * x, 0)) as Vec3;
  const residual = (j: number): Vec3 => sub(vec3At(skel.joints, j), vec3At(jb, j));
  const girth = skel.shape.girth;
  for (let v = 0; v < n; v++) {
    let p = sub(vec3At(positions, v), pelvisShift);
    // Joint differences, blended along each influencing bone.
    let d: Vec3 = [0, 0, 0];
    for (let k = 0; k < 4; k++) {
      const wgt = m.skinWeights[v * 4 + k]!;
      if (wgt === 0) continue;
      const j = m.skinIndices[v * 4 + k]!;
      const c = BONE_CHILD[j]!;
      const dj = c >= 0 ? lerp3(residual(j), residual(c), onSegment(p, vec3At(jb, j), vec3At(jb, c)).t) : residual(j);
      d = add(d, scale(dj, wgt));
    }
    p = add(p, d);
    if (girth !== 0) {
      const j = m.parts[v]!;
      const c = BONE_CHILD[j]!;
      const a = vec3At(skel.joints, j);
      const q = c >= 0 ? onSegment(p, a, vec3At(skel.joints, c)).q : a;
      p = add(q, scale(sub(p, q), 1 + GIRTH_GAIN(j) * girth));
    }
    positions.set(p, v * 3);
  }
  return {
    positions,
    normals: vertexNormals(positions, m.faces),
    uvs: m.uvs.slice(),
    indices: m.faces.slice(),
    skinIndices: m.skinIndices.slice(),
    skinWeights: m.skinWeights.slice(),
    parts: m.parts.slice(),
    tubes: new Uint8Array(n),
    vertexCount: n,
    triangleCount: m.faces.length / 3,
  };
}

/**
 * The rest mesh of a shape on a model (default: the built-in body), body space, pelvis at the
 * origin. Its joints are `modelSkeleton(shape, model).joints`.
 */
export function bodyModelMesh(shape: Readonly<BodyShape>, model?: Readonly<BodyModel> | null): BodyMesh {
  return model?.smpl ? smplMesh(model, shape) : buildBodyMesh(shape);
}

/** True when the bytes are a Python pickle (protocol 2 or later starts with 0x80). */
const looksLikePickle = (b: Uint8Array) => b.length > 2 && b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5;

/**
 * Reads a user's SMPL model file (`.npz`). Throws BodyModelError with a message that says what is
 * wrong and what to do (a `.pkl` is refused with the conversion command).
 */
export async function loadBodyModelFile(bytes: Uint8Array, fileName: string, maxBetas = 16): Promise<BodyModel> {
  if (looksLikePickle(bytes) || /\.pkl$/i.test(fileName)) {
    throw new BodyModelError(`${fileName} is a Python pickle (.pkl), which the browser cannot read safely. Convert it to .npz once (see docs/body-model.md): ${PKL_TO_NPZ}`);
  }
  if (!looksLikeZip(bytes)) throw new BodyModelError(`${fileName} is not an .npz file (a zip of NumPy arrays). Expected an SMPL model saved with numpy.savez, e.g. SMPL_NEUTRAL.npz.`);
  let arrays: Map<string, NpyArray>;
  try {
    arrays = await readNpz(bytes, fileName);
  } catch (e) {
    if (e instanceof NpyFormatError) throw new BodyModelError(e.message);
    throw e;
  }
  if (shapeSize(arrays.get('v_template')?.shape ?? [0]) === 0 && arrays.size === 0) throw new BodyModelError(`${fileName} holds no arrays.`);
  return smplModelFromArrays(arrays, fileName, maxBetas);
}
