import type { LayersModel, layers } from '@tensorflow/tfjs-layers';
import { LearnableLinear } from './learnable-linear.js';
import { LearnablePReLU } from './learnable-prelu.js';
import { LearnableSwish } from './learnable-swish.js';
import { RationalActivation } from './rational-activation.js';

/** The current parameters of one learnable activation layer. */
export interface LearnedParameters {
  /** The layer's name in the model. */
  layer: string;
  /** Registry name: learnableLinear, prelu, learnableSwish or rational. */
  activation: 'learnableLinear' | 'prelu' | 'learnableSwish' | 'rational';
  /** Each weight's values by its short name (`k0`, `k1`, `alpha`, `beta`, `numerator`, `denominator`). */
  values: Record<string, number[]>;
}

const kinds: [new (...args: never[]) => layers.Layer, LearnedParameters['activation']][] = [
  [LearnableLinear, 'learnableLinear'],
  [LearnablePReLU, 'prelu'],
  [LearnableSwish, 'learnableSwish'],
  [RationalActivation, 'rational'],
];

function collect(layerList: layers.Layer[], found: LearnedParameters[]): void {
  for (const layer of layerList) {
    const nested = (layer as unknown as { layers?: layers.Layer[] }).layers;
    if (Array.isArray(nested)) {
      collect(nested, found);
      continue;
    }
    const kind = kinds.find(([type]) => layer instanceof type);
    if (!kind) continue;
    const values: Record<string, number[]> = {};
    for (const weight of layer.weights) {
      const shortName = weight.originalName.split('/').pop() as string;
      values[shortName] = Array.from(weight.read().dataSync());
    }
    found.push({ layer: layer.name, activation: kind[1], values });
  }
}

/**
 * For every learnable activation layer in a model (nested models included), its name and its
 * current parameter values, e.g. to chart k0 and k1 after every epoch.
 */
export function learnedParameters(model: LayersModel): LearnedParameters[] {
  const found: LearnedParameters[] = [];
  collect(model.layers, found);
  return found;
}
