import { join } from 'node:path';
import { readJsonIfExists } from '../engine/atomic-files.js';
import type { MetricRow, ReportContent, ReportInput } from '../engine/study-kind.js';
import { formatMeanSd, type MeanSd } from '../report/summarize.js';
import { adversarialGridPng, type GridTile } from './adversarial-grid.js';
import type { AdversarialMethod, AdversarialStudy } from './adversarial-study-schema.js';
import { pairsOfSeed, summarizeOverSeeds } from './adversarial-summary.js';
import { type AttackUnitResult, type CleanPrediction, resolveModelDir } from './attack-unit.js';

/** `methodSettings`: the settings column of the comparison, also published. */
export function describeMethod(method: AdversarialMethod): string {
  switch (method.attack) {
    case 'generator':
      return `${method.schedule}, hidden [${method.hiddenUnits.join(', ')}], ${method.schedule === 'stagewise' ? `${method.reconstructSteps ?? 800} reconstruction steps then ` : ''}up to ${method.attackSteps} ${method.schedule === 'alternate' ? 'rounds' : 'attack steps'}, Adam ${method.learningRate}, stop at p(target) ≥ ${method.confidence}`;
    case 'fgsm':
      return `one step, ε = ${method.epsilon} (L∞)`;
    case 'pgd':
      return `${method.norm === 'linf' ? 'L∞' : 'L2'}, ε = ${method.epsilon}, up to ${method.steps} steps, random start, stop at the target`;
    case 'amortised':
      return `trained once on ${method.trainImages} test images (not the sources): ${method.steps} steps × batch ${method.batchSize}, random targets, ε = ${method.epsilon} (L∞), hidden [${method.hiddenUnits.join(', ')}]`;
  }
}

/**
 * A row per attacked pair (the kind has no epochs): the unit's method (its id, then its other
 * fields as `method.<field>`), seed and model, then the pair's numbers without its pixels.
 */
function metricRows(units: AttackUnitResult[]): MetricRow[] {
  return units.flatMap(({ id, settings, pairs }) => {
    const { id: method, ...methodFields } = settings.method;
    const unitSettings = {
      method,
      ...Object.fromEntries(
        Object.entries(methodFields).map(([key, value]) => [`method.${key}`, value]),
      ),
      seed: settings.seed,
      model: settings.model,
    };
    return pairs.map(({ pixels: _pixels, method: _method, ...pair }) => ({
      unit: id,
      settings: unitSettings,
      metrics: pair,
    }));
  });
}

/** Mean ± sd, saying over how many seeds when some seeds had no value (no successful attack). */
export function formatOverSeeds(value: MeanSd, digits: number, seeds: number): string {
  const text = formatMeanSd(value, digits);
  return value.n > 0 && value.n < seeds ? `${text} (${value.n} of ${seeds} seeds)` : text;
}

/** The attacked classifier: its folder (or "shipped") and the test accuracy its metrics.json gives. */
export async function describeClassifier(
  model: string | null,
): Promise<{ folder: string; testAccuracy: number | null }> {
  const modelDir = resolveModelDir(model);
  const metrics = await readJsonIfExists<{ testAccuracy?: number }>(join(modelDir, 'metrics.json'));
  return {
    folder: model ? modelDir : 'shipped (@actlab/adversarial-generator models/mnist-cnn)',
    testAccuracy: metrics?.testAccuracy ?? null,
  };
}

/**
 * The report of an adversarial study: sources, the comparison of every method, one grid per
 * source, the grid method's pairs, and `results.json` (every pair without its pixels).
 */
export async function adversarialReport({
  manifest,
  results,
}: ReportInput<AdversarialStudy, AttackUnitResult>): Promise<ReportContent> {
  const { study, machine, options } = manifest;
  const units = results.map(({ result }) => result);
  const methods: AdversarialMethod[] = [];
  for (const unit of units) {
    if (!methods.some((method) => method.id === unit.settings.method.id)) {
      methods.push(unit.settings.method);
    }
  }
  const clean: CleanPrediction[] = [];
  for (const source of units.flatMap((unit) => unit.clean)) {
    if (!clean.some((known) => known.index === source.index)) clean.push(source);
  }
  const summaries = summarizeOverSeeds(units);
  const seeds = [...new Set(units.map((unit) => unit.settings.seed))].sort((a, b) => a - b);
  const firstSeed = seeds[0] ?? study.seed;
  const gridMethod = methods.find((method) => method.attack === 'generator') ?? methods[0];
  const gridPairs = gridMethod ? pairsOfSeed(units, gridMethod.id, firstSeed) : [];
  const classifier = await describeClassifier(units[0]?.settings.model ?? null);
  const targets = units[0]?.settings.targets ?? [];
  const figures = [];
  for (const source of clean) {
    const side = Math.round(Math.sqrt(source.pixels.length));
    const tiles: GridTile[] = [
      {
        pixels: source.pixels,
        caption: `#${source.index}: ${source.label}`,
        detail: `pred ${source.predicted} (${source.probability.toFixed(2)})`,
        status: 'original',
      },
      ...gridPairs
        .filter((pair) => pair.source === source.index)
        .map((pair) => ({
          pixels: pair.pixels,
          caption: `→ ${pair.target}`,
          detail: `pred ${pair.predictedClass} (${pair.confidence.toFixed(2)})`,
          status: pair.success ? ('hit' as const) : ('miss' as const),
        })),
    ];
    figures.push({
      name: `grid-${source.index}`,
      title: `grid of source ${source.index}`,
      caption: `Source ${source.index} (digit ${source.label}).`,
      png: await adversarialGridPng(tiles, side, side),
    });
  }
  const attacked = summaries[0]?.attackedPairs ?? 0;
  const total = summaries[0]?.pairs ?? 0;
  const resultsJson = {
    study: study.name,
    createdAt: manifest.updatedAt,
    machine,
    options: { ...options, sources: clean.map((source) => source.index), targets },
    classifier,
    sources: clean.map(({ pixels: _pixels, ...source }) => source),
    methods,
    seeds,
    summary: summaries,
    pairs: units.flatMap((unit) =>
      unit.pairs.map(({ pixels: _pixels, ...pair }) => ({ ...pair, seed: unit.settings.seed })),
    ),
  };
  return {
    metrics: metricRows(units),
    facts: [
      `Run on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, tfjs backend ${options.backend}, ${manifest.updatedAt}.${options.quick ? ` Quick profile: ${clean.length} source(s), step counts capped at ${study.quick.maxSteps}.` : ''} Classifier: ${classifier.folder}${classifier.testAccuracy !== null ? ` (test accuracy ${(100 * classifier.testAccuracy).toFixed(2)} %)` : ''}. Units: ${results.length} of ${manifest.trials.length} finished. Seeds: ${seeds.join(', ')} (a seed fixes the generators' initial weights, PGD's random start and the amortised generator's training; the classifier is the same).`,
    ],
    sections: [
      {
        heading: 'Sources',
        blocks: [
          {
            table: {
              header: ['test index', 'label', 'predicted', 'probability'],
              rows: clean.map((source) => [
                String(source.index),
                String(source.label),
                String(source.predicted),
                source.probability.toFixed(4),
              ]),
            },
          },
        ],
      },
      {
        heading: 'Comparison',
        blocks: [
          {
            paragraph: `Every method attacks the same ${total} (source, target) pairs${seeds.length > 1 ? ` with each of ${seeds.length} seeds; every number is the mean ± sd over the seeds of that seed's value` : ''}. "Success" is the share of pairs the classifier then assigns to the target${total > attacked ? `; the ${total - attacked} pairs whose target is the source's own class are easy for every method, so the second column counts only the ${attacked} real attacks` : ''}. L0 (pixels whose 8-bit value changes), L2, L∞ and confidence are means over the successful real attacks (target ≠ label); time is wall-clock per example on one thread.`,
          },
          {
            table: {
              header: [
                'method',
                'settings',
                'seeds',
                'success (all pairs)',
                'success (target ≠ label)',
                'mean L0',
                'mean L2',
                'mean L∞',
                'mean p(target)',
                'mean steps',
                'ms per example',
                'total s (all seeds)',
              ],
              rows: summaries.map((summary, index) => {
                const format = (value: MeanSd, digits: number) =>
                  formatOverSeeds(value, digits, summary.seeds.length);
                return [
                  summary.label,
                  describeMethod(methods[index] as AdversarialMethod),
                  String(summary.seeds.length),
                  format(summary.successRate, 3),
                  format(summary.attackedSuccessRate, 3),
                  format(summary.meanL0, 0),
                  format(summary.meanL2, 2),
                  format(summary.meanLinf, 3),
                  format(summary.meanConfidence, 3),
                  format(summary.meanSteps, 1),
                  `${format(summary.millisecondsPerExample, 0)}${summary.trainSeconds ? ` (+ ${format(summary.trainSeconds, 0)} s training once)` : ''}`,
                  summary.perSeed.reduce((sum, one) => sum + one.totalSeconds, 0).toFixed(0),
                ];
              }),
            },
          },
        ],
      },
      {
        heading: 'Grids',
        blocks: [
          {
            paragraph: `${gridMethod?.label}${seeds.length > 1 ? `, seed ${firstSeed}` : ''}: the original (grey frame, with the classifier's prediction), then one adversarial image per target, captioned with the class the classifier predicts and its probability (green frame: target reached, red: missed).`,
          },
          ...figures.map((figure) => ({ figure })),
        ],
      },
      {
        heading: `Pairs (${gridMethod?.label}${seeds.length > 1 ? `, seed ${firstSeed}` : ''})`,
        blocks: [
          {
            table: {
              header: [
                'source',
                'label',
                'target',
                'predicted',
                'p',
                'L2',
                'L∞',
                'steps',
                'seconds',
              ],
              rows: gridPairs.map((pair) => [
                String(pair.source),
                String(pair.label),
                String(pair.target),
                String(pair.predictedClass),
                pair.confidence.toFixed(3),
                pair.l2.toFixed(2),
                pair.linf.toFixed(3),
                String(pair.steps),
                (pair.milliseconds / 1000).toFixed(1),
              ]),
            },
          },
        ],
      },
    ],
    files: [{ name: 'results.json', data: `${JSON.stringify(resultsJson, null, 2)}\n` }],
  };
}
