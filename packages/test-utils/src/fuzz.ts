import fc from 'fast-check';

/**
 * The seed of every fuzz property in the normal test run, so a failure there repeats exactly.
 * `scripts/fuzz.mjs` replaces it (and the number of cases) through `ACTLAB_FUZZ_SEED` and
 * `ACTLAB_FUZZ_RUNS`.
 */
export const defaultFuzzSeed = 22;

function positiveIntegerFromEnvironment(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} must be a whole number ≥ 0, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * fast-check parameters of one fuzz property: `runs` cases and the fixed seed in the normal
 * test run; `ACTLAB_FUZZ_RUNS`, `ACTLAB_FUZZ_SEED` and `ACTLAB_FUZZ_PATH` (the `path` fast-check
 * prints beside a failing seed) for long runs and replays.
 *
 * @param runs - cases in the normal test run; keep the property under ~2 s with it
 * @param longRunLimit - at most this many cases in a long run, for properties whose cases take
 *   a good fraction of a second (a face detection, a model load)
 */
export function fuzzParameters<T>(runs: number, longRunLimit = Infinity): fc.Parameters<T> {
  const path = process.env.ACTLAB_FUZZ_PATH;
  const longRuns = positiveIntegerFromEnvironment('ACTLAB_FUZZ_RUNS');
  return {
    numRuns: longRuns === undefined ? runs : Math.min(longRuns, longRunLimit),
    seed: positiveIntegerFromEnvironment('ACTLAB_FUZZ_SEED') ?? defaultFuzzSeed,
    ...(path ? { path } : {}),
  };
}

/** A test's time limit in ms for a property of `runs` cases: unlimited in a long fuzz run. */
export function fuzzTimeout(milliseconds: number): number {
  return process.env.ACTLAB_FUZZ_RUNS ? 0 : milliseconds;
}

/** How a fuzzed call ended: its value, or the code of the typed error it threw. */
export type FuzzOutcome<T> = { ok: true; value: T } | { ok: false; code: string; error: Error };

/** An error class of a package (a subclass of `ActlabError`, whose errors carry a `code`). */
export type TypedErrorClass = abstract new (
  // biome-ignore lint/suspicious/noExplicitAny: any constructor signature
  ...args: any[]
) => Error & { code: string };

/**
 * Runs `call` and says how it ended. A thrown error of `errorClass` with a non-empty `code`
 * (one of `codes` when given) is an outcome; any other thrown value (TypeError, RangeError, a
 * raw tfjs error) is rethrown, so fast-check reports the input that caused it. A call slower
 * than `maxMilliseconds` fails too: a parser that nearly hangs on some input is a finding.
 */
export async function typedOutcome<T>(
  call: () => T | Promise<T>,
  errorClass: TypedErrorClass,
  options: { codes?: readonly string[]; maxMilliseconds?: number } = {},
): Promise<FuzzOutcome<Awaited<T>>> {
  const started = performance.now();
  let outcome: FuzzOutcome<Awaited<T>>;
  try {
    outcome = { ok: true, value: await call() };
  } catch (error) {
    if (!(error instanceof errorClass) || typeof error.code !== 'string' || error.code === '') {
      throw error;
    }
    if (options.codes && !options.codes.includes(error.code)) {
      throw new Error(`unexpected code ${error.code} (allowed: ${options.codes.join(', ')})`, {
        cause: error,
      });
    }
    outcome = { ok: false, code: error.code, error };
  }
  const elapsed = performance.now() - started;
  const limit = options.maxMilliseconds ?? 5000;
  if (elapsed > limit) {
    throw new Error(`took ${Math.round(elapsed)} ms, more than ${limit} ms`);
  }
  return outcome;
}

/** Bytes of `base` cut short, grown, overwritten in places, or replaced by random bytes. */
export function damagedBytes(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  // A copy, not a view: slice() of a Node Buffer shares memory, and the edits below must not
  // reach the caller's bytes.
  const original = Uint8Array.from(base);
  const cut = fc.nat({ max: original.length }).map((end) => original.slice(0, end));
  const grown = fc
    .uint8Array({ minLength: 1, maxLength: 64 })
    .map((tail) => Uint8Array.from([...original, ...tail]));
  const overwritten = fc
    .array(
      fc.tuple(fc.nat({ max: Math.max(0, original.length - 1) }), fc.integer({ min: 0, max: 255 })),
      {
        minLength: 1,
        maxLength: 8,
      },
    )
    .map((edits) => {
      const copy = original.slice();
      for (const [at, value] of edits) copy[at] = value;
      return copy;
    });
  // Keep the first bytes (the magic number), so the decoder gets past its format check.
  const randomTail = fc
    .uint8Array({ maxLength: Math.max(64, original.length) })
    .map((tail) => Uint8Array.from([...original.subarray(0, 8), ...tail]));
  return fc.oneof(cut, grown, overwritten, randomTail, fc.uint8Array({ maxLength: 256 }));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const paths = [prefix];
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) paths.push(...pathsOf(item, [...prefix, i]));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

// Values that break parsers most often: wrong types, negative, huge and non-integral numbers.
const hostileJson: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    '',
    'NaN',
    -1,
    0,
    1e9,
    2 ** 31,
    1e308,
    0.5,
    [],
    {},
    [-1],
    [1e9],
  ),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/**
 * `base` (a JSON document such as a `model.json`) with one to three of its values replaced by
 * hostile ones or deleted, anywhere in the tree. The base itself is never changed.
 */
export function damagedJson(base: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(base as Json);
  const edit = fc.record({
    path: fc.constantFrom(...paths),
    remove: fc.boolean(),
    value: hostileJson,
  });
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let document = structuredClone(base) as Json;
    for (const { path, remove, value } of edits) {
      if (path.length === 0) {
        document = value;
        continue;
      }
      let parent: Json = document;
      for (const key of path.slice(0, -1)) {
        if (parent === null || typeof parent !== 'object') break;
        parent = (parent as Record<string | number, Json>)[key] as Json;
      }
      if (parent === null || typeof parent !== 'object') continue;
      const last = path[path.length - 1] as string | number;
      if (remove && Array.isArray(parent)) parent.splice(Number(last), 1);
      else if (remove) delete (parent as Record<string, Json>)[last];
      else (parent as Record<string | number, Json>)[last] = value;
    }
    return document;
  });
}
