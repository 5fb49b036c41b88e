import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { readJsonIfExists, writeJsonAtomic } from './atomic-files.js';
import type { EpochMetrics, GradientRecord } from './trial-records.js';

interface SavedTensor {
  name: string;
  shape: number[];
  /** The tensor's dtype (Adam's iteration count is int32); values are stored as float32. */
  dtype?: 'float32' | 'int32';
  /** Float32 values, little-endian, base64. */
  data: string;
}

/** Everything needed to continue a trial exactly where it stopped. */
export interface Checkpoint {
  /** Trial id the checkpoint belongs to; a mismatch means the folder was reused. */
  trialId: string;
  /** Last finished epoch. */
  epoch: number;
  weights: SavedTensor[];
  optimizer: SavedTensor[];
  metrics: EpochMetrics[];
  gradients: GradientRecord[];
  trainSeconds: number;
}

function encode(name: string, tensor: tf.Tensor): SavedTensor {
  const values = Float32Array.from(tensor.dataSync());
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
  return { name, shape: tensor.shape, dtype, data: bytes.toString('base64') };
}

function decode(saved: SavedTensor): tf.Tensor {
  const bytes = Buffer.from(saved.data, 'base64');
  const values = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
  return tf.tensor(
    saved.dtype === 'int32' ? Int32Array.from(values) : values,
    saved.shape,
    saved.dtype ?? 'float32',
  );
}

/** Saves the model's weights and the optimizer's state with the metrics so far (atomic write). */
export async function saveCheckpoint(
  path: string,
  model: LayersModel,
  optimizer: tf.Optimizer,
  state: Omit<Checkpoint, 'weights' | 'optimizer'>,
): Promise<void> {
  const weights = model.weights.map((weight) => encode(weight.originalName, weight.read()));
  const optimizerWeights = await optimizer.getWeights();
  const optimizerState = optimizerWeights.map(({ name, tensor }) => encode(name, tensor));
  // getWeights returns the optimizer's own variables plus a fresh iteration-count scalar: free that one.
  tf.dispose(
    optimizerWeights
      .map(({ tensor }) => tensor)
      .filter((tensor) => !(tensor instanceof tf.Variable)),
  );
  await writeJsonAtomic(path, {
    ...state,
    weights,
    optimizer: optimizerState,
  } satisfies Checkpoint);
}

/** Reads a checkpoint, or undefined when there is none for this trial. */
export async function readCheckpoint(
  path: string,
  trialId: string,
): Promise<Checkpoint | undefined> {
  const checkpoint = await readJsonIfExists<Checkpoint>(path);
  return checkpoint?.trialId === trialId ? checkpoint : undefined;
}

/** Puts a checkpoint's weights into the model and its state into the optimizer. */
export async function restoreCheckpoint(
  checkpoint: Checkpoint,
  model: LayersModel,
  optimizer: tf.Optimizer,
): Promise<void> {
  const byName = new Map(checkpoint.weights.map((saved) => [saved.name, saved]));
  const tensors = model.weights.map((weight) => {
    const saved = byName.get(weight.originalName);
    if (!saved) throw new Error(`checkpoint has no weight named ${weight.originalName}`);
    return decode(saved);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
  if (checkpoint.optimizer.length > 0) {
    const state = checkpoint.optimizer.map((saved) => ({
      name: saved.name,
      tensor: decode(saved),
    }));
    // Optimizers copy what they keep into their own variables, so our tensors can go.
    await optimizer.setWeights(state);
    tf.dispose(state.map(({ tensor }) => tensor));
    restoreAdamPowers(optimizer);
  }
}

/**
 * tfjs's Adam keeps β1^(t+1) and β2^(t+1) as running float32 products, but its setWeights
 * recomputes them with pow(), which rounds differently; the difference is enough to make a
 * resumed run drift from an uninterrupted one. Replaying the products in float32 (Math.fround of
 * a product of two float32 values is exactly a float32 multiplication) restores them bit for bit.
 */
function restoreAdamPowers(optimizer: tf.Optimizer): void {
  const adam = optimizer as unknown as {
    accBeta1?: tf.Variable;
    accBeta2?: tf.Variable;
    beta1?: number;
    beta2?: number;
    iterations: number;
  };
  if (!(adam.accBeta1 && adam.accBeta2 && adam.beta1 !== undefined && adam.beta2 !== undefined))
    return;
  const replay = (beta: number) => {
    const factor = Math.fround(beta);
    let power = factor;
    for (let step = 0; step < adam.iterations; step++) power = Math.fround(power * factor);
    return power;
  };
  tf.tidy(() => {
    adam.accBeta1?.assign(tf.scalar(replay(adam.beta1 as number)));
    adam.accBeta2?.assign(tf.scalar(replay(adam.beta2 as number)));
  });
}
