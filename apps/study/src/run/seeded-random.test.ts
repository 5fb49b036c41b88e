import { describe, expect, it } from 'vitest';
import { deriveSeed, seededPermutation } from './seeded-random.js';

describe('seededPermutation', () => {
  it('is a permutation, the same for the same seed and different for another', () => {
    const a = seededPermutation(1000, 7);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(seededPermutation(1000, 7)).toEqual(a);
    expect(seededPermutation(1000, 8)).not.toEqual(a);
  });

  it('derives distinct seeds for distinct purposes', () => {
    const seeds = new Set<number>();
    for (let seed = 1; seed <= 5; seed++)
      for (let epoch = 0; epoch < 50; epoch++) seeds.add(deriveSeed(seed, epoch));
    expect(seeds.size).toBe(250);
  });
});
