import { ActivationError } from '../activation-error.js';

// Checks shared by the learnable layers' constructors, which also run when tfjs deserializes a
// saved model, so a hand-edited or corrupt config fails with a typed error, not a NaN weight.

/** Throws `INVALID_PARAMETER` unless `value` is a finite number. */
export function checkFinite(layer: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ActivationError({
      code: 'INVALID_PARAMETER',
      message: `${layer}: ${key} must be a finite number, got ${JSON.stringify(value) ?? String(value)}.`,
    });
  }
  return value;
}

/** Throws `INVALID_PARAMETER` unless `value` is a boolean. */
export function checkFlag(layer: string, key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ActivationError({
      code: 'INVALID_PARAMETER',
      message: `${layer}: ${key} must be true or false, got ${JSON.stringify(value) ?? String(value)}.`,
    });
  }
  return value;
}

/** Throws `INVALID_PARAMETER` unless `value` is an array of `length` finite numbers. */
export function checkCoefficients(
  layer: string,
  key: string,
  value: unknown,
  length: number,
): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    throw new ActivationError({
      code: 'INVALID_PARAMETER',
      message: `${layer}: ${key} must be an array of ${length} finite numbers, got ${JSON.stringify(value)}.`,
    });
  }
  return value.map((item, i) => checkFinite(layer, `${key}[${i}]`, item));
}
