import { faceFrame, facePoint, type FaceLandmarks } from '../../body';

/**
 * A generic face for a head whose face no reference frame showed (a person seen only from behind).
 * The unseen fill would otherwise spread the hair over it: a head with no face, which reads as a
 * back view whenever the motion turns the person to the camera, so the body reads mirrored too.
 * The face is painted in vertex colours on the rest mesh: skin in an oval in front of the ears,
 * dark eyes and brows, and lips, placed at the skeleton's face markers.
 */

type Rgb = [number, number, number];

export interface FacePalette {
  skin: Rgb;
  /** Eyes and brows. */
  features: Rgb;
  lips: Rgb;
}

/** Below this mean trust over the face's vertices, the face counts as unseen. */
export const FACE_SEEN_TRUST = 0.25;

/** A light-to-medium skin tone for when the reference shows no bare skin to take the face's colour from. */
const DEFAULT_SKIN: Rgb = [0.78, 0.6, 0.5];

/**
 * The skin colour to paint a face with: the first candidate (typical colours of parts that are
 * usually bare, such as the hands) that looks like skin (red above green above blue, neither
 * near-black nor near-white), else a default tone.
 */
export function skinTone(candidates: ReadonlyArray<readonly [number, number, number] | undefined>): Rgb {
  for (const c of candidates) {
    if (!c) continue;
    const [r, g, b] = c;
    const luma = 0.299 * r + 0.587 * g + 0.114 * b;
    if (r >= g + 0.03 && g >= b && r - b >= 0.12 && r - b <= 0.5 && luma >= 0.15 && luma <= 0.9) return [r, g, b];
  }
  return [...DEFAULT_SKIN];
}

export function facePalette(skin: Rgb): FacePalette {
  return {
    skin,
    features: [skin[0] * 0.3, skin[1] * 0.27, skin[2] * 0.27],
    lips: [skin[0] * 0.8, skin[1] * 0.52, skin[2] * 0.55],
  };
}

type FacePoint = ReturnType<typeof facePoint>;

/** Skin weight of a face point: 1 inside the face oval, falling to 0 at its rim; 0 behind the cheeks. */
function ovalWeight(p: FacePoint, mouthDown: number): number {
  // From the hairline (0.75 eye distances above the eyes) to the chin (0.55 below the mouth), cheek to cheek.
  const top = -0.75;
  const bottom = mouthDown + 0.55;
  const r = Math.hypot(p.across, (p.down - (top + bottom) / 2) / ((bottom - top) / 2));
  const rim = Math.min(1, Math.max(0, (1 - r) / 0.2));
  // The face's surface is within about an eye distance behind the eyes' plane; the ears are further back.
  const front = Math.min(1, Math.max(0, (p.forward + 1.1) / 0.3));
  return rim * front;
}

const blob = (p: FacePoint, across: number, down: number, rx: number, ry: number) => Math.exp(-(((p.across - across) / rx) ** 2 + ((p.down - down) / ry) ** 2));

/**
 * Mean trust of the vertices on the face (weighted by how far inside the face oval they are);
 * low when no reference frame showed the face.
 */
export function faceTrust(trust: Float32Array, positions: Float32Array, face: FaceLandmarks): number {
  const frame = faceFrame(face);
  let sum = 0;
  let weight = 0;
  for (let v = 0; v < trust.length; v++) {
    const w = ovalWeight(facePoint(frame, [positions[v * 3]!, positions[v * 3 + 1]!, positions[v * 3 + 2]!]), frame.mouthDown);
    if (w <= 0) continue;
    sum += w * trust[v]!;
    weight += w;
  }
  return weight > 0 ? sum / weight : 1;
}

/**
 * Paints a generic face into `colours` (n × 3, in place) on the vertices inside the face oval that
 * the views did not show well (`trust` below 1); the oval's rim blends into the colour already
 * there (the hair the fill spread). Returns how many vertices it changed.
 */
export function paintFace(colours: Float32Array, trust: Float32Array, positions: Float32Array, face: FaceLandmarks, palette: FacePalette): number {
  const frame = faceFrame(face);
  const { mouthDown, mouthHalfWidth } = frame;
  let painted = 0;
  for (let v = 0; v < trust.length; v++) {
    if (trust[v]! >= 1) continue;
    const p = facePoint(frame, [positions[v * 3]!, positions[v * 3 + 1]!, positions[v * 3 + 2]!]);
    const skin = ovalWeight(p, mouthDown);
    if (skin <= 0) continue;
    // Features as soft blobs, so a coarse mesh still carries them at a vertex or two.
    const eyes = Math.max(blob(p, 0.5, 0, 0.2, 0.11), blob(p, -0.5, 0, 0.2, 0.11));
    const brows = Math.max(blob(p, 0.52, -0.3, 0.28, 0.07), blob(p, -0.52, -0.3, 0.28, 0.07));
    const lips = blob(p, 0, mouthDown, mouthHalfWidth * 1.1, 0.12);
    const dark = Math.min(1, Math.max(eyes, 0.8 * brows));
    for (let c = 0; c < 3; c++) {
      let colour = palette.skin[c]!;
      colour += (palette.lips[c]! - colour) * lips;
      colour += (palette.features[c]! - colour) * dark;
      const i = v * 3 + c;
      colours[i] = colours[i]! + (colour - colours[i]!) * skin;
    }
    painted++;
  }
  return painted;
}
