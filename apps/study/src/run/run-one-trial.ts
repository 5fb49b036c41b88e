import { join } from 'node:path';
import { ActlabError } from '@actlab/errors';
import type { Trial } from '../study/expand-trials.js';
import type { Checkpoint } from './checkpoint.js';
import { prepareTrialData } from './prepare-trial-data.js';
import { probeTrialGradients } from './probe-trial.js';
import { type TrialProgress, trainTrial } from './train-trial.js';
import type { TrialJobContext } from './trial-executor.js';
import type { TrialResult } from './trial-records.js';
import { useBackend } from './use-backend.js';

/** Outcome of one trial run inside a worker. */
export type TrialOutcome =
  | { ok: true; result: TrialResult }
  | { ok: false; code: string; message: string };

/**
 * Runs one trial in this thread: selects the backend (once), loads its data (cached per
 * dataset), trains and writes the trial folder. Errors become an outcome, never a throw.
 */
export async function runOneTrial(
  trial: Trial,
  context: TrialJobContext,
  onProgress: (progress: TrialProgress) => void,
  onCheckpoint?: (checkpoint: Checkpoint) => void | Promise<void>,
): Promise<TrialOutcome> {
  try {
    const backend = await useBackend(context.backend);
    const data = await prepareTrialData(trial.settings, context.dataDir);
    const result = await trainTrial({
      trial,
      data,
      folder: join(context.runFolder, 'trials', trial.id),
      backend,
      trainer: context.trainer ?? 'auto',
      probeBatchSize: context.probeBatchSize,
      recordLearnedParameters: context.recordLearnedParameters ?? false,
      probe: (model, xs, ys, epoch) =>
        probeTrialGradients(model, xs, ys, epoch, context.probeTargets),
      onProgress,
      ...(onCheckpoint ? { onCheckpoint } : {}),
    });
    if (!result) return { ok: false, code: 'TRIAL_STOPPED', message: 'the trial was stopped' };
    return { ok: true, result };
  } catch (error) {
    const code = ActlabError.isInstance(error) ? error.code : 'TRIAL_FAILED';
    return { ok: false, code, message: (error as Error).message ?? String(error) };
  }
}
