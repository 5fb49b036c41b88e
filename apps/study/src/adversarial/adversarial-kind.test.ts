import { describe, expect, it } from 'vitest';
import { runSeeds } from '../engine/study-kind.js';
import { adversarialKind } from './adversarial-kind.js';
import { adversarialStudySchema } from './adversarial-study-schema.js';

const study = adversarialStudySchema.parse({
  kind: 'adversarial',
  name: 'tiny-attack',
  title: 'Tiny attack',
  seed: 5,
  sourceSets: { notebook: [102, 88] },
  methods: [{ id: 'generator', label: 'generator', attack: 'generator' }],
});

describe('runSeeds', () => {
  it('runs the study seed alone without --seeds, so one-seed runs keep their units', () => {
    expect(runSeeds(study)).toEqual([5]);
  });

  it('counts --seeds on from the study seed', () => {
    expect(runSeeds(study, 3)).toEqual([5, 6, 7]);
  });
});

describe('the adversarial kind', () => {
  it('takes --seeds', () => {
    expect(adversarialKind.flags).toContain('seeds');
  });

  it('asks actlab reproduce to also run each named source set', () => {
    expect(adversarialKind.variants?.(study)).toEqual([{ name: 'notebook', sources: [102, 88] }]);
  });

  it('asks for no further run of a study without source sets', () => {
    const { sourceSets: _sets, ...plain } = study;
    expect(adversarialKind.variants?.(plain)).toEqual([]);
  });
});
