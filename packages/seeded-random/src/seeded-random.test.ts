import { describe, expect, it } from 'vitest';
import { deriveSeed, seededRandom, shuffleInPlace, tfjsSeed } from './seeded-random.js';

describe('seededRandom', () => {
  it('gives the published mulberry32 sequence for a seed', () => {
    const random = seededRandom(1);
    const first = [random(), random(), random()].map((value) => Math.round(value * 4294967296));
    // The first three 32-bit outputs of mulberry32 seeded with 1.
    expect(first).toEqual([2693262067, 11749833, 2265367787]);
  });

  it('repeats the same sequence for the same seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const value = a();
      expect(value).toBe(b());
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
    expect(seededRandom(43)()).not.toBe(seededRandom(42)());
  });

  it('skips ahead: seededRandom(seed, n) continues where n draws of seededRandom(seed) left off', () => {
    const whole = seededRandom(5);
    for (let i = 0; i < 37; i++) whole();
    const resumed = seededRandom(5, 37);
    for (let i = 0; i < 10; i++) expect(resumed()).toBe(whole());
  });
});

describe('shuffleInPlace', () => {
  it('permutes arrays and typed arrays in place, the same way for the same seed', () => {
    const list = Array.from({ length: 20 }, (_, i) => i);
    const typed = Uint32Array.from(list);
    expect(shuffleInPlace(list, seededRandom(7))).toBe(list);
    shuffleInPlace(typed, seededRandom(7));
    expect(Array.from(typed)).toEqual(list);
    expect([...list].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(list).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('deriveSeed', () => {
  it('gives unsigned 32-bit seeds that differ by part and by order', () => {
    expect(deriveSeed(3, 7)).toBe(deriveSeed(3, 7));
    expect(deriveSeed(3, 7)).not.toBe(deriveSeed(7, 3));
    expect(deriveSeed(3, 7)).not.toBe(deriveSeed(3, 8));
    expect(Number.isInteger(deriveSeed(1)) && deriveSeed(1) >= 0 && deriveSeed(1) < 2 ** 32).toBe(
      true,
    );
  });
});

describe('tfjsSeed', () => {
  it('keeps every seed but 0, which tfjs would ignore', () => {
    expect(tfjsSeed(0)).not.toBe(0);
    expect(tfjsSeed(0)).toBe(2 ** 32);
    for (const seed of [1, 7, -3, 2 ** 31, 0.5]) expect(tfjsSeed(seed)).toBe(seed);
  });
});
