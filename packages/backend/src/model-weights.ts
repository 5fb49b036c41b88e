import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { BackendError } from './backend-error.js';
import type { StateTensor } from './trainer-state.js';

/** A tensor's values as a {@link StateTensor} (copied; the tensor is not disposed). */
export function stateTensorOf(name: string, tensor: tf.Tensor): StateTensor {
  return {
    name,
    shape: [...tensor.shape],
    dtype: tensor.dtype === 'int32' ? 'int32' : 'float32',
    values: Float32Array.from(tensor.dataSync()),
  };
}

/** A new tensor of a {@link StateTensor}'s dtype and shape. */
export function tensorOf(state: StateTensor): tf.Tensor {
  return tf.tensor(
    state.dtype === 'int32' ? Int32Array.from(state.values) : state.values,
    state.shape,
    state.dtype,
  );
}

/** The model's weights, by original name. */
export function readModelWeights(model: LayersModel): StateTensor[] {
  return model.weights.map((weight) => stateTensorOf(weight.originalName, weight.read()));
}

/**
 * Puts saved weights into the model in order (tfjs numbers layer names per process, so a rebuilt
 * model's names can differ; the order and shapes of an architecture do not).
 *
 * @throws {@link BackendError} `STATE_MISMATCH` when the count or a shape differs
 */
export function writeModelWeights(model: LayersModel, weights: StateTensor[]): void {
  const mismatch = (what: string) =>
    new BackendError({
      code: 'STATE_MISMATCH',
      message: `${what}; import only a state of a model with the same layers.`,
    });
  if (weights.length !== model.weights.length) {
    throw mismatch(`the state holds ${weights.length} weights, the model ${model.weights.length}`);
  }
  model.weights.forEach((weight, index) => {
    const saved = weights[index] as StateTensor;
    if (saved.shape.join() !== weight.shape.join()) {
      throw mismatch(
        `saved weight ${index} (${saved.name}) has shape [${saved.shape}], the model's ${weight.originalName} [${weight.shape}]`,
      );
    }
  });
  const tensors = weights.map(tensorOf);
  model.setWeights(tensors);
  tf.dispose(tensors);
}
