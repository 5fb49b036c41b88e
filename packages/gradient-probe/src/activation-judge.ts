import { type Activation, type ActivationSpec, getActivation } from '@actlab/activations';

/** One side on which an activation's outputs count as saturated. */
export interface SaturationThreshold {
  /** `below`: outputs under `value` are saturated; `above`: outputs over it. */
  side: 'below' | 'above';
  value: number;
  /** Whether an output exactly at `value` counts (true for hard clips such as ReLU6's 6). */
  inclusive: boolean;
}

/**
 * How the probe judges one activation's outputs. Built from the exact description of the
 * activation in `@actlab/activations` (range, zero-slope zones, saturation zones), so every
 * activation and parameter value is judged by the same rules:
 *
 * - dead: the output is exactly the value of a flat region at 0 (ReLU for x ≤ 0, the middle of
 *   hardShrink); a unit is dead when no sample of the batch moves it off that value.
 * - saturated: the output is within 0.01·max(1, |b|) of a finite bound b that f approaches
 *   asymptotically (|tanh| > 0.99, sigmoid < 0.01 or > 0.99, ELU < −0.99, softplus < 0.01), or
 *   sits on a non-zero hard clip (ReLU6 at 6, hardTanh at ±1). For an unbounded monotone
 *   activation with flat tails (lecunTanh), the output lies beyond f at the edge of a tail where
 *   |f′| < 1 % of its maximum.
 */
export interface ActivationJudge {
  /** Activation name, e.g. `relu`, `tanh`. */
  name: string;
  /** Output of a unit that is off (0), or null when the activation cannot die. */
  deadValue: number | null;
  /** Where outputs count as saturated; empty when the activation does not saturate. */
  saturation: SaturationThreshold[];
}

/** tfjs-layers activation names whose function is one of ours under another name or parameters. */
const tfjsNames: Record<string, ActivationSpec> = {
  gelu_new: { name: 'gelu', approximate: 1 },
  hard_sigmoid: 'hardSigmoid',
};

/** A point strictly inside a zone, to read the constant value f takes there. */
function pointInside(zone: { min: number; max: number }): number {
  if (Number.isFinite(zone.min) && Number.isFinite(zone.max)) return (zone.min + zone.max) / 2;
  if (Number.isFinite(zone.max)) return zone.max - 1;
  if (Number.isFinite(zone.min)) return zone.min + 1;
  return 0;
}

function judgeOf(activation: Activation): ActivationJudge {
  const { range } = activation;
  const flatValues = activation.deadZones.map((zone) => activation.f(pointInside(zone)));
  const deadValue = flatValues.some((value) => value === 0) ? 0 : null;
  const saturation: SaturationThreshold[] = [];
  const bounds = [
    { side: 'below', bound: range.min, attained: range.minInclusive },
    { side: 'above', bound: range.max, attained: range.maxInclusive },
  ] as const;
  for (const { side, bound, attained } of bounds) {
    if (!Number.isFinite(bound) || bound === deadValue) continue;
    if (attained) {
      // A minimum or maximum reached at one point (swish, GELU) is not saturation; a clip is.
      if (flatValues.some((value) => value === bound)) {
        saturation.push({ side, value: bound, inclusive: true });
      }
      continue;
    }
    const tolerance = 0.01 * Math.max(1, Math.abs(bound));
    saturation.push({
      side,
      value: side === 'below' ? bound + tolerance : bound - tolerance,
      inclusive: false,
    });
  }
  const monotone = activation.derivativeRange.min >= 0;
  if (saturation.length === 0 && monotone) {
    for (const zone of activation.saturationZones) {
      if (zone.min === Number.NEGATIVE_INFINITY && Number.isFinite(zone.max)) {
        saturation.push({ side: 'below', value: activation.f(zone.max), inclusive: true });
      } else if (zone.max === Number.POSITIVE_INFINITY && Number.isFinite(zone.min)) {
        saturation.push({ side: 'above', value: activation.f(zone.min), inclusive: true });
      }
    }
  }
  return { name: activation.name, deadValue, saturation };
}

const judges = new Map<string, ActivationJudge | null>();

/**
 * The judge for an activation, or null when `@actlab/activations` does not know it (softmax,
 * a custom function). Accepts actlab names and specs (`'tanh'`, `{name: 'elu', alpha: 0.5}`) and
 * tfjs-layers activation names (`'gelu_new'`).
 *
 * @param spec - an activation name or `{name, ...parameters}`
 */
export function judgeActivation(spec: ActivationSpec): ActivationJudge | null {
  const resolved = typeof spec === 'string' ? (tfjsNames[spec] ?? spec) : spec;
  const key = JSON.stringify(resolved);
  if (!judges.has(key)) {
    let judge: ActivationJudge | null = null;
    try {
      judge = judgeOf(getActivation(resolved));
    } catch {
      judge = null;
    }
    judges.set(key, judge);
  }
  return judges.get(key) ?? null;
}

/** True when `value` lies in a saturated region of the judge. */
export function isSaturated(value: number, saturation: readonly SaturationThreshold[]): boolean {
  for (const threshold of saturation) {
    if (threshold.side === 'below') {
      if (threshold.inclusive ? value <= threshold.value : value < threshold.value) return true;
    } else if (threshold.inclusive ? value >= threshold.value : value > threshold.value) {
      return true;
    }
  }
  return false;
}
