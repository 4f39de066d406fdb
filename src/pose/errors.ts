/** Errors of the pose pipeline. Callers branch with `instanceof`, never on message text. */

/** A model returned something the pipeline cannot use (a missing output or a wrong size). */
export class PoseModelError extends Error {
  override name = 'PoseModelError';
  constructor(message = 'A pose model returned an unexpected output. Re-run "npm install" to convert the models again.') {
    super(message);
  }
}
