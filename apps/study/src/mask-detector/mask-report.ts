import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChartSpec } from '../charts/render-chart.js';
import type { MetricRow, ReportContent, ReportFigure, ReportInput } from '../engine/study-kind.js';
import { heatmapSpec } from '../report/figure-specs.js';
import type { MaskStudy } from './mask-study-schema.js';
import {
  type Evaluation,
  type MaskUnitResult,
  maskCommonSettings,
  maskUnitImages,
} from './mask-unit.js';

const percent = (value: number) => `${(100 * value).toFixed(1)} %`;

function curvesSpec(results: MaskUnitResult[]): ChartSpec {
  const metrics = [
    ['train accuracy (balanced batches)', 'trainAccuracy'],
    ['validation accuracy', 'validationAccuracy'],
    ['validation balanced accuracy', 'validationBalancedAccuracy'],
    ['train loss', 'trainLoss'],
    ['validation loss', 'validationLoss'],
  ] as const;
  const rows = results.flatMap((result) =>
    result.epochs.flatMap((record) =>
      metrics.map(([metric, key]) => ({
        trial: result.label,
        epoch: record.epoch,
        metric,
        value: record[key],
      })),
    ),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Learning curves',
    data: { values: rows },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 180,
      height: 140,
      mark: { type: 'line', point: true },
      encoding: {
        x: {
          field: 'epoch',
          type: 'quantitative',
          title: 'epoch',
          axis: { format: 'd', tickMinStep: 1 },
        },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'trial', type: 'nominal', title: 'trained on' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as ChartSpec;
}

function confusionSpec(evaluation: Evaluation): ChartSpec {
  const names = evaluation.metrics.perClass.map((entry) => entry.label);
  return heatmapSpec({
    title: `Confusion matrix, ${evaluation.set}`,
    xTitle: 'predicted',
    yTitle: 'actual',
    rows: evaluation.metrics.confusion.flatMap((row, actual) =>
      row.map((count, predicted) => ({
        x: names[predicted] as string,
        y: names[actual] as string,
        value: count,
      })),
    ),
  });
}

/**
 * The report of a mask-detector study: the data, every model's metrics on every set, the seed's
 * bar, learning curves, confusion matrices, validation crops and the most confident mistakes.
 */
export async function maskReport({
  manifest,
  results,
}: ReportInput<MaskStudy, MaskUnitResult>): Promise<ReportContent> {
  const { study, machine, options } = manifest;
  const models = results.map(({ result }) => result);
  const first = results[0];
  const data = first?.result.data;
  const figures: ReportFigure[] = first
    ? [
        {
          name: 'learning-curves',
          title: 'Learning curves',
          caption: 'Learning curves.',
          spec: curvesSpec(models),
        },
        ...first.result.evaluations.map((evaluation) => ({
          name: `confusion-matrix-${evaluation.set.split(' ')[0]}`,
          title: `Confusion matrix of the model trained on ${first.result.label}, ${evaluation.set}`,
          caption: `Confusion matrix of the model trained on ${first.result.label}, ${evaluation.set}.`,
          spec: confusionSpec(evaluation),
        })),
        {
          name: 'validation-crops',
          title: 'validation crops',
          caption: `Validation crops (the first ${first.result.crops} of the model trained on ${first.result.label}; green frame: right, red: wrong).`,
          png: await readFile(join(first.folder, maskUnitImages.crops)),
        },
        {
          name: 'worst-mistakes',
          title: 'worst mistakes',
          caption: `The ${first.result.mistakes.length} most confident mistakes, in the order of the table above.`,
          png: await readFile(join(first.folder, maskUnitImages.mistakes)),
        },
      ]
    : [];
  const vocOwn = first?.result.evaluations[0]?.metrics;
  const common = maskCommonSettings(study, {
    quick: options.quick,
    epochs: options.epochs as number | null | undefined,
  });
  const { size, maxEpochs } = common;
  // A row per model × epoch: what it was trained on, the shared settings, the epoch's numbers.
  const metrics: MetricRow[] = results.flatMap(({ unit, result: { id, trainedOn, epochs } }) =>
    epochs.map((epoch) => ({
      unit: id,
      settings: { trainedOn, ...common, seed: unit.axes.seed ?? common.seed },
      metrics: { ...epoch },
    })),
  );
  const count = (value: unknown, key: string) =>
    String((value as Record<string, unknown>)?.[key] ?? '—');
  return {
    metrics,
    facts: [
      `Run on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, tfjs backend ${first?.result.backend ?? options.backend}, ${manifest.updatedAt}. ${options.quick ? `Quick profile: at most ${study.quick.limit} annotation files / images per class, ${size}×${size} crops.` : `${size}×${size} crops.`} Up to ${maxEpochs} epoch(s); training stops once validation accuracy exceeds ${study.targetValidationAccuracy}. Models: ${results.length} of ${manifest.trials.length} finished.`,
    ],
    sections: [
      {
        heading: 'Data',
        blocks: data
          ? [
              {
                table: {
                  header: [
                    'set',
                    'loaded with_mask',
                    'loaded no_mask',
                    'train',
                    'validation',
                    'boxes clamped',
                    'skipped (< min box size)',
                    'duplicates dropped',
                    'synthetic pairs kept together',
                  ],
                  rows: Object.entries(data).map(([name, summary]) => [
                    name,
                    count(summary.loadedPerClass, 'with_mask'),
                    count(summary.loadedPerClass, 'no_mask'),
                    count(summary, 'train'),
                    count(summary, 'validation'),
                    count(summary, 'boxesClamped'),
                    count(summary.skipped, 'tooSmall'),
                    count(summary, 'duplicatesDropped'),
                    count(summary, 'pairsKeptTogether'),
                  ]),
                },
              },
            ]
          : [],
      },
      {
        heading: 'Validation metrics',
        blocks: [
          {
            table: {
              header: [
                'trained on',
                'evaluated on',
                'samples',
                'accuracy',
                'balanced accuracy',
                'with_mask P / R / F1',
                'no_mask P / R / F1',
              ],
              rows: models.flatMap((model) =>
                model.evaluations.map(({ set, metrics }) => [
                  model.label,
                  set,
                  String(metrics.samples),
                  metrics.accuracy.toFixed(4),
                  metrics.balancedAccuracy.toFixed(4),
                  ...metrics.perClass.map(
                    (entry) =>
                      `${entry.precision.toFixed(3)} / ${entry.recall.toFixed(3)} / ${entry.f1.toFixed(3)}`,
                  ),
                ]),
              ),
            },
          },
          {
            table: {
              header: [
                'model',
                'epochs',
                'stopped because',
                'weights of epoch (best balanced accuracy)',
                'validation accuracy (own sets)',
              ],
              rows: models.map((model) => [
                model.label,
                String(model.epochs.length),
                model.stoppedBy,
                String(model.bestEpoch),
                model.finalTestAccuracy.toFixed(4),
              ]),
            },
          },
          ...(vocOwn
            ? [
                {
                  paragraph: `The seed's bar: > 97 % validation accuracy on the VOC crops. Measured here (the model trained on ${first?.result.label}): ${percent(vocOwn.accuracy)} (balanced accuracy ${percent(vocOwn.balancedAccuracy)}) — ${vocOwn.accuracy > 0.97 ? 'met' : 'not met'}. with_mask is ${percent((vocOwn.perClass[0]?.support ?? 0) / Math.max(1, vocOwn.samples))} of these crops, so accuracy alone flatters the model; the balanced figure weighs both classes equally.`,
                },
              ]
            : []),
        ],
      },
      {
        heading: 'Most confident mistakes',
        blocks: first
          ? [
              {
                table: {
                  header: ['#', 'file', 'box', 'actual', 'predicted', 'probability'],
                  rows: first.result.mistakes.map((entry, i) => [
                    String(i + 1),
                    entry.file,
                    entry.box,
                    entry.actual,
                    entry.predicted,
                    entry.probability.toFixed(3),
                  ]),
                },
              },
            ]
          : [],
      },
      { heading: 'Figures', blocks: figures.map((figure) => ({ figure })) },
    ],
  };
}
