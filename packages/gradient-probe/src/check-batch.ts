import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { GradientProbeError } from './probe-error.js';

const formatShape = (shape: readonly (number | null)[]) =>
  `[${shape.map((size) => size ?? 'n').join(', ')}]`;

// Duck-typed rather than instanceof, so a tensor from a second copy of tfjs-core is still named.
const isTensor = (value: unknown): value is tf.Tensor =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as tf.Tensor).shape) &&
  typeof (value as tf.Tensor).dataSync === 'function';

function asTensors(value: unknown, what: 'xs' | 'ys', expected: number): tf.Tensor[] {
  const list = Array.isArray(value) ? value : [value];
  list.forEach((tensor, i) => {
    const label = Array.isArray(value) ? `${what}[${i}]` : what;
    if (!isTensor(tensor)) {
      throw new GradientProbeError({
        code: 'INVALID_INPUT',
        message: `${label} must be a tf.Tensor, got ${tensor === null ? 'null' : typeof tensor}; build it with tf.tensor(...) from the @tensorflow/tfjs-core the model uses.`,
      });
    }
    if (tensor.isDisposed) {
      throw new GradientProbeError({
        code: 'INVALID_INPUT',
        message: `${label} has been disposed; keep the probe batch alive (do not dispose it, or create it outside tf.tidy) while probing.`,
      });
    }
  });
  if (list.length !== expected) {
    const noun = what === 'xs' ? 'inputs' : 'outputs';
    throw new GradientProbeError({
      code: what === 'xs' ? 'INPUT_COUNT_MISMATCH' : 'TARGET_COUNT_MISMATCH',
      message: `the model has ${expected} ${noun} but ${list.length} ${what} tensor${list.length === 1 ? ' was' : 's were'} given; pass ${expected === 1 ? 'one tensor' : `an array of ${expected} tensors, in the order of model.${noun}`}.`,
    });
  }
  return list as tf.Tensor[];
}

/**
 * Checks that the model is a built tfjs-layers model.
 *
 * @throws {@link GradientProbeError} `INVALID_INPUT` for anything else (a GraphModel, a layer),
 *   `MODEL_NOT_BUILT` for a Sequential whose input shape is not known yet
 */
export function checkModel(model: unknown): asserts model is LayersModel {
  const candidate = model as Partial<LayersModel> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    !Array.isArray(candidate.layers) ||
    !Array.isArray(candidate.trainableWeights)
  ) {
    throw new GradientProbeError({
      code: 'INVALID_INPUT',
      message:
        'the probe needs a tfjs-layers model (tf.sequential, tf.model or tf.loadLayersModel); a tf.GraphModel has no layers to probe.',
    });
  }
  if (!Array.isArray(candidate.inputs) || candidate.inputs.length === 0) {
    throw new GradientProbeError({
      code: 'MODEL_NOT_BUILT',
      message:
        'the model has no inputs yet; give its first layer an inputShape (or start it with tf.layers.inputLayer) so that its shapes are known.',
    });
  }
}

/**
 * Checks the probe batch against the model and returns it as lists: one tensor per model
 * input, and per output when targets are needed.
 *
 * @throws {@link GradientProbeError} `INVALID_INPUT`, `INPUT_COUNT_MISMATCH`, `SHAPE_MISMATCH`,
 *   `BATCH_MISMATCH`, `TARGET_COUNT_MISMATCH`
 */
export function checkBatch(
  model: LayersModel,
  xs: unknown,
  ys: unknown,
): { inputs: tf.Tensor[]; targets: tf.Tensor[] | null; batchSize: number } {
  const inputs = asTensors(xs, 'xs', model.inputs.length);
  const batchSize = inputs[0]?.shape[0] ?? 0;
  inputs.forEach((tensor, i) => {
    const expected = model.inputs[i]?.shape ?? [];
    const fits =
      tensor.rank === expected.length &&
      expected.every((size, axis) => axis === 0 || size === null || size === tensor.shape[axis]);
    if (!fits) {
      const perSample = expected.slice(1);
      const sameSize =
        perSample.every((size) => size !== null) &&
        perSample.reduce<number>((product, size) => product * (size as number), 1) ===
          tensor.size / Math.max(1, tensor.shape[0] ?? 1);
      throw new GradientProbeError({
        code: 'SHAPE_MISMATCH',
        message: `the model expects inputs of shape ${formatShape(expected)}, got ${formatShape(tensor.shape)}${
          sameSize
            ? `; the sizes agree, so reshape the batch: tf.reshape(xs, ${formatShape([-1, ...perSample])})`
            : '; pass a batch shaped like the model input (the first axis is the batch)'
        }.`,
      });
    }
    if (tensor.shape[0] !== batchSize) {
      throw new GradientProbeError({
        code: 'BATCH_MISMATCH',
        message: `the inputs hold different numbers of samples (${inputs.map((input) => input.shape[0]).join(' vs ')}); give every input the same batch.`,
      });
    }
  });
  if (batchSize === 0) {
    throw new GradientProbeError({
      code: 'INVALID_INPUT',
      message:
        'the probe batch is empty; pass at least one sample (a few hundred give stable statistics).',
    });
  }
  if (ys === null || ys === undefined) return { inputs, targets: null, batchSize };
  const targets = asTensors(ys, 'ys', model.outputs.length);
  for (const target of targets) {
    if (target.shape[0] !== batchSize) {
      throw new GradientProbeError({
        code: 'BATCH_MISMATCH',
        message: `xs has ${batchSize} samples but ys has ${target.shape[0]}; pass targets for the same samples as the inputs.`,
      });
    }
  }
  return { inputs, targets, batchSize };
}

/**
 * Checks targets against the model's output shapes for the losses whose shape rule is known,
 * so that a mismatch is named instead of silently broadcast (an MSE of [n] against [n, 1] would
 * compare every sample with every other).
 *
 * @throws {@link GradientProbeError} `TARGET_SHAPE_MISMATCH`
 */
export function checkTargets(
  model: LayersModel,
  targets: readonly tf.Tensor[],
  lossNames: readonly (string | null)[],
): void {
  targets.forEach((target, i) => {
    const name = lossNames[i];
    const output = model.outputs[i]?.shape ?? [];
    if (!name) return;
    const perSample = output.slice(1);
    const given = target.shape.slice(1);
    if (name === 'sparseCategoricalCrossentropy') {
      const labels = perSample.slice(0, -1);
      const fits =
        (given.length === labels.length ||
          (given.length === perSample.length && given.at(-1) === 1)) &&
        labels.every((size, axis) => size === null || size === given[axis]);
      if (fits) return;
      throw new GradientProbeError({
        code: 'TARGET_SHAPE_MISMATCH',
        message: `sparseCategoricalCrossentropy expects integer class labels of shape ${formatShape([null, ...labels])} for an output of shape ${formatShape(output)}, got ${formatShape(target.shape)}; pass class indices, or use 'categoricalCrossentropy' with one-hot targets.`,
      });
    }
    const fits =
      given.length === perSample.length &&
      perSample.every((size, axis) => size === null || size === given[axis]);
    if (fits) return;
    const hint =
      name === 'categoricalCrossentropy' && given.length === perSample.length - 1
        ? `; one-hot encode the labels with tf.oneHot(labels, ${perSample.at(-1)}) or use 'sparseCategoricalCrossentropy'`
        : '; reshape the targets to the output shape';
    throw new GradientProbeError({
      code: 'TARGET_SHAPE_MISMATCH',
      message: `${name} compares targets with the model output of shape ${formatShape(output)}, got targets of shape ${formatShape(target.shape)}${hint}.`,
    });
  });
}
