import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type AmortisedGenerator,
  type AttackResult,
  fgsm,
  generatorAttack,
  pgd,
  trainAmortisedGenerator,
} from '@actlab/adversarial-generator';
import { loadClassifier, shippedModelDir } from '@actlab/adversarial-generator/node';
import { loadMnist } from '@actlab/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { markdownToHtml } from '../report/markdown-to-html.js';
import { readJsonIfExists, writeFileAtomically, writeJsonAtomic } from '../run/atomic-files.js';
import { machineInfo } from '../run/run-study.js';
import { useBackend } from '../run/use-backend.js';
import { StudyConfigError } from '../study/study-errors.js';
import { adversarialGridPng, type GridTile } from './adversarial-grid.js';
import type { AdversarialMethod, AdversarialStudy } from './adversarial-study-schema.js';
import { chooseSources } from './choose-sources.js';

/** Options of {@link runAdversarialStudy}, a subset of `actlab run`'s plus its own. */
export interface AdversarialRunOptions {
  out?: string;
  quick: boolean;
  backend: string;
  dataDir?: string;
  report: boolean;
  /** Test-set indices of the source images (overrides the study's choice). */
  sources?: number[];
  /** Folder (or its model.json) of the classifier; default: the package's shipped MNIST CNN. */
  model?: string;
  /** Ids of the methods to run (default: all of the study's). */
  methods?: string[];
}

/** One attacked (source, target) pair, as stored in `pairs/<method>/<source>-<target>.json`. */
export interface PairResult {
  method: string;
  source: number;
  label: number;
  target: number;
  predictedClass: number;
  confidence: number;
  success: boolean;
  steps: number;
  l2: number;
  linf: number;
  /** Wall-clock milliseconds of the attack call. */
  milliseconds: number;
  /** The adversarial image, row-major, rounded to 1e-4. */
  pixels: number[];
}

/** One row of the comparison table. */
export interface MethodSummary {
  id: string;
  label: string;
  pairs: number;
  successes: number;
  /** Pairs whose target is not the source's own class. */
  attackedPairs: number;
  attackedSuccesses: number;
  /** Means over the successful pairs whose target is not the source's class. */
  meanL2: number | null;
  meanLinf: number | null;
  meanConfidence: number | null;
  meanSteps: number;
  /** Mean wall-clock ms per example (attack call, or forward pass for the amortised generator). */
  millisecondsPerExample: number;
  /** Amortised generator only: one-off training time. */
  trainSeconds?: number;
  /** Seconds of all its attacks (and training) together. */
  totalSeconds: number;
}

const round = (value: number, digits = 4) => Number(value.toFixed(digits));
const mean = (values: number[]) =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

function capSteps(
  method: AdversarialMethod,
  cap: { maxSteps: number; batchSize: number; trainImages: number } | undefined,
): AdversarialMethod {
  if (cap === undefined) return method;
  const { maxSteps } = cap;
  switch (method.attack) {
    case 'generator':
      return {
        ...method,
        attackSteps: Math.min(method.attackSteps, maxSteps),
        ...(method.reconstructSteps !== undefined || method.schedule === 'stagewise'
          ? { reconstructSteps: Math.min(method.reconstructSteps ?? 800, maxSteps) }
          : {}),
      };
    case 'pgd':
      return { ...method, steps: Math.min(method.steps, maxSteps) };
    case 'amortised':
      return {
        ...method,
        steps: Math.min(method.steps, maxSteps),
        batchSize: Math.min(method.batchSize, cap.batchSize),
        trainImages: Math.min(method.trainImages, cap.trainImages),
      };
    default:
      return method;
  }
}

function resolveModelDir(model: string | undefined): string {
  if (!model) return shippedModelDir();
  const path = resolve(model);
  return basename(path).endsWith('.json') ? dirname(path) : path;
}

/**
 * Runs a `kind: adversarial` study: loads the classifier and the MNIST test set, attacks every
 * (source, target) pair with every method, and writes `pairs/<method>/…json` (one file per pair,
 * so a re-run resumes), `results.json`, `manifest.json`, one grid per source under `figures/`,
 * and `report.md` / `report.html`.
 *
 * @throws {@link StudyConfigError} `DATA_DIR_MISSING` without a data folder,
 *   `INVALID_ARGUMENT` for a source index outside the test set
 */
export async function runAdversarialStudy(
  study: AdversarialStudy,
  options: AdversarialRunOptions,
): Promise<string> {
  const runStarted = Date.now();
  const dataDir = options.dataDir ?? process.env.ACTLAB_DATA_DIR;
  if (!dataDir) {
    throw new StudyConfigError({
      code: 'DATA_DIR_MISSING',
      message:
        'the adversarial study needs the MNIST test set: pass --data-dir or set ACTLAB_DATA_DIR (a folder with mnist/)',
    });
  }
  const runFolder = resolve(options.out ?? `runs/${study.name}${options.quick ? '-quick' : ''}`);
  await mkdir(join(runFolder, 'figures'), { recursive: true });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const backend = await useBackend(options.backend);
  const modelDir = resolveModelDir(options.model);
  const classifier = await loadClassifier(modelDir);
  const modelMetrics = await readJsonIfExists<{ testAccuracy?: number; date?: string }>(
    join(modelDir, 'metrics.json'),
  );
  const { test } = await loadMnist({ dataset: 'mnist', dataDir, download: false });
  const { height, width } = test;
  const pixelsOf = (index: number) =>
    Array.from(
      test.images.subarray(index * height * width, (index + 1) * height * width),
      (value) => value / 255,
    );

  const sources = chooseSources(study, test.labels, options);
  const targets = options.quick ? study.quick.targets : study.targets;
  const cap = options.quick ? study.quick : undefined;
  const unknown = (options.methods ?? []).filter(
    (id) => !study.methods.some((method) => method.id === id),
  );
  if (unknown.length > 0) {
    throw new StudyConfigError({
      code: 'INVALID_ARGUMENT',
      message: `unknown method(s) ${unknown.join(', ')}; ${study.name} has ${study.methods.map((method) => method.id).join(', ')}`,
    });
  }
  const methods = study.methods
    .filter((method) => !options.methods || options.methods.includes(method.id))
    .map((method) => capSteps(method, cap));
  log(
    `${study.title}: ${options.quick ? 'quick profile, ' : ''}${sources.length} source(s) × ${targets.length} target(s), ${methods.length} method(s), backend ${backend}, classifier ${modelDir}, run folder ${runFolder}`,
  );

  const images = new Map(
    sources.map((index) => [index, tf.tensor3d(pixelsOf(index), [height, width, 1])]),
  );
  const clean = sources.map((index) => {
    const [predicted, probability] = tf.tidy(() => {
      const p = classifier.predict(tf.expandDims(images.get(index) as tf.Tensor, 0)) as tf.Tensor;
      const values = p.dataSync();
      const cls = tf.argMax(p, 1).dataSync()[0] as number;
      return [cls, values[cls] as number];
    });
    return { index, label: test.labels[index] as number, predicted, probability };
  });

  const results = new Map<string, PairResult[]>();
  const trainSeconds = new Map<string, number>();
  for (const method of methods) {
    const folder = join(runFolder, 'pairs', method.id);
    await mkdir(folder, { recursive: true });
    const pairs = sources.flatMap((source) => targets.map((target) => ({ source, target })));
    const stored = await Promise.all(
      pairs.map(({ source, target }) =>
        readJsonIfExists<PairResult>(join(folder, `${source}-${target}.json`)),
      ),
    );
    let amortised: AmortisedGenerator | undefined;
    if (method.attack === 'amortised' && stored.some((pair) => pair === undefined)) {
      const pool: number[] = [];
      for (let i = 0; pool.length < method.trainImages && i < test.count; i++) {
        if (!sources.includes(i)) pool.push(i);
      }
      const started = Date.now();
      const trainSet = tf.tensor4d(pool.flatMap(pixelsOf), [pool.length, height, width, 1]);
      amortised = trainAmortisedGenerator(classifier, trainSet, {
        steps: method.steps,
        batchSize: method.batchSize,
        epsilon: method.epsilon,
        hiddenUnits: method.hiddenUnits,
        closenessWeight: method.closenessWeight,
        seed: study.seed,
      });
      trainSet.dispose();
      const seconds = (Date.now() - started) / 1000;
      trainSeconds.set(method.id, seconds);
      await writeJsonAtomic(join(folder, 'training.json'), {
        seconds: round(seconds, 1),
        loss: amortised.loss,
        trainImages: pool.length,
      });
      log(`  ${method.label}: trained on ${pool.length} test images in ${seconds.toFixed(1)} s`);
    } else if (method.attack === 'amortised') {
      const training = await readJsonIfExists<{ seconds: number }>(join(folder, 'training.json'));
      if (training) trainSeconds.set(method.id, training.seconds);
    }
    const done: PairResult[] = [];
    for (const [position, { source, target }] of pairs.entries()) {
      const existing = stored[position];
      if (existing) {
        done.push(existing);
        continue;
      }
      const image = images.get(source) as tf.Tensor3D;
      const started = performance.now();
      const result = attackOne(classifier, image, target, method, study.seed, amortised);
      const milliseconds = performance.now() - started;
      const pair: PairResult = {
        method: method.id,
        source,
        label: test.labels[source] as number,
        target,
        predictedClass: result.predictedClass,
        confidence: round(result.confidence),
        success: result.success,
        steps: result.steps,
        l2: round(result.l2),
        linf: round(result.linf),
        milliseconds: round(milliseconds, 1),
        pixels: Array.from(result.adversarial.dataSync(), (value) => round(value)),
      };
      tf.dispose([result.adversarial, result.perturbation]);
      await writeJsonAtomic(join(folder, `${source}-${target}.json`), pair);
      done.push(pair);
      log(
        `  ${method.label}: source ${source} (${pair.label}) → ${target}: predicted ${pair.predictedClass} (${pair.confidence.toFixed(3)}), L2 ${pair.l2.toFixed(2)}, ${pair.steps} step(s), ${(milliseconds / 1000).toFixed(1)} s`,
      );
    }
    amortised?.dispose();
    results.set(method.id, done);
  }
  for (const image of images.values()) image.dispose();

  const summaries: MethodSummary[] = methods.map((method) => {
    const pairs = results.get(method.id) ?? [];
    const attacked = pairs.filter((pair) => pair.target !== pair.label);
    const fooled = attacked.filter((pair) => pair.success);
    const seconds = trainSeconds.get(method.id);
    return {
      id: method.id,
      label: method.label,
      pairs: pairs.length,
      successes: pairs.filter((pair) => pair.success).length,
      attackedPairs: attacked.length,
      attackedSuccesses: fooled.length,
      meanL2: mean(fooled.map((pair) => pair.l2)),
      meanLinf: mean(fooled.map((pair) => pair.linf)),
      meanConfidence: mean(fooled.map((pair) => pair.confidence)),
      meanSteps: mean(pairs.map((pair) => pair.steps)) ?? 0,
      millisecondsPerExample: mean(pairs.map((pair) => pair.milliseconds)) ?? 0,
      ...(seconds !== undefined ? { trainSeconds: seconds } : {}),
      totalSeconds: (seconds ?? 0) + pairs.reduce((sum, pair) => sum + pair.milliseconds, 0) / 1000,
    };
  });

  const gridMethod = (methods.find((method) => method.attack === 'generator') ??
    methods[0]) as AdversarialMethod;
  const gridFiles: string[] = [];
  for (const source of clean) {
    const tiles: GridTile[] = [
      {
        pixels: pixelsOf(source.index),
        caption: `#${source.index}: ${source.label}`,
        detail: `pred ${source.predicted} (${source.probability.toFixed(2)})`,
        status: 'original',
      },
      ...(results.get(gridMethod.id) ?? [])
        .filter((pair) => pair.source === source.index)
        .map((pair) => ({
          pixels: pair.pixels,
          caption: `→ ${pair.target}`,
          detail: `pred ${pair.predictedClass} (${pair.confidence.toFixed(2)})`,
          status: pair.success ? ('hit' as const) : ('miss' as const),
        })),
    ];
    const file = `grid-${source.index}.png`;
    await writeFileAtomically(
      join(runFolder, 'figures', file),
      await adversarialGridPng(tiles, height, width),
    );
    gridFiles.push(file);
  }

  const createdAt = new Date().toISOString();
  const classifierInfo = {
    folder: options.model ? modelDir : 'shipped (@actlab/adversarial-generator models/mnist-cnn)',
    testAccuracy: modelMetrics?.testAccuracy ?? null,
  };
  const runOptions = {
    quick: options.quick,
    backend,
    sources,
    targets,
    ...(options.model ? { model: modelDir } : {}),
  };
  await writeJsonAtomic(join(runFolder, 'manifest.json'), {
    study,
    options: runOptions,
    machine: machineInfo(),
    createdAt,
  });
  await writeJsonAtomic(join(runFolder, 'results.json'), {
    study: study.name,
    createdAt,
    machine: machineInfo(),
    options: runOptions,
    classifier: classifierInfo,
    sources: clean,
    methods,
    summary: summaries,
    /** Wall-clock seconds of this invocation (pairs found on disk cost nothing). */
    runSeconds: round((Date.now() - runStarted) / 1000, 1),
    pairs: [...results.values()].flat().map(({ pixels: _pixels, ...pair }) => pair),
  });

  if (options.report) {
    const markdown = reportMarkdown({
      study,
      options,
      backend,
      createdAt,
      classifierInfo,
      clean,
      methods,
      summaries,
      gridMethod,
      gridFiles,
      pairs: results.get(gridMethod.id) ?? [],
    });
    await writeFileAtomically(join(runFolder, 'report.md'), markdown);
    await writeFileAtomically(
      join(runFolder, 'report.html'),
      markdownToHtml(markdown, study.title),
    );
    process.stdout.write(
      `report: ${join(runFolder, 'report.md')}\n        ${join(runFolder, 'report.html')}\n`,
    );
  }
  classifier.dispose();
  return runFolder;
}

function attackOne(
  classifier: tfl.LayersModel,
  image: tf.Tensor3D,
  targetClass: number,
  method: AdversarialMethod,
  seed: number,
  amortised: AmortisedGenerator | undefined,
): AttackResult {
  switch (method.attack) {
    case 'generator':
      return generatorAttack(classifier, image, {
        targetClass,
        schedule: method.schedule,
        hiddenUnits: method.hiddenUnits,
        attackSteps: method.attackSteps,
        ...(method.reconstructSteps !== undefined
          ? { reconstructSteps: method.reconstructSteps }
          : {}),
        learningRate: method.learningRate,
        confidence: method.confidence,
        closenessWeight: method.closenessWeight,
        seed,
      });
    case 'fgsm':
      return fgsm(classifier, image, { targetClass, epsilon: method.epsilon });
    case 'pgd':
      return pgd(classifier, image, {
        targetClass,
        norm: method.norm,
        epsilon: method.epsilon,
        steps: method.steps,
        ...(method.stepSize !== undefined ? { stepSize: method.stepSize } : {}),
        seed,
      });
    case 'amortised':
      return (amortised as AmortisedGenerator).attack(image, { targetClass });
  }
}

function describeMethod(method: AdversarialMethod): string {
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

function reportMarkdown(input: {
  study: AdversarialStudy;
  options: AdversarialRunOptions;
  backend: string;
  createdAt: string;
  classifierInfo: { folder: string; testAccuracy: number | null };
  clean: { index: number; label: number; predicted: number; probability: number }[];
  methods: AdversarialMethod[];
  summaries: MethodSummary[];
  gridMethod: AdversarialMethod;
  gridFiles: string[];
  pairs: PairResult[];
}): string {
  const { study, options, summaries, clean } = input;
  const machine = machineInfo();
  const format = (value: number | null, digits: number) =>
    value === null ? '—' : value.toFixed(digits);
  const attacked = summaries[0]?.attackedPairs ?? 0;
  const total = summaries[0]?.pairs ?? 0;
  return [
    `# ${study.title}`,
    '',
    study.description.trim(),
    '',
    `Run on ${machine.cpu} (${machine.cores} cores), Node ${process.version}, tfjs backend ${input.backend}, ${input.createdAt}.${options.quick ? ` Quick profile: ${clean.length} source(s), step counts capped at ${study.quick.maxSteps}.` : ''} Classifier: ${input.classifierInfo.folder}${input.classifierInfo.testAccuracy !== null ? ` (test accuracy ${(100 * input.classifierInfo.testAccuracy).toFixed(2)} %)` : ''}.`,
    '',
    '## Sources',
    '',
    '| test index | label | predicted | probability |',
    '| ---: | ---: | ---: | ---: |',
    ...clean.map(
      (source) =>
        `| ${source.index} | ${source.label} | ${source.predicted} | ${source.probability.toFixed(4)} |`,
    ),
    '',
    '## Comparison',
    '',
    `Every method attacks the same ${total} (source, target) pairs. "Success" counts pairs the classifier then assigns to the target${total > attacked ? `; the ${total - attacked} pairs whose target is the source's own class are easy for every method, so the second column counts only the ${attacked} real attacks` : ''}. L2, L∞ and confidence are means over the successful real attacks (target ≠ label); time is wall-clock per example on one thread.`,
    '',
    '| method | settings | success (all pairs) | success (target ≠ label) | mean L2 | mean L∞ | mean p(target) | mean steps | ms per example | total s |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...summaries.map((summary, index) => {
      const method = input.methods[index] as AdversarialMethod;
      const training =
        summary.trainSeconds !== undefined
          ? ` (+ ${summary.trainSeconds.toFixed(0)} s training once)`
          : '';
      return `| ${summary.label} | ${describeMethod(method)} | ${summary.successes}/${summary.pairs} | ${summary.attackedSuccesses}/${summary.attackedPairs} | ${format(summary.meanL2, 2)} | ${format(summary.meanLinf, 3)} | ${format(summary.meanConfidence, 3)} | ${summary.meanSteps.toFixed(1)} | ${summary.millisecondsPerExample.toFixed(0)}${training} | ${summary.totalSeconds.toFixed(0)} |`;
    }),
    '',
    '## Grids',
    '',
    `${input.gridMethod.label}: the original (grey frame, with the classifier's prediction), then one adversarial image per target, captioned with the class the classifier predicts and its probability (green frame: target reached, red: missed).`,
    '',
    ...input.gridFiles.flatMap((file, index) => [
      `Source ${clean[index]?.index} (digit ${clean[index]?.label}).`,
      '',
      `![grid of source ${clean[index]?.index}](figures/${file})`,
      '',
    ]),
    `## Pairs (${input.gridMethod.label})`,
    '',
    '| source | label | target | predicted | p | L2 | L∞ | steps | seconds |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...input.pairs.map(
      (pair) =>
        `| ${pair.source} | ${pair.label} | ${pair.target} | ${pair.predictedClass} | ${pair.confidence.toFixed(3)} | ${pair.l2.toFixed(2)} | ${pair.linf.toFixed(3)} | ${pair.steps} | ${(pair.milliseconds / 1000).toFixed(1)} |`,
    ),
    '',
  ].join('\n');
}
