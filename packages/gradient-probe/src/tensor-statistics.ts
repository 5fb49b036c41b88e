/** Summary of a tensor's values: sizes of |x|, non-finite counts, and a fixed-bin histogram of log10|x|. */
export interface ValueStatistics {
  /** Largest |x| among the finite values (0 when there is none). */
  maxAbs: number;
  /** Mean |x| over the finite values (NaN when there is none). */
  meanAbs: number;
  /** ‖x‖₂ over the finite values, summed in float64. */
  l2Norm: number;
  nanCount: number;
  /** Values that are +∞ or −∞. */
  infCount: number;
  /** Values that are exactly 0 (they have no place in the log histogram). */
  zeroCount: number;
  /**
   * Counts of log10|x| for the finite non-zero values in the bins of {@link logBins}: entry 0
   * counts |x| < 1e-12, entry k (1 ≤ k ≤ 32) counts logBins[k−1] ≤ log10|x| < logBins[k], the
   * last entry counts |x| ≥ 1e4.
   */
  logHistogram: number[];
}

const logLow = -12;
const logWidth = 0.5;

/** Edges of the log10|x| histogram: 32 bins 0.5 wide from 1e-12 to 1e4 (33 edges). */
export const logBins: readonly number[] = Object.freeze(
  Array.from({ length: 33 }, (_, i) => logLow + i * logWidth),
);

/** Statistics of values already on the host (from `dataSync`). */
export function valueStatistics(values: ArrayLike<number>): ValueStatistics {
  let maxAbs = 0;
  let sumAbs = 0;
  let sumSquares = 0;
  let nanCount = 0;
  let infCount = 0;
  let zeroCount = 0;
  let finite = 0;
  const lastBin = logBins.length;
  const logHistogram = new Array<number>(lastBin + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
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
    const bin = Math.floor((Math.log10(magnitude) - logLow) / logWidth) + 1;
    const index = Math.min(Math.max(bin, 0), lastBin);
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
