import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type ActivationJudge, judgeFor } from './activation-judge.js';
import { GradientProbeError } from './probe-error.js';
import { activationHistogram, type ValueStatistics, valueStatistics } from './tensor-statistics.js';

/** A loss by tfjs-layers name, or a function of (yTrue, yPred) returning a scalar. */
export type ProbeLoss =
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'binaryCrossentropy'
  | 'meanSquaredError'
  | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar);

/** Options of {@link probeGradients}. */
export interface ProbeOptions {
  /** The loss; default the model's compiled loss, else categorical cross-entropy. */
  loss?: ProbeLoss;
  /**
   * What is differentiated: `loss` (default) or `outputSum`, the sum of the model's outputs
   * (used on untrained nets to see how signal flows back, independent of the labels).
   */
  objective?: 'loss' | 'outputSum';
  /** Also compute, per layer, ∂(sum of the layer's outputs)/∂(input). Default false. */
  inputGradients?: boolean;
  /** Learning rate of the SGD step used for the update-to-weight ratio. Default 0.01. */
  learningRate?: number;
}

/** Statistics of one weight (kernel or bias) of a layer. */
export interface WeightGradient extends ValueStatistics {
  /** Weight name, e.g. `dense_1/kernel`. */
  name: string;
  shape: number[];
  /** ‖w‖₂ of the weight itself. */
  weightNorm: number;
  /** log10(lr·‖g‖ / ‖w‖) for one plain SGD step; ≈ −3 is healthy. Null when ‖w‖ = 0. */
  updateRatioLog10: number | null;
}

/** Statistics of one activation-producing layer's outputs on the batch. */
export interface ActivationStatistics {
  /** Activation as understood by the probe (`relu`, `tanh`, …; `linear` when none). */
  activation: string;
  meanActivation: number;
  /** Units whose output sits at a zero-slope value (ReLU's 0) for every sample; null when the activation has none. */
  deadFraction: number | null;
  /** (sample, unit) pairs within 1 % of an asymptote (|tanh| > 0.99, sigmoid < 0.01 or > 0.99); null when there is none. */
  saturatedFraction: number | null;
  /** Units saturated on every sample of the batch. */
  saturatedUnitFraction: number | null;
  nanCount: number;
  infCount: number;
  /** Counts in fixed bins of width 0.25 on [−5, 5] with under- and overflow. */
  histogram: number[];
}

/** Everything the probe measured for one layer. */
export interface LayerProbe {
  /** Layer name. */
  layer: string;
  /** Position among the model's layers that have weights or activations, from 1. */
  index: number;
  className: string;
  kernel: WeightGradient | null;
  bias: WeightGradient | null;
  /** Other trainable weights (learnable activation parameters, batch-norm scales…). */
  others: WeightGradient[];
  activation: ActivationStatistics | null;
  /** max, mean and ‖·‖ of ∂(sum of this layer's outputs)/∂(input), with `inputGradients`. */
  inputGradient: Pick<ValueStatistics, 'maxAbs' | 'meanAbs' | 'l2Norm'> | null;
}

/** The result of one probe. */
export interface GradientProbe {
  /** Value of the differentiated objective on the batch. */
  objective: number;
  objectiveKind: 'loss' | 'outputSum';
  batchSize: number;
  layers: LayerProbe[];
}

const lossFunctions: Record<string, (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar> = {
  categoricalCrossentropy: (yTrue, yPred) =>
    tf.neg(
      tf.mean(tf.sum(tf.mul(yTrue, tf.log(tf.clipByValue(yPred, 1e-7, 1 - 1e-7))), -1)),
    ) as tf.Scalar,
  sparseCategoricalCrossentropy: (yTrue, yPred) =>
    lossFunctions.categoricalCrossentropy?.(
      tf.oneHot(
        tf.cast(tf.reshape(yTrue, [-1]), 'int32'),
        yPred.shape[yPred.shape.length - 1] as number,
      ),
      yPred,
    ) as tf.Scalar,
  binaryCrossentropy: (yTrue, yPred) => {
    const p = tf.clipByValue(yPred, 1e-7, 1 - 1e-7);
    return tf.neg(
      tf.mean(tf.add(tf.mul(yTrue, tf.log(p)), tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p))))),
    ) as tf.Scalar;
  },
  meanSquaredError: (yTrue, yPred) => tf.mean(tf.square(tf.sub(yTrue, yPred))) as tf.Scalar,
};

function resolveLoss(model: tfl.LayersModel, loss: ProbeLoss | undefined) {
  if (typeof loss === 'function') return loss;
  const compiled = (model as unknown as { loss?: unknown }).loss;
  const name = loss ?? (typeof compiled === 'string' ? compiled : 'categoricalCrossentropy');
  const fn = lossFunctions[name];
  if (!fn) {
    throw new GradientProbeError({
      code: 'UNKNOWN_LOSS',
      message: `unknown loss "${name}"; use one of ${Object.keys(lossFunctions).join(', ')} or pass a function (yTrue, yPred) => scalar.`,
    });
  }
  return fn;
}

function checkInputs(model: tfl.LayersModel, xs: tf.Tensor, ys: tf.Tensor | null): void {
  const inputShape = model.inputs[0]?.shape ?? [];
  const matches =
    xs.shape.length === inputShape.length &&
    inputShape.every((dim, i) => i === 0 || dim === null || dim === xs.shape[i]);
  if (!matches) {
    throw new GradientProbeError({
      code: 'SHAPE_MISMATCH',
      message: `the model expects inputs of shape [${inputShape.map((d) => d ?? 'n').join(', ')}], got [${xs.shape.join(', ')}]; reshape the batch (e.g. flatten 28×28 images to 784).`,
    });
  }
  if (ys && ys.shape[0] !== xs.shape[0]) {
    throw new GradientProbeError({
      code: 'BATCH_MISMATCH',
      message: `xs has ${xs.shape[0]} samples but ys has ${ys.shape[0]}; pass labels for the same batch.`,
    });
  }
}

interface ProbeNetwork {
  /** Layers whose outputs are tapped, in order. */
  layers: tfl.layers.Layer[];
  /** Which tapped output is the model's prediction. */
  predictionIndex: number;
  /** A model sharing the original's weights with every tapped layer's output as an output. */
  tapped: tfl.LayersModel;
}

const networks = new WeakMap<tfl.LayersModel, ProbeNetwork>();

function flattenLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  return model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
}

function probeNetwork(model: tfl.LayersModel): ProbeNetwork {
  const cached = networks.get(model);
  if (cached) return cached;
  const layers = flattenLayers(model);
  const outputs = layers.map((layer) => layer.output as tfl.SymbolicTensor);
  // A symbolic tensor may be listed once only: the prediction usually is the last layer's output.
  const prediction = model.outputs[0] as tfl.SymbolicTensor;
  let predictionIndex = outputs.indexOf(prediction);
  if (predictionIndex < 0) {
    outputs.push(prediction);
    predictionIndex = outputs.length - 1;
  }
  const tapped = tfl.model({ inputs: model.inputs, outputs });
  const network = { layers, tapped, predictionIndex };
  networks.set(model, network);
  return network;
}

function activationSpecOf(layer: tfl.layers.Layer): unknown {
  const config = layer.getConfig() as Record<string, unknown>;
  const className = layer.getClassName();
  if (className === 'ActlabActivation' || className === 'Activation') return config.activation;
  if (
    ['LearnableLinear', 'ActlabPReLU', 'LearnableSwish', 'RationalActivation'].includes(className)
  )
    return className;
  if ('activation' in config) return config.activation;
  if (className === 'ReLU') return 'relu';
  return undefined;
}

function activationStatistics(output: tf.Tensor, spec: unknown): ActivationStatistics | null {
  if (spec === undefined || spec === 'linear' || spec === 'softmax') return null;
  const judge: ActivationJudge | null = judgeFor(spec);
  const units = output.size / (output.shape[0] as number);
  const samples = output.shape[0] as number;
  const values = output.dataSync();
  let sum = 0;
  let nanCount = 0;
  let infCount = 0;
  let saturatedPairs = 0;
  const unitAlwaysDead = new Array<boolean>(units).fill(true);
  const unitAlwaysSaturated = new Array<boolean>(units).fill(true);
  const near = (value: number, target: number) =>
    Math.abs(value - target) < 0.01 * Math.max(1, Math.abs(target));
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    const unit = i % units;
    if (Number.isNaN(value)) nanCount++;
    else if (!Number.isFinite(value)) infCount++;
    else sum += value;
    const dead = judge ? judge.deadValues.some((target) => value === target) : false;
    const saturated = judge ? judge.asymptotes.some((target) => near(value, target)) : false;
    if (!dead) unitAlwaysDead[unit] = false;
    if (saturated) saturatedPairs++;
    else unitAlwaysSaturated[unit] = false;
  }
  const hasDead = (judge?.deadValues.length ?? 0) > 0;
  const hasAsymptotes = (judge?.asymptotes.length ?? 0) > 0;
  return {
    activation: judge?.name ?? String(typeof spec === 'string' ? spec : 'custom'),
    meanActivation: sum / Math.max(1, values.length - nanCount - infCount),
    deadFraction: hasDead ? unitAlwaysDead.filter(Boolean).length / units : null,
    saturatedFraction: hasAsymptotes ? saturatedPairs / (units * samples) : null,
    saturatedUnitFraction: hasAsymptotes
      ? unitAlwaysSaturated.filter(Boolean).length / units
      : null,
    nanCount,
    infCount,
    histogram: activationHistogram(values),
  };
}

/**
 * Measures, for one mini-batch, the gradient of the loss (or of the sum of the outputs) with
 * respect to every layer's weights, and from the same forward pass each activation layer's
 * outputs: mean, dead and saturated fractions, histogram, NaN/Inf counts. Works for Sequential
 * and functional tfjs-layers models, trained or not. The model's weights are never changed.
 *
 * @param model - any tfjs-layers model with one input and one output
 * @param xs - a batch of inputs, shaped like the model's input
 * @param ys - targets for the batch (ignored for `objective: 'outputSum'`)
 * @throws {@link GradientProbeError} `SHAPE_MISMATCH`, `BATCH_MISMATCH`, `UNKNOWN_LOSS`, `INVALID_OPTION`
 */
export function probeGradients(
  model: tfl.LayersModel,
  xs: tf.Tensor,
  ys: tf.Tensor | null,
  options: ProbeOptions = {},
): GradientProbe {
  const {
    objective: objectiveKind = 'loss',
    inputGradients = false,
    learningRate = 0.01,
  } = options;
  if (!(learningRate > 0)) {
    throw new GradientProbeError({
      code: 'INVALID_OPTION',
      message: `learningRate must be > 0, got ${learningRate}.`,
    });
  }
  if (objectiveKind === 'loss' && !ys) {
    throw new GradientProbeError({
      code: 'INVALID_OPTION',
      message: "objective 'loss' needs targets ys; pass them, or use objective 'outputSum'.",
    });
  }
  checkInputs(model, xs, objectiveKind === 'loss' ? ys : null);
  const lossFn = objectiveKind === 'loss' ? resolveLoss(model, options.loss) : null;
  const { layers, tapped, predictionIndex } = probeNetwork(model);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);

  let layerOutputs: tf.Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const all = asList(tapped.apply(xs, { training: false }) as tf.Tensor | tf.Tensor[]);
    layerOutputs = all.slice(0, layers.length).map((tensor) => tf.keep(tensor));
    const prediction = all[predictionIndex] as tf.Tensor;
    return lossFn ? lossFn(ys as tf.Tensor, prediction) : (tf.sum(prediction) as tf.Scalar);
  }, variables);

  try {
    const objective = value.dataSync()[0] as number;
    const weightStats = new Map<string, WeightGradient>();
    model.trainableWeights.forEach((weight, i) => {
      const variable = variables[i] as tf.Variable;
      const gradient = grads[variable.name];
      if (!gradient) return;
      const stats = valueStatistics(gradient);
      const weightNorm = tf.tidy(() => tf.norm(variable).dataSync()[0] as number);
      weightStats.set(weight.name, {
        ...stats,
        // originalName: tfjs adds _1, _2… to the variable names of a second model with equal layer names.
        name: weight.originalName,
        shape: weight.shape as number[],
        weightNorm,
        updateRatioLog10:
          weightNorm > 0 ? Math.log10((learningRate * stats.l2Norm) / weightNorm) : null,
      });
    });
    const probes: LayerProbe[] = [];
    layers.forEach((layer, i) => {
      const own = layer.trainableWeights
        .map((weight) => weightStats.get(weight.name))
        .filter(Boolean) as WeightGradient[];
      const kernel = own.find((stats) => /kernel$/.test(stats.name)) ?? null;
      const bias = own.find((stats) => /bias$/.test(stats.name)) ?? null;
      const activation = activationStatistics(
        layerOutputs[i] as tf.Tensor,
        activationSpecOf(layer),
      );
      if (own.length === 0 && !activation) return;
      probes.push({
        layer: layer.name,
        index: probes.length + 1,
        className: layer.getClassName(),
        kernel,
        bias,
        others: own.filter((stats) => stats !== kernel && stats !== bias),
        activation,
        inputGradient: inputGradients ? inputGradientOf(tapped, xs, i) : null,
      });
    });
    return { objective, objectiveKind, batchSize: xs.shape[0] as number, layers: probes };
  } finally {
    tf.dispose([value, ...Object.values(grads), ...layerOutputs]);
  }
}

function inputGradientOf(tapped: tfl.LayersModel, xs: tf.Tensor, outputIndex: number) {
  return tf.tidy(() => {
    const gradient = tf.grad((input: tf.Tensor) => {
      const all = asList(tapped.apply(input, { training: false }) as tf.Tensor | tf.Tensor[]);
      return tf.sum(all[outputIndex] as tf.Tensor);
    })(xs);
    const { maxAbs, meanAbs, l2Norm } = valueStatistics(gradient);
    return { maxAbs, meanAbs, l2Norm };
  });
}

/** A model with a single output returns a tensor, not a list. */
function asList(outputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(outputs) ? outputs : [outputs];
}
