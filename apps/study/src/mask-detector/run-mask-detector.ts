import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  buildMaskModel,
  type ClassificationMetrics,
  classificationMetrics,
  type EpochRecord,
  type FaceMaskDataset,
  loadFaceMaskDataset,
  predictBatches,
  trainMaskModel,
} from '@actlab/mask-detector';
import * as tf from '@tensorflow/tfjs-core';
import { type ChartSpec, renderPng } from '../charts/render-chart.js';
import { heatmapSpec } from '../report/figure-specs.js';
import { markdownToHtml } from '../report/markdown-to-html.js';
import { writeFileAtomically, writeJsonAtomic } from '../run/atomic-files.js';
import { machineInfo } from '../run/run-study.js';
import { useBackend } from '../run/use-backend.js';
import { StudyConfigError } from '../study/study-errors.js';
import { imageGridPng } from './image-grid.js';
import type { MaskStudy } from './mask-study-schema.js';

/** Options of {@link runMaskDetectorStudy}, a subset of `actlab run`'s. */
export interface MaskRunOptions {
  out?: string;
  epochs?: number;
  quick: boolean;
  backend: string;
  dataDir?: string;
  report: boolean;
}

interface Evaluation {
  set: string;
  metrics: ClassificationMetrics;
}

interface MaskTrialResult {
  id: string;
  label: string;
  trainedOn: string;
  epochs: EpochRecord[];
  stoppedBecause: string;
  /** The epoch whose weights were evaluated (the best validation balanced accuracy). */
  finalWeightsEpoch: number;
  /** Accuracy on the validation split of the set(s) it was trained on. */
  finalTestAccuracy: number;
  evaluations: Evaluation[];
  backend: string;
  /** What the model was trained with: a finished trial is reused only when these are equal. */
  settings: TrainingSettings;
  /** Predictions on the validation split(s) it was trained on, for the crop grids. */
  ownPredictions: { indices: number[]; predicted: number[]; probabilities: number[] };
}

interface TrainingSettings {
  size: number;
  maxEpochs: number;
  limit: number | null;
  seed: number;
  batchSize: number;
  targetValidationAccuracy: number;
  margin: number;
  minBoxSize: number;
}

/** A finished trial of an earlier run with the same settings, or undefined. */
async function finishedTrial(
  file: string,
  settings: TrainingSettings,
): Promise<MaskTrialResult | undefined> {
  try {
    const result = JSON.parse(await readFile(file, 'utf8')) as MaskTrialResult;
    return JSON.stringify(result.settings) === JSON.stringify(settings) && result.ownPredictions
      ? result
      : undefined;
  } catch {
    return undefined; // none yet (or a file from an older format): train it
  }
}

const percent = (value: number) => `${(100 * value).toFixed(1)} %`;

function curvesSpec(trials: MaskTrialResult[]): ChartSpec {
  const rows = trials.flatMap((trial) =>
    trial.epochs.flatMap((record) => [
      {
        trial: trial.label,
        epoch: record.epoch,
        metric: 'train accuracy (balanced batches)',
        value: record.trainAccuracy,
      },
      {
        trial: trial.label,
        epoch: record.epoch,
        metric: 'validation accuracy',
        value: record.validationAccuracy,
      },
      {
        trial: trial.label,
        epoch: record.epoch,
        metric: 'validation balanced accuracy',
        value: record.validationBalancedAccuracy,
      },
      { trial: trial.label, epoch: record.epoch, metric: 'train loss', value: record.trainLoss },
      {
        trial: trial.label,
        epoch: record.epoch,
        metric: 'validation loss',
        value: record.validationLoss,
      },
    ]),
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

function metricsTable(trials: MaskTrialResult[]): string[] {
  const lines = [
    '| trained on | evaluated on | samples | accuracy | balanced accuracy | with_mask P / R / F1 | no_mask P / R / F1 |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const trial of trials) {
    for (const { set, metrics } of trial.evaluations) {
      const cls = metrics.perClass
        .map(
          (entry) =>
            `${entry.precision.toFixed(3)} / ${entry.recall.toFixed(3)} / ${entry.f1.toFixed(3)}`,
        )
        .join(' | ');
      lines.push(
        `| ${trial.trainedOn} | ${set} | ${metrics.samples} | ${metrics.accuracy.toFixed(4)} | ${metrics.balancedAccuracy.toFixed(4)} | ${cls} |`,
      );
    }
  }
  return lines;
}

/**
 * Runs a `kind: mask-detector` study: loads both face-mask sets, trains the seed CNN on both
 * together (and, with `crossDataset`, on each alone), evaluates every model on every validation
 * set, and writes `manifest.json`, `trials/<id>/result.json`, `figures/` and `report.md` / `.html`.
 *
 * @throws {@link StudyConfigError} `DATA_DIR_MISSING` without a data folder
 */
export async function runMaskDetectorStudy(
  study: MaskStudy,
  options: MaskRunOptions,
): Promise<string> {
  const dataDir = options.dataDir ?? process.env.ACTLAB_DATA_DIR;
  if (!dataDir) {
    throw new StudyConfigError({
      code: 'DATA_DIR_MISSING',
      message:
        'the mask-detector study needs the face-mask data: pass --data-dir or set ACTLAB_DATA_DIR (a folder with face-mask-voc/ and face-mask/)',
    });
  }
  const runFolder = resolve(options.out ?? `runs/${study.name}${options.quick ? '-quick' : ''}`);
  await mkdir(join(runFolder, 'figures'), { recursive: true });
  const backend = await useBackend(options.backend);
  const size = options.quick ? study.quick.size : study.size;
  const maxEpochs = options.epochs ?? (options.quick ? study.quick.maxEpochs : study.maxEpochs);
  const limit = options.quick ? study.quick.limit : undefined;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    `${study.title}: ${options.quick ? 'quick profile, ' : ''}${size}×${size} crops, up to ${maxEpochs} epoch(s), backend ${backend}, run folder ${runFolder}`,
  );
  const common = { size, seed: study.seed, ...(limit !== undefined ? { limit } : {}) };
  const voc = await loadFaceMaskDataset(join(dataDir, 'face-mask-voc'), {
    format: 'voc',
    classes: 2,
    margin: study.margin,
    minBoxSize: study.minBoxSize,
    ...common,
  });
  const folders = await loadFaceMaskDataset(join(dataDir, 'face-mask'), {
    format: 'folders',
    ...common,
  });
  const sets: [string, FaceMaskDataset][] = [
    ['face-mask-voc', voc],
    ['face-mask', folders],
  ];
  const offset = voc.samples.length;
  const images = tf.concat([voc.images, folders.images]) as tf.Tensor4D;
  voc.images.dispose();
  folders.images.dispose();
  voc.labels.dispose();
  folders.labels.dispose();
  const labels = [...voc.labelIndices, ...folders.labelIndices];
  const classNames = voc.classNames;
  const shift = (indices: number[]) => indices.map((index) => index + offset);
  const validation = {
    'face-mask-voc': voc.split.validation,
    'face-mask': shift(folders.split.validation),
  };
  const train = { 'face-mask-voc': voc.split.train, 'face-mask': shift(folders.split.train) };
  const plans = [
    {
      id: 'both',
      label: 'both sets',
      trainedOn: 'both',
      sets: ['face-mask-voc', 'face-mask'] as const,
    },
    ...(study.crossDataset
      ? [
          {
            id: 'voc-only',
            label: 'face-mask-voc',
            trainedOn: 'face-mask-voc',
            sets: ['face-mask-voc'] as const,
          },
          {
            id: 'folders-only',
            label: 'face-mask',
            trainedOn: 'face-mask',
            sets: ['face-mask'] as const,
          },
        ]
      : []),
  ];
  const results: MaskTrialResult[] = [];
  let bothPredictions:
    | { indices: number[]; predicted: Int32Array; probabilities: Float32Array }
    | undefined;
  const settings: TrainingSettings = {
    size,
    maxEpochs,
    limit: limit ?? null,
    seed: study.seed,
    batchSize: study.batchSize,
    targetValidationAccuracy: study.targetValidationAccuracy,
    margin: study.margin,
    minBoxSize: study.minBoxSize,
  };
  for (const plan of plans) {
    const resultFile = join(runFolder, 'trials', plan.id, 'result.json');
    const finished = await finishedTrial(resultFile, settings);
    if (finished) {
      log(`  ${plan.label}: finished in an earlier run, kept`);
      const { indices, predicted, probabilities } = finished.ownPredictions;
      if (plan.id === 'both') {
        bothPredictions = {
          indices,
          predicted: Int32Array.from(predicted),
          probabilities: Float32Array.from(probabilities),
        };
      }
      results.push(finished);
      continue;
    }
    const trainIndices = plan.sets.flatMap((set) => train[set]);
    const validationIndices = plan.sets.flatMap((set) => validation[set]);
    const model = buildMaskModel({ size, classes: 2, seed: study.seed });
    const history = await trainMaskModel(
      model,
      { images, labels, classNames, trainIndices, validationIndices },
      {
        maxEpochs,
        batchSize: study.batchSize,
        targetValidationAccuracy: study.targetValidationAccuracy,
        seed: study.seed,
        onEpoch: (record) => {
          log(
            `  ${plan.label} epoch ${record.epoch}: validation accuracy ${record.validationAccuracy.toFixed(4)}, balanced ${record.validationBalancedAccuracy.toFixed(4)} (${record.seconds.toFixed(0)} s)`,
          );
        },
      },
    );
    const evaluations: Evaluation[] = [];
    for (const [set] of sets) {
      const own = (plan.sets as readonly string[]).includes(set);
      // On its own set a model is judged on the validation split; on the other set, on all of it.
      const indices = own
        ? validation[set as keyof typeof validation]
        : set === 'face-mask-voc'
          ? voc.samples.map((_, i) => i)
          : shift(folders.samples.map((_, i) => i));
      const predictions = await predictBatches(model, images, indices);
      evaluations.push({
        set: own ? `${set} validation` : `${set} (all, unseen set)`,
        metrics: classificationMetrics(
          indices.map((i) => labels[i] as number),
          predictions.predicted,
          classNames,
        ),
      });
    }
    const ownIndices = plan.sets.flatMap((set) => validation[set]);
    const ownPredictions = await predictBatches(model, images, ownIndices);
    if (plan.id === 'both') bothPredictions = { indices: ownIndices, ...ownPredictions };
    const result: MaskTrialResult = {
      id: plan.id,
      label: plan.label,
      trainedOn: plan.trainedOn,
      epochs: history.epochs,
      stoppedBecause: history.stoppedBecause,
      finalWeightsEpoch: history.finalWeightsEpoch,
      finalTestAccuracy: classificationMetrics(
        ownIndices.map((i) => labels[i] as number),
        ownPredictions.predicted,
        classNames,
      ).accuracy,
      evaluations,
      backend,
      settings,
      ownPredictions: {
        indices: ownIndices,
        predicted: Array.from(ownPredictions.predicted),
        probabilities: Array.from(ownPredictions.probabilities),
      },
    };
    model.optimizer.dispose();
    model.dispose();
    await mkdir(join(runFolder, 'trials', plan.id), { recursive: true });
    await writeJsonAtomic(resultFile, result);
    results.push(result);
  }
  const samples = [...voc.samples, ...folders.samples];
  const summaries = Object.fromEntries(
    sets.map(([name, set]) => {
      const { warnings, ...summary } = set.summary;
      return [
        name,
        {
          ...summary,
          warnings: warnings.length,
          train: set.split.train.length,
          validation: set.split.validation.length,
        },
      ];
    }),
  );
  await writeJsonAtomic(join(runFolder, 'manifest.json'), {
    study,
    trials: results.map(({ id, label }) => ({ id, label, axes: {} })),
    options: {
      quick: options.quick,
      epochs: options.epochs ?? null,
      backend: options.backend,
      size,
      maxEpochs,
    },
    data: summaries,
    machine: machineInfo(),
    createdAt: new Date().toISOString(),
  });
  if (options.report) {
    const figures: { name: string; title: string; spec: ChartSpec }[] = [
      { name: 'learning-curves', title: 'Learning curves', spec: curvesSpec(results) },
      ...((results[0] as MaskTrialResult).evaluations.map((evaluation, index) => ({
        name: `confusion-matrix-${(sets[index] as [string, FaceMaskDataset])[0]}`,
        title: `Confusion matrix of the model trained on both sets, ${evaluation.set}`,
        spec: confusionSpec(evaluation),
      })) ?? []),
    ];
    for (const figure of figures) {
      await writeJsonAtomic(join(runFolder, 'figures', `${figure.name}.vl.json`), figure.spec);
      await writeFileAtomically(
        join(runFolder, 'figures', `${figure.name}.png`),
        await renderPng(figure.spec),
      );
    }
    const predictions = bothPredictions as NonNullable<typeof bothPredictions>;
    const cropOf = (index: number) =>
      tf.tidy(() => tf.gather(images, [index]).dataSync() as Float32Array);
    const gridIndices = predictions.indices.slice(0, 48);
    await writeFileAtomically(
      join(runFolder, 'figures', 'validation-crops.png'),
      await imageGridPng(
        gridIndices.map((index, i) => ({
          pixels: cropOf(index),
          correct: predictions.predicted[i] === labels[index],
        })),
        size,
        12,
      ),
    );
    const mistakes = predictions.indices
      .map((index, i) => ({
        index,
        predicted: predictions.predicted[i] as number,
        probability: predictions.probabilities[
          i * 2 + (predictions.predicted[i] as number)
        ] as number,
      }))
      .filter((entry) => entry.predicted !== labels[entry.index])
      .sort((a, b) => b.probability - a.probability)
      .slice(0, 16);
    await writeFileAtomically(
      join(runFolder, 'figures', 'worst-mistakes.png'),
      await imageGridPng(
        mistakes.map((entry) => ({ pixels: cropOf(entry.index), correct: false })),
        size,
        8,
      ),
    );
    const vocOwn = results[0]?.evaluations[0]?.metrics;
    const lines = [
      `# ${study.title}`,
      '',
      study.description.trim(),
      '',
      `Run on ${machineInfo().cpu} (${machineInfo().cores} cores), Node ${process.version}, tfjs backend ${backend}, ${new Date().toISOString()}. ${options.quick ? `Quick profile: at most ${limit} annotation files / images per class, ${size}×${size} crops.` : `${size}×${size} crops.`} Up to ${maxEpochs} epoch(s); training stops once validation accuracy exceeds ${study.targetValidationAccuracy}.`,
      '',
      '## Data',
      '',
      '| set | loaded with_mask | loaded no_mask | train | validation | boxes clamped | skipped (< min box size) | duplicates dropped | synthetic pairs kept together |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...sets.map(
        ([name, set]) =>
          `| ${name} | ${set.summary.loadedPerClass.with_mask} | ${set.summary.loadedPerClass.no_mask} | ${set.split.train.length} | ${set.split.validation.length} | ${set.summary.boxesClamped} | ${set.summary.skipped.tooSmall} | ${set.summary.duplicatesDropped} | ${set.summary.pairsKeptTogether} |`,
      ),
      '',
      '## Validation metrics',
      '',
      ...metricsTable(results),
      '',
      '| model | epochs | stopped because | weights of epoch (best balanced accuracy) | validation accuracy (own sets) |',
      '| --- | ---: | --- | ---: | ---: |',
      ...results.map(
        (result) =>
          `| ${result.label} | ${result.epochs.length} | ${result.stoppedBecause} | ${result.finalWeightsEpoch} | ${result.finalTestAccuracy.toFixed(4)} |`,
      ),
      '',
      vocOwn
        ? `The seed's bar: > 97 % validation accuracy on the VOC crops. Measured here: ${percent(vocOwn.accuracy)} (balanced accuracy ${percent(vocOwn.balancedAccuracy)}) — ${vocOwn.accuracy > 0.97 ? 'met' : 'not met'}. with_mask is ${percent((vocOwn.perClass[0]?.support ?? 0) / Math.max(1, vocOwn.samples))} of these crops, so accuracy alone flatters the model; the balanced figure weighs both classes equally.`
        : '',
      '',
      '## Figures',
      '',
      ...figures.flatMap((figure) => [
        `${figure.title}.`,
        '',
        `![${figure.title}](figures/${figure.name}.png)`,
        '',
      ]),
      `Validation crops (the first ${gridIndices.length} of the model trained on both sets; green frame: right, red: wrong).`,
      '',
      '![validation crops](figures/validation-crops.png)',
      '',
      `The ${mistakes.length} most confident mistakes, in order (the grid below, left to right):`,
      '',
      '| # | file | box | actual | predicted | probability |',
      '| ---: | --- | --- | --- | --- | ---: |',
      ...mistakes.map((entry, i) => {
        const sample = samples[entry.index];
        const box = sample?.box
          ? `${sample.box.x},${sample.box.y},${sample.box.width},${sample.box.height}`
          : '—';
        return `| ${i + 1} | ${sample?.file.replace(dataDir, '$ACTLAB_DATA_DIR')} | ${box} | ${classNames[labels[entry.index] as number]} | ${classNames[entry.predicted]} | ${entry.probability.toFixed(3)} |`;
      }),
      '',
      '![worst mistakes](figures/worst-mistakes.png)',
      '',
    ];
    const markdown = lines.join('\n');
    await writeFileAtomically(join(runFolder, 'report.md'), markdown);
    await writeFileAtomically(
      join(runFolder, 'report.html'),
      markdownToHtml(markdown, study.title),
    );
    process.stdout.write(
      `report: ${join(runFolder, 'report.md')}\n        ${join(runFolder, 'report.html')}\n`,
    );
  }
  images.dispose();
  return runFolder;
}
