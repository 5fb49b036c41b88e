import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { activationSpecSchema } from './activation-spec-schema.js';
import { activationLayer } from './layers/activation-layer.js';
import { getActivation } from './registry.js';
import { sampleActivation } from './sample-activation.js';

describe('activationSpecSchema', () => {
  it('parses names and parameterised specs that the registry functions take without casts', () => {
    const named = activationSpecSchema.parse('tanh');
    const leaky = activationSpecSchema.parse({ name: 'leakyRelu', alpha: 0.1 });
    expect(getActivation(named).name).toBe('tanh');
    expect(getActivation(leaky).f(-1)).toBeCloseTo(-0.1, 12);
    expect(sampleActivation(leaky, { from: -1, to: 1, steps: 3 }).x).toHaveLength(3);
    const layer = activationLayer(leaky, { name: 'activation_1' });
    expect(layer.name).toBe('activation_1');
  });

  it('refuses an empty name, a spec without a name and non-finite parameters', () => {
    for (const bad of ['', { alpha: 1 }, { name: '' }, { name: 'elu', alpha: Number.NaN }, 3]) {
      expect(activationSpecSchema.safeParse(bad).success).toBe(false);
    }
  });
});
