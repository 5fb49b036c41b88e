import { StudyError } from '../engine/study-error.js';
import type { AdversarialStudy } from './adversarial-study-schema.js';

/**
 * The test-set indices of the source images: `options.sources` (the `--sources` flag), else the
 * study's `sourceIndices`, else the first test image of each of its `sourceDigits`; the quick
 * profile keeps the first `quick.sources` of them.
 *
 * @throws {@link StudyError} `INVALID_ARGUMENT` for an index outside the test set or a
 *   digit the test set lacks
 */
export function chooseSources(
  study: Pick<AdversarialStudy, 'sourceDigits' | 'sourceIndices' | 'quick'>,
  labels: ArrayLike<number>,
  options: { sources?: number[]; quick: boolean },
): number[] {
  const all = Array.from(labels);
  const chosen =
    options.sources ??
    study.sourceIndices ??
    study.sourceDigits.map((digit) => {
      const index = all.indexOf(digit);
      if (index < 0) {
        throw new StudyError({
          code: 'INVALID_ARGUMENT',
          message: `the test set has no image of digit ${digit}; pick other sourceDigits`,
        });
      }
      return index;
    });
  for (const index of chosen) {
    if (!Number.isInteger(index) || index < 0 || index >= all.length) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `source index ${index} is outside the test set (0 to ${all.length - 1}); pass indices in that range to --sources`,
      });
    }
  }
  return options.quick ? chosen.slice(0, study.quick.sources) : chosen;
}
