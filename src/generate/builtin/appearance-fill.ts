/**
 * From the gathered atlas to per-vertex colours (appearance.ts): each mesh vertex reads the atlas
 * at its UV, and what no view saw (or saw only at a grazing angle) is filled from the other side,
 * over the surface (surface-fill.ts) and, for a face no view showed, painted in (face-fill.ts).
 * Pure math on typed arrays, apart from the GPU code so that it needs no device.
 */
import type { FaceLandmarks } from '../../body';
import { FACE_SEEN_TRUST, faceTrust, facePalette, paintFace, skinTone } from './face-fill';
import { fillUnseenVertices, mirrorUnseenVertices, mirrorVertices, texelTrust, typicalPartColours, weldVertices } from './surface-fill';

/** Head and neck: their unseen back takes the hair seen at their sides, not their seen front's (face, throat) typical colour. */
const RING_FILL_PARTS = new Set([12, 15]);

/** Parts usually bare, whose colour a face no view showed takes: hands, then wrists (SMPL joints). */
const SKIN_PARTS = [22, 23, 20, 21];

/** Side of the body's UV atlas, in texels. */
export const ATLAS_SIZE = 1024;

/** The body mesh as the atlas sees it; rest `positions` let the unseen fill cross UV seams. */
export interface AppearanceTopology {
  uvs: Float32Array;
  indices: Uint32Array;
  vertexCount: number;
  parts: Uint8Array;
  positions?: Float32Array;
  /** Where the face's features sit on the rest mesh; with `positions`, a face no view showed is painted in (see face-fill.ts). */
  face?: FaceLandmarks;
}

/**
 * Per vertex, the colour for texels no view saw and the trust in what the views saw (RGBA, 4 floats
 * per vertex, colours 0-1). `texels`: the atlas (ATLAS_SIZE² RGBA floats, colour × weight and
 * weight) after the robust gather; `seenBy`: the first gather's, whose weights are the trust.
 */
export function vertexFill(texels: Float32Array, seenBy: Float32Array, topology: AppearanceTopology): Float32Array {
  const { uvs, indices, vertexCount, positions, parts, face } = topology;
  const colours = new Float32Array(vertexCount * 3);
  const seen = new Uint8Array(vertexCount);
  const confidence = new Float32Array(vertexCount);
  const sum = [0, 0, 0];
  for (let v = 0; v < vertexCount; v++) {
    const x = Math.min(ATLAS_SIZE - 1, Math.max(0, Math.floor(uvs[v * 2]! * ATLAS_SIZE)));
    const y = Math.min(ATLAS_SIZE - 1, Math.max(0, Math.floor(uvs[v * 2 + 1]! * ATLAS_SIZE)));
    const t = (y * ATLAS_SIZE + x) * 4;
    const a = texels[t + 3]!;
    if (!(a > 1e-4 && seenBy[t + 3]! > 1e-4)) continue;
    seen[v] = 1;
    confidence[v] = seenBy[t + 3]!;
    for (let c = 0; c < 3; c++) {
      colours[v * 3 + c] = texels[t + c]! / a;
      sum[c]! += colours[v * 3 + c]!;
    }
  }
  const seenCount = seen.reduce((a, b) => a + b, 0);
  const mean = seenCount ? (sum.map((x) => x / seenCount) as [number, number, number]) : ([0.5, 0.5, 0.5] as const);
  // Vertices seen only at a grazing angle are filled too; the render blends towards that fill by their trust.
  const trust = texelTrust(confidence, seen, parts);
  const trusted = Uint8Array.from(trust, (t) => (t >= 1 ? 1 : 0));
  const typical = typicalPartColours(colours, seen, parts, confidence);
  // A side no view showed well takes the other side's colours first; what neither side showed is filled over the surface.
  if (positions) mirrorUnseenVertices(colours, trusted, mirrorVertices(positions));
  fillUnseenVertices(colours, trusted, indices, { weld: positions ? weldVertices(positions) : undefined, fallback: mean, parts, confidence, ringParts: RING_FILL_PARTS });
  // A person seen only from behind gets a generic face rather than hair all round the head.
  if (positions && face && faceTrust(trust, positions, face) < FACE_SEEN_TRUST) {
    paintFace(colours, trust, positions, face, facePalette(skinTone(SKIN_PARTS.map((p) => typical.get(p)))));
  }
  const fill = new Float32Array(vertexCount * 4);
  for (let v = 0; v < vertexCount; v++) {
    fill.set(colours.subarray(v * 3, v * 3 + 3), v * 4);
    fill[v * 4 + 3] = trust[v]!;
  }
  return fill;
}
