const marker = Symbol.for('@actlab/error');

/** Options shared by every actlab error. */
export interface ActlabErrorOptions {
  /** Stable machine-readable code, such as `IDX_BAD_MAGIC` or `UNKNOWN_ACTIVATION`. */
  code: string;
  /** Human message: what was expected, what was found, and what to do next. */
  message: string;
  /** The underlying error, when this one wraps another. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by the actlab packages.
 *
 * Each error has a stable `name` (the subclass name), a `code` to branch on, and a message that
 * says what to do next. Use {@link ActlabError.isInstance} rather than `instanceof`: it also
 * recognises errors from another copy of this package (two versions installed side by side).
 */
export class ActlabError extends Error {
  readonly code: string;

  constructor({ code, message, cause }: ActlabErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    // A shared symbol, not instanceof: two installed copies of this package still recognise each other.
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any actlab error, whichever copy of this package created it. */
  static isInstance(error: unknown): error is ActlabError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[marker] === true
    );
  }

  /** True for an actlab error with the given code. */
  static hasCode(error: unknown, code: string): error is ActlabError {
    return ActlabError.isInstance(error) && error.code === code;
  }
}
