/** Options shared by every actlab error. */
export interface ActlabErrorOptions<Code extends string = string> {
  /** Stable machine-readable code, such as `IDX_BAD_MAGIC` or `UNKNOWN_ACTIVATION`. */
  code: Code;
  /** Human message: what was expected, what was found, and what to do next. */
  message: string;
  /** The underlying error, when this one wraps another. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by the actlab packages.
 *
 * Each error has a stable literal `name`, a `code` from its package's code union, and a message
 * that says what to do next. Use the static `isInstance` of the class you mean rather than
 * `instanceof`: it also recognises errors from another copy of the package (two versions
 * installed side by side), and it tells classes apart, so `MnistLoaderError.isInstance(e)` is
 * false for a `BackendError` while `ActlabError.isInstance(e)` is true for both.
 *
 * A subclass declares its own marker and a literal name (class names do not survive minifiers):
 *
 * ```ts
 * export class MyError extends ActlabError<'BAD_INPUT' | 'NOT_FOUND'> {
 *   static override readonly marker: symbol = Symbol.for('@actlab/my-package/MyError');
 *   override readonly name = 'MyError' as const;
 * }
 * ```
 */
export class ActlabError<Code extends string = string> extends Error {
  /**
   * The `Symbol.for` key every instance of this class (and of its subclasses) carries; each
   * subclass declares its own so that its `isInstance` recognises only its own errors.
   */
  static readonly marker: symbol = Symbol.for('@actlab/errors/ActlabError');

  override name: string;
  readonly code: Code;

  constructor({ code, message, cause }: ActlabErrorOptions<Code>) {
    super(message, cause === undefined ? undefined : { cause });
    // Subclasses replace this with their literal name; new.target.name is only the fallback
    // for a subclass that declares none (it does not survive minification).
    this.name = new.target === ActlabError ? 'ActlabError' : new.target.name;
    this.code = code;
    // Shared symbols, not instanceof: two installed copies of a package still recognise each other.
    for (const marker of markersOf(new.target)) {
      Object.defineProperty(this, marker, { value: true });
    }
  }

  /**
   * True for an error of this class or a subclass, whichever installed copy created it:
   * `ActlabError.isInstance` accepts every actlab error, `BackendError.isInstance` only
   * backend errors.
   */
  static isInstance<T extends abstract new (...args: never[]) => ActlabError>(
    this: T & { readonly marker: symbol },
    error: unknown,
  ): error is InstanceType<T> {
    return (
      typeof error === 'object' &&
      error !== null &&
      // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked, so each subclass checks its own marker.
      (error as Record<symbol, unknown>)[this.marker] === true
    );
  }

  /** True for an error of this class (see {@link ActlabError.isInstance}) with the given code. */
  static hasCode<T extends abstract new (...args: never[]) => ActlabError>(
    this: T & { readonly marker: symbol },
    error: unknown,
    code: string,
  ): error is InstanceType<T> {
    return (
      typeof error === 'object' &&
      error !== null &&
      // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked, so each subclass checks its own marker.
      (error as Record<symbol, unknown>)[this.marker] === true &&
      (error as { code?: unknown }).code === code
    );
  }
}

/** The markers of a class and of every actlab class above it. */
function markersOf(target: unknown): symbol[] {
  const markers: symbol[] = [];
  let current = target as { marker?: symbol } | null;
  while (current && current !== Error) {
    if (Object.hasOwn(current, 'marker') && typeof current.marker === 'symbol') {
      markers.push(current.marker);
    }
    current = Object.getPrototypeOf(current);
  }
  return markers;
}
