import { describe, expect, it } from 'vitest';
import { errorOf } from '../test-support/error-of.js';
import { tinyBinaryRelease } from '../test-support/make-cifar10.js';
import { cifar10ClassNames } from './cifar10-files.js';
import { cifar10FromBatchFiles } from './parse-cifar10-binary.js';
import { balancedCounts, checkSubset } from './select-images.js';

const codeOf = async (run: () => unknown) => (await errorOf(Promise.resolve().then(run))).code;

describe('checkSubset', () => {
  it('keeps the chosen classes in label order, whatever order they are given in', () => {
    expect(checkSubset({ classes: ['cat', 'airplane'], limit: 4 }, cifar10ClassNames)).toEqual({
      labels: [0, 3],
      limit: 4,
    });
  });

  it('rejects a limit that is not a positive integer, unknown, repeated or no classes', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3' as never]) {
      expect(await codeOf(() => checkSubset({ limit }, cifar10ClassNames))).toBe('INVALID_OPTION');
    }
    for (const classes of [[], ['unicorn'], ['cat', 'cat'], 'cat' as never]) {
      expect(await codeOf(() => checkSubset({ classes }, cifar10ClassNames))).toBe(
        'INVALID_OPTION',
      );
    }
  });
});

describe('balancedCounts', () => {
  it('shares the limit evenly, the remainder to the earlier classes, refilling from fuller ones', () => {
    const all = { labels: [0, 1, 2], limit: 7 };
    expect(balancedCounts([5, 5, 5], all)).toEqual([3, 2, 2]);
    expect(balancedCounts([1, 5, 5], all)).toEqual([1, 3, 3]);
    expect(balancedCounts([1, 1, 1], all)).toEqual([1, 1, 1]);
    expect(balancedCounts([4, 4, 4], { labels: [2], limit: undefined })).toEqual([0, 0, 4]);
  });
});

describe('cifar10FromBatchFiles with a selection', () => {
  it('takes the first records of each chosen class in record order, balanced', () => {
    // Train labels are 0…9, 0…4 in record order; test labels 0, 1.
    const data = cifar10FromBatchFiles(tinyBinaryRelease(), 'tiny', {
      labels: [0, 1, 5],
      limit: 5,
    });
    expect(Array.from(data.train.labels)).toEqual([0, 1, 5, 0, 1]);
    expect(Array.from(data.test.labels)).toEqual([0, 1]);
    // The second 0 is record 10, whose pixel bytes start at (10 + 0) % 256.
    expect(data.train.images[3 * 3072]).toBe(10);
  });
});
