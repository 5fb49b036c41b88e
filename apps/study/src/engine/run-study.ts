import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic } from './atomic-files.js';
import { machineInfo } from './machine-info.js';
import { createProgressDisplay, type ProgressDisplay } from './progress-display.js';
import { type UnitCheckpoint, unitFiles, unitFolder } from './run-unit.js';
import type { RunManifest, StudyKind, Unit, UnitResult } from './study-kind.js';
import type { UnitExecutor, UnitJob } from './unit-executor.js';

/** Options of {@link runStudy}. */
export interface RunStudyOptions {
  kind: StudyKind;
  study: RunManifest['study'];
  units: Unit[];
  runFolder: string;
  executor: UnitExecutor;
  /** This machine's backend request and data folder. */
  job: Omit<UnitJob, 'kind' | 'runFolder'>;
  manifestOptions: RunManifest['options'];
  display?: ProgressDisplay;
  /** Plain logs even on a terminal. */
  plain?: boolean;
}

/** What a run ended with. */
export interface RunSummary {
  total: number;
  skipped: number;
  completed: number;
  diverged: number;
  failed: { id: string; label: string; code: string; message: string }[];
}

/** The results of the units of a run folder that are finished, by id. */
export async function readFinishedResults(runFolder: string): Promise<Map<string, UnitResult>> {
  const results = new Map<string, UnitResult>();
  let ids: string[] = [];
  try {
    ids = await readdir(join(runFolder, 'trials'));
  } catch {
    return results;
  }
  for (const id of ids) {
    const result = await readJsonIfExists<UnitResult>(
      join(unitFolder(runFolder, id), unitFiles.result),
    );
    if (result?.id === id) results.set(id, result);
  }
  return results;
}

/**
 * Runs the units of a study that are not finished yet in `runFolder`, through an executor
 * (local workers or a queue), and keeps the manifest up to date. Finished units are skipped;
 * unfinished ones continue from their last checkpoint; `failures.json` lists what failed.
 */
export async function runStudy(options: RunStudyOptions): Promise<RunSummary> {
  const { runFolder, units, kind } = options;
  await mkdir(join(runFolder, 'trials'), { recursive: true });
  const manifestPath = join(runFolder, 'manifest.json');
  const previous = await readJsonIfExists<RunManifest>(manifestPath);
  const now = new Date().toISOString();
  const manifest: RunManifest = {
    kind: kind.kind,
    study: options.study,
    trials: units.map(({ id, label, axes, steps }) => ({ id, label, axes, steps })),
    options: options.manifestOptions,
    machine: machineInfo(),
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  await writeJsonAtomic(manifestPath, manifest);

  const finished = await readFinishedResults(runFolder);
  const pending = units.filter((unit) => !finished.has(unit.id));
  let doneSteps = 0;
  for (const unit of units) {
    if (finished.has(unit.id)) {
      doneSteps += unit.steps;
      continue;
    }
    const checkpoint = await readJsonIfExists<Pick<UnitCheckpoint, 'step' | 'unitId'>>(
      join(unitFolder(runFolder, unit.id), unitFiles.checkpoint),
    );
    if (checkpoint?.unitId === unit.id) doneSteps += checkpoint.step;
  }
  const display =
    options.display ??
    createProgressDisplay({
      units,
      alreadyFinished: units.length - pending.length,
      alreadyDoneSteps: doneSteps,
      plain: options.plain ?? false,
    });
  const summary: RunSummary = {
    total: units.length,
    skipped: units.length - pending.length,
    completed: 0,
    diverged: 0,
    failed: [],
  };
  try {
    await options.executor.run(
      pending,
      { ...options.job, kind: kind.kind, runFolder },
      {
        started: (unit) => display.unitStarted(unit),
        progress: (progress) => display.progress(progress),
        finished: (unit, result) => {
          if (result.status === 'diverged') summary.diverged++;
          else summary.completed++;
          display.unitFinished(unit, kind.describe(result));
        },
        failed: (unit, error) => {
          summary.failed.push({ id: unit.id, label: unit.label, ...error });
          display.unitFailed(unit, `${error.code}: ${error.message}`);
        },
      },
    );
  } finally {
    display.close();
  }
  await writeJsonAtomic(join(runFolder, 'failures.json'), summary.failed);
  return summary;
}
