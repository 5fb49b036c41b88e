import { describe, expect, it } from 'vitest';
import { adversarialMethodSchema } from './adversarial-study-schema.js';
import { changedPixels, pairsOfSeed, summarizeOverSeeds } from './adversarial-summary.js';
import type { AttackUnitResult, PairResult } from './attack-unit.js';

const method = adversarialMethodSchema.parse({ id: 'pgd-linf', label: 'PGD', attack: 'pgd' });
const source = [0, 0.5, 1, 0];

function pair(target: number, success: boolean, l2: number, pixels: number[]): PairResult {
  return {
    method: method.id,
    source: 7,
    label: 3,
    target,
    predictedClass: success ? target : 3,
    confidence: 0.9,
    success,
    steps: 2,
    l2,
    linf: 0.3,
    milliseconds: 10,
    pixels,
  };
}

function unit(seed: number, pairs: PairResult[]): AttackUnitResult {
  return {
    id: `u${seed}`,
    label: 'PGD',
    status: 'completed',
    settings: { method, sources: [7], targets: [3, 5, 8], seed, model: null },
    clean: [{ index: 7, label: 3, predicted: 3, probability: 0.99, pixels: source }],
    pairs,
  };
}

describe('changedPixels', () => {
  it('counts the pixels whose 8-bit value changes, not rounding noise', () => {
    expect(changedPixels([0.0001, 0.5, 1, 0], source)).toBe(0);
    expect(changedPixels([0.3, 0.5, 0.7, 0], source)).toBe(2);
  });
});

describe('summarizeOverSeeds', () => {
  // Seed 0 reaches both real targets, seed 1 one of them; the target 3 is the source's label.
  const units = [
    unit(0, [
      pair(3, true, 0, source),
      pair(5, true, 1, [1, 0.5, 1, 0]),
      pair(8, true, 3, [1, 1, 1, 1]),
    ]),
    unit(1, [
      pair(3, true, 0, source),
      pair(5, true, 2, [1, 0.5, 1, 0]),
      pair(8, false, 9, source),
    ]),
  ];

  it('gives mean ± sd over seeds of each seed’s success rate and norms', () => {
    const [row] = summarizeOverSeeds(units);
    expect(row?.seeds).toEqual([0, 1]);
    expect(row?.attackedPairs).toBe(2);
    expect(row?.attackedSuccessRate.mean).toBeCloseTo(0.75);
    expect(row?.attackedSuccessRate.sd).toBeCloseTo(Math.SQRT1_2 / 2);
    expect(row?.successRate.mean).toBeCloseTo(5 / 6);
    // Norms are means over the successful real attacks only: seed 0 (1 + 3) / 2, seed 1 2.
    expect(row?.perSeed.map((seed) => seed.meanL2)).toEqual([2, 2]);
    // L0: seed 0 changes 1 and 3 pixels, seed 1 one pixel.
    expect(row?.meanL0.mean).toBeCloseTo((2 + 1) / 2);
    expect(row?.trainSeconds).toBeNull();
  });

  it('keeps one seed’s pairs apart for the grids', () => {
    expect(pairsOfSeed(units, method.id, 1).map((one) => one.l2)).toEqual([0, 2, 9]);
  });
});
