import type { TrainerRequest } from '@actlab/backend';
import type { StudyKind } from '../engine/study-kind.js';
import { prepareTrialData } from '../run/prepare-trial-data.js';
import { probeTrialGradients } from '../run/probe-trial.js';
import { trainTrial } from '../run/train-trial.js';
import type { TrialCheckpoint, TrialResult } from '../run/trial-records.js';
import { expandTrials } from '../study/expand-trials.js';
import { type Study, studySchema, type TrialSettings } from '../study/study-schema.js';
import { gridReport } from './grid-report.js';

/** How a grid trial runs without changing its numbers' meaning: not part of its id. */
interface GridRunOptions {
  trainer: TrainerRequest;
  probeBatchSize: number;
  probeTargets: ('weights' | 'input' | 'outputSum')[];
  recordLearnedParameters: boolean;
}

/**
 * Grids of MLP trials on MNIST-like data (files without `kind`, or `kind: grid`): one unit per
 * trial and seed, one step per epoch, a checkpoint after every epoch.
 */
export const gridKind: StudyKind<Study, TrialSettings, TrialResult> = {
  kind: 'grid',
  schema: studySchema,
  flags: ['seeds', 'epochs', 'trainer'],
  async plan(study, options) {
    const runOptions: GridRunOptions = {
      trainer: (options.trainer ?? 'auto') as TrainerRequest,
      probeBatchSize: study.record.gradients.batchSize,
      probeTargets: study.record.gradients.targets,
      recordLearnedParameters: study.record.learnedParameters,
    };
    return expandTrials(study, {
      quick: options.quick,
      ...(options.seeds !== undefined ? { seeds: options.seeds } : {}),
      ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    }).map(({ label, axes, settings }) => ({
      label,
      axes,
      settings,
      runOptions: { ...runOptions },
      steps: settings.epochs,
    }));
  },
  async runUnit(unit, context) {
    const runOptions = unit.runOptions as unknown as GridRunOptions;
    const data = await prepareTrialData(unit.settings, context.dataDir);
    const result = await trainTrial({
      trial: { id: unit.id, label: unit.label, axes: unit.axes, settings: unit.settings },
      data,
      folder: context.folder,
      backend: context.backend,
      trainer: runOptions.trainer,
      probeBatchSize: runOptions.probeBatchSize,
      recordLearnedParameters: runOptions.recordLearnedParameters,
      probe: (model, xs, ys, epoch) =>
        probeTrialGradients(model, xs, ys, epoch, runOptions.probeTargets),
      checkpoints: {
        load: async () => (await context.loadCheckpoint<TrialCheckpoint>())?.state,
        save: (checkpoint) => context.saveCheckpoint(checkpoint.epoch, checkpoint),
      },
      onProgress: ({ epoch, epochs, batch, batches, metrics }) => {
        const validation =
          metrics?.validationAccuracy == null
            ? ''
            : ` val_acc=${metrics.validationAccuracy.toFixed(4)}`;
        context.progress({
          step: epoch,
          steps: epochs,
          within: batch / batches,
          ...(metrics
            ? {
                done: true,
                line: `epoch ${epoch}/${epochs} loss=${metrics.trainLoss.toFixed(4)} acc=${metrics.trainAccuracy.toFixed(4)}${validation} test_acc=${metrics.testAccuracy.toFixed(4)} (${metrics.wallSeconds.toFixed(1)}s)`,
              }
            : {}),
        });
      },
    });
    // Only the test hook `stopAfterEpochs` returns nothing; the engine never sets it.
    return result as TrialResult;
  },
  describe: (result) =>
    `${result.status}${result.divergedAtEpoch ? ` at epoch ${result.divergedAtEpoch}` : ''}, test accuracy ${result.finalTestAccuracy.toFixed(4)}`,
  report: gridReport,
};
