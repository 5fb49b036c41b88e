import { mkdir, readdir } from 'node:fs/promises';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Trial } from '../study/expand-trials.js';
import type { Study } from '../study/study-schema.js';
import { readJsonIfExists, writeJsonAtomic } from './atomic-files.js';
import type { Checkpoint } from './checkpoint.js';
import { createProgressDisplay, type ProgressDisplay } from './progress-display.js';
import { trialFiles } from './train-trial.js';
import type { TrainerRequest } from './training-engine.js';
import type { TrialExecutor, TrialJobContext } from './trial-executor.js';
import type { TrialResult } from './trial-records.js';

/** Machine facts stored with every run, so figures can be quoted with where they came from. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
}

/** The run folder's manifest: what was asked, on what, and which trials belong to the run. */
export interface RunManifest {
  study: Study;
  trials: { id: string; label: string; axes: Trial['axes'] }[];
  options: {
    quick: boolean;
    seeds: number;
    epochs: number | null;
    workers: number;
    backend: string;
    /** Absent in runs made before the fused trainer. */
    trainer?: TrainerRequest;
    /** The queue's Redis URL without credentials, when the trials ran as queue jobs. */
    queue?: string;
  };
  machine: MachineInfo;
  createdAt: string;
  updatedAt: string;
}

/** Facts about this machine. */
export function machineInfo(): MachineInfo {
  const processors = cpus();
  return {
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()}`,
    node: process.version,
  };
}

/** Options of {@link runStudy}. */
export interface RunStudyOptions {
  study: Study;
  trials: Trial[];
  runFolder: string;
  executor: TrialExecutor;
  context: Omit<TrialJobContext, 'runFolder'>;
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

/** Reads the results of the trials in a run folder that are finished. */
export async function readFinishedResults(runFolder: string): Promise<Map<string, TrialResult>> {
  const results = new Map<string, TrialResult>();
  let ids: string[] = [];
  try {
    ids = await readdir(join(runFolder, 'trials'));
  } catch {
    return results;
  }
  for (const id of ids) {
    const result = await readJsonIfExists<TrialResult>(
      join(runFolder, 'trials', id, trialFiles.result),
    );
    if (result?.id === id) results.set(id, result);
  }
  return results;
}

/**
 * Runs the trials of a study that are not finished yet in `runFolder`, through an executor
 * (local workers or a queue), and keeps the manifest up to date. Finished trials are skipped;
 * unfinished ones continue from their last checkpoint.
 */
export async function runStudy(options: RunStudyOptions): Promise<RunSummary> {
  const { runFolder, trials } = options;
  await mkdir(join(runFolder, 'trials'), { recursive: true });
  const manifestPath = join(runFolder, 'manifest.json');
  const previous = await readJsonIfExists<RunManifest>(manifestPath);
  const now = new Date().toISOString();
  const manifest: RunManifest = {
    study: options.study,
    trials: trials.map(({ id, label, axes }) => ({ id, label, axes })),
    options: options.manifestOptions,
    machine: machineInfo(),
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  await writeJsonAtomic(manifestPath, manifest);

  const finished = await readFinishedResults(runFolder);
  const pending = trials.filter((trial) => !finished.has(trial.id));
  let doneEpochs = 0;
  for (const trial of trials) {
    if (finished.has(trial.id)) {
      doneEpochs += trial.settings.epochs;
      continue;
    }
    const checkpoint = await readJsonIfExists<Pick<Checkpoint, 'epoch' | 'trialId'>>(
      join(runFolder, 'trials', trial.id, trialFiles.checkpoint),
    );
    if (checkpoint?.trialId === trial.id) doneEpochs += checkpoint.epoch;
  }
  const display =
    options.display ??
    createProgressDisplay({
      trials,
      alreadyFinished: trials.length - pending.length,
      alreadyDoneEpochs: doneEpochs,
      plain: options.plain ?? false,
    });
  const summary: RunSummary = {
    total: trials.length,
    skipped: trials.length - pending.length,
    completed: 0,
    diverged: 0,
    failed: [],
  };
  try {
    await options.executor.run(
      pending,
      { ...options.context, runFolder },
      {
        started: (trial) => display.trialStarted(trial),
        progress: (progress) => display.progress(progress),
        finished: (trial, result) => {
          if (result.status === 'diverged') summary.diverged++;
          else summary.completed++;
          display.trialFinished(trial, result);
        },
        failed: (trial, error) => {
          summary.failed.push({ id: trial.id, label: trial.label, ...error });
          display.trialFailed(trial, `${error.code}: ${error.message}`);
        },
      },
    );
  } finally {
    display.close();
  }
  await writeJsonAtomic(join(runFolder, 'failures.json'), summary.failed);
  return summary;
}
