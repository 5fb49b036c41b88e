import type { PlannedUnit, StudyKind } from '../engine/study-kind.js';
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
 * `crossDataset` each set alone), one step per epoch, a checkpoint after every epoch.
 */
export const maskDetectorKind: StudyKind<MaskStudy, MaskUnitSettings, MaskUnitResult> = {
  kind: 'mask-detector',
  schema: maskStudySchema,
  flags: ['epochs'],
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
    return models.map(
      ([label, trainedOn]): PlannedUnit<MaskUnitSettings> => ({
        label,
        axes: { trainedOn: label },
        settings: { ...common, trainedOn },
        steps: common.maxEpochs,
      }),
    );
  },
  runUnit: runMaskUnit,
  describe: (result) =>
    `stopped by ${result.stoppedBy} after ${result.epochs.length} epoch(s), validation accuracy ${result.finalTestAccuracy.toFixed(4)}`,
  report: maskReport,
};
