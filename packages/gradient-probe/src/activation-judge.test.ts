import '@tensorflow/tfjs-backend-cpu';
import { getActivation } from '@actlab/activations';
import { describe, expect, it } from 'vitest';
import { isSaturated, judgeActivation } from './activation-judge.js';

const saturatedAt = (name: Parameters<typeof judgeActivation>[0], value: number) =>
  isSaturated(value, judgeActivation(name)?.saturation ?? []);

describe('judgeActivation', () => {
  it('uses the thresholds of the issue for tanh and sigmoid', () => {
    expect(judgeActivation('tanh')).toMatchObject({ deadValue: null });
    expect(saturatedAt('tanh', 0.995)).toBe(true);
    expect(saturatedAt('tanh', -0.995)).toBe(true);
    expect(saturatedAt('tanh', 0.98)).toBe(false);
    expect(saturatedAt('sigmoid', 0.005)).toBe(true);
    expect(saturatedAt('sigmoid', 0.995)).toBe(true);
    expect(saturatedAt('sigmoid', 0.02)).toBe(false);
    expect(saturatedAt('sigmoid', 0.5)).toBe(false);
  });

  it('judges ReLU-like activations dead at an exact 0 and never saturated', () => {
    for (const name of ['relu', 'thresholdedRelu', 'hardShrink', 'hardSwish']) {
      expect(judgeActivation(name)?.deadValue, name).toBe(0);
    }
    expect(judgeActivation('relu')?.saturation).toEqual([]);
  });

  it('treats a non-zero hard clip as saturation and a zero clip as death', () => {
    expect(judgeActivation('relu6')).toMatchObject({
      deadValue: 0,
      saturation: [{ side: 'above', value: 6, inclusive: true }],
    });
    // Just below the clip the slope is still 1: not saturated.
    expect(saturatedAt('relu6', 5.99)).toBe(false);
    expect(saturatedAt('relu6', 6)).toBe(true);
    expect(judgeActivation('hardTanh')?.saturation.map((t) => t.value)).toEqual([-1, 1]);
    expect(judgeActivation('hardSigmoid')).toMatchObject({ deadValue: 0 });
  });

  it('follows the parameters of an activation (ELU with alpha 0.5 saturates near −0.5)', () => {
    expect(saturatedAt({ name: 'elu', alpha: 0.5 }, -0.495)).toBe(true);
    expect(saturatedAt({ name: 'elu', alpha: 0.5 }, -0.45)).toBe(false);
    expect(saturatedAt('elu', -0.995)).toBe(true);
    expect(saturatedAt('softplus', 0.005)).toBe(true);
  });

  it('does not call the minimum of swish, GELU or mish saturation', () => {
    for (const name of ['swish', 'gelu', 'mish', 'leakyRelu', 'linear']) {
      expect(judgeActivation(name), name).toMatchObject({ deadValue: null, saturation: [] });
    }
  });

  it('judges lecunTanh, which has no finite bound, by where its slope falls under 1 % of its peak', () => {
    const lecun = getActivation('lecunTanh');
    const thresholds = judgeActivation('lecunTanh')?.saturation ?? [];
    expect(thresholds.map((t) => t.side)).toEqual(['below', 'above']);
    const peak = lecun.derivativeRange.max;
    for (const threshold of thresholds) {
      // Map the output threshold back to x by bisection (f is increasing), then read f′ there.
      let low = -50;
      let high = 50;
      for (let i = 0; i < 80; i++) {
        const middle = (low + high) / 2;
        if (lecun.f(middle) < threshold.value) low = middle;
        else high = middle;
      }
      expect(lecun.df(low) / peak).toBeCloseTo(0.01, 3);
    }
  });

  it('knows tfjs-layers names and returns null for what it cannot judge', () => {
    expect(judgeActivation('gelu_new')?.name).toBe('gelu');
    expect(judgeActivation('softmax')).toBeNull();
    expect(judgeActivation('noSuchActivation')).toBeNull();
  });
});
