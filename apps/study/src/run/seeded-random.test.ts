import { describe, expect, it } from 'vitest';
import { deriveSeed } from './seeded-random.js';

describe('deriveSeed', () => {
  it('derives distinct, repeatable seeds for distinct purposes', () => {
    const seeds = new Set<number>();
    for (let seed = 1; seed <= 5; seed++)
      for (let epoch = 0; epoch < 50; epoch++) seeds.add(deriveSeed(seed, epoch));
    expect(seeds.size).toBe(250);
    expect(deriveSeed(3, 7)).toBe(deriveSeed(3, 7));
  });
});
