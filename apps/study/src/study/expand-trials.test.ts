import { describe, expect, it } from 'vitest';
import { expandTrials, formatAxisValue } from './expand-trials.js';
import { studySchema } from './study-schema.js';

const study = studySchema.parse({
  name: 'grid',
  title: 'Grid',
  description: 'd',
  base: { epochs: 10, width: 16 },
  grid: { activation: ['relu', { name: 'leakyRelu', alpha: 0.1 }], depth: [2, 3, 4] },
  seeds: 2,
  quick: { epochs: 1, trainSize: 100 },
});

describe('expandTrials', () => {
  it('makes the cartesian product of the grid times the seeds, seeds innermost', () => {
    const trials = expandTrials(study);
    expect(trials).toHaveLength(2 * 3 * 2);
    expect(trials[0]?.label).toBe('activation=relu depth=2 seed=1');
    expect(trials[1]?.label).toBe('activation=relu depth=2 seed=2');
    expect(trials[11]?.label).toBe('activation=leakyRelu(alpha=0.1) depth=4 seed=2');
    expect(new Set(trials.map((trial) => trial.id)).size).toBe(12);
  });

  it('gives the same id to the same settings whatever the key order', () => {
    const again = expandTrials(
      studySchema.parse({
        ...study,
        grid: { depth: [2, 3, 4], activation: study.grid.activation },
      }),
    );
    expect(new Set(again.map((trial) => trial.id))).toEqual(
      new Set(expandTrials(study).map((trial) => trial.id)),
    );
  });

  it('applies quick overrides, seed count and epoch overrides, which change the ids', () => {
    const quick = expandTrials(study, { quick: true, seeds: 1, epochs: 3 });
    expect(quick).toHaveLength(6);
    expect(quick[0]?.settings.trainSize).toBe(100);
    expect(quick[0]?.settings.epochs).toBe(3);
    expect(quick[0]?.id).not.toBe(expandTrials(study)[0]?.id);
  });

  it('formats grid values for labels', () => {
    expect(formatAxisValue([128, 64])).toBe('128-64');
    expect(formatAxisValue(null)).toBe('none');
    expect(formatAxisValue({ name: 'sgd', learningRate: 0.01 })).toBe('sgd(learningRate=0.01)');
  });
});
