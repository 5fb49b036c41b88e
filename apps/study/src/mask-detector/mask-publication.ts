import type { RunManifest } from '../engine/study-kind.js';
import { beyondNoise } from '../report/reference-comparison.js';
import { meanSd } from '../report/summarize.js';
import {
  type PublicationHeader,
  type PublishedValue,
  publicationFormat,
  published,
} from '../reproduce/publication.js';
import type { MaskStudy } from './mask-study-schema.js';
import type { MaskUnitResult } from './mask-unit.js';

/** One row of the report's validation table (a model on one set), over seeds. */
export interface PublishedEvaluation {
  set: string;
  samples: number;
  accuracy: PublishedValue;
  balancedAccuracy: PublishedValue;
  perClass: {
    label: string;
    support: number;
    precision: PublishedValue;
    recall: PublishedValue;
    f1: PublishedValue;
  }[];
}

/** One model of a published mask study (both sets, or one alone), over seeds. */
export interface PublishedMaskModel {
  label: string;
  seeds: number;
  /** Epochs trained, and how many seeds stopped for each reason (`target`, `maxEpochs`). */
  epochs: PublishedValue;
  stoppedBy: Record<string, number>;
  /** Accuracy on the validation split of the set(s) it was trained on. */
  ownValidationAccuracy: PublishedValue;
  evaluations: PublishedEvaluation[];
}

/** Ours beside the seed's bar (> `reference` accuracy on the VOC crops), per model that has it. */
export interface MaskBarPoint {
  /** `both sets, face-mask-voc validation`: the key of its explanation when it is a gap. */
  label: string;
  ours: PublishedValue;
  reference: number;
  /** Below the bar beyond noise (see `beyondNoise`); above it is no gap. */
  gap: boolean;
}

/** `publication.json` of a mask-detector study: the report's tables, mean ± sd over seeds. */
export interface MaskPublication extends PublicationHeader {
  kind: 'mask-detector';
  reference: { source: string; metric: 'accuracy'; set: string; value: number };
  models: PublishedMaskModel[];
  points: MaskBarPoint[];
}

const barSet = 'face-mask-voc validation';

/**
 * The publication of a finished mask-detector run: per model (the unit's `trainedOn` axis), every
 * number of the report's validation table as mean ± sd over its seeds, and ours beside the seed's
 * bar (the study's `targetValidationAccuracy` on the VOC crops).
 */
export function buildMaskPublication(
  manifest: RunManifest<MaskStudy>,
  results: { axes: Record<string, unknown>; result: MaskUnitResult }[],
  code: PublicationHeader['code'],
): MaskPublication {
  const { study } = manifest;
  const over = (values: number[], digits = 4) => published(meanSd(values), digits);
  const labels = [...new Set(results.map(({ axes }) => String(axes.trainedOn)))];
  const models = labels.map((label): PublishedMaskModel => {
    const runs = results.filter(({ axes }) => axes.trainedOn === label).map((r) => r.result);
    const first = runs[0] as MaskUnitResult;
    const stoppedBy: Record<string, number> = {};
    for (const run of runs) stoppedBy[run.stoppedBy] = (stoppedBy[run.stoppedBy] ?? 0) + 1;
    return {
      label,
      seeds: runs.length,
      epochs: over(
        runs.map((run) => run.epochs.length),
        1,
      ),
      stoppedBy,
      ownValidationAccuracy: over(runs.map((run) => run.finalTestAccuracy)),
      evaluations: first.evaluations.map(({ set, metrics }, e) => {
        const of = runs.map((run) => run.evaluations[e]?.metrics as typeof metrics);
        return {
          set,
          samples: metrics.samples,
          accuracy: over(of.map((m) => m.accuracy)),
          balancedAccuracy: over(of.map((m) => m.balancedAccuracy)),
          perClass: metrics.perClass.map(({ label: name, support }, c) => {
            const pick = (key: 'precision' | 'recall' | 'f1') =>
              over(
                of.map((m) => m.perClass[c]?.[key] as number),
                3,
              );
            return {
              label: name,
              support,
              precision: pick('precision'),
              recall: pick('recall'),
              f1: pick('f1'),
            };
          }),
        };
      }),
    };
  });
  const value = study.targetValidationAccuracy;
  const points = models.flatMap((model) =>
    model.evaluations
      .filter((evaluation) => evaluation.set === barSet)
      .map(({ accuracy }) => ({
        label: `${model.label}, ${barSet}`,
        ours: accuracy,
        reference: value,
        gap: accuracy.mean < value && beyondNoise(accuracy, value),
      })),
  );
  return {
    format: publicationFormat,
    study: { name: study.name, title: study.title, description: study.description.trim() },
    kind: 'mask-detector',
    machine: manifest.machine,
    run: {
      createdAt: manifest.createdAt,
      updatedAt: manifest.updatedAt,
      seeds: Math.min(...models.map((model) => model.seeds)),
      units: results.length,
      backends: [...new Set(results.map(({ result }) => result.backend))].sort(),
    },
    code,
    reference: {
      source: `the seed's bar as the report states it: validation accuracy above ${value} on the VOC crops (the preset's targetValidationAccuracy, where the seed stops training)`,
      metric: 'accuracy',
      set: barSet,
      value,
    },
    models,
    points,
  };
}
