import type { LabelledSet } from '../labelled-set.js';
import { MnistLoaderError } from '../loader-error.js';

/** Which images of each split to load: a balanced number of the first images of some classes. */
export interface Cifar10Subset {
  /**
   * At most this many images per split (a positive integer), shared as evenly as possible across
   * the chosen classes (any remainder to the earlier classes in label order), taking the first
   * images of each class: by file number for image folders, in record order for batch files.
   */
  limit?: number;
  /** Only these classes (names of `cifar10ClassNames`); labels keep their CIFAR-10 values. */
  classes?: readonly string[];
}

/** A checked {@link Cifar10Subset}: the chosen labels in label order, and the limit if any. */
export interface Selection {
  labels: number[];
  limit: number | undefined;
}

/**
 * Checks `limit` and `classes` against the class names.
 *
 * @throws {@link MnistLoaderError} `INVALID_OPTION` for a limit that is not a positive integer,
 *   classes that are not a non-empty list of known, distinct class names
 */
export function checkSubset(subset: Cifar10Subset, classNames: readonly string[]): Selection {
  const { limit, classes } = subset;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `limit must be a positive integer (images per split), got ${String(limit)}.`,
    });
  }
  if (classes === undefined) return { labels: classNames.map((_, label) => label), limit };
  if (!Array.isArray(classes) || classes.length === 0) {
    throw new MnistLoaderError({
      code: 'INVALID_OPTION',
      message: `classes must be a non-empty list of class names (${classNames.join(', ')}).`,
    });
  }
  const labels = new Set<number>();
  for (const name of classes) {
    const label = classNames.indexOf(name);
    if (label < 0 || labels.has(label)) {
      throw new MnistLoaderError({
        code: 'INVALID_OPTION',
        message: `classes: ${label < 0 ? `unknown class ${JSON.stringify(name)}` : `${name} is listed twice`}; use distinct names of ${classNames.join(', ')}.`,
      });
    }
    labels.add(label);
  }
  return { labels: [...labels].sort((a, b) => a - b), limit };
}

/**
 * How many images to take of each class: all of them without a limit, else one at a time in
 * label order among the classes that still have images, until the limit is reached.
 *
 * @param available - images of each label (index = label)
 * @returns images to take per label (0 for labels not chosen)
 */
export function balancedCounts(available: readonly number[], selection: Selection): number[] {
  const counts = available.map(() => 0);
  if (selection.limit === undefined) {
    for (const label of selection.labels) counts[label] = available[label] ?? 0;
    return counts;
  }
  let remaining = selection.limit;
  let progress = true;
  while (remaining > 0 && progress) {
    progress = false;
    for (const label of selection.labels) {
      if (remaining === 0) break;
      if ((counts[label] as number) < (available[label] ?? 0)) {
        counts[label] = (counts[label] as number) + 1;
        remaining--;
        progress = true;
      }
    }
  }
  return counts;
}

/** Indices (in order) of the first `counts[label]` items of each label, keeping their order. */
export function firstOfEachLabel(labels: ArrayLike<number>, counts: readonly number[]): number[] {
  const taken = counts.map(() => 0);
  const indices: number[] = [];
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index] as number;
    if ((taken[label] ?? 0) < (counts[label] ?? 0)) {
      taken[label] = (taken[label] as number) + 1;
      indices.push(index);
    }
  }
  return indices;
}

/** The chosen records of a parsed set, in record order (see {@link Cifar10Subset}). */
export function selectRecords(
  set: LabelledSet,
  selection: Selection,
  classCount = 10,
): LabelledSet {
  const available = new Array<number>(classCount).fill(0);
  for (const label of set.labels) available[label] = (available[label] as number) + 1;
  const indices = firstOfEachLabel(set.labels, balancedCounts(available, selection));
  if (indices.length === set.count) return set;
  const size = set.height * set.width * (set.channels ?? 1);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, n) => {
    images.set(set.images.subarray(index * size, (index + 1) * size), n * size);
    labels[n] = set.labels[index] as number;
  });
  return { ...set, images, labels, count: indices.length };
}
