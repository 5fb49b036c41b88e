import type { DenseTrainerState } from '@actlab/backend';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { readJsonIfExists, writeJsonAtomic } from '../engine/atomic-files.js';
import type { EpochMetrics, GradientRecord } from './trial-records.js';

/** A tensor in a checkpoint. */
export interface SavedTensor {
  name: string;
  shape: number[];
  /** The tensor's dtype (Adam's iteration count is int32); values are stored as float32. */
  dtype?: 'float32' | 'int32';
  /** Float32 values, little-endian, base64. */
  data: string;
}

/** The optimizer part of a checkpoint, as the trainer that wrote it keeps it. */
export interface SavedOptimizer {
  /** The trainer that wrote the checkpoint (absent in checkpoints older than the fused trainer). */
  engine: 'tfjs' | 'fused';
  /** tfjs optimizer weights, or the fused trainer's per-weight buffers. */
  optimizer: SavedTensor[];
  /** The fused trainer's step count and Adam powers. */
  fused?: Omit<DenseTrainerState, 'slots'>;
}

/** Everything needed to continue a trial exactly where it stopped. */
export interface Checkpoint extends Omit<SavedOptimizer, 'engine'> {
  /** Trial id the checkpoint belongs to; a mismatch means the folder was reused. */
  trialId: string;
  engine?: SavedOptimizer['engine'];
  /** Last finished epoch. */
  epoch: number;
  weights: SavedTensor[];
  metrics: EpochMetrics[];
  gradients: GradientRecord[];
  trainSeconds: number;
}

/** Encodes float32 values (bit for bit) under a name. */
export function encodeValues(
  name: string,
  values: Float32Array,
  shape: number[] = [values.length],
  dtype: 'float32' | 'int32' = 'float32',
): SavedTensor {
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return { name, shape, dtype, data: bytes.toString('base64') };
}

/** Encodes a tensor's values and shape. */
export function encodeTensor(name: string, tensor: tf.Tensor): SavedTensor {
  const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
  return encodeValues(name, Float32Array.from(tensor.dataSync()), tensor.shape, dtype);
}

/** The float32 values of a saved tensor. */
export function decodeValues(saved: SavedTensor): Float32Array {
  const bytes = Buffer.from(saved.data, 'base64');
  return new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
}

/** A saved tensor as a tfjs tensor of its dtype and shape. */
export function decodeTensor(saved: SavedTensor): tf.Tensor {
  const values = decodeValues(saved);
  return tf.tensor(
    saved.dtype === 'int32' ? Int32Array.from(values) : values,
    saved.shape,
    saved.dtype ?? 'float32',
  );
}

/** The model's weights and the optimizer's state with the metrics so far, as a checkpoint. */
export function captureCheckpoint(
  model: LayersModel,
  optimizer: SavedOptimizer,
  state: Omit<Checkpoint, 'weights' | keyof SavedOptimizer>,
): Checkpoint {
  const weights = model.weights.map((weight) => encodeTensor(weight.originalName, weight.read()));
  return { ...state, ...optimizer, weights };
}

/** Saves a checkpoint atomically. */
export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  await writeJsonAtomic(path, checkpoint);
}

/** The state of a tfjs optimizer, encoded. */
export async function encodeOptimizer(optimizer: tf.Optimizer): Promise<SavedTensor[]> {
  const weights = await optimizer.getWeights();
  const saved = weights.map(({ name, tensor }) => encodeTensor(name, tensor));
  // getWeights returns the optimizer's own variables plus a fresh iteration-count scalar: free that one.
  tf.dispose(
    weights.map(({ tensor }) => tensor).filter((tensor) => !(tensor instanceof tf.Variable)),
  );
  return saved;
}

/** Puts encoded state back into a tfjs optimizer, bit for bit (Adam's powers included). */
export async function restoreOptimizer(
  optimizer: tf.Optimizer,
  saved: SavedTensor[],
): Promise<void> {
  if (saved.length === 0) return;
  const state = saved.map((entry) => ({ name: entry.name, tensor: decodeTensor(entry) }));
  // Optimizers copy what they keep into their own variables, so our tensors can go.
  await optimizer.setWeights(state);
  tf.dispose(state.map(({ tensor }) => tensor));
  restoreAdamPowers(optimizer);
}

/** Reads a checkpoint, or undefined when there is none for this trial. */
export async function readCheckpoint(
  path: string,
  trialId: string,
): Promise<Checkpoint | undefined> {
  const checkpoint = await readJsonIfExists<Checkpoint>(path);
  return checkpoint?.trialId === trialId ? checkpoint : undefined;
}

/** Puts a checkpoint's weights into the model. */
export function restoreWeights(checkpoint: Pick<Checkpoint, 'weights'>, model: LayersModel): void {
  const byName = new Map(checkpoint.weights.map((saved) => [saved.name, saved]));
  const tensors = model.weights.map((weight) => {
    const saved = byName.get(weight.originalName);
    if (!saved) throw new Error(`checkpoint has no weight named ${weight.originalName}`);
    return decodeTensor(saved);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/**
 * tfjs's Adam keeps β1^(t+1) and β2^(t+1) as running float32 products, but its setWeights
 * recomputes them with pow(), which rounds differently; the difference is enough to make a
 * resumed run drift from an uninterrupted one. Replaying the products in float32 (Math.fround of
 * a product of two float32 values is exactly a float32 multiplication) restores them bit for bit.
 */
export function restoreAdamPowers(optimizer: tf.Optimizer): void {
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
