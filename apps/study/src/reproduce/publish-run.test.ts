import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { machineInfo } from '../engine/machine-info.js';
import { unitFolder } from '../engine/run-unit.js';
import { StudyError } from '../engine/study-error.js';
import type { RunManifest } from '../engine/study-kind.js';
import { unitId } from '../engine/unit-id.js';
import { sealUnit } from '../engine/unit-seal.js';
import type { TrialResult } from '../run/trial-records.js';
import { expandTrials } from '../study/expand-trials.js';
import { parseStudy } from '../study/load-study.js';
import type { Study } from '../study/study-schema.js';
import type { GridPublication } from './publication.js';
import { publishRun } from './publish-run.js';

const { study } = parseStudy({
  name: 'tiny',
  title: 'Tiny',
  description: 'Two activations, three seeds.',
  base: { dataset: 'mnist', epochs: 2 },
  grid: { activation: ['relu', 'tanh'] },
  report: {
    figures: [],
    reference: {
      source: 'the seed',
      metric: 'testAccuracy',
      epoch: 2,
      rows: [
        { activation: 'relu', value: 0.9 },
        { activation: 'tanh', value: 0.5 },
      ],
    },
  },
}) as unknown as { study: Study };

/** Test accuracy of each seed: relu is within noise of the seed's 0.9, tanh far above 0.5. */
const accuracy: Record<string, number[]> = { relu: [0.9, 0.91, 0.92], tanh: [0.95, 0.96, 0.97] };

async function writeRun(folder: string, options: { quick?: boolean } = {}) {
  const trials = expandTrials(study, { seeds: 3 }).map((trial) => ({
    ...trial,
    id: unitId(trial.settings),
  }));
  const manifest: RunManifest<Study> = {
    format: 1,
    kind: 'grid',
    study,
    trials: trials.map(({ id, label, axes }) => ({ id, label, axes, steps: 2 })),
    options: { quick: options.quick ?? false, backend: 'cpu', seeds: 3 },
    machine: machineInfo(),
    createdAt: '2026-12-05T10:00:00.000Z',
    updatedAt: '2026-12-05T10:05:00.000Z',
  };
  await writeFile(join(folder, 'manifest.json'), JSON.stringify(manifest));
  for (const { id, label, settings } of trials) {
    const testAccuracy = accuracy[String(settings.activation)]?.[settings.seed - 1] ?? 0;
    const epoch = {
      epoch: 2,
      trainLoss: 0.1,
      trainAccuracy: testAccuracy,
      validationLoss: 0.1,
      validationAccuracy: testAccuracy,
      testLoss: 0.1,
      testAccuracy,
      trainSeconds: 1,
      wallSeconds: 2,
    };
    const result: TrialResult = {
      id,
      label,
      settings,
      status: 'completed',
      divergedAtEpoch: null,
      epochs: [epoch],
      finalTestAccuracy: testAccuracy,
      backend: 'cpu',
      trainer: 'fused',
      trainSeconds: 1,
      resumed: false,
    };
    const unit = unitFolder(folder, id);
    await mkdir(unit, { recursive: true });
    await writeFile(join(unit, 'checkpoint.json'), '{"unitId":"x","step":2,"state":null}');
    await writeFile(join(unit, 'result.json'), JSON.stringify(result));
    await sealUnit(unit, id);
  }
  return trials;
}

describe('actlab publish', () => {
  let temp: { path: string; remove: () => Promise<void> };
  let run: string;
  let target: string;

  beforeEach(async () => {
    temp = await makeTempDir('actlab-publish-');
    run = join(temp.path, 'run');
    target = join(temp.path, 'published');
    await mkdir(run);
  });
  afterEach(() => temp.remove());

  it('publishes mean ± sd per grid point beside the seed, and flags the gap beyond noise', async () => {
    await writeRun(run);
    await publishRun(run, { to: target });
    const publication = JSON.parse(
      await readFile(join(target, 'publication.json'), 'utf8'),
    ) as GridPublication;
    expect(publication.run.seeds).toBe(3);
    expect(publication.run.units).toBe(6);
    expect(
      publication.points.map(({ label, ours, reference, gap }) => [
        label,
        ours?.text,
        reference,
        gap,
      ]),
    ).toEqual([
      ['activation=relu', '0.9100 ± 0.0100', 0.9, false],
      ['activation=tanh', '0.9600 ± 0.0100', 0.5, true],
    ]);
    expect(publication.machine.cores).toBeGreaterThan(0);
    expect(publication.code.recordedBy).toBe('publish');
  });

  it('copies the small result files and never a checkpoint or a unit folder', async () => {
    await writeRun(run);
    const { files } = await publishRun(run, { to: target });
    expect(files).toEqual(
      expect.arrayContaining(['manifest.json', 'metrics.csv', 'report.md', 'publication.json']),
    );
    expect(files.some((file) => file.includes('checkpoint') || file.includes('trials'))).toBe(
      false,
    );
    await expect(access(join(target, 'trials'))).rejects.toThrow();
    expect(await readFile(join(target, 'report.md'), 'utf8')).toContain('0.9600 ± 0.0100');
  });

  it('refuses a run with an unfinished unit, saying how to finish it', async () => {
    const trials = await writeRun(run);
    await rm(join(unitFolder(run, trials[1]!.id), 'result.json'));
    await rm(join(unitFolder(run, trials[1]!.id), 'checksums.json'));
    const error = await publishRun(run, { to: target }).catch((caught: unknown) => caught);
    expect(StudyError.hasCode(error, 'RUN_NOT_FINISHED')).toBe(true);
    expect((error as Error).message).toContain('1 of 6 units');
    expect((error as Error).message).toContain(`actlab run tiny --out ${run} --seeds 3`);
    await expect(access(target)).rejects.toThrow();
  });

  it('refuses a --quick run', async () => {
    await writeRun(run, { quick: true });
    const error = await publishRun(run, { to: target }).catch((caught: unknown) => caught);
    expect(StudyError.hasCode(error, 'RUN_NOT_PUBLISHABLE')).toBe(true);
  });

  it('takes the code version from the last finished reproduce session', async () => {
    await writeRun(run);
    const session = { commit: 'abc123', dirty: false, startedAt: '', seconds: 1, seeds: 3 };
    await writeFile(
      join(run, 'reproduce.json'),
      JSON.stringify({
        sessions: [
          { ...session, outcome: 'finished' },
          { ...session, commit: 'later', outcome: 'interrupted' },
        ],
      }),
    );
    const { publication, files } = await publishRun(run, { to: target });
    expect(publication.code).toEqual({ commit: 'abc123', dirty: false, recordedBy: 'reproduce' });
    expect(files).toContain('reproduce.json');
  });
});
