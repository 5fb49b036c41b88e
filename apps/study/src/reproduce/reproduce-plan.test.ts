import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planReproduction, runName, studiesWithoutPreset } from './reproduce-plan.js';

const grid = { kind: 'grid', flags: ['seeds', 'epochs', 'trainer'] as const };
const unseeded = { kind: 'unseeded-kind', flags: ['epochs'] as const };
const adversarial = { kind: 'adversarial', flags: ['seeds', 'sources'] as const };
const presets = [
  { name: 'depth-activation', kind: grid },
  { name: 'one-seed', kind: unseeded },
  { name: 'fit-regimes', kind: grid },
];

describe('planReproduction', () => {
  it('runs every seedable preset, each in its own folder under the output folder', () => {
    const { runs } = planReproduction([], presets, 'out');
    expect(runs).toEqual([
      { preset: 'depth-activation', runFolder: join('out', 'depth-activation') },
      { preset: 'fit-regimes', runFolder: join('out', 'fit-regimes') },
    ]);
  });

  it('lists presets without seeds and studies without a preset as pending, with a reason', () => {
    const { pending } = planReproduction([], presets, 'out');
    expect(pending.map((study) => study.study)).toEqual([
      'one-seed',
      ...studiesWithoutPreset.map((study) => study.study),
    ]);
    expect(pending[0]?.reason).toContain('takes no --seeds');
    for (const study of pending) expect(study.reason.length).toBeGreaterThan(20);
  });

  it('runs each variant of a preset right after it, in its own folder', () => {
    const notebook = { name: 'notebook', sources: [102, 88] };
    const { runs } = planReproduction(
      [],
      [{ name: 'adversarial-mnist', kind: adversarial, variants: [notebook] }],
      'out',
    );
    expect(runs).toEqual([
      { preset: 'adversarial-mnist', runFolder: join('out', 'adversarial-mnist') },
      {
        preset: 'adversarial-mnist',
        runFolder: join('out', 'adversarial-mnist-notebook'),
        variant: notebook,
      },
    ]);
    expect(runs.map(runName)).toEqual(['adversarial-mnist', 'adversarial-mnist (notebook)']);
  });

  it('runs only the presets named, in the order named', () => {
    const { runs, pending } = planReproduction(['fit-regimes', 'depth-activation'], presets, 'o');
    expect(runs.map((run) => run.preset)).toEqual(['fit-regimes', 'depth-activation']);
    expect(pending).toEqual([]);
  });

  it('hands an unknown name on as a run, for loading the study to refuse it', () => {
    expect(planReproduction(['no-such'], presets, 'o').runs).toEqual([
      { preset: 'no-such', runFolder: join('o', 'no-such') },
    ]);
  });
});
