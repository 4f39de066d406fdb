/** Errors of the builtin engine. Callers branch with `instanceof` and `code`, never on message text. */

/** Why a background plate could not be produced. */
export type PlateErrorCode =
  /** Frames were pushed out of order or twice. */
  | 'order'
  /** A plate was asked for after frames it needs had left the sliding window. */
  | 'evicted'
  /** A frame index that was never pushed. */
  | 'unknown-frame';

/**
 * A misuse of `PlateBuilder` (a programming error, not a user error): the message says which
 * call to make instead.
 */
export class PlateError extends Error {
  override name = 'PlateError';
  constructor(
    readonly code: PlateErrorCode,
    message = 'The background plate builder was used out of order: push frames in increasing order and ask for each plate as soon as push() reports it ready.',
  ) {
    super(message);
  }
}
