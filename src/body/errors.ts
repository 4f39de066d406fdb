/** Errors of the body module that a user can cause; callers branch with `instanceof`. */

/** The clip has no frame where a person was found with enough confidence to fit a body. */
export class NoBodyError extends Error {
  override name = 'NoBodyError';
  constructor(message = 'No person was found clearly enough in any frame to fit a 3D body. Use a clip where the whole person is visible, or pick the person to follow.') {
    super(message);
  }
}

/** Arguments that break a function's contract (wrong array sizes, bad options). */
export class BodyArgumentError extends Error {
  override name = 'BodyArgumentError';
}

/** A body model file that cannot be used (not an .npz, missing or mis-shaped arrays, not SMPL's skeleton). */
export class BodyModelError extends Error {
  override name = 'BodyModelError';
}
