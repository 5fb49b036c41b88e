import { basename, dirname, resolve } from 'node:path';
import {
  type AmortisedGenerator,
  type AttackResult,
  fgsm,
  generatorAttack,
  pgd,
  trainAmortisedGenerator,
} from '@actlab/adversarial-generator';
import { loadClassifier, shippedModelDir } from '@actlab/adversarial-generator/node';
import { type LabelledSet, loadMnist } from '@actlab/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { StudyError } from '../engine/study-error.js';
import type { UnitContext } from '../engine/study-kind.js';
import type { AdversarialMethod } from './adversarial-study-schema.js';

/** What defines one adversarial unit: a method on some sources and targets. */
export interface AttackSettings {
  method: AdversarialMethod;
  sources: number[];
  targets: number[];
  seed: number;
  /** Folder of the classifier; null for the package's shipped MNIST CNN. */
  model: string | null;
}

/** One attacked (source, target) pair. */
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

/** How the classifier sees a source before any attack. */
export interface CleanPrediction {
  index: number;
  label: number;
  predicted: number;
  probability: number;
  /** The source image, row-major, in [0, 1]. */
  pixels: number[];
}

/** What an adversarial unit leaves in its `result.json`. */
export interface AttackUnitResult {
  id: string;
  label: string;
  status: 'completed';
  settings: AttackSettings;
  clean: CleanPrediction[];
  pairs: PairResult[];
  /** Amortised generator only: its one-off training. */
  training?: { seconds: number; loss: number; trainImages: number };
}

const round = (value: number, digits = 4) => Number(value.toFixed(digits));

/** The classifier's folder: `--model` (a folder or its model.json), else the shipped CNN. */
export function resolveModelDir(model: string | null | undefined): string {
  if (!model) return shippedModelDir();
  const path = resolve(model);
  return basename(path).endsWith('.json') ? dirname(path) : path;
}

const classifiers = new Map<string, Promise<tfl.LayersModel>>();
const testSets = new Map<string, Promise<LabelledSet>>();

/**
 * The MNIST test set (loaded once per thread).
 *
 * @throws {@link StudyError} `DATA_DIR_MISSING` without a data folder
 */
export function mnistTestSet(dataDir: string | undefined): Promise<LabelledSet> {
  if (!dataDir) {
    throw new StudyError({
      code: 'DATA_DIR_MISSING',
      message:
        'the adversarial study needs the MNIST test set: pass --data-dir or set ACTLAB_DATA_DIR (a folder with mnist/)',
    });
  }
  const known = testSets.get(dataDir);
  if (known) return known;
  const set = loadMnist({ dataset: 'mnist', dataDir, download: false }).then(({ test }) => test);
  testSets.set(dataDir, set);
  return set;
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

/**
 * Attacks every (source, target) pair of a unit with its method, saving the pairs done so far
 * after each one, so a killed unit redoes at most the pair it was on. The amortised generator is
 * trained first (on the first test images that are not sources).
 */
export async function runAttackUnit(
  unit: { id: string; label: string; settings: AttackSettings },
  context: UnitContext,
): Promise<AttackUnitResult> {
  const { method, sources, targets, seed } = unit.settings;
  const test = await mnistTestSet(context.dataDir);
  const modelDir = resolveModelDir(unit.settings.model);
  let loading = classifiers.get(modelDir);
  if (!loading) {
    loading = loadClassifier(modelDir);
    classifiers.set(modelDir, loading);
  }
  const classifier = await loading;
  const { height, width } = test;
  const pixelsOf = (index: number) =>
    Array.from(
      test.images.subarray(index * height * width, (index + 1) * height * width),
      (value) => value / 255,
    );
  const clean = sources.map((index) =>
    tf.tidy(() => {
      const p = classifier.predict(
        tf.tensor4d(pixelsOf(index), [1, height, width, 1]),
      ) as tf.Tensor;
      const predicted = tf.argMax(p, 1).dataSync()[0] as number;
      const probability = p.dataSync()[predicted] as number;
      return {
        index,
        label: test.labels[index] as number,
        predicted,
        probability,
        pixels: pixelsOf(index),
      };
    }),
  );
  const pairs = sources.flatMap((source) => targets.map((target) => ({ source, target })));
  const saved = await context.loadCheckpoint<PairResult[]>();
  const done: PairResult[] = saved?.state ?? [];
  let amortised: AmortisedGenerator | undefined;
  let training: AttackUnitResult['training'];
  if (method.attack === 'amortised' && done.length < pairs.length) {
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
      seed,
    });
    trainSet.dispose();
    training = {
      seconds: round((Date.now() - started) / 1000, 1),
      loss: amortised.loss,
      trainImages: pool.length,
    };
  }
  try {
    for (const { source, target } of pairs.slice(done.length)) {
      const image = tf.tensor3d(pixelsOf(source), [height, width, 1]);
      const started = performance.now();
      const result = attackOne(classifier, image, target, method, seed, amortised);
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
      tf.dispose([image, result.adversarial, result.perturbation]);
      done.push(pair);
      await context.saveCheckpoint(done.length, done);
      context.progress({
        step: done.length,
        steps: pairs.length,
        within: 1,
        done: true,
        line: `source ${source} (${pair.label}) → ${target}: predicted ${pair.predictedClass} (${pair.confidence.toFixed(3)}), L2 ${pair.l2.toFixed(2)}, ${pair.steps} step(s), ${(milliseconds / 1000).toFixed(1)} s`,
      });
    }
  } finally {
    amortised?.dispose();
  }
  return {
    id: unit.id,
    label: unit.label,
    status: 'completed',
    settings: unit.settings,
    clean,
    pairs: done,
    ...(training ? { training } : {}),
  };
}
