import type { TrialResult } from '../run/trial-records.js';
import { formatAxisValue } from '../study/expand-trials.js';
import type { GridAxis } from '../study/study-schema.js';

/** Mean and sample standard deviation (null for a single value). */
export interface MeanSd {
  mean: number;
  sd: number | null;
  n: number;
}

/** Mean and sample standard deviation of finite values; NaN mean when there are none. */
export function meanSd(values: number[]): MeanSd {
  const finite = values.filter(Number.isFinite);
  const n = finite.length;
  if (n === 0) return { mean: Number.NaN, sd: null, n: 0 };
  const mean = finite.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, sd: null, n };
  const variance = finite.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  return { mean, sd: Math.sqrt(variance), n };
}

/** `0.9651 ± 0.0021`, or the mean alone for one seed. */
export function formatMeanSd({ mean, sd }: MeanSd, digits = 4): string {
  if (!Number.isFinite(mean)) return '—';
  return sd === null ? mean.toFixed(digits) : `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
}

/** One grid point of a study with all its seeds' results. */
export interface GridPointSummary {
  /** Formatted value of each varied axis. */
  axes: Record<string, string>;
  seeds: number;
  finalTestAccuracy: MeanSd;
  finalTrainAccuracy: MeanSd;
  finalValidationAccuracy: MeanSd;
  diverged: number;
  divergedEpochs: number[];
  trainSeconds: MeanSd;
  results: TrialResult[];
}

/** The axes a set of results varies, in grid order. */
export function variedAxes(results: { axes: Partial<Record<GridAxis, unknown>> }[]): GridAxis[] {
  const seen = new Set<GridAxis>();
  for (const { axes } of results) for (const key of Object.keys(axes)) seen.add(key as GridAxis);
  return [...seen];
}

/** Groups trial results by grid point (all axes but the seed) and summarises each group. */
export function summarizeGridPoints(
  entries: { axes: Partial<Record<GridAxis, unknown>>; result: TrialResult }[],
): GridPointSummary[] {
  const axes = variedAxes(entries);
  const groups = new Map<string, { axes: Record<string, string>; results: TrialResult[] }>();
  for (const entry of entries) {
    const formatted = Object.fromEntries(
      axes.map((axis) => [axis, formatAxisValue(entry.axes[axis])]),
    );
    const key = JSON.stringify(formatted);
    const group = groups.get(key) ?? { axes: formatted, results: [] };
    group.results.push(entry.result);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ axes: formatted, results }) => {
    const last = (result: TrialResult) => result.epochs[result.epochs.length - 1];
    return {
      axes: formatted,
      seeds: results.length,
      finalTestAccuracy: meanSd(results.map((result) => result.finalTestAccuracy)),
      finalTrainAccuracy: meanSd(
        results.map((result) => last(result)?.trainAccuracy ?? Number.NaN),
      ),
      finalValidationAccuracy: meanSd(
        results.map((result) => last(result)?.validationAccuracy ?? Number.NaN),
      ),
      diverged: results.filter((result) => result.status === 'diverged').length,
      divergedEpochs: results.flatMap((result) =>
        result.divergedAtEpoch ? [result.divergedAtEpoch] : [],
      ),
      trainSeconds: meanSd(results.map((result) => result.trainSeconds)),
      results,
    };
  });
}
