import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ActlabError } from '@actlab/errors';
import { makeTempDir } from '@actlab/test-utils';
import { describe, expect, it } from 'vitest';
import { listPresets, loadStudy, parseStudy } from './load-study.js';
import type { Study } from './study-schema.js';

const minimal = { name: 'tiny', title: 'Tiny', description: 'A tiny study.', base: {} };

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return ActlabError.isInstance(error) ? error.code : 'NOT_ACTLAB';
  }
  return undefined;
}

describe('parseStudy', () => {
  it('fills in defaults for a minimal study', () => {
    const { kind, study: parsed } = parseStudy(minimal);
    const study = parsed as Study;
    expect(kind.kind).toBe('grid');
    expect(study.seeds).toBe(1);
    expect(study.grid).toEqual({});
    expect(study.record.gradients.batchSize).toBe(32);
  });

  it('names the bad field and the allowed values of an enum', () => {
    let message = '';
    try {
      parseStudy({ ...minimal, base: { dataset: 'cifar' } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('base.dataset');
    expect(message).toContain('mnist');
    expect(message).toContain('fashion-mnist');
  });

  it('rejects an unknown grid axis by name', () => {
    let message = '';
    try {
      parseStudy({ ...minimal, grid: { activatoin: ['relu'] } });
    } catch (error) {
      message = (error as Error).message;
      expect(ActlabError.hasCode(error, 'STUDY_INVALID')).toBe(true);
    }
    expect(message).toContain('grid');
    expect(message).toContain('"activatoin"');
  });

  it('rejects a negative learning rate and an empty grid axis', () => {
    expect(
      codeOf(() =>
        parseStudy({ ...minimal, base: { optimizer: { name: 'sgd', learningRate: -1 } } }),
      ),
    ).toBe('STUDY_INVALID');
    expect(codeOf(() => parseStudy({ ...minimal, grid: { depth: [] } }))).toBe('STUDY_INVALID');
  });
});

describe('loadStudy', () => {
  it('loads every built-in preset', async () => {
    const presets = await listPresets();
    expect(presets).toContain('depth-activation');
    const kinds = new Set<string>();
    for (const preset of presets) {
      const { kind, study } = await loadStudy(preset);
      expect((study as Study).name).toBe(preset);
      kinds.add(kind.kind);
    }
    // One loader for every kind: it decides preset or path once and the file's kind picks the schema.
    expect([...kinds].sort()).toEqual(['adversarial', 'grid', 'mask-detector']);
  });

  it('says which presets exist when the name is unknown', async () => {
    await expect(loadStudy('no-such-preset')).rejects.toThrow(/depth-activation/);
  });

  it('reads JSON and YAML study files and reports unreadable ones', async () => {
    const folder = await makeTempDir();
    try {
      const jsonPath = join(folder.path, 'study.json');
      await writeFile(jsonPath, JSON.stringify(minimal));
      expect(((await loadStudy(jsonPath)).study as Study).name).toBe('tiny');
      const yamlPath = join(folder.path, 'study.yaml');
      await writeFile(
        yamlPath,
        'name: tiny\ntitle: T\ndescription: D\nbase: {}\ngrid: { depth: [2, 3] }\n',
      );
      expect(((await loadStudy(yamlPath)).study as Study).grid.depth).toEqual([2, 3]);
      await writeFile(yamlPath, 'name: [unclosed\n');
      await expect(loadStudy(yamlPath)).rejects.toMatchObject({ code: 'STUDY_INVALID' });
      await expect(loadStudy(join(folder.path, 'missing.yaml'))).rejects.toMatchObject({
        code: 'STUDY_UNREADABLE',
      });
    } finally {
      await folder.remove();
    }
  });
});

describe('parseStudy of other kinds', () => {
  it('validates a file with the schema its kind names, and refuses an unknown kind', () => {
    expect(() => parseStudy({ kind: 'mask-detector', name: 'm', title: 'M', sizes: 3 })).toThrow(
      /not a valid mask-detector study[\s\S]*sizes/,
    );
    expect(codeOf(() => parseStudy({ kind: 'cifar', name: 'c' }))).toBe('KIND_UNKNOWN');
  });
});
