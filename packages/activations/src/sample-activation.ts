import * as tf from '@tensorflow/tfjs-core';
import { ActivationError } from './activation-error.js';
import type { ActivationSpec } from './activation-spec-schema.js';
import { getActivation } from './registry.js';

/** Where to sample an activation. */
export interface SampleOptions {
  /** Left end of the x range. Default −5. */
  from?: number;
  /** Right end of the x range (must be > from). Default 5. */
  to?: number;
  /** Number of points, both ends included (2 … 1 000 000). Default 201. */
  steps?: number;
}

/** Sampled f and f′, as plain numbers for plotting. */
export interface ActivationSample {
  x: number[];
  y: number[];
  dy: number[];
}

/**
 * Samples f and its analytic derivative on an even grid, through the activation's tensor
 * formulas (so on the active tfjs backend).
 *
 * @throws {@link ActivationError} `INVALID_SAMPLING` for a bad range or step count, and the
 *   errors of {@link getActivation}
 */
export function sampleActivation(
  spec: ActivationSpec,
  options: SampleOptions = {},
): ActivationSample {
  const { from = -5, to = 5, steps = 201 } = options;
  if (!Number.isFinite(from) || !Number.isFinite(to) || !(from < to)) {
    throw new ActivationError({
      code: 'INVALID_SAMPLING',
      message: `sampleActivation needs finite from < to, got from=${from}, to=${to}.`,
    });
  }
  if (!Number.isInteger(steps) || steps < 2 || steps > 1_000_000) {
    throw new ActivationError({
      code: 'INVALID_SAMPLING',
      message: `sampleActivation needs a whole number of steps from 2 to 1000000, got ${steps}.`,
    });
  }
  const activation = getActivation(spec);
  const x = Array.from({ length: steps }, (_, i) => from + ((to - from) * i) / (steps - 1));
  const [y, dy] = tf.tidy(() => {
    const input = tf.tensor1d(x);
    return [
      Array.from(activation.fn(input).dataSync()),
      Array.from(activation.derivative(input).dataSync()),
    ];
  });
  return { x, y: y as number[], dy: dy as number[] };
}
