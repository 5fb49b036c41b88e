// Shared by the tests of this package; not exported from the package.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Weights of the two-layer net, as plain arrays for float64 hand math. */
export const known = {
  kernel1: [
    [1, -1],
    [2, 0.5],
  ],
  // The second hidden unit's bias keeps it below 0 for every input of the batch: a dead ReLU.
  bias1: [0, -10],
  kernel2: [[3], [4]],
  bias2: [0.5],
  xs: [
    [1, 2],
    [0.5, -1],
  ],
  ys: [[1], [0]],
};

/** Dense(2, relu) → Dense(1) with the weights of {@link known}. */
export function knownNet(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 2, activation: 'relu', inputShape: [2], name: 'hidden' }));
  model.add(tfl.layers.dense({ units: 1, name: 'out' }));
  tf.tidy(() => {
    model.setWeights([
      tf.tensor2d(known.kernel1),
      tf.tensor1d(known.bias1),
      tf.tensor2d(known.kernel2),
      tf.tensor1d(known.bias2),
    ]);
  });
  return model;
}

/** A dense layer with a seeded Glorot-uniform kernel. */
export function seededDense(
  units: number,
  activation: 'relu' | 'tanh' | 'sigmoid' | 'softmax' | 'linear',
  seed: number,
  extra: Parameters<typeof tfl.layers.dense>[0] extends infer A ? Partial<A> : never = {},
) {
  return tfl.layers.dense({
    units,
    activation,
    kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    ...extra,
  });
}

export const matmul = (a: number[][], b: number[][]) =>
  a.map((row) =>
    (b[0] as number[]).map((_, j) =>
      row.reduce((sum, value, k) => sum + value * (b[k]?.[j] ?? 0), 0),
    ),
  );
export const transpose = (a: number[][]) =>
  (a[0] as number[]).map((_, j) => a.map((row) => row[j] as number));
export const addRow = (a: number[][], row: number[]) =>
  a.map((r) => r.map((value, j) => value + (row[j] as number)));
export const columnSums = (a: number[][]) =>
  transpose(a).map((column) => column.reduce((s, v) => s + v, 0));

/** max |x|, mean |x| and ‖x‖₂ of a nested array, in float64. */
export function summary(values: number[] | number[][]) {
  const flat = (values as (number | number[])[]).flat() as number[];
  const magnitudes = flat.map(Math.abs);
  return {
    maxAbs: Math.max(...magnitudes),
    meanAbs: magnitudes.reduce((sum, value) => sum + value, 0) / magnitudes.length,
    l2Norm: Math.sqrt(flat.reduce((sum, value) => sum + value * value, 0)),
  };
}

/** tf.memory().numTensors after `action`, minus before. */
export function tensorsLeftBy(action: () => unknown): number {
  const before = tf.memory().numTensors;
  try {
    action();
  } catch {
    // Errors are expected in some callers; only the tensor count matters here.
  }
  return tf.memory().numTensors - before;
}
