import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainAmortisedGenerator } from './amortised.js';
import { carliniWagnerL2, deepFool, fgsm, pgd } from './attacks.js';
import { evaluateAttack } from './evaluate.js';
import { generatorAttack } from './generator.js';
import { tinyClassifier } from './test-fixtures.js';

let model: tfl.LayersModel;
let images: tf.Tensor4D;
let labels: number[];
const sample = (i: number) => tf.tidy(() => tf.squeeze(tf.slice(images, i, 1), [0]));
const pairs = [0, 1, 2, 3, 4, 5].map((i) => ({
  i,
  target: ((labels?.[i] ?? i % 4) + 1 + (i % 3)) % 4,
}));

beforeAll(async () => {
  await tf.setBackend('cpu');
  ({ model, images, labels } = await tinyClassifier());
});
afterAll(() => {
  images.dispose();
  model.dispose();
});

function range(t: tf.Tensor): [number, number] {
  return tf.tidy(() => [tf.min(t).dataSync()[0] as number, tf.max(t).dataSync()[0] as number]);
}

describe('gradient attacks', () => {
  it('classifies the clean tiny set well, so attacks have something to break', () => {
    const accuracy = tf.tidy(() => {
      const p = tf.argMax(model.predict(images) as tf.Tensor, 1);
      return tf.mean(tf.cast(tf.equal(p, tf.tensor1d(labels, 'int32')), 'float32')).dataSync()[0];
    });
    expect(accuracy).toBeGreaterThan(0.95);
  });

  it('targeted PGD reaches the target on most pairs and stays in the L∞ ball and [0, 1]', () => {
    let hits = 0;
    for (const { i, target } of pairs) {
      const x = sample(i);
      const r = pgd(model, x, { targetClass: target, epsilon: 0.5, steps: 30, seed: 1 });
      hits += r.success ? 1 : 0;
      expect(r.linf).toBeLessThanOrEqual(0.5 + 1e-5);
      const [lo, hi] = range(r.adversarial);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      tf.dispose([x, r.adversarial, r.perturbation]);
    }
    expect(hits).toBeGreaterThanOrEqual(5);
  });

  it('PGD-L2 keeps the perturbation inside the L2 ball', () => {
    const x = sample(0);
    const r = pgd(model, x, { targetClass: 2, norm: 'l2', epsilon: 1, steps: 20 });
    expect(r.l2).toBeLessThanOrEqual(1 + 1e-4);
    tf.dispose([x, r.adversarial, r.perturbation]);
  });

  it('untargeted FGSM with a large ε changes the label and keeps L∞ ≤ ε', () => {
    const x = sample(1);
    const r = fgsm(model, x, { label: labels[1] as number, epsilon: 0.6 });
    expect(r.success).toBe(true);
    expect(r.linf).toBeLessThanOrEqual(0.6 + 1e-5);
    tf.dispose([x, r.adversarial, r.perturbation]);
  });

  it('DeepFool and Carlini–Wagner L2 fool the classifier with pixels in [0, 1]', () => {
    const x = sample(2);
    const d = deepFool(model, x, { label: labels[2] as number });
    const c = carliniWagnerL2(model, x, {
      targetClass: ((labels[2] as number) + 1) % 4,
      c: 10,
      steps: 200,
    });
    for (const r of [d, c]) {
      expect(r.success).toBe(true);
      const [lo, hi] = range(r.adversarial);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
    }
    tf.dispose([x, d.adversarial, d.perturbation, c.adversarial, c.perturbation]);
  });
});

describe('generatorAttack', () => {
  it('reproduces the source image before the attack stage, then reaches the target', () => {
    const x = sample(0);
    const r = generatorAttack(model, x, {
      targetClass: 3,
      schedule: 'stagewise',
      reconstructSteps: 300,
      attackSteps: 300,
      learningRate: 0.01,
      confidence: 0.9,
      seed: 1,
    });
    expect(r.reconstructionMse).toBeLessThan(0.005);
    expect(r.success).toBe(true);
    expect(r.confidence).toBeGreaterThanOrEqual(0.9);
    tf.dispose([x, r.adversarial, r.perturbation]);
  }, 30_000);

  it('the seed schedule (alternating steps, no closeness term) reaches the target on at least half the pairs', () => {
    let hits = 0;
    for (const { i, target } of pairs.slice(0, 4)) {
      const x = sample(i);
      const r = generatorAttack(model, x, {
        targetClass: target,
        attackSteps: 400,
        learningRate: 0.01,
        closenessWeight: 0,
        confidence: 0.6,
        seed: 1,
      });
      hits += r.success ? 1 : 0;
      tf.dispose([x, r.adversarial, r.perturbation]);
    }
    expect(hits).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('is deterministic with a seed and leaks no tensors', () => {
    const x = sample(3);
    const before = tf.memory().numTensors;
    const run = () =>
      generatorAttack(model, x, { targetClass: 0, attackSteps: 30, learningRate: 0.01, seed: 4 });
    const a = run();
    const b = run();
    expect(Array.from(a.adversarial.dataSync())).toEqual(Array.from(b.adversarial.dataSync()));
    tf.dispose([a.adversarial, a.perturbation, b.adversarial, b.perturbation]);
    const r = pgd(model, x, { targetClass: 1, steps: 5 });
    tf.dispose([r.adversarial, r.perturbation]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('any image shape', () => {
  it('attacks a 32×32×3 classifier (CIFAR-10 shape) with the same calls', () => {
    const rgb = tfl.sequential();
    rgb.add(tfl.layers.flatten({ inputShape: [32, 32, 3] }));
    rgb.add(
      tfl.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
      }),
    );
    const x = tf.randomUniform([32, 32, 3], 0, 1, 'float32', 2);
    const g = generatorAttack(rgb, x, {
      targetClass: 7,
      schedule: 'stagewise',
      reconstructSteps: 20,
      attackSteps: 20,
      seed: 1,
    });
    const p = pgd(rgb, x, { targetClass: 7, epsilon: 0.1, steps: 10 });
    expect(g.adversarial.shape).toEqual([32, 32, 3]);
    expect(p.adversarial.shape).toEqual([32, 32, 3]);
    expect(p.linf).toBeLessThanOrEqual(0.1 + 1e-5);
    tf.dispose([x, g.adversarial, g.perturbation, p.adversarial, p.perturbation]);
    rgb.dispose();
  }, 30_000);
});

describe('amortised generator and evaluateAttack', () => {
  it('trains once and then fools the classifier with one forward pass, reported per ε', () => {
    const before = tf.memory().numTensors;
    const generator = trainAmortisedGenerator(model, images, {
      steps: 150,
      epsilon: 0.5,
      learningRate: 0.005,
      seed: 1,
    });
    const batch = tf.slice(images, 0, 8);
    const targets = labels.slice(0, 8).map((l) => (l + 1) % 4);
    const [amortised] = evaluateAttack(
      model,
      (_model, x, g) => generator.attack(x, { targetClass: g.targetClass as number }),
      batch,
      labels.slice(0, 8),
      { targets },
    );
    expect(amortised?.successRate).toBeGreaterThanOrEqual(0.75);
    expect(amortised?.meanLinf).toBeLessThanOrEqual(0.5 + 1e-5);
    const sweep = evaluateAttack(model, (m, x, g) => fgsm(m, x, g), batch, labels.slice(0, 8), {
      epsilons: [0, 0.6],
    });
    const clean = tf.tidy(
      () =>
        tf
          .mean(
            tf.cast(
              tf.equal(
                tf.argMax(model.predict(batch) as tf.Tensor, 1),
                tf.tensor1d(labels.slice(0, 8), 'int32'),
              ),
              'float32',
            ),
          )
          .dataSync()[0],
    );
    expect(sweep[0]?.robustAccuracy).toBe(clean);
    expect(sweep[1]?.robustAccuracy).toBeLessThan(sweep[0]?.robustAccuracy as number);
    generator.dispose();
    batch.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 30_000);
});

describe('bad input', () => {
  it('throws typed errors for a wrong shape, a target out of range and non-finite pixels', () => {
    const wrong = tf.zeros([9, 9, 1]);
    const nan = tf.fill([8, 8, 1], Number.NaN);
    const x = sample(0);
    expect(() => generatorAttack(model, wrong, { targetClass: 1 })).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
    expect(() => pgd(model, x, { targetClass: 4 })).toThrow(
      expect.objectContaining({ code: 'TARGET_OUT_OF_RANGE' }),
    );
    expect(() => fgsm(model, nan, { targetClass: 1 })).toThrow(
      expect.objectContaining({ code: 'NON_FINITE_INPUT' }),
    );
    expect(() => pgd(model, x, { targetClass: 1, epsilon: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    tf.dispose([wrong, nan, x]);
  });
});
