import { type PlannedUnit, runSeeds, type StudyKind } from '../engine/study-kind.js';
import type { MaskSet } from './mask-data.js';
import { maskReport } from './mask-report.js';
import { type MaskStudy, maskStudySchema } from './mask-study-schema.js';
import {
  type MaskUnitResult,
  type MaskUnitSettings,
  maskCommonSettings,
  runMaskUnit,
} from './mask-unit.js';

/**
 * The seed's face-mask CNN (`kind: mask-detector`): one unit per model (both sets, and with
 * `crossDataset` each set alone) and seed (`--seeds n`: the study's `seed` and the n − 1 after
 * it), one step per epoch, a checkpoint after every epoch. A seed fixes the model's initial
 * weights, its batches' sampling and augmentation and its dropout masks; the crops' train /
 * validation split stays the study's `seed`, so every seed is judged on the same crops.
 */
export const maskDetectorKind: StudyKind<MaskStudy, MaskUnitSettings, MaskUnitResult> = {
  kind: 'mask-detector',
  schema: maskStudySchema,
  flags: ['seeds', 'epochs'],
  async plan(study, options) {
    const common = maskCommonSettings(study, options);
    const models: [string, MaskSet[]][] = [
      ['both sets', ['face-mask-voc', 'face-mask']],
      ...(study.crossDataset
        ? ([
            ['face-mask-voc', ['face-mask-voc']],
            ['face-mask', ['face-mask']],
          ] as [string, MaskSet[]][])
        : []),
    ];
    const seeds = runSeeds(study, options.seeds);
    return seeds.flatMap((seed) =>
      models.map(
        ([label, trainedOn]): PlannedUnit<MaskUnitSettings> => ({
          label: seeds.length > 1 ? `${label}, seed ${seed}` : label,
          axes: { trainedOn: label, seed },
          // The study's own seed leaves `modelSeed` out: a one-seed run keeps its unit ids.
          settings: { ...common, trainedOn, ...(seed !== study.seed ? { modelSeed: seed } : {}) },
          steps: common.maxEpochs,
        }),
      ),
    );
  },
  runUnit: runMaskUnit,
  describe: (result) =>
    `stopped by ${result.stoppedBy} after ${result.epochs.length} epoch(s), validation accuracy ${result.finalTestAccuracy.toFixed(4)}`,
  report: maskReport,
};
