import { stringify } from 'csv-stringify/sync';
import type { MetricRow } from './study-kind.js';

/** One CSV cell: empty for a missing value or null, JSON for an object or an array. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Column names in order of first appearance over the rows. */
function columnsOf(records: Record<string, unknown>[]): string[] {
  const columns = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) columns.add(key);
  return [...columns];
}

/**
 * The text of `metrics.csv`: a header, then one line per row; columns `trial`, then every
 * setting, then every metric, each in order of first appearance (a row without one leaves it
 * empty). csv-stringify quotes what needs quoting; lines end in `\n`.
 *
 * @param rows - a kind's {@link MetricRow}s, in the order to write them
 */
export function metricsCsv(rows: MetricRow[]): string {
  const settings = columnsOf(rows.map((row) => row.settings));
  const metrics = columnsOf(rows.map((row) => row.metrics));
  return stringify([
    ['trial', ...settings, ...metrics],
    ...rows.map((row) => [
      row.unit,
      ...settings.map((column) => cell(row.settings[column])),
      ...metrics.map((column) => cell(row.metrics[column])),
    ]),
  ]);
}
