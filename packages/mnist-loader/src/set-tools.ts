import { seededRandom, shuffleInPlace } from '@actlab/seeded-random';
import type { LabelledSet } from './labelled-set.js';
import { MnistLoaderError } from './loader-error.js';

/**
 * A permutation of 0…count−1 fixed by the seed (Fisher–Yates on mulberry32): the same seed gives
 * the same order on every machine, so epoch shuffles can be recomputed instead of stored.
 */
export function shuffledIndices(count: number, seed: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  shuffleInPlace(order, seededRandom(requireSeed(seed, 'shuffledIndices')));
  return order;
}

/** The samples at `indices`, in that order, as a new set. */
export function selectSamples(set: LabelledSet, indices: ArrayLike<number>): LabelledSet {
  const pixels = set.height * set.width * (set.channels ?? 1);
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    images.set(set.images.subarray(index * pixels, (index + 1) * pixels), i * pixels);
    labels[i] = set.labels[index] as number;
  }
  return { ...set, images, labels, count: indices.length };
}

export function requireSeed(seed: unknown, what: string): number {
  if (!Number.isInteger(seed)) {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `${what} needs an integer seed, got ${String(seed)}.`,
    });
  }
  return seed as number;
}

/** Indices grouped by label, each group shuffled by the seed. */
function shuffledByClass(set: LabelledSet, seed: number): number[][] {
  const random = seededRandom(seed);
  const groups: number[][] = [];
  for (let i = 0; i < set.count; i++) {
    const label = set.labels[i] as number;
    const group = groups[label] ?? [];
    group.push(i);
    groups[label] = group;
  }
  for (const group of groups) if (group) shuffleInPlace(group, random);
  return groups.filter(Boolean);
}

/**
 * Splits a set into training and validation parts with the same class proportions (each class
 * contributes round(fraction × its count) samples to validation), fixed by the seed.
 *
 * @throws {@link MnistLoaderError} `INVALID_OPTION` for a fraction outside [0, 1) or a missing seed
 */
export function splitTrainValidation(
  set: LabelledSet,
  options: { validationFraction: number; seed: number },
): { train: LabelledSet; validation: LabelledSet } {
  const { validationFraction } = options;
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `validationFraction must be in [0, 1), got ${validationFraction}.`,
    });
  }
  const seed = requireSeed(options.seed, 'splitTrainValidation');
  const train: number[] = [];
  const validation: number[] = [];
  for (const group of shuffledByClass(set, seed)) {
    const held = Math.round(group.length * validationFraction);
    validation.push(...group.slice(0, held));
    train.push(...group.slice(held));
  }
  // Sorted, so each part keeps the original order of the samples.
  train.sort((a, b) => a - b);
  validation.sort((a, b) => a - b);
  return { train: selectSamples(set, train), validation: selectSamples(set, validation) };
}

/**
 * A stratified random sample of `size` samples (class proportions kept, rounding spread over
 * the classes), in the original order. `size ≥ count` returns the whole set.
 *
 * @throws {@link MnistLoaderError} `INVALID_OPTION` for a size below 1 or a missing seed
 */
export function subset(set: LabelledSet, options: { size: number; seed: number }): LabelledSet {
  const { size } = options;
  if (!Number.isInteger(size) || size < 1) {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `subset size must be a whole number ≥ 1, got ${size}.`,
    });
  }
  const seed = requireSeed(options.seed, 'subset');
  if (size >= set.count) return set;
  const groups = shuffledByClass(set, seed);
  const quotas = groups.map((group) => (group.length * size) / set.count);
  const taken = quotas.map(Math.floor);
  let missing = size - taken.reduce((sum, value) => sum + value, 0);
  const byRemainder = quotas
    .map((quota, i) => [quota - Math.floor(quota), i] as const)
    .sort((a, b) => b[0] - a[0]);
  for (const [, i] of byRemainder) {
    if (missing === 0) break;
    taken[i] = (taken[i] as number) + 1;
    missing--;
  }
  const chosen = groups.flatMap((group, i) => group.slice(0, taken[i])).sort((a, b) => a - b);
  return selectSamples(set, chosen);
}

/**
 * The first `count` samples, as views on the set's arrays (no copy): what a study's
 * "training-set size" means when the order of the files is kept. `count ≥ set.count` returns
 * the whole set.
 *
 * @throws {@link MnistLoaderError} `INVALID_OPTION` for a count that is not a whole number ≥ 1
 */
export function take(set: LabelledSet, count: number): LabelledSet {
  if (!Number.isInteger(count) || count < 1) {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `take needs a whole number ≥ 1 of samples, got ${count}.`,
    });
  }
  if (count >= set.count) return set;
  const pixels = set.height * set.width * (set.channels ?? 1);
  return {
    ...set,
    images: set.images.subarray(0, count * pixels),
    labels: set.labels.subarray(0, count),
    count,
  };
}

/** Number of samples of each label 0…classes−1. */
export function labelCounts(set: LabelledSet, classes = 10): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of set.labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
