import { getActivation } from '@actlab/activations';

/** How a layer's outputs are judged: which values mean "dead" and which "saturated". */
export interface ActivationJudge {
  /** Activation name as the probe understood it. */
  name: string;
  /** Output values where f′ = 0 (attained bounds inside a dead zone, e.g. ReLU's 0). */
  deadValues: number[];
  /** Asymptotes f approaches as f′ → 0 (tanh's ±1, sigmoid's 0 and 1). */
  asymptotes: number[];
}

/** tfjs-layers' activation names that mean the same function as ours (for bounds). */
const tfjsNames: Record<string, string> = {
  relu: 'relu',
  relu6: 'relu6',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  elu: 'elu',
  selu: 'selu',
  softplus: 'softplus',
  softsign: 'softsign',
  hardSigmoid: 'hardSigmoid',
  hard_sigmoid: 'hardSigmoid',
  swish: 'swish',
  mish: 'mish',
  gelu: 'gelu',
  gelu_new: 'gelu',
};

/**
 * The judge for an activation spec, or null when nothing can be said (linear, softmax, unknown).
 * Dead values: bounds of the range that are attained and where f′ is 0. Asymptotes: finite
 * bounds that are approached but not attained.
 */
export function judgeFor(spec: unknown): ActivationJudge | null {
  const raw = typeof spec === 'string' ? (tfjsNames[spec] ?? spec) : spec;
  let activation: ReturnType<typeof getActivation>;
  try {
    activation = getActivation(raw as never);
  } catch {
    return null;
  }
  const { range } = activation;
  const deadValues: number[] = [];
  const asymptotes: number[] = [];
  for (const [bound, inclusive] of [
    [range.min, range.minInclusive],
    [range.max, range.maxInclusive],
  ] as const) {
    if (!Number.isFinite(bound)) continue;
    if (inclusive) {
      if (activation.deadZones.length > 0) deadValues.push(bound);
    } else {
      asymptotes.push(bound);
    }
  }
  return { name: activation.name, deadValues, asymptotes };
}
