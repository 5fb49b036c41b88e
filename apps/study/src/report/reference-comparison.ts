import type { Study } from '../study/study-schema.js';
import type { GridPointSummary, MeanSd } from './summarize.js';

/** The reference (the seed's numbers) of a grid study's report. */
export type Reference = NonNullable<Study['report']['reference']>;

/** `activation=relu depth=40`: a grid point named by its varied axes. */
export function pointLabel(axes: Record<string, string>): string {
  return Object.entries(axes)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

/** The reference's value for a grid point (every key of the row matches), if it has one. */
export function referenceValue(
  reference: Reference,
  axes: Record<string, string>,
): number | string | undefined {
  const match = reference.rows.find((candidate) =>
    Object.entries(candidate).every(
      ([key, value]) => key === 'value' || axes[key] === String(value),
    ),
  );
  return match?.value;
}

/** Our value of the reference's metric at a grid point (after the last epoch, over seeds). */
export function oursFor(point: GridPointSummary, reference: Reference): MeanSd {
  return reference.metric === 'validationAccuracy'
    ? point.finalValidationAccuracy
    : point.finalTestAccuracy;
}

/**
 * Whether our mean and the reference differ beyond noise: by more than 0.02 and more than two
 * sample standard deviations of ours.
 */
export function beyondNoise(ours: MeanSd, reference: number): boolean {
  const tolerance = Math.max(0.02, 2 * (ours.sd ?? 0));
  return Math.abs(ours.mean - reference) > tolerance;
}
