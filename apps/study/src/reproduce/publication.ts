import type { AdversarialPublication } from '../adversarial/adversarial-publication.js';
import type { MachineInfo } from '../engine/machine-info.js';
import type { RunManifest } from '../engine/study-kind.js';
import type { MaskPublication } from '../mask-detector/mask-publication.js';
import {
  beyondNoise,
  oursFor,
  pointLabel,
  referenceValue,
} from '../report/reference-comparison.js';
import { formatMeanSd, type MeanSd, summarizeGridPoints } from '../report/summarize.js';
import type { TrialResult } from '../run/trial-records.js';
import type { Study } from '../study/study-schema.js';
import type { CodeVersion } from './code-version.js';

/** The publication format `actlab publish` writes; bumped when a field changes meaning. */
export const publicationFormat = 1;

/** A mean ± sd over seeds, with the text the docs print for it. */
export interface PublishedValue extends MeanSd {
  /** `0.9658 ± 0.0024`, as the report prints it. */
  text: string;
}

/** One grid point of a published study: ours over seeds, and the seed's number beside it. */
export interface PublishedPoint {
  axes: Record<string, string>;
  /** `activation=relu depth=40`: the key of its explanation when it is a gap. */
  label: string;
  seeds: number;
  testAccuracy: PublishedValue;
  trainAccuracy: PublishedValue;
  validationAccuracy: PublishedValue;
  /** Seeds whose training diverged. */
  diverged: number;
  /** Our value of the reference's metric, when the study has a reference row for this point. */
  ours: PublishedValue | null;
  /** The seed's value (from the preset's `report.reference`), or null. */
  reference: number | string | null;
  /** Ours and the seed's differ beyond noise (see `beyondNoise`). */
  gap: boolean;
}

/**
 * `publication.json` of a grid study: what the docs' Results pages and the README's Results
 * block are made of.
 */
/** What every `publication.json` starts with: the study, the machine, the run and the code. */
export interface PublicationHeader {
  format: number;
  study: { name: string; title: string; description: string };
  machine: MachineInfo;
  /** When the run folder was created and last run, the seeds, the units and the backends. */
  run: { createdAt: string; updatedAt: string; seeds: number; units: number; backends: string[] };
  /** The code that ran it (`reproduce`: recorded by `actlab reproduce`; `publish`: at publish). */
  code: CodeVersion & { recordedBy: 'reproduce' | 'publish' };
}

export interface GridPublication extends PublicationHeader {
  kind: 'grid';
  /** Also the epochs and trainers of the grid's trials. */
  run: PublicationHeader['run'] & { epochs: number[]; trainers: string[] };
  reference: { source: string; note: string | null; metric: string; epoch: number } | null;
  points: PublishedPoint[];
}

/** `publication.json`, of a grid, an adversarial or a mask-detector study (told apart by `kind`). */
export type Publication = GridPublication | AdversarialPublication | MaskPublication;

/** A mean ± sd with its text, `digits` decimals (4: as the grid report prints accuracies). */
export function published(value: MeanSd, digits = 4): PublishedValue {
  return { ...value, text: formatMeanSd(value, digits) };
}

/**
 * The publication of a finished grid run: each grid point's mean ± sd over seeds (the report's
 * numbers), the seed's value beside it, and whether they differ beyond noise.
 */
export function buildPublication(
  manifest: RunManifest<Study>,
  results: { axes: Record<string, unknown>; result: TrialResult }[],
  code: GridPublication['code'],
): GridPublication {
  const { study } = manifest;
  const reference = study.report.reference;
  const points = summarizeGridPoints(results).map((point): PublishedPoint => {
    const value = reference ? referenceValue(reference, point.axes) : undefined;
    const ours = reference && value !== undefined ? oursFor(point, reference) : undefined;
    return {
      axes: point.axes,
      label: pointLabel(point.axes),
      seeds: point.seeds,
      testAccuracy: published(point.finalTestAccuracy),
      trainAccuracy: published(point.finalTrainAccuracy),
      validationAccuracy: published(point.finalValidationAccuracy),
      diverged: point.diverged,
      ours: ours ? published(ours) : null,
      reference: value ?? null,
      gap: ours !== undefined && typeof value === 'number' && beyondNoise(ours, value),
    };
  });
  const distinct = <T>(values: T[]) => [...new Set(values)].sort();
  return {
    format: publicationFormat,
    study: { name: study.name, title: study.title, description: study.description.trim() },
    kind: 'grid',
    machine: manifest.machine,
    run: {
      createdAt: manifest.createdAt,
      updatedAt: manifest.updatedAt,
      seeds: Math.min(...points.map((point) => point.seeds)),
      units: results.length,
      epochs: distinct(results.map(({ result }) => result.settings.epochs)),
      backends: distinct(results.map(({ result }) => result.backend)),
      trainers: distinct(results.map(({ result }) => result.trainer ?? 'tfjs')),
    },
    code,
    reference: reference
      ? {
          source: reference.source,
          note: reference.note?.trim() ?? null,
          metric: reference.metric,
          epoch: reference.epoch,
        }
      : null,
    points,
  };
}
