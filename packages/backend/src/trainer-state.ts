import type * as tf from '@tensorflow/tfjs-core';
import { BackendError } from './backend-error.js';
import { stateTensorOf, tensorOf } from './model-weights.js';

/** Which code trains: the fused WebAssembly Dense-stack trainer or stock tfjs. */
export type TrainerKind = 'fused' | 'tfjs';

/** A named float32 (or int32) buffer of a {@link TrainerState}. */
export interface StateTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** The values as float32 (an int32 iteration count is exact in float32 up to 2^24). */
  values: Float32Array;
}

/**
 * Everything a trainer needs to continue exactly (bit for bit) where it stopped: the model's
 * weights and the optimizer's state. Plain data; {@link encodeTrainerState} makes it JSON.
 */
export interface TrainerState {
  /** The trainer that exported it; only a trainer of the same kind can import it. */
  trainer: TrainerKind;
  /** The optimizer's name (`adam`; tfjs's class name in lower case for a tfjs optimizer outside the spec). */
  optimizer: string;
  /** Optimizer steps taken. */
  iterations: number;
  /** The model's weights by their original names (`dense_Dense1/kernel`). */
  weights: StateTensor[];
  /** The optimizer's buffers (moments, accumulators), in the trainer's own naming. */
  slots: StateTensor[];
  /** The fused trainer's running Adam products β1^(t+1), β2^(t+1) (absent for tfjs). */
  powers?: [number, number];
}

/** A {@link StateTensor} as JSON: float32 values, little-endian, base64. */
export interface EncodedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: string;
}

/** A {@link TrainerState} as plain JSON, for a checkpoint file. */
export interface EncodedTrainerState extends Omit<TrainerState, 'weights' | 'slots'> {
  /** Codec version; bumped when the layout changes. */
  format: 1;
  weights: EncodedTensor[];
  slots: EncodedTensor[];
}

/**
 * Throws unless the state was written by a trainer of the given kind.
 *
 * @throws {@link BackendError} `STATE_MISMATCH`
 */
export function assertTrainerKind(state: TrainerState, kind: TrainerKind): void {
  if (state.trainer !== kind) {
    throw new BackendError({
      code: 'STATE_MISMATCH',
      message: `the state was written by the ${String(state.trainer)} trainer, this is the ${kind} one; create the trainer with trainer: '${String(state.trainer)}' to resume it.`,
    });
  }
}

const chunk = 0x8000;

function toBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let start = 0; start < bytes.length; start += chunk) {
    binary += String.fromCharCode(...bytes.subarray(start, start + chunk));
  }
  return btoa(binary);
}

function fromBase64(data: string, what: string): Float32Array {
  let binary: string;
  try {
    binary = atob(data);
  } catch (cause) {
    throw invalid(`${what} is not base64`, cause);
  }
  if (binary.length % 4 !== 0) throw invalid(`${what} holds ${binary.length} bytes, not float32s`);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return new Float32Array(bytes.buffer);
}

function invalid(what: string, cause?: unknown): BackendError {
  return new BackendError({
    code: 'CHECKPOINT_INVALID',
    message: `this is not a trainer state written by encodeTrainerState: ${what}. Delete the checkpoint to start over.`,
    ...(cause === undefined ? {} : { cause }),
  });
}

const encodeStateTensor = ({ name, shape, dtype, values }: StateTensor): EncodedTensor => ({
  name,
  shape,
  dtype,
  data: toBase64(values),
});

function decodeStateTensor(encoded: EncodedTensor): StateTensor {
  if (typeof encoded?.name !== 'string' || !Array.isArray(encoded.shape)) {
    throw invalid('a tensor has no name or shape');
  }
  const values = fromBase64(String(encoded.data), `tensor ${encoded.name}`);
  const size = encoded.shape.reduce((product, dimension) => product * dimension, 1);
  if (size !== values.length) {
    throw invalid(
      `tensor ${encoded.name} has ${values.length} values for shape [${encoded.shape}]`,
    );
  }
  return {
    name: encoded.name,
    shape: encoded.shape,
    dtype: encoded.dtype === 'int32' ? 'int32' : 'float32',
    values,
  };
}

/**
 * Turns a trainer state into plain JSON (every float32 bit kept), for a checkpoint file.
 *
 * @param state - from {@link Trainer.exportState}
 */
export function encodeTrainerState(state: TrainerState): EncodedTrainerState {
  return {
    format: 1,
    trainer: state.trainer,
    optimizer: state.optimizer,
    iterations: state.iterations,
    ...(state.powers ? { powers: state.powers } : {}),
    weights: state.weights.map(encodeStateTensor),
    slots: state.slots.map(encodeStateTensor),
  };
}

/**
 * Reads back what {@link encodeTrainerState} wrote (after a JSON round trip).
 *
 * @throws {@link BackendError} `CHECKPOINT_INVALID` when the data is not such a state
 */
export function decodeTrainerState(encoded: EncodedTrainerState): TrainerState {
  if (typeof encoded !== 'object' || encoded === null || encoded.format !== 1) {
    throw invalid(`format is ${String((encoded as { format?: unknown })?.format)}, expected 1`);
  }
  if (encoded.trainer !== 'fused' && encoded.trainer !== 'tfjs') {
    throw invalid(`trainer is ${String(encoded.trainer)}`);
  }
  if (!Number.isInteger(encoded.iterations) || encoded.iterations < 0) {
    throw invalid(`iterations is ${String(encoded.iterations)}`);
  }
  if (!Array.isArray(encoded.weights) || !Array.isArray(encoded.slots)) {
    throw invalid('weights or slots are missing');
  }
  return {
    trainer: encoded.trainer,
    optimizer: String(encoded.optimizer),
    iterations: encoded.iterations,
    ...(encoded.powers ? { powers: encoded.powers } : {}),
    weights: encoded.weights.map(decodeStateTensor),
    slots: encoded.slots.map(decodeStateTensor),
  };
}

/**
 * One tensor as JSON (every float32 bit kept), with the codec of {@link encodeTrainerState}: for
 * checkpoints that keep tensors beside a trainer state (a training loop's best weights so far).
 *
 * @param name - stored with the values
 * @param tensor - read, not disposed
 */
export function encodeTensor(name: string, tensor: tf.Tensor): EncodedTensor {
  return encodeStateTensor(stateTensorOf(name, tensor));
}

/**
 * A new tensor from what {@link encodeTensor} wrote (after a JSON round trip).
 *
 * @throws {@link BackendError} `CHECKPOINT_INVALID` when the data is not such a tensor
 */
export function decodeTensor(encoded: EncodedTensor): tf.Tensor {
  return tensorOf(decodeStateTensor(encoded));
}
