import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, writeFailure, writeJsonAtomic } from './atomic-files.js';
import { machineInfo } from './machine-info.js';
import { createProgressDisplay, type ProgressDisplay } from './progress-display.js';
import {
  asideFolders,
  moveAside,
  readCompatibleManifest,
  runFolderContents,
  runFolderFormat,
  stamp,
} from './run-folder.js';
import { acquireRunLock } from './run-lock.js';
import { type UnitCheckpoint, unitFiles, unitFolder } from './run-unit.js';
import { StudyError, type StudyErrorCode } from './study-error.js';
import type { RunManifest, StudyKind, Unit, UnitResult } from './study-kind.js';
import type { UnitExecutor, UnitJob } from './unit-executor.js';
import { checkUnit, sealUnit } from './unit-seal.js';

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
  /** Start over: move what the run folder holds to `replaced/<time>/` instead of resuming. */
  fresh?: boolean;
  /** Where notices go (damaged units, a stale lock taken over); default stderr. */
  log?: (line: string) => void;
}

/** What a run ended with. */
export interface RunSummary {
  total: number;
  skipped: number;
  completed: number;
  diverged: number;
  failed: { id: string; label: string; code: string; message: string }[];
  /** Files of finished units whose size and sha256 were checked before the run. */
  filesChecked: number;
  /** Ids of the units found damaged and redone (their old files are in `damaged/`). */
  redone: string[];
}

/** Codes after which no further unit can succeed: the run stops and says what to do. */
const fatalCodes = new Set(['DISK_FULL', 'FOLDER_NOT_WRITABLE']);

function sealFailure(error: unknown, folder: string): StudyError {
  const typed = writeFailure(error, folder);
  return StudyError.isInstance(typed)
    ? typed
    : new StudyError({
        code: 'RESULT_NOT_WRITTEN',
        message: `the checksums of ${folder} could not be written (${(error as Error).message}); run the same command again to seal it`,
        cause: error,
      });
}

/** The results of the units of a run folder that are finished, by id (unreadable ones skipped). */
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
    ).catch(() => undefined);
    if (result?.id === id) results.set(id, result);
  }
  return results;
}

/**
 * Checks every unit folder of the plan: finished units against their checksums, checkpoints
 * for being readable. A damaged unit's folder moves to `damaged/<time>/<id>/` and the unit is
 * redone from scratch; the other units' files are not touched.
 */
async function verifyUnits(
  runFolder: string,
  units: Unit[],
  log: (line: string) => void,
  time: Date,
): Promise<{ finished: Set<string>; filesChecked: number; redone: string[] }> {
  const finished = new Set<string>();
  const redone: string[] = [];
  let filesChecked = 0;
  const trials = join(runFolder, 'trials');
  const target = join(runFolder, asideFolders.damaged, stamp(time));
  for (const unit of units) {
    const check = await checkUnit(unitFolder(runFolder, unit.id), unit.id);
    filesChecked += check.filesChecked;
    if (check.state === 'finished') finished.add(unit.id);
    if (check.state !== 'damaged') continue;
    await moveAside(trials, [unit.id], target);
    redone.push(unit.id);
    log(
      `damaged: ${unit.label} (trials/${unit.id}): ${check.problems.join('; ')}; its files are kept in ${join(target, unit.id)} and the unit is redone`,
    );
  }
  if (finished.size > 0 || redone.length > 0) {
    log(
      `checked ${filesChecked} files of ${finished.size + redone.length} units: ${redone.length} damaged`,
    );
  }
  return { finished, filesChecked, redone };
}

/**
 * Runs the units of a study that are not finished yet in `runFolder`, through an executor
 * (local workers or a queue), and keeps the manifest up to date. The folder is locked for the
 * run; finished units are verified against their checksums and skipped; damaged ones are
 * redone; unfinished ones continue from their last checkpoint; each newly finished unit is
 * sealed with checksums; `failures.json` lists what failed.
 *
 * @throws {@link StudyError} `RUN_FOLDER_IN_USE` (see {@link acquireRunLock}),
 *   `MANIFEST_DAMAGED` / `RUN_FORMAT_UNSUPPORTED` / `RUN_FOLDER_MISMATCH` without `fresh`,
 *   `DISK_FULL` or `FOLDER_NOT_WRITABLE` naming the file that could not be written
 */
export async function runStudy(options: RunStudyOptions): Promise<RunSummary> {
  const { runFolder } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    await mkdir(runFolder, { recursive: true });
  } catch (error) {
    throw writeFailure(error, runFolder);
  }
  const lock = await acquireRunLock(runFolder, log);
  try {
    return await runLocked(options, log);
  } finally {
    await lock.release();
  }
}

async function runLocked(
  options: RunStudyOptions,
  log: (line: string) => void,
): Promise<RunSummary> {
  const { runFolder, units, kind } = options;
  const time = new Date();
  let previous: RunManifest | undefined;
  if (options.fresh) {
    const names = await runFolderContents(runFolder);
    const target = join(runFolder, asideFolders.replaced, stamp(time));
    if ((await moveAside(runFolder, names, target)).length > 0) {
      log(`--fresh: what ${runFolder} held is kept in ${target}`);
    }
  } else {
    previous = await readCompatibleManifest(runFolder, { kind: kind.kind, study: options.study });
  }
  try {
    await mkdir(join(runFolder, 'trials'), { recursive: true });
  } catch (error) {
    throw writeFailure(error, join(runFolder, 'trials'));
  }
  const manifest: RunManifest = {
    format: runFolderFormat,
    kind: kind.kind,
    study: options.study,
    trials: units.map(({ id, label, axes, steps }) => ({ id, label, axes, steps })),
    options: options.manifestOptions,
    machine: machineInfo(),
    createdAt: previous?.createdAt ?? time.toISOString(),
    updatedAt: time.toISOString(),
  };
  await writeJsonAtomic(join(runFolder, 'manifest.json'), manifest);

  const { finished, filesChecked, redone } = await verifyUnits(runFolder, units, log, time);
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
    filesChecked,
    redone,
  };
  let fatal: StudyError | undefined;
  // Seals are written one after another, each after its unit's files (result.json last).
  let sealing = Promise.resolve();
  const stop = (error: StudyError) => {
    fatal ??= error;
    void options.executor.close();
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
          sealing = sealing
            .then(() => sealUnit(unitFolder(runFolder, unit.id), unit.id))
            .then(
              () => undefined,
              (error) => stop(sealFailure(error, unitFolder(runFolder, unit.id))),
            );
          display.unitFinished(unit, kind.describe(result));
        },
        failed: (unit, error) => {
          summary.failed.push({ id: unit.id, label: unit.label, ...error });
          display.unitFailed(unit, `${error.code}: ${error.message}`);
          if (fatalCodes.has(error.code)) {
            stop(new StudyError({ code: error.code as StudyErrorCode, message: error.message }));
          }
        },
      },
    );
    await sealing;
  } finally {
    display.close();
  }
  if (fatal) {
    // The failures list is best effort here: the disk that stopped the run may refuse it too.
    await writeJsonAtomic(join(runFolder, 'failures.json'), summary.failed).catch(() => undefined);
    throw fatal;
  }
  await writeJsonAtomic(join(runFolder, 'failures.json'), summary.failed);
  return summary;
}
