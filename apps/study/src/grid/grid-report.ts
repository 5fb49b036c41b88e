import { join } from 'node:path';
import { readJsonIfExists } from '../engine/atomic-files.js';
import type { MetricRow, ReportContent, ReportInput } from '../engine/study-kind.js';
import { useBackend } from '../engine/use-backend.js';
import { diagnoseFit } from '../report/diagnose-fit.js';
import {
  beyondNoise,
  oursFor,
  pointLabel,
  referenceValue,
} from '../report/reference-comparison.js';
import { formatMeanSd, type GridPointSummary, summarizeGridPoints } from '../report/summarize.js';
import { trialFiles } from '../run/train-trial.js';
import type { GradientRecord, TrialResult } from '../run/trial-records.js';
import type { Study } from '../study/study-schema.js';
import { type Entry, gridFigures } from './grid-figures.js';

function resultsTable(
  points: GridPointSummary[],
  study: Study,
): { header: string[]; rows: string[][] } {
  const axes = Object.keys(points[0]?.axes ?? {});
  const reference = study.report.reference;
  const header = [
    ...axes,
    'seeds',
    'test accuracy',
    'train accuracy',
    'validation accuracy',
    'diverged',
    'train time (s)',
  ];
  if (reference) header.push(`reference (${reference.metric}, epoch ${reference.epoch})`);
  const diagnose = study.report.fitDiagnosis;
  if (diagnose) header.push('fit (per seed)');
  const showLearned = points.some((point) =>
    point.results.some((result) => result.epochs.some((epoch) => epoch.learnedParameters)),
  );
  if (showLearned) header.push('learned parameters after the last epoch (seed 1)');
  const rows = points.map((point) => {
    const row = [
      ...axes.map((axis) => point.axes[axis] ?? ''),
      String(point.seeds),
      formatMeanSd(point.finalTestAccuracy),
      formatMeanSd(point.finalTrainAccuracy),
      formatMeanSd(point.finalValidationAccuracy),
      point.diverged === 0 ? '0' : `${point.diverged} (epoch ${point.divergedEpochs.join(', ')})`,
      formatMeanSd(point.trainSeconds, 1),
    ];
    if (reference) {
      const value = referenceValue(reference, point.axes);
      row.push(value !== undefined ? String(value) : '—');
    }
    if (diagnose) row.push(point.results.map((result) => fitOf(result)?.label ?? '—').join(', '));
    if (showLearned)
      row.push(
        learnedSummary(
          point.results.find((result) => result.settings.seed === 1) ?? point.results[0],
        ),
      );
    return row;
  });
  return { header, rows };
}

function fitOf(result: TrialResult) {
  try {
    return diagnoseFit(result.epochs);
  } catch {
    return undefined;
  }
}

function learnedSummary(result: TrialResult | undefined): string {
  const last = result?.epochs[result.epochs.length - 1]?.learnedParameters ?? [];
  return (
    last
      .map(
        (layer) =>
          `${layer.layer}: ${Object.entries(layer.values)
            .map(([name, values]) =>
              values.length === 1
                ? `${name}=${(values[0] as number).toFixed(3)}`
                : `${name}[${values.length}]`,
            )
            .join(' ')}`,
      )
      .join('; ') || '—'
  );
}

/** A row per trial × epoch: the trial's settings, its status, then the epoch's metrics. */
function metricRows(results: TrialResult[]): MetricRow[] {
  return results.flatMap(({ id, settings, status, epochs }) =>
    epochs.map(({ learnedParameters: _learned, ...epoch }) => ({
      unit: id,
      settings,
      metrics: { status, ...epoch },
    })),
  );
}

/** Sentences for the grid points where our result and the reference differ beyond noise. */
function referenceDisagreements(
  points: GridPointSummary[],
  study: Study,
  epochsRun: number[],
): string[] {
  const reference = study.report.reference;
  if (!reference) return [];
  const lines: string[] = [];
  if (epochsRun.some((epochs) => epochs !== reference.epoch)) {
    lines.push(
      `These trials ran ${[...new Set(epochsRun)].join('/')} epochs, the reference ${reference.epoch}: compare with care.`,
    );
  }
  for (const point of points) {
    const value = referenceValue(reference, point.axes);
    if (typeof value !== 'number') continue;
    const ours = oursFor(point, reference);
    if (beyondNoise(ours, value)) {
      lines.push(
        `${pointLabel(point.axes)}: we measured ${formatMeanSd(ours)}, the reference says ${value} (difference ${(ours.mean - value).toFixed(4)}).`,
      );
    }
  }
  return lines;
}

/**
 * The report of a grid study: the results table (mean ± sd over seeds, the reference beside
 * ours), where the two disagree, the fit diagnoses and the figures the study asks for.
 */
export async function gridReport({
  manifest,
  results,
}: ReportInput<Study, TrialResult>): Promise<ReportContent> {
  const { study, machine, options } = manifest;
  const entries: Entry[] = [];
  for (const { unit, result, folder } of results) {
    const gradients =
      (await readJsonIfExists<GradientRecord[]>(join(folder, trialFiles.gradients))) ?? [];
    entries.push({ axes: unit.axes, result, gradients });
  }
  const gridPoints = summarizeGridPoints(entries);
  // Sampling the activation curves needs a backend; any will do, cpu is always there.
  await useBackend('cpu');
  const figures = gridFigures(study.report.figures, entries);
  const backends = [...new Set(entries.map(({ result }) => result.backend))].join(', ') || '—';
  const trainerCounts = new Map<string, number>();
  for (const { result } of entries) {
    const trainer = result.trainer ?? 'tfjs';
    trainerCounts.set(trainer, (trainerCounts.get(trainer) ?? 0) + 1);
  }
  const trainerNames: Record<string, string> = {
    fused: 'fused WebAssembly Dense-stack trainer',
    tfjs: 'stock tfjs',
  };
  const trainers =
    [...trainerCounts]
      .map(([kind, count]) => `${trainerNames[kind] ?? kind} (${count})`)
      .join(', ') || '—';
  const missing = manifest.trials.length - entries.length;
  const facts = [
    `Trials: ${entries.length} of ${manifest.trials.length} finished${missing > 0 ? ` (${missing} not finished: run the same command again to resume)` : ''}; ${options.seeds} seed(s) per grid point${options.quick ? '; --quick profile' : ''}.`,
    `Backend: ${backends}; trained by ${trainers}. Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}. Run ${manifest.updatedAt.slice(0, 10)}.`,
    'Test accuracy is measured after the last epoch on the test set; train accuracy on up to 10 000 training images after the epoch; mean ± sample sd over seeds.',
  ];
  const reference = study.report.reference;
  const referenceNote = reference
    ? `Reference column: ${reference.source}.${reference.note ? ` ${reference.note}` : ''}`
    : '';
  const disagreements = referenceDisagreements(
    gridPoints,
    study,
    entries.map(({ result }) => result.settings.epochs),
  );
  const diagnoses = study.report.fitDiagnosis
    ? gridPoints.flatMap((point) => {
        const diagnosis = fitOf(point.results[0] as TrialResult);
        if (!diagnosis) return [];
        const where = Object.entries(point.axes)
          .map(([key, value]) => `${key}=${value}`)
          .join(' ');
        return [`${where}: **${diagnosis.label}** — ${diagnosis.reasons.join('; ')}.`];
      })
    : [];
  return {
    facts,
    metrics: metricRows(entries.map(({ result }) => result)),
    sections: [
      {
        heading: 'Results',
        blocks: [
          { table: resultsTable(gridPoints, study) },
          ...(referenceNote ? [{ paragraph: referenceNote }] : []),
        ],
      },
      {
        heading: 'Where our numbers and the reference disagree',
        blocks: disagreements.length > 0 ? [{ list: disagreements }] : [],
      },
      {
        heading: 'Fit diagnosis (seed 1)',
        blocks: diagnoses.length > 0 ? [{ list: diagnoses }] : [],
      },
      { heading: 'Figures', blocks: figures.map((figure) => ({ figure })) },
    ],
  };
}
