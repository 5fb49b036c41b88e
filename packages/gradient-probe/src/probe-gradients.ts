import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable, layers } from '@tensorflow/tfjs-layers';
import {
  type ActivationStatistics,
  activationStatistics,
  type HostOutput,
} from './activation-statistics.js';
import { checkBatch, checkModel, checkTargets } from './check-batch.js';
import { type LayerActivation, layerActivation } from './layer-activation.js';
import { GradientProbeError } from './probe-error.js';
import { type ProbeLoss, type ResolvedLoss, resolveLosses } from './probe-loss.js';
import { type LayerCall, leafLayers, runGraph } from './run-graph.js';
import { type ValueStatistics, valueStatistics } from './tensor-statistics.js';

type Layer = layers.Layer;

/**
 * Which gradients the probe computes:
 * - `weights`: ∂objective/∂(each weight), the standard view (TensorBoard, wandb.watch);
 * - `input`: per layer, ∂(sum of the layer's outputs)/∂(input), the view of the seed study's
 *   figure (how strongly each layer still "sees" the input pixels);
 * - `both`.
 */
export type ProbeTarget = 'weights' | 'input' | 'both';

/**
 * What the weight gradients differentiate: `loss` (needs targets), or `outputSum`, the sum of
 * the model's outputs over the batch, label-free, for untrained nets: its kernel `l2Norm` is the
 * Frobenius norm of ∂(Σ outputs)/∂W.
 */
export type ProbeObjective = 'loss' | 'outputSum';

/** Options of {@link probeGradients}. */
export interface ProbeOptions {
  /** Gradients to compute. Default `weights`. */
  target?: ProbeTarget;
  /** What the weight gradients differentiate. Default `loss`. */
  objective?: ProbeObjective;
  /**
   * The loss for `objective: 'loss'`: a tfjs-layers loss name, a function (yTrue, yPred) →
   * tensor (averaged), or one per model output. Default: the loss the model was compiled with.
   */
  loss?: ProbeLoss | readonly ProbeLoss[];
  /**
   * Learning rate of the plain SGD step whose size `updateRatioLog10` reports. The step is
   * computed, never applied. Default 0.01.
   */
  learningRate?: number;
  /**
   * The model's trainable weights before the last optimizer step, in the order of
   * `model.trainableWeights` (e.g. `tf.clone` of each before `optimizer.minimize`). When given,
   * `appliedUpdateRatioLog10` reports the size of the step actually taken, whatever the optimizer.
   */
  previousWeights?: readonly tf.Tensor[];
  /** @deprecated Use `target: 'both'`. */
  inputGradients?: boolean;
}

/** Gradient statistics of one weight tensor (a kernel, a bias, a learnable slope…). */
export interface WeightGradient extends ValueStatistics {
  /** Weight name, e.g. `dense_1/kernel`. */
  name: string;
  shape: number[];
  /** ‖w‖₂ of the weight itself. */
  weightNorm: number;
  /** Entries of the weight itself that are NaN or ±∞. */
  nonFiniteWeights: number;
  /**
   * log10(learningRate·‖g‖ / ‖w‖): the relative size of the step plain SGD would take; about −3
   * is healthy, much lower means the layer barely learns, above −1 it is being thrown around.
   * Null when ‖w‖ or ‖g‖ is 0 or not finite.
   */
  updateRatioLog10: number | null;
  /** log10(‖w − w_previous‖ / ‖w_previous‖) with `previousWeights`, else null. */
  appliedUpdateRatioLog10: number | null;
}

/** Everything the probe measured for one layer. */
export interface LayerProbe {
  /** Layer name. */
  layer: string;
  /** Layer name prefixed with the nested models it sits in: `encoder/dense_2`. */
  path: string;
  /** Position among the probed layers, in the model's layer order, from 1. */
  index: number;
  className: string;
  /** Gradient of the weight named `kernel` (null without `weights` target or gradient). */
  kernel: WeightGradient | null;
  /** Gradient of the weight named `bias`. */
  bias: WeightGradient | null;
  /** Other trainable weights: learnable activation parameters, batch-norm scales, recurrent kernels. */
  others: WeightGradient[];
  /** Activation statistics, for layers that apply an activation of their own (not linear). */
  activation: ActivationStatistics | null;
  /** NaN values among the layer's outputs on the batch (where a NaN first appears points at the culprit). */
  outputNanCount: number;
  /** ±∞ values among the layer's outputs. */
  outputInfCount: number;
  /** ∂(sum of this layer's outputs)/∂(input) over the batch, with the `input` target. */
  inputGradient: ValueStatistics | null;
}

/** The result of one probe: plain numbers and arrays, ready for `JSON.stringify`. */
export interface GradientProbe {
  target: ProbeTarget;
  /** What the weight gradients differentiate; null for `target: 'input'`. */
  objective: ProbeObjective | null;
  /** Value of the objective on the batch (the mean loss, or the output sum). */
  objectiveValue: number | null;
  batchSize: number;
  /** Learning rate used for `updateRatioLog10`. */
  learningRate: number;
  layers: LayerProbe[];
}

interface Settings {
  target: ProbeTarget;
  objective: ProbeObjective;
  learningRate: number;
}

function readSettings(options: ProbeOptions): Settings {
  const {
    target = options.inputGradients ? 'both' : 'weights',
    objective = 'loss',
    learningRate = 0.01,
  } = options;
  if (!['weights', 'input', 'both'].includes(target)) {
    throw new GradientProbeError({
      code: 'INVALID_OPTION',
      message: `target must be 'weights', 'input' or 'both', got ${JSON.stringify(target)}.`,
    });
  }
  if (!['loss', 'outputSum'].includes(objective)) {
    throw new GradientProbeError({
      code: 'INVALID_OPTION',
      message: `objective must be 'loss' or 'outputSum', got ${JSON.stringify(objective)}.`,
    });
  }
  if (!(typeof learningRate === 'number' && learningRate > 0 && Number.isFinite(learningRate))) {
    throw new GradientProbeError({
      code: 'INVALID_OPTION',
      message: `learningRate must be a finite number > 0, got ${String(learningRate)}.`,
    });
  }
  return { target, objective, learningRate };
}

function previousByVariable(
  model: LayersModel,
  previous: readonly tf.Tensor[] | undefined,
): Map<string, tf.Tensor> {
  const map = new Map<string, tf.Tensor>();
  if (!previous) return map;
  const weights = model.trainableWeights;
  const shapesAgree =
    previous.length === weights.length &&
    weights.every((weight, i) => {
      const tensor = previous[i];
      return (
        tensor !== undefined &&
        !tensor.isDisposed &&
        tensor.shape.length === weight.shape.length &&
        tensor.shape.every((size, axis) => size === weight.shape[axis])
      );
    });
  if (!shapesAgree) {
    throw new GradientProbeError({
      code: 'INVALID_OPTION',
      message: `previousWeights must hold ${weights.length} live tensors shaped like model.trainableWeights (${weights.map((weight) => `[${weight.shape.join(', ')}]`).join(', ')}), got ${previous.length}; clone them with model.trainableWeights.map((w) => tf.clone(w.read())) before the step.`,
    });
  }
  weights.forEach((weight, i) => {
    map.set((weight.read() as tf.Variable).name, previous[i] as tf.Tensor);
  });
  return map;
}

const ratioLog10 = (numerator: number, denominator: number) =>
  numerator > 0 && denominator > 0 && Number.isFinite(numerator) && Number.isFinite(denominator)
    ? Math.log10(numerator / denominator)
    : null;

function weightGradient(
  weight: LayerVariable,
  gradient: tf.Tensor,
  previous: tf.Tensor | undefined,
  learningRate: number,
): WeightGradient {
  const values = weight.read().dataSync();
  const before = previous?.dataSync();
  let squares = 0;
  let nonFiniteWeights = 0;
  let changeSquares = 0;
  let beforeSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (Number.isFinite(value)) squares += value * value;
    else nonFiniteWeights++;
    if (before) {
      const old = before[i] as number;
      changeSquares += (value - old) ** 2;
      beforeSquares += old * old;
    }
  }
  const statistics = valueStatistics(gradient.dataSync());
  const weightNorm = Math.sqrt(squares);
  return {
    name: weight.originalName,
    shape: [...weight.shape] as number[],
    ...statistics,
    weightNorm,
    nonFiniteWeights,
    updateRatioLog10: ratioLog10(learningRate * statistics.l2Norm, weightNorm),
    appliedUpdateRatioLog10: before
      ? ratioLog10(Math.sqrt(changeSquares), Math.sqrt(beforeSquares))
      : null,
  };
}

interface ProbedLayer {
  layer: Layer;
  path: string;
  activation: LayerActivation | null;
}

/** Leaf layers with weights or an activation of their own, in model order, each once. */
function probedLayers(model: LayersModel): ProbedLayer[] {
  const seen = new Set<Layer>();
  const probed: ProbedLayer[] = [];
  for (const { layer, scope } of leafLayers(model)) {
    if (seen.has(layer)) continue;
    seen.add(layer);
    const activation = layerActivation(layer);
    if (layer.weights.length === 0 && !activation) continue;
    probed.push({ layer, path: [...scope, layer.name].join('/'), activation });
  }
  return probed;
}

interface Captured {
  outputs: tf.Tensor[];
  calls: LayerCall[];
}

function objectiveOf(
  outputs: tf.Tensor[],
  objective: ProbeObjective,
  losses: ResolvedLoss[] | null,
  targets: tf.Tensor[] | null,
): tf.Scalar {
  const terms = outputs.map((output, i) => {
    if (objective === 'outputSum') return tf.sum(output);
    const loss = (losses as ResolvedLoss[])[i] as ResolvedLoss;
    return tf.mean(loss.fn((targets as tf.Tensor[])[i] as tf.Tensor, output));
  });
  return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Scalar;
}

function joined(arrays: ArrayLike<number>[]): ArrayLike<number> {
  if (arrays.length === 1) return arrays[0] as ArrayLike<number>;
  const total = arrays.reduce((sum, array) => sum + array.length, 0);
  const result = new Float64Array(total);
  let offset = 0;
  for (const array of arrays) {
    result.set(array, offset);
    offset += array.length;
  }
  return result;
}

function inputGradientOf(
  model: LayersModel,
  inputs: tf.Tensor[],
  layer: Layer,
  calls: LayerCall[],
): ValueStatistics {
  // At the top level only the layer's ancestors need to run; inside a nested model, all of it.
  const fetch = calls.every((call) => call.scope.length === 0)
    ? calls.flatMap((call) => call.node.outputTensors)
    : undefined;
  const gradients = tf.tidy(() =>
    tf.grads((...given: tf.Tensor[]) => {
      const sums: tf.Tensor[] = [];
      runGraph(model, given, {
        ...(fetch ? { fetch } : {}),
        onCall: (call) => {
          if (call.layer === layer) sums.push(...call.outputs.map((output) => tf.sum(output)));
        },
      });
      return (sums.length === 1 ? sums[0] : tf.addN(sums)) as tf.Tensor;
    })(inputs),
  );
  try {
    return valueStatistics(joined(gradients.map((gradient) => gradient.dataSync())));
  } finally {
    tf.dispose(gradients);
  }
}

function countNonFinite(outputs: readonly HostOutput[]) {
  let nanCount = 0;
  let infCount = 0;
  for (const { values } of outputs) {
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as number;
      if (Number.isNaN(value)) nanCount++;
      else if (!Number.isFinite(value)) infCount++;
    }
  }
  return { nanCount, infCount };
}

/**
 * Measures, on one mini-batch, the gradients of every layer (kernel and bias apart: max |g|,
 * mean |g|, ‖g‖₂, a log10|g| histogram, NaN/Inf counts, the update-to-weight ratio), and from
 * the same forward pass every activation layer's outputs (mean, dead and saturated fractions, a
 * histogram, NaN/Inf counts). Works for Sequential and functional tfjs-layers models, nested
 * models, shared layers and several inputs or outputs, trained or untrained. The model runs in
 * inference mode (Dropout off) and its weights are never changed.
 *
 * @param model - any tfjs-layers model
 * @param xs - the probe batch: a tensor shaped like the model input, or one per input
 * @param ys - targets (one per output) for `objective: 'loss'`; ignored otherwise (pass null)
 * @param options - see {@link ProbeOptions}
 * @throws {@link GradientProbeError} `SHAPE_MISMATCH`, `BATCH_MISMATCH`, `INPUT_COUNT_MISMATCH`,
 *   `MODEL_NOT_BUILT`,
 *   `TARGET_COUNT_MISMATCH`, `TARGET_SHAPE_MISMATCH`, `INVALID_INPUT`, `MISSING_TARGETS`,
 *   `MISSING_LOSS`, `UNKNOWN_LOSS`, `INVALID_OPTION`
 */
export function probeGradients(
  model: LayersModel,
  xs: tf.Tensor | readonly tf.Tensor[],
  ys: tf.Tensor | readonly tf.Tensor[] | null,
  options: ProbeOptions = {},
): GradientProbe {
  checkModel(model);
  const { target, objective, learningRate } = readSettings(options);
  const wantsWeights = target !== 'input';
  const needsTargets = wantsWeights && objective === 'loss';
  if (needsTargets && (ys === null || ys === undefined)) {
    throw new GradientProbeError({
      code: 'MISSING_TARGETS',
      message:
        "the loss needs targets ys for the batch; pass them, or probe label-free with {objective: 'outputSum'} or {target: 'input'}.",
    });
  }
  const { inputs, targets, batchSize } = checkBatch(model, xs, needsTargets ? ys : null);
  const losses = needsTargets ? resolveLosses(model, options.loss) : null;
  if (losses && targets)
    checkTargets(
      model,
      targets,
      losses.map((loss) => loss.name),
    );
  if (target !== 'weights' && inputs.some((input) => input.dtype !== 'float32')) {
    throw new GradientProbeError({
      code: 'INVALID_OPTION',
      message: `input gradients need float32 inputs, got ${inputs.map((input) => input.dtype).join(', ')}; use target 'weights' for integer inputs (e.g. token ids).`,
    });
  }
  const previous = previousByVariable(model, options.previousWeights);
  const probed = probedLayers(model);
  const probedSet = new Set(probed.map(({ layer }) => layer));
  const captured = new Map<Layer, Captured>();
  const onCall = (call: LayerCall) => {
    if (!probedSet.has(call.layer)) return;
    const entry = captured.get(call.layer) ?? { outputs: [], calls: [] };
    entry.outputs.push(...call.outputs.map((output) => tf.keep(output)));
    entry.calls.push(call);
    captured.set(call.layer, entry);
  };

  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  let gradients: tf.NamedTensorMap = {};
  let objectiveValue: number | null = null;
  try {
    if (wantsWeights && variables.length > 0) {
      const { value, grads } = tf.variableGrads(
        () => objectiveOf(runGraph(model, inputs, { onCall }), objective, losses, targets),
        variables,
      );
      gradients = grads;
      objectiveValue = value.dataSync()[0] as number;
      value.dispose();
    } else {
      const value = tf.tidy(() => {
        const outputs = runGraph(model, inputs, { onCall });
        return wantsWeights ? objectiveOf(outputs, objective, losses, targets) : undefined;
      });
      if (value) {
        objectiveValue = value.dataSync()[0] as number;
        value.dispose();
      }
    }

    const layersProbed: LayerProbe[] = probed.map(({ layer, path, activation }, i) => {
      const entry = captured.get(layer);
      const hostOutputs: HostOutput[] = (entry?.outputs ?? []).map((output) => ({
        values: output.dataSync(),
        shape: output.shape,
      }));
      const weightStatistics = wantsWeights
        ? layer.trainableWeights.flatMap((weight) => {
            const variable = weight.read() as tf.Variable;
            const gradient = gradients[variable.name];
            return gradient
              ? [weightGradient(weight, gradient, previous.get(variable.name), learningRate)]
              : [];
          })
        : [];
      const lastName = (statistics: WeightGradient) => statistics.name.split('/').pop();
      const kernel = weightStatistics.find((statistics) => lastName(statistics) === 'kernel');
      const bias = weightStatistics.find((statistics) => lastName(statistics) === 'bias');
      const { nanCount, infCount } = countNonFinite(hostOutputs);
      return {
        layer: layer.name,
        path,
        index: i + 1,
        className: layer.getClassName(),
        kernel: kernel ?? null,
        bias: bias ?? null,
        others: weightStatistics.filter(
          (statistics) => statistics !== kernel && statistics !== bias,
        ),
        activation:
          activation && hostOutputs.length > 0
            ? activationStatistics(hostOutputs, activation)
            : null,
        outputNanCount: nanCount,
        outputInfCount: infCount,
        inputGradient:
          target !== 'weights' && entry ? inputGradientOf(model, inputs, layer, entry.calls) : null,
      };
    });
    return {
      target,
      objective: wantsWeights ? objective : null,
      objectiveValue,
      batchSize,
      learningRate,
      layers: layersProbed,
    };
  } finally {
    tf.dispose(Object.values(gradients));
    for (const entry of captured.values()) tf.dispose(entry.outputs);
  }
}
