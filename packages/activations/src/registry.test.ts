import { ActlabError } from '@actlab/errors';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; tfjs-layers and the tfjs bundle do this import.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Activation } from './activation.js';
import { type Interval, intervalContains } from './interval.js';
import { activationNames, activations, getActivation } from './registry.js';
import { sampleActivation } from './sample-activation.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const grid = (from: number, to: number, step: number) =>
  Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);

/** Points away from the activation's kinks, where f is differentiable. */
const smoothPoints = (activation: Activation, points: number[]) =>
  points.filter((x) => activation.kinks.every((kink) => Math.abs(x - kink) > 1e-3));

// A few parameterised variants besides the defaults.
const variants: Activation[] = [
  ...Object.values(activations),
  getActivation({ name: 'leakyRelu', alpha: 0.1 }),
  getActivation({ name: 'elu', alpha: 2 }),
  getActivation({ name: 'elu', alpha: 0.5 }),
  getActivation({ name: 'gelu', approximate: 1 }),
  getActivation({ name: 'swish', beta: 2 }),
  getActivation({ name: 'celu', alpha: 0.5 }),
  getActivation({ name: 'hardTanh', min: -2, max: 3 }),
  getActivation({ name: 'softShrink', lambda: 1 }),
  getActivation({ name: 'squareplus', b: 1 }),
  getActivation({ name: 'thresholdedRelu', theta: 0.5 }),
  // Features far from the origin, where a fixed search window would miss them.
  getActivation({ name: 'thresholdedRelu', theta: 40 }),
  getActivation({ name: 'hardTanh', min: -100, max: 100 }),
  getActivation({ name: 'celu', alpha: 10 }),
];

/** Half-width of a window that holds every kink and what lies around them. */
const extentOf = (activation: Activation, margin: number) =>
  margin + Math.max(0, ...activation.kinks.map(Math.abs));
const label = (activation: Activation) =>
  `${activation.name}${JSON.stringify(activation.parameters)}`;

describe('the registry', () => {
  it('has every activation the issue lists', () => {
    for (const name of [
      'relu',
      'tanh',
      'sigmoid',
      'leakyRelu',
      'lecunTanh',
      'elu',
      'selu',
      'gelu',
      'swish',
      'mish',
      'softplus',
      'softsign',
      'hardSigmoid',
      'linear',
      'relu6',
      'celu',
      'hardTanh',
      'hardSwish',
      'logSigmoid',
      'softShrink',
      'hardShrink',
      'tanhShrink',
      'squareplus',
      'thresholdedRelu',
      'exponential',
    ]) {
      expect(activationNames).toContain(name);
      expect(activations[name]?.formula.length).toBeGreaterThan(0);
    }
  });
});

describe.each(variants.map((activation) => [label(activation), activation] as const))(
  '%s',
  (_, activation) => {
    const points = smoothPoints(activation, grid(-6, 6, 0.01));

    it('has an analytic derivative equal to tf.grad of fn within 1e-4', () => {
      const [analytic, autodiff] = tf.tidy(() => {
        const x = tf.tensor1d(points);
        return [
          activation.derivative(x).dataSync(),
          tf
            .grad((t: tf.Tensor) => activation.fn(t))(x)
            .dataSync(),
        ];
      });
      for (let i = 0; i < points.length; i++) {
        const scale = Math.max(1, Math.abs(analytic[i] as number));
        expect(
          Math.abs((analytic[i] as number) - (autodiff[i] as number)),
          `x=${points[i]}`,
        ).toBeLessThan(1e-4 * scale);
      }
    });

    it('matches its float64 reference, whose derivative matches central finite differences', () => {
      const [values, slopes] = tf.tidy(() => {
        const x = tf.tensor1d(points);
        return [activation.fn(x).dataSync(), activation.derivative(x).dataSync()];
      });
      const h = 1e-6;
      for (let i = 0; i < points.length; i++) {
        const x = points[i] as number;
        const reference = activation.f(x);
        const slope = activation.df(x);
        expect(Math.abs((values[i] as number) - reference), `f at ${x}`).toBeLessThan(
          2e-5 * Math.max(1, Math.abs(reference)),
        );
        expect(Math.abs((slopes[i] as number) - slope), `f' at ${x}`).toBeLessThan(
          2e-5 * Math.max(1, Math.abs(slope)),
        );
        const finiteDifference = (activation.f(x + h) - activation.f(x - h)) / (2 * h);
        expect(Math.abs(finiteDifference - slope), `finite difference at ${x}`).toBeLessThan(
          1e-6 * Math.max(1, Math.abs(slope)),
        );
      }
    });

    it('stays inside range and derivativeRange and reaches the bounds that are attained', () => {
      const extent = extentOf(activation, 15);
      // Bounds attained only at a kink (hardSwish′ = −0.5 at −3) need the kink itself.
      const dense = [...grid(-extent, extent, extent / 30000), ...activation.kinks];
      const values = dense.map(activation.f);
      const slopes = dense.map(activation.df);
      for (const [range, samples, name] of [
        [activation.range, values, 'f'],
        [activation.derivativeRange, slopes, "f'"],
      ] as const) {
        const outside = samples.findIndex((value) => !intervalContains(range, value));
        expect(
          outside,
          `${name}(${dense[outside]}) = ${samples[outside]} is outside the range`,
        ).toBe(-1);
        const lowest = Math.min(...samples);
        const highest = Math.max(...samples);
        if (range.minInclusive) expect(lowest - range.min, `${name} min`).toBeLessThan(1e-6);
        if (range.maxInclusive) expect(range.max - highest, `${name} max`).toBeLessThan(1e-6);
        // Open bounds are approached: finite ones within 0.01 on [−1000, 1000], infinite ones grow.
        const far = [-1e3, -100, 100, 1e3].map(name === 'f' ? activation.f : activation.df);
        const edge = [...far, lowest, highest];
        const fn = name === 'f' ? activation.f : activation.df;
        const extremes = [fn(-1e9), fn(1e9)];
        if (!range.minInclusive) {
          if (Number.isFinite(range.min)) expect(Math.min(...edge) - range.min).toBeLessThan(1e-2);
          else expect(Math.min(...extremes)).toBeLessThan(-1e5);
        }
        if (!range.maxInclusive) {
          if (Number.isFinite(range.max)) expect(range.max - Math.max(...edge)).toBeLessThan(1e-2);
          else expect(Math.max(...extremes)).toBeGreaterThan(1e5);
        }
      }
    });

    it('has zero slope in its dead zones and a vanishing one in its saturation zones, and not just outside them', () => {
      const largest = Math.max(
        Math.abs(activation.derivativeRange.min),
        Math.abs(activation.derivativeRange.max),
      );
      const extent = extentOf(activation, 60);
      const inDeadZone = (x: number) => activation.deadZones.some((z) => intervalContains(z, x));
      const check = (
        zones: readonly Interval[],
        inside: (x: number) => void,
        outside: (x: number) => void,
      ) => {
        for (const zone of zones) {
          const from = Math.max(zone.min, -extent);
          const to = Math.min(zone.max, extent);
          for (const x of grid(from, to, Math.max((to - from) / 2000, 1e-4))) {
            if (intervalContains(zone, x)) inside(x);
          }
          if (Number.isFinite(zone.min)) outside(zone.min - 1e-3);
          if (Number.isFinite(zone.max)) outside(zone.max + 1e-3);
        }
      };
      check(
        activation.deadZones,
        (x) => expect(activation.df(x), `dead at ${x}`).toBe(0),
        (x) => expect(activation.df(x), `just outside a dead zone at ${x}`).not.toBe(0),
      );
      check(
        activation.saturationZones,
        (x) => {
          expect(Math.abs(activation.df(x)), `saturated at ${x}`).toBeLessThan(0.01 * largest);
          expect(inDeadZone(x), `saturated at ${x}, not dead`).toBe(false);
        },
        (x) =>
          expect(
            inDeadZone(x) || Math.abs(activation.df(x)) >= 0.01 * largest * 0.999,
            `just outside a saturation zone at ${x}`,
          ).toBe(true),
      );
    });

    it('frees every intermediate tensor', () => {
      const x = tf.tensor1d(points);
      const before = tf.memory().numTensors;
      const y = activation.fn(x);
      const dy = activation.derivative(x);
      expect(tf.memory().numTensors).toBe(before + 2);
      tf.dispose([x, y, dy]);
    });
  },
);

describe('zones, gains and parameters', () => {
  it('puts the saturation of tanh and sigmoid and the dead half of ReLU where the math says', () => {
    // tanh′ = sech²x < 0.01 ⇔ |x| > acosh(10); sigmoid′ < 0.0025 ⇔ |x| > 2·acosh(10).
    const tanhEdge = Math.acosh(10);
    expect(activations.tanh?.saturationZones.map((zone) => zone.max)).toEqual([
      expect.closeTo(-tanhEdge, 9),
      Number.POSITIVE_INFINITY,
    ]);
    expect(activations.sigmoid?.saturationZones[1]?.min).toBeCloseTo(2 * tanhEdge, 9);
    expect(activations.relu?.deadZones).toEqual([
      { min: Number.NEGATIVE_INFINITY, max: 0, minInclusive: false, maxInclusive: true },
    ]);
    expect(activations.relu?.saturationZones).toEqual([]);
  });

  it('puts saturation around the isolated zeros of f′ inside one zone', () => {
    // tanhShrink′ = tanh²x < 0.01 ⇔ |x| < atanh(0.1); hardSwish′ = x/3 + 1/2, |·| < 0.015 near −1.5.
    expect(activations.tanhShrink?.saturationZones).toEqual([
      {
        min: expect.closeTo(-Math.atanh(0.1), 12),
        max: expect.closeTo(Math.atanh(0.1), 12),
        minInclusive: false,
        maxInclusive: false,
      },
    ]);
    const [hardSwishZone] = activations.hardSwish?.saturationZones ?? [];
    expect([hardSwishZone?.min, hardSwishZone?.max]).toEqual([
      expect.closeTo(-1.545, 12),
      expect.closeTo(-1.455, 12),
    ]);
    expect(activations.hardSwish?.deadZones).toEqual([
      { min: Number.NEGATIVE_INFINITY, max: -3, minInclusive: false, maxInclusive: false },
    ]);
  });

  it('finds zones wherever the parameters put them, however far or narrow', () => {
    const zones = (spec: Parameters<typeof getActivation>[0]) => {
      const activation = getActivation(spec);
      return { dead: activation.deadZones, saturation: activation.saturationZones };
    };
    const whole = Number.POSITIVE_INFINITY;
    expect(zones({ name: 'thresholdedRelu', theta: 40 }).dead).toEqual([
      { min: -whole, max: 40, minInclusive: false, maxInclusive: true },
    ]);
    expect(zones({ name: 'softShrink', lambda: 35 }).dead).toEqual([
      { min: -35, max: 35, minInclusive: true, maxInclusive: true },
    ]);
    expect(zones({ name: 'hardTanh', min: -100, max: 100 }).dead).toEqual([
      { min: -whole, max: -100, minInclusive: false, maxInclusive: true },
      { min: 100, max: whole, minInclusive: true, maxInclusive: false },
    ]);
    expect(zones({ name: 'hardTanh', min: 0.1, max: 0.1000001 }).dead.map((z) => z.max)).toEqual([
      0.1,
      whole,
    ]);
    // celu′ = e^{x/α} < 0.01 ⇔ x < α·ln 0.01; squareplus′ < 0.01 ⇔ x < −√(b·0.9604/0.0396).
    expect(zones({ name: 'celu', alpha: 10 }).saturation[0]?.max).toBeCloseTo(
      10 * Math.log(0.01),
      9,
    );
    expect(zones({ name: 'squareplus', b: 1000 }).saturation[0]?.max).toBeCloseTo(
      -Math.sqrt((1000 * 0.9604) / 0.0396),
      9,
    );
    // swish_β(x) = swish_1(βx)/β, so its zones stretch by 1/β.
    const unit = zones('swish').saturation;
    const stretched = zones({ name: 'swish', beta: 0.05 }).saturation;
    expect(stretched.map((z) => [z.min, z.max])).toEqual(
      unit.map((z) => [expect.closeTo(z.min * 20, 8), expect.closeTo(z.max * 20, 8)]),
    );
  });

  it("uses PyTorch's calculate_gain values where PyTorch defines them", () => {
    expect(activations.linear?.gain).toBe(1);
    expect(activations.sigmoid?.gain).toBe(1);
    expect(activations.tanh?.gain).toBeCloseTo(5 / 3, 12);
    expect(activations.relu?.gain).toBeCloseTo(Math.SQRT2, 12);
    expect(getActivation({ name: 'leakyRelu', alpha: 0.1 }).gain).toBeCloseTo(
      Math.sqrt(2 / 1.01),
      12,
    );
    expect(activations.selu?.gain).toBe(0.75);
  });

  it('derives other gains from the second moment, a rule that reproduces PyTorch for ReLU', () => {
    // E[relu(z)²] = 1/2 and E[(z·Φ(z))²] ≈ 0.4252 give √2 and ≈ 1.5335.
    expect(activations.gelu?.gainSource).toBe('second-moment');
    expect(activations.gelu?.gain).toBeCloseTo(1.5335, 3);
    expect(activations.exponential?.gain).toBeCloseTo(Math.exp(-1), 6);
  });

  it('lets parameters move the ranges: leaky slope 0.1, ELU with α = 2 (which tfjs-layers refuses)', () => {
    expect(getActivation('leakyRelu', { alpha: 0.1 }).derivativeRange).toMatchObject({
      min: 0.1,
      max: 1,
    });
    expect(getActivation({ name: 'elu', alpha: 2 }).range).toMatchObject({
      min: -2,
      minInclusive: false,
    });
    expect(activations.lecunTanh?.derivativeRange.min).toBe(0.01);
    expect(activations.lecunTanh?.derivativeRange.max).toBeCloseTo(1.15393, 5);
  });
});

describe('bad input', () => {
  const errorOf = (action: () => unknown) => {
    try {
      action();
    } catch (error) {
      return error as ActlabError;
    }
    throw new Error('expected an error');
  };

  it('rejects an unknown name, naming the valid choices', () => {
    const error = errorOf(() => getActivation('relux'));
    expect(ActlabError.hasCode(error, 'UNKNOWN_ACTIVATION')).toBe(true);
    expect(error.message).toContain('relu, tanh, sigmoid');
    expect(error.message).toContain('learnableLinear');
  });

  it('points a learnable name to activationLayer', () => {
    expect(errorOf(() => getActivation('prelu')).message).toContain("activationLayer('prelu')");
  });

  it('rejects a negative alpha, an unknown parameter and a non-finite value', () => {
    expect(errorOf(() => getActivation('leakyRelu', { alpha: -1 })).code).toBe('INVALID_PARAMETER');
    const unknown = errorOf(() => getActivation({ name: 'elu', beta: 1 }));
    expect(unknown.message).toContain('its parameters are: alpha');
    expect(errorOf(() => getActivation('swish', { beta: Number.NaN })).code).toBe(
      'INVALID_PARAMETER',
    );
  });

  it('rejects a negative steps count and an empty range when sampling', () => {
    expect(errorOf(() => sampleActivation('relu', { steps: -3 })).code).toBe('INVALID_SAMPLING');
    expect(errorOf(() => sampleActivation('relu', { from: 1, to: 1 })).code).toBe(
      'INVALID_SAMPLING',
    );
  });

  it('samples f and f′ on an even grid, ends included', () => {
    const sample = sampleActivation('relu', { from: -1, to: 1, steps: 5 });
    expect(sample).toEqual({ x: [-1, -0.5, 0, 0.5, 1], y: [0, 0, 0, 0.5, 1], dy: [0, 0, 0, 1, 1] });
  });
});
