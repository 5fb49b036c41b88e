import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { GradientProbeError } from './probe-error.js';

/** tfjs-layers loss names the probe knows without a compiled model. */
export type ProbeLossName =
  | 'meanSquaredError'
  | 'meanAbsoluteError'
  | 'meanAbsolutePercentageError'
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'binaryCrossentropy'
  | 'cosineProximity';

/**
 * A loss of (yTrue, yPred): a scalar, or one value per sample as tfjs-layers' losses return
 * (the probe takes the mean, as `model.fit` does).
 */
export type ProbeLossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** A loss by tfjs-layers name, or a function. */
export type ProbeLoss = ProbeLossName | ProbeLossFunction;

/** A resolved loss: the function and, when known, its name (for shape checks and messages). */
export interface ResolvedLoss {
  name: string | null;
  fn: ProbeLossFunction;
}

// tfl.metrics re-exports tfjs-layers' own loss functions: the probe differentiates exactly what
// model.fit minimises.
const namedLosses: Record<ProbeLossName, ProbeLossFunction> = {
  meanSquaredError: tfl.metrics.meanSquaredError,
  meanAbsoluteError: tfl.metrics.meanAbsoluteError,
  meanAbsolutePercentageError: tfl.metrics.meanAbsolutePercentageError,
  categoricalCrossentropy: tfl.metrics.categoricalCrossentropy,
  binaryCrossentropy: tfl.metrics.binaryCrossentropy,
  cosineProximity: tfl.metrics.cosineProximity,
  sparseCategoricalCrossentropy: (yTrue, yPred) =>
    tf.tidy(() => {
      const classes = yPred.shape[yPred.shape.length - 1] as number;
      const labels = tf.cast(tf.floor(tf.reshape(yTrue, [-1])), 'int32');
      const oneHot = tf.reshape(tf.oneHot(labels as tf.Tensor1D, classes), yPred.shape);
      return tfl.metrics.categoricalCrossentropy(oneHot, yPred);
    }),
};

/** Names accepted by the `loss` option. */
export const probeLossNames = Object.keys(namedLosses) as ProbeLossName[];

function byName(name: string): ResolvedLoss {
  const fn = namedLosses[name as ProbeLossName];
  if (!fn) {
    throw new GradientProbeError({
      code: 'UNKNOWN_LOSS',
      message: `unknown loss "${name}". Use one of ${probeLossNames.join(', ')}; for another tfjs-layers loss, compile the model with it and leave \`loss\` out (the probe then uses the compiled loss), or pass a function (yTrue, yPred) => tensor.`,
    });
  }
  return { name, fn };
}

function fromOption(loss: unknown): ResolvedLoss {
  if (typeof loss === 'function') return { name: null, fn: loss as ProbeLossFunction };
  if (typeof loss === 'string') return byName(loss);
  throw new GradientProbeError({
    code: 'UNKNOWN_LOSS',
    message: `loss must be a loss name (${probeLossNames.join(', ')}) or a function (yTrue, yPred) => tensor, got ${String(loss)}.`,
  });
}

/**
 * One loss per model output: from the option (one for all outputs, or a list), else the losses
 * the model was compiled with.
 *
 * @throws {@link GradientProbeError} `UNKNOWN_LOSS`, or `MISSING_LOSS` when there is neither an
 *   option nor a compiled loss
 */
export function resolveLosses(
  model: tfl.LayersModel,
  loss: ProbeLoss | readonly ProbeLoss[] | undefined,
): ResolvedLoss[] {
  const outputs = model.outputs.length;
  if (loss !== undefined) {
    const list = Array.isArray(loss) ? loss : Array.from({ length: outputs }, () => loss);
    if (list.length !== outputs) {
      throw new GradientProbeError({
        code: 'INVALID_OPTION',
        message: `loss lists ${list.length} losses but the model has ${outputs} outputs; give one loss per output, or a single loss for all.`,
      });
    }
    return list.map(fromOption);
  }
  // A Sequential keeps its compiled losses on the functional model it wraps.
  type Compiled = { lossFunctions?: ProbeLossFunction[]; loss?: unknown; model?: Compiled };
  const holder = model as unknown as Compiled;
  const compiled = holder.lossFunctions ?? holder.model?.lossFunctions;
  if (Array.isArray(compiled) && compiled.length === outputs) {
    const names = holder.loss;
    return compiled.map((fn, i) => {
      const name = Array.isArray(names) ? names[i] : names;
      return { name: typeof name === 'string' ? name : null, fn };
    });
  }
  throw new GradientProbeError({
    code: 'MISSING_LOSS',
    message: `the model is not compiled and no loss was given. Pass {loss: 'categoricalCrossentropy'} (or another of ${probeLossNames.join(', ')}, or a function), compile the model, or probe labels-free with {objective: 'outputSum'}.`,
  });
}
