/** Errors of the project core; callers branch with `instanceof` (they keep their class across workers, see src/workers/errors.ts). */

/** A stage Generate needs has not finished; the message says what to wait for. */
export class NotReadyError extends Error {
  override name = 'NotReadyError';
}

/** The user stopped a run (Cancel, or a newer run replaced it). */
export class CanceledError extends Error {
  override name = 'CanceledError';
  constructor(message = 'Canceled.') {
    super(message);
  }
}
