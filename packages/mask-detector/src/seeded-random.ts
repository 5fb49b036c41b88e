/**
 * A small deterministic generator (mulberry32): same seed, same sequence, on every platform.
 * `skip` starts it as if that many numbers had been drawn already (to resume a sequence).
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

/** Fisher–Yates shuffle in place with the given generator. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
