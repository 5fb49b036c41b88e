/**
 * A small seeded generator (mulberry32) of numbers in [0, 1): the same seed gives the same
 * sequence on every platform and JavaScript engine.
 *
 * @param seed - any number; only its low 32 bits count
 * @param skip - start as if this many numbers had been drawn already (to resume a sequence).
 *   Default 0.
 * @returns a function that returns the next number of the sequence
 */
export function seededRandom(seed: number, skip = 0): () => number {
  // mulberry32's state advances by a constant per draw, so skipping is one multiplication.
  let state = ((seed >>> 0) + Math.imul(skip, 0x6d2b79f5)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Shuffles in place (Fisher–Yates) with the given generator and returns the same array.
 *
 * @param items - an array or typed array, reordered in place
 * @param random - a generator such as {@link seededRandom}
 */
export function shuffleInPlace<T extends { [index: number]: unknown; length: number }>(
  items: T,
  random: () => number,
): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const item = items[i];
    items[i] = items[j];
    items[j] = item;
  }
  return items;
}

/**
 * One seed for one purpose from several numbers, e.g. the shuffle of epoch 7 of seed 3:
 * `deriveSeed(3, 7)` (FNV-style mixing; different parts give unrelated seeds).
 *
 * @returns an unsigned 32-bit seed
 */
export function deriveSeed(...parts: number[]): number {
  let hash = 2166136261;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 16777619) >>> 0;
    hash = Math.imul(hash ^ (hash >>> 13), 0x5bd1e995) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A seed as tfjs's random initializers and ops need it. tfjs's normal draws (`randomNormal`,
 * `truncatedNormal`, hence `heNormal`, `leCunNormal`, `glorotNormal`) treat a seed of 0 as no
 * seed at all and draw from `Math.random()`, so 0 becomes 2³²; every other seed is returned as
 * is, so weights drawn with it do not change.
 *
 * @param seed - the seed meant for tfjs
 * @returns a seed tfjs honours, equal to `seed` unless `seed` is 0
 */
export function tfjsSeed(seed: number): number {
  return seed === 0 ? 2 ** 32 : seed;
}
