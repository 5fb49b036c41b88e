import { isSaturated } from './activation-judge.js';
import type { LayerActivation } from './layer-activation.js';

/** Statistics of one layer's activations (its outputs) on the probe batch. */
export interface ActivationStatistics {
  /** The activation as the probe understood it (`relu`, `tanh`, `softmax`…). */
  activation: string;
  /** Units per sample: features of a Dense layer, channels (filters) of a convolution. */
  units: number;
  /** Mean of the finite outputs. */
  meanActivation: number;
  /**
   * Fraction of units that are dead on the batch: their output is the activation's "off" value
   * (ReLU's exact 0) for every sample (and every position, for a convolution). Null when the
   * activation cannot die (tanh, sigmoid, leaky ReLU…).
   */
  deadFraction: number | null;
  /** Fraction of all outputs at the "off" value (ReLU sparsity). Null like `deadFraction`. */
  inactiveFraction: number | null;
  /**
   * Fraction of all outputs (sample × unit) that are saturated: |tanh| > 0.99, sigmoid < 0.01 or
   * > 0.99, and the analogous bound of other bounded activations (see `ActivationJudge`).
   * Null when the activation does not saturate (ReLU, linear, softmax).
   */
  saturatedFraction: number | null;
  /** Fraction of units saturated for every sample of the batch. Null like `saturatedFraction`. */
  saturatedUnitFraction: number | null;
  nanCount: number;
  /** Outputs that are +∞ or −∞. */
  infCount: number;
  /**
   * Counts of the finite outputs in the bins of {@link activationBins}: entry 0 counts values
   * below −5, entry k (1 ≤ k ≤ 100) counts activationBins[k−1] ≤ x < activationBins[k], the
   * last entry counts values ≥ 5.
   */
  histogram: number[];
}

const histogramLow = -5;
const binsPerUnit = 10;

/** Edges of the activation histogram: 100 bins 0.1 wide on [−5, 5] (101 edges). */
export const activationBins: readonly number[] = Object.freeze(
  Array.from({ length: 101 }, (_, i) => Math.round((histogramLow + i / binsPerUnit) * 10) / 10),
);

/** One call's outputs, read back from the device, with the shape they had. */
export interface HostOutput {
  values: ArrayLike<number>;
  shape: readonly number[];
}

function unitLayout(shape: readonly number[], unitAxis: LayerActivation['unitAxis']) {
  if (shape.length < 2) return { units: 1, inner: 1 };
  const axis = unitAxis === 'last' ? shape.length - 1 : 1;
  const units = shape[axis] as number;
  const inner = shape.slice(axis + 1).reduce((product, size) => product * size, 1);
  return { units, inner };
}

/**
 * Statistics of a layer's outputs, pooled over every call of the layer in the forward pass (a
 * shared layer is called more than once). Calls whose unit count differs from the first call's
 * are left out of the per-unit fractions.
 */
export function activationStatistics(
  outputs: readonly HostOutput[],
  activation: LayerActivation,
): ActivationStatistics {
  const first = outputs[0];
  const { units } = first ? unitLayout(first.shape, activation.unitAxis) : { units: 0 };
  const judge = activation.judge;
  const deadValue = judge?.deadValue ?? null;
  const saturation = judge?.saturation ?? [];
  const unitEverOn = new Uint8Array(units);
  const unitEverUnsaturated = new Uint8Array(units);
  const lastBin = activationBins.length;
  const histogram = new Array<number>(lastBin + 1).fill(0);
  let sum = 0;
  let finite = 0;
  let nanCount = 0;
  let infCount = 0;
  let inactive = 0;
  let saturated = 0;
  let counted = 0;
  for (const { values, shape } of outputs) {
    const layout = unitLayout(shape, activation.unitAxis);
    const pooled = layout.units === units;
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as number;
      if (Number.isNaN(value)) {
        nanCount++;
      } else if (!Number.isFinite(value)) {
        infCount++;
      } else {
        sum += value;
        finite++;
        const bin = Math.floor((value - histogramLow) * binsPerUnit) + 1;
        const index = Math.min(Math.max(bin, 0), lastBin);
        histogram[index] = (histogram[index] as number) + 1;
      }
      if (!pooled) continue;
      counted++;
      const unit = Math.floor(i / layout.inner) % units;
      if (value === deadValue) inactive++;
      else unitEverOn[unit] = 1;
      if (isSaturated(value, saturation)) saturated++;
      else unitEverUnsaturated[unit] = 1;
    }
  }
  const countOff = (flags: Uint8Array) => flags.reduce((total, flag) => total + (1 - flag), 0);
  const perUnit = (flags: Uint8Array) => (units > 0 ? countOff(flags) / units : 0);
  const perValue = (count: number) => (counted > 0 ? count / counted : 0);
  const canDie = deadValue !== null;
  const canSaturate = saturation.length > 0;
  return {
    activation: activation.name,
    units,
    meanActivation: finite > 0 ? sum / finite : Number.NaN,
    deadFraction: canDie ? perUnit(unitEverOn) : null,
    inactiveFraction: canDie ? perValue(inactive) : null,
    saturatedFraction: canSaturate ? perValue(saturated) : null,
    saturatedUnitFraction: canSaturate ? perUnit(unitEverUnsaturated) : null,
    nanCount,
    infCount,
    histogram,
  };
}
