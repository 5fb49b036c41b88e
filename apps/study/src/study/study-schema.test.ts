import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../commands/study-commands.js';
import { StudyError } from '../engine/study-error.js';
import { parseStudy } from './load-study.js';
import { maxModelParameters, modelParameterCount } from './trial-limits.js';

const minimal = { name: 'tiny', title: 'Tiny', description: 'A tiny study.', base: {} };

/** The message of the StudyError `STUDY_INVALID` that parsing `study` throws. */
function invalid(study: object): string {
  try {
    parseStudy(study, 'tiny.yaml');
  } catch (error) {
    if (StudyError.hasCode(error, 'STUDY_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected STUDY_INVALID, the study was accepted');
}

describe('study files are checked whole before any unit starts', () => {
  it('refuses an unknown activation name at its field path, listing the activations', () => {
    const message = invalid({ ...minimal, grid: { activation: ['relu', 'relux'] } });
    expect(message).toContain('grid.activation.1: unknown activation "relux"');
    expect(message).toContain('tanh');
    expect(message).not.toContain('grid.activation.0');
    expect(
      invalid({ ...minimal, base: { firstActivation: { name: 'swishy', beta: 1 } } }),
    ).toContain('base.firstActivation: unknown activation "swishy"');
  });

  it('refuses hiddenLayers [1e9] with its parameter count and the limit, instead of failing inside the trial', () => {
    const count = modelParameterCount({ hiddenLayers: [1e9], depth: 3, width: 32 });
    expect(count).toBe(784 * 1e9 + 1e9 + 1e9 * 10 + 10);
    const message = invalid({ ...minimal, base: { hiddenLayers: [1e9] } });
    expect(message).toContain('base.hiddenLayers: the model 784-1000000000-10 has 795,000,000,010');
    expect(message).toContain(`the limit is ${maxModelParameters.toLocaleString('en-US')}`);
  });

  it('points at the grid value that makes a model too large, and accepts the others', () => {
    const message = invalid({ ...minimal, base: { depth: 3 }, grid: { width: [32, 100_000] } });
    expect(message).toContain('grid.width.1: the model 784-100000-100000-10 has');
    expect(message).not.toContain('grid.width.0');
    expect(modelParameterCount({ hiddenLayers: null, depth: 3, width: 32 })).toBe(
      784 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10,
    );
  });

  it('refuses a validation fraction that leaves no training images', () => {
    const message = invalid({ ...minimal, base: { validationFraction: 0.999995 } });
    expect(message).toContain('base.validationFraction: 0.999995 holds out 60000 of the 60000');
    expect(message).toContain('leaves none to train on');
  });

  it('refuses more training or test images than the dataset has, naming where the value was written', () => {
    const message = invalid({
      ...minimal,
      base: { trainSize: 1000, testSize: 20_000 },
      cases: [
        { case: 'small', trainSize: 500 },
        { case: 'all', trainSize: 60_000, validationFraction: 0 },
        { case: 'too many', trainSize: 60_001, validationFraction: 0 },
      ],
    });
    expect(message).toContain('base.testSize: 20000 test images asked, but mnist has 10000');
    expect(message).toContain(
      'cases.2.trainSize: 60001 training images asked, but mnist has 60000',
    );
    expect(message).toContain('use at most 60000');
    expect(invalid({ ...minimal, quick: { trainSize: 55_000 } })).toContain(
      'quick.trainSize: 55000 training images asked, but mnist has 54000 once validationFraction 0.1 is held out',
    );
    expect(message).not.toContain('cases.0');
    expect(message).not.toContain('cases.1');
  });

  it('writes no run folder for a bad study file', async () => {
    const temp = await makeTempDir('actlab-bad-study-');
    try {
      const file = join(temp.path, 'huge.yaml');
      await writeFile(
        file,
        'name: huge\ntitle: Huge\ndescription: too big\nbase: { hiddenLayers: [1000000000] }\n',
      );
      const out = join(temp.path, 'run');
      const error = await runCommand(file, {
        out,
        workers: 1,
        quick: false,
        backend: 'cpu',
        plain: true,
        report: false,
      }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(StudyError.hasCode(error, 'STUDY_INVALID')).toBe(true);
      expect((error as Error).message).toContain(`${file} is not a valid grid study`);
      await expect(access(out)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await temp.remove();
    }
  });
});
