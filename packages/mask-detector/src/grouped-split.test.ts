import { describe, expect, it } from 'vitest';
import { groupedStratifiedSplit } from './grouped-split.js';

describe('groupedStratifiedSplit', () => {
  const labels = Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? 1 : 0));
  const groups = labels.map((_, i) => `g${Math.floor(i / 4)}`);

  it('never puts samples of one group on both sides and keeps about the asked share per class', () => {
    const split = groupedStratifiedSplit(labels, groups, { validationFraction: 0.1, seed: 7 });
    const validationGroups = new Set(split.validation.map((i) => groups[i]));
    for (const i of split.train) expect(validationGroups.has(groups[i] as string)).toBe(false);
    expect(split.train.length + split.validation.length).toBe(200);
    const minority = split.validation.filter((i) => labels[i] === 1).length;
    expect(minority).toBeGreaterThan(0);
    expect(split.validation.length).toBeGreaterThanOrEqual(12);
    expect(split.validation.length).toBeLessThanOrEqual(32);
  });

  it('is fixed by the seed and changes with it', () => {
    const a = groupedStratifiedSplit(labels, groups, { seed: 1 });
    expect(groupedStratifiedSplit(labels, groups, { seed: 1 })).toEqual(a);
    expect(groupedStratifiedSplit(labels, groups, { seed: 2 }).validation).not.toEqual(
      a.validation,
    );
  });

  it('rejects a fraction outside (0, 1) and mismatched lengths', () => {
    expect(() => groupedStratifiedSplit(labels, groups, { validationFraction: 1 })).toThrow(
      /validationFraction/,
    );
    expect(() => groupedStratifiedSplit([0, 1], ['a'])).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
