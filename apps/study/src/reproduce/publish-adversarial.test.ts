import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adversarialStudySchema } from '../adversarial/adversarial-study-schema.js';
import type { AttackSettings, AttackUnitResult } from '../adversarial/attack-unit.js';
import { machineInfo } from '../engine/machine-info.js';
import { unitFolder } from '../engine/run-unit.js';
import { StudyError } from '../engine/study-error.js';
import type { RunManifest } from '../engine/study-kind.js';
import { unitId } from '../engine/unit-id.js';
import { sealUnit } from '../engine/unit-seal.js';
import { publishRun } from './publish-run.js';

const study = adversarialStudySchema.parse({
  kind: 'adversarial',
  name: 'tiny-attack',
  title: 'Tiny attack',
  sourceSets: { notebook: [9] },
  targets: [1, 2],
  methods: [
    { id: 'generator', label: 'generator', attack: 'generator' },
    { id: 'fgsm', label: 'FGSM', attack: 'fgsm' },
  ],
});
const source = [0, 0.5, 1, 0];

/**
 * A finished run on one source (label 1) with seeds 0–2: the generator reaches target 2 with L2
 * 1, 2 and 3 by seed; FGSM misses target 2 with every seed.
 */
async function writeRun(folder: string, sourceIndex: number, sources?: number[]) {
  const units: { id: string; label: string; axes: Record<string, unknown> }[] = [];
  for (const seed of [0, 1, 2]) {
    for (const method of study.methods) {
      const settings: AttackSettings = {
        method,
        sources: [sourceIndex],
        targets: [1, 2],
        seed,
        model: null,
      };
      const id = unitId(settings);
      const reached = method.attack === 'generator';
      const result: AttackUnitResult = {
        id,
        label: `${method.label}, seed ${seed}`,
        status: 'completed',
        settings,
        clean: [{ index: sourceIndex, label: 1, predicted: 1, probability: 0.99, pixels: source }],
        pairs: [1, 2].map((target) => ({
          method: method.id,
          source: sourceIndex,
          label: 1,
          target,
          predictedClass: target === 1 || reached ? target : 1,
          confidence: 0.95,
          success: target === 1 || reached,
          steps: 3,
          l2: target === 1 ? 0 : seed + 1,
          linf: 0.3,
          milliseconds: 20,
          pixels: target === 1 ? source : [1, 0.5, 1, 0],
        })),
      };
      const unit = unitFolder(folder, id);
      await mkdir(unit, { recursive: true });
      await writeFile(join(unit, 'result.json'), JSON.stringify(result));
      await sealUnit(unit, id);
      units.push({ id, label: result.label, axes: { method: method.id, seed } });
    }
  }
  const manifest: RunManifest = {
    format: 1,
    kind: 'adversarial',
    study,
    trials: units,
    options: { quick: false, backend: 'wasm', seeds: 3, ...(sources ? { sources } : {}) },
    machine: machineInfo(),
    createdAt: '2026-12-06T00:30:00.000Z',
    updatedAt: '2026-12-06T00:40:00.000Z',
  };
  await mkdir(join(folder, 'figures'), { recursive: true });
  await writeFile(join(folder, 'manifest.json'), JSON.stringify(manifest));
}

describe('actlab publish of an adversarial study', () => {
  let temp: { path: string; remove: () => Promise<void> };
  let target: string;

  beforeEach(async () => {
    temp = await makeTempDir('actlab-publish-adversarial-');
    target = join(temp.path, 'published');
  });
  afterEach(() => temp.remove());

  it('publishes each source set into its folder, every method as mean ± sd over seeds', async () => {
    await writeRun(join(temp.path, 'notebook'), 9, [9]);
    await writeRun(join(temp.path, 'default'), 3);
    const { publication, files } = await publishRun(
      [join(temp.path, 'notebook'), join(temp.path, 'default')],
      { to: target },
    );
    if (publication.kind !== 'adversarial') throw new Error('expected an adversarial publication');
    expect(publication.sourceSets.map((set) => [set.name, set.sources[0]?.index])).toEqual([
      ['default', 3],
      ['notebook', 9],
    ]);
    expect(publication.run).toMatchObject({ seeds: 3, units: 12 });
    const [generator, fgsm] = publication.sourceSets[0]?.methods ?? [];
    expect(generator?.attackedSuccessRate.text).toBe('1.000 ± 0.000');
    expect(generator?.meanL2.text).toBe('2.00 ± 1.00');
    expect(generator?.meanL0.text).toBe('1 ± 0');
    expect(fgsm?.attackedSuccessRate.text).toBe('0.000 ± 0.000');
    expect(fgsm?.meanL2.text).toBe('—');
    expect(files).toEqual(
      expect.arrayContaining([
        'default/manifest.json',
        'default/report.md',
        'default/results.json',
        'default/figures/grid-3.png',
        'notebook/figures/grid-9.png',
        'publication.json',
      ]),
    );
    await access(join(target, 'notebook', 'report.md'));
  });

  it('refuses a run on sources that are not one of the study’s source sets', async () => {
    await writeRun(join(temp.path, 'other'), 5, [5]);
    const error = await publishRun(join(temp.path, 'other'), { to: target }).catch(
      (caught: unknown) => caught,
    );
    expect(StudyError.hasCode(error, 'RUN_NOT_PUBLISHABLE')).toBe(true);
    expect((error as Error).message).toContain('neither the study');
  });
});
