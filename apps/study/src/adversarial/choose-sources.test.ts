import { describe, expect, it } from 'vitest';
import { chooseSources } from './choose-sources.js';

const labels = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9, 0];
const study = {
  sourceDigits: [0, 1, 2, 4, 7],
  quick: { sources: 2, targets: [3], maxSteps: 1, trainImages: 1, batchSize: 1 },
};

describe('chooseSources', () => {
  it('takes the first test image of each source digit by default', () => {
    expect(chooseSources(study, labels, { quick: false })).toEqual([3, 2, 1, 4, 0]);
  });

  it('prefers --sources, then the study’s sourceIndices', () => {
    expect(chooseSources({ ...study, sourceIndices: [9, 8] }, labels, { quick: false })).toEqual([
      9, 8,
    ]);
    expect(
      chooseSources({ ...study, sourceIndices: [9, 8] }, labels, { quick: false, sources: [5] }),
    ).toEqual([5]);
  });

  it('keeps the first quick.sources in the quick profile', () => {
    expect(chooseSources(study, labels, { quick: true })).toEqual([3, 2]);
  });

  it('rejects an index outside the test set and a digit it lacks', () => {
    expect(() => chooseSources(study, labels, { quick: false, sources: [11] })).toThrow(
      /outside the test set \(0 to 10\)/,
    );
    expect(() => chooseSources({ ...study, sourceDigits: [3] }, labels, { quick: false })).toThrow(
      /no image of digit 3/,
    );
  });
});
