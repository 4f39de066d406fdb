import { SCENE_COMPLETION_DEFAULTS, type SceneCompletionOptions } from './plate-model';
import { SHADOW_DEFAULTS, type ShadowOptions } from './shadow';

/**
 * The builtin engine's tuning, in one frozen, JSON-serialisable object (as a diffusers pipeline is
 * built from its config): every number that shapes its frames, named and documented here instead
 * of scattered through the runner. A run takes a config; the resume key includes it, so frames
 * made under another config are never resumed into.
 */
export interface BuiltinConfig {
  /** Reference views gathered into the appearance atlas. */
  readonly views: {
    /** At most this many (spread in time, topped up per heading: see views.ts). */
    readonly max: number;
    /** Only fitted frames whose body confidence is above this, in [0, 1]. */
    readonly minConfidence: number;
  };
  readonly face: {
    /**
     * Face and hands: the reference frame's own pixels, moved with their bone, show in front of the
     * textured mesh (a smooth head, mitten hands) while that bone has turned less than this
     * (degrees) from that frame; past it they would show the wrong side, and the texture is better.
     */
    readonly frontMaxTurn: number;
    /** Head crops of the gathered views reach this far (metres) beyond the head's bone: the face and the hair around it. */
    readonly margin: number;
    /**
     * A gathered view that shows the face (turned less than `viewMaxAway` degrees from the camera)
     * serves a head turned up to `viewMaxTurn` degrees from it: farther than other views
     * (`frontMaxTurn`), since the texture loses a face's eyes and mouth but little of the back of a head.
     */
    readonly viewMaxTurn: number;
    readonly viewMaxAway: number;
    /** Degrees by which another view's head must be turned less before the face switches to it. */
    readonly hysteresis: number;
    /** Output frames over which a face view cross-fades into the next (a switch of view is a switch of expression). */
    readonly fadeFrames: number;
    /**
     * The motion's expression on the reference face (face-warp.ts): on when both clips have face
     * landmarks. Each landmark moves at most `maxMove` eye distances; the motion's expression is
     * the mean over its frame and `window` frames either side (landmarks jitter); landmarks count
     * from a face score of `minScore` and eyes `minEyes` pixels apart (in the reference at the
     * output size, in the motion clip at its own): smaller faces' landmarks are mostly noise, and
     * their expression does not show. The face's outline (whose pixels go with the head) needs the same.
     * A mouth opened wider than in the reference frame is shaded inside only where the output's eyes
     * are `shadeMinEyes` pixels apart: on a smaller face the shaded slit reads as a moustache.
     */
    readonly expression: { readonly on: boolean; readonly maxMove: number; readonly window: number; readonly minScore: number; readonly minEyes: number; readonly shadeMinEyes: number };
  };
  /** Matte window radius as a share of the person's size: about one cell of the tracker's 64² mask over its ROI. */
  readonly matteRadius: number;
  /** The person's own pixels: the tracker's mask above this confidence, in [0, 1], before the matte. */
  readonly tightMaskThreshold: number;
  /** The person's pixels beyond the mesh (hair, loose clothes), carried with their bones. */
  readonly layer: {
    /** The layer keeps this far (output pixels) inside the person's matte edge, which mixes in the background. */
    readonly inset: number;
    /**
     * Person-mask pixels farther than this (metres) from every bone's surface are not carried: hair
     * and clothes lie within it, while a neighbour's leg or a held sign that the mask took in lie beyond.
     */
    readonly reach: number;
    /**
     * Arms and hands reach less: a sleeve stands out little, while what lies beyond a hand is mostly
     * something held or someone else's arm (a racket, a friend's sign), which would swing with it.
     */
    readonly armReach: number;
    /** Pixels this much (metres) farther from a second bone than from their nearest move partly with it too (see outside.ts `blend`). */
    readonly blend: number;
    /**
     * Pieces of the layer (connected parts, before and after warping) smaller than this share of
     * the person's height squared (stature at the pelvis's depth, pixels²) are left out: specks of
     * background beside a hand or a boot. 0.0004 is about 12 × 12 px for a person 600 px tall, a
     * fingertip's area; a finger joined to a kept piece (a hand in front) stays with it.
     */
    readonly minPiece: number;
    /**
     * Pieces with no point this share of the person's height inside them (thin all along: a sliver
     * where the mesh is a little narrower than the person, between the legs or along a dress's
     * edge) are left out; thin parts of thicker pieces stay (an opening by reconstruction). 0.004
     * is 2.4 px for a person 600 px tall: strips under about 5 px wide go.
     */
    readonly minCore: number;
  };
  /** Per-frame colour gain (this reference frame's person colour over the clip's), clamped to [min, max] per channel. */
  readonly colourGain: { readonly min: number; readonly max: number };
  /** Scene completion of the background that no reference frame showed (completion.ts, made once per plate canvas in plate-model.ts). */
  readonly completion: SceneCompletionOptions;
  /** The reference person's cast shadow leaves the plate with them (shadow.ts); null keeps it. */
  readonly shadow: ShadowOptions | null;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The defaults every run uses unless told otherwise. */
export const BUILTIN_CONFIG: BuiltinConfig = deepFreeze({
  views: { max: 24, minConfidence: 0.3 },
  face: { frontMaxTurn: 20, margin: 0.16, viewMaxTurn: 30, viewMaxAway: 75, hysteresis: 8, fadeFrames: 4, expression: { on: true, maxMove: 0.35, window: 1, minScore: 0.5, minEyes: 12, shadeMinEyes: 28 } },
  matteRadius: 0.022,
  tightMaskThreshold: 0.6,
  layer: { inset: 2, reach: 0.2, armReach: 0.08, blend: 0.08, minPiece: 0.0004, minCore: 0.004 },
  colourGain: { min: 0.67, max: 1.5 },
  completion: SCENE_COMPLETION_DEFAULTS,
  shadow: SHADOW_DEFAULTS,
});

/** A config from the defaults with some fields replaced (a section at a time), frozen. */
export function builtinConfig(patch: { [K in keyof BuiltinConfig]?: Partial<BuiltinConfig[K]> } = {}): BuiltinConfig {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(BUILTIN_CONFIG) as (keyof BuiltinConfig)[]) {
    const base = BUILTIN_CONFIG[key];
    const p = patch[key];
    // A section may be switched off with null (the shadow removal).
    out[key] = p === null ? null : typeof base === 'object' && base !== null ? { ...base, ...(p as object | undefined) } : (p ?? base);
  }
  return deepFreeze(out as unknown as BuiltinConfig);
}
