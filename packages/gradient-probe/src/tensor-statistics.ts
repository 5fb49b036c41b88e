import type * as tf from '@tensorflow/tfjs-core';

/** Summary of a tensor's values: sizes of |x|, non-finite counts, and a fixed-bin histogram of log10|x|. */
export interface ValueStatistics {
  maxAbs: number;
  meanAbs: number;
  l2Norm: number;
  nanCount: number;
  infCount: number;
  /** Values that are exactly 0 (not in the log histogram). */
  zeroCount: number;
  /** Counts of log10|x| in the fixed bins {@link logBins}. */
  logHistogram: number[];
}

/** Edges of the log10|x| histogram: 28 bins of width 0.5 from 1e-12 to 1e2, plus under- and overflow at the ends. */
export const logBins = Array.from({ length: 29 }, (_, i) => -12 + i * 0.5);

/** Statistics of a tensor's values, computed on the host in one read. */
export function valueStatistics(tensor: tf.Tensor): ValueStatistics {
  const values = tensor.dataSync();
  let maxAbs = 0;
  let sumAbs = 0;
  let sumSquares = 0;
  let nanCount = 0;
  let infCount = 0;
  let zeroCount = 0;
  let finite = 0;
  const logHistogram = new Array<number>(logBins.length + 1).fill(0);
  for (const value of values) {
    if (Number.isNaN(value)) {
      nanCount++;
      continue;
    }
    if (!Number.isFinite(value)) {
      infCount++;
      continue;
    }
    const magnitude = Math.abs(value);
    finite++;
    sumAbs += magnitude;
    sumSquares += magnitude * magnitude;
    if (magnitude > maxAbs) maxAbs = magnitude;
    if (magnitude === 0) {
      zeroCount++;
      continue;
    }
    const bin = Math.floor((Math.log10(magnitude) - (logBins[0] as number)) / 0.5) + 1;
    const index = Math.min(Math.max(bin, 0), logBins.length);
    logHistogram[index] = (logHistogram[index] as number) + 1;
  }
  return {
    maxAbs,
    meanAbs: finite > 0 ? sumAbs / finite : Number.NaN,
    l2Norm: Math.sqrt(sumSquares),
    nanCount,
    infCount,
    zeroCount,
    logHistogram,
  };
}

/** Edges of the activation histogram: 40 bins of width 0.25 on [−5, 5], plus under- and overflow. */
export const activationBins = Array.from({ length: 41 }, (_, i) => -5 + i * 0.25);

/** Counts of values in {@link activationBins} (first and last entries: below −5, above 5). */
export function activationHistogram(values: ArrayLike<number>): number[] {
  const counts = new Array<number>(activationBins.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (!Number.isFinite(value)) continue;
    const bin = Math.floor((value + 5) / 0.25) + 1;
    const index = Math.min(Math.max(bin, 0), activationBins.length);
    counts[index] = (counts[index] as number) + 1;
  }
  return counts;
}
