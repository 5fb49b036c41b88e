import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { describe, expect, it } from 'vitest';
import { studyKind } from '../mask-detector/load-mask-study.js';
import { loadAdversarialStudy } from './load-adversarial-study.js';

describe('loadAdversarialStudy', () => {
  it('loads the adversarial-mnist preset with the seed’s sources and every target', async () => {
    expect(await studyKind('adversarial-mnist')).toBe('adversarial');
    const study = await loadAdversarialStudy('adversarial-mnist');
    expect(study.sourceDigits).toEqual([0, 1, 2, 4, 7]);
    expect(study.targets).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(study.methods.map((method) => method.attack)).toEqual(
      expect.arrayContaining(['generator', 'fgsm', 'pgd', 'amortised']),
    );
    expect(study.methods[0]).toMatchObject({ attack: 'generator', attackSteps: 800 });
  });

  it('names every bad field of a study file', async () => {
    const folder = await makeTempDir('actlab-adv-');
    try {
      const file = join(folder.path, 'bad.yaml');
      await writeFile(
        file,
        'kind: adversarial\nname: x\ntitle: x\ntargets: [12]\nmethods:\n  - { id: f, label: F, attack: fgsm, epsilon: -1 }\n',
      );
      await expect(loadAdversarialStudy(file)).rejects.toMatchObject({
        code: 'STUDY_INVALID',
        message: expect.stringMatching(/targets\.0[\s\S]*methods\.0\.epsilon/),
      });
    } finally {
      await folder.remove();
    }
  });
});
