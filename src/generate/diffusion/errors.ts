/**
 * Errors of the diffusion engine. Callers branch with `instanceof` and `code`, never on message text.
 */

/** What is wrong with a model pack. */
export type PackErrorCode =
  /** pack.json is not valid JSON or misses / mistypes a field. */
  | 'manifest'
  /** pack.json is well-formed but does not declare what the MimicMotion pipeline needs. */
  | 'contract'
  /** A file named by pack.json is not in the pack. */
  | 'missing-file'
  /** A file's size differs from pack.json. */
  | 'size'
  /** A file's sha256 differs from pack.json. */
  | 'sha256'
  /** A file is not a readable ONNX model. */
  | 'not-onnx'
  /** An input or output named by pack.json is missing from the file, or the file has one more. */
  | 'io-name'
  /** An input or output has another element type in the file. */
  | 'io-dtype'
  /** An input or output has another rank or dimension in the file. */
  | 'io-shape'
  /** External weight files disagree with pack.json. */
  | 'external-data';

/** One problem found in a pack, with the file it concerns ('pack.json' for the manifest). */
export interface PackProblem {
  code: PackErrorCode;
  file: string;
  message: string;
}

/**
 * A model pack was refused. `message` names the file and the mismatch of the first problem;
 * `problems` lists all that were found.
 */
export class PackError extends Error {
  override name = 'PackError';
  readonly code: PackErrorCode;
  readonly file: string;
  readonly problems: readonly PackProblem[];

  constructor(problems: PackProblem | readonly PackProblem[]) {
    const list = Array.isArray(problems) ? (problems as readonly PackProblem[]) : [problems as PackProblem];
    const first = list[0] ?? { code: 'manifest' as const, file: 'pack.json', message: 'pack.json: the pack is invalid.' };
    const more = list.length > 1 ? ` (and ${list.length - 1} more problem${list.length > 2 ? 's' : ''})` : '';
    super(`${first.message}${more} Re-export the pack or fix pack.json (see docs/model-packs.md).`);
    this.code = first.code;
    this.file = first.file;
    this.problems = list;
  }
}

/** A model returned an output the pipeline cannot use (missing, or of the wrong size). */
export class ModelOutputError extends Error {
  override name = 'ModelOutputError';
  constructor(message: string) {
    super(`${message} The model pack does not behave as its pack.json declares; re-export it.`);
  }
}
