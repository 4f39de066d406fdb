/** Errors of the pose pipeline. Callers branch with `instanceof`, never on message text. */

/** A model returned something the pipeline cannot use (a missing output or a wrong size). */
export class PoseModelError extends Error {
  override name = 'PoseModelError';
  constructor(message = 'A pose model returned an unexpected output. Re-run "npm install" to convert the models again.') {
    super(message);
  }
}

/** An analysis stopped because its clip was replaced or removed (not a failure: nothing to tell the user). */
export class AnalysisCanceled extends Error {
  override name = 'AnalysisCanceled';
  constructor(message = 'The pose analysis was canceled.') {
    super(message);
  }
}
