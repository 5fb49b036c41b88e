import { seededRandom, shuffleInPlace } from '@actlab/seeded-random';
import { MaskDetectorError } from './mask-detector-error.js';

/** Options of {@link groupedStratifiedSplit}. */
export interface GroupedSplitOptions {
  /** Share of samples for validation, in (0, 1). Default 0.1, as in the seed. */
  validationFraction?: number;
  /** Seed of the shuffle. Default 0. */
  seed?: number;
}

/** Indices of the two sides of a split. */
export interface SplitIndices {
  train: number[];
  validation: number[];
}

/**
 * A stratified train/validation split that keeps every group (a source photo, or a synthetic
 * pair) on one side. Groups are assigned to the stratum of their most frequent label, shuffled
 * with the seed, and taken into validation until each stratum holds its share of samples.
 *
 * @param labels - the label index of every sample
 * @param groups - the group key of every sample (samples of one key never straddle the split)
 * @throws {@link MaskDetectorError} `INVALID_OPTION` for a bad fraction or mismatched lengths
 */
export function groupedStratifiedSplit(
  labels: ArrayLike<number>,
  groups: readonly string[],
  options: GroupedSplitOptions = {},
): SplitIndices {
  const fraction = options.validationFraction ?? 0.1;
  if (!(fraction > 0 && fraction < 1)) {
    throw new MaskDetectorError({
      code: 'INVALID_OPTION',
      message: `validationFraction must be between 0 and 1 (exclusive), got ${fraction}`,
    });
  }
  if (labels.length !== groups.length) {
    throw new MaskDetectorError({
      code: 'INVALID_OPTION',
      message: `expected one group per label, got ${labels.length} labels and ${groups.length} groups`,
    });
  }
  const members = new Map<string, number[]>();
  groups.forEach((group, index) => {
    const list = members.get(group);
    if (list) list.push(index);
    else members.set(group, [index]);
  });
  const strata = new Map<number, string[]>();
  for (const [group, indices] of members) {
    const counts = new Map<number, number>();
    for (const index of indices) {
      const label = labels[index] as number;
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    // The rarest label present decides the stratum, so rare classes reach validation.
    const stratum = [...counts.keys()].sort((a, b) => b - a)[0] as number;
    const list = strata.get(stratum);
    if (list) list.push(group);
    else strata.set(stratum, [group]);
  }
  const random = seededRandom(options.seed ?? 0);
  const validation: number[] = [];
  const train: number[] = [];
  for (const stratum of [...strata.keys()].sort((a, b) => a - b)) {
    const stratumGroups = shuffleInPlace((strata.get(stratum) as string[]).sort(), random);
    const total = stratumGroups.reduce(
      (sum, group) => sum + (members.get(group) as number[]).length,
      0,
    );
    const target = Math.round(total * fraction);
    let taken = 0;
    for (const group of stratumGroups) {
      const indices = members.get(group) as number[];
      if (taken < target && (taken === 0 || taken + indices.length <= target * 1.5)) {
        validation.push(...indices);
        taken += indices.length;
      } else {
        train.push(...indices);
      }
    }
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}
