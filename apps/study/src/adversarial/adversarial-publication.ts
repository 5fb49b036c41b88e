import type { RunManifest } from '../engine/study-kind.js';
import type { MeanSd } from '../report/summarize.js';
import type { PublicationHeader } from '../reproduce/publication.js';
import { describeMethod, formatOverSeeds } from './adversarial-report.js';
import type { AdversarialStudy } from './adversarial-study-schema.js';
import { summarizeOverSeeds } from './adversarial-summary.js';
import type { AttackUnitResult } from './attack-unit.js';

/** A mean ± sd over seeds, with the text the report prints for it. */
export interface PublishedOverSeeds extends MeanSd {
  /** `0.978 ± 0.012`, or `425 (1 of 3 seeds)` when some seeds had no successful attack. */
  text: string;
}

/** One method of a published source set: the comparison table's row, over seeds. */
export interface PublishedMethod {
  id: string;
  label: string;
  /** The method's settings as the report's comparison describes them. */
  settings: string;
  seeds: number;
  /** Share of all pairs that reach the target. */
  successRate: PublishedOverSeeds;
  /** Share of the real attacks (target ≠ label) that reach the target. */
  attackedSuccessRate: PublishedOverSeeds;
  meanL0: PublishedOverSeeds;
  meanL2: PublishedOverSeeds;
  meanLinf: PublishedOverSeeds;
  meanConfidence: PublishedOverSeeds;
  millisecondsPerExample: PublishedOverSeeds;
  /** Amortised generator only: its one-off training, seconds. */
  trainSeconds: PublishedOverSeeds | null;
}

/** One run of the study on one set of sources (`default`, or a name of its `sourceSets`). */
export interface PublishedSourceSet {
  name: string;
  /** Its files' folder inside the published folder. */
  folder: string;
  sources: { index: number; label: number; predicted: number; probability: number }[];
  targets: number[];
  pairs: number;
  attackedPairs: number;
  units: number;
  createdAt: string;
  updatedAt: string;
  code: PublicationHeader['code'];
  methods: PublishedMethod[];
}

/**
 * `publication.json` of an adversarial study: one table per source set. Its `run.seeds` is the
 * seeds of the method with the fewest; its `code` is the first source set's run.
 */
export interface AdversarialPublication extends PublicationHeader {
  kind: 'adversarial';
  /** The seed published no figures for this study: nothing to compare with. */
  reference: null;
  classifier: { folder: string; testAccuracy: number | null };
  sourceSets: PublishedSourceSet[];
}

/** A finished run of an adversarial study on one source set, as publish reads it. */
export interface AdversarialRun {
  name: string;
  manifest: RunManifest<AdversarialStudy>;
  results: AttackUnitResult[];
  code: PublishedSourceSet['code'];
}

const digits = {
  successRate: 3,
  attackedSuccessRate: 3,
  meanL0: 0,
  meanL2: 2,
  meanLinf: 3,
  meanConfidence: 3,
  millisecondsPerExample: 0,
} as const;

function publishedSet(run: AdversarialRun): PublishedSourceSet {
  const summaries = summarizeOverSeeds(run.results);
  const sources = new Map<number, PublishedSourceSet['sources'][number]>();
  for (const { pixels: _pixels, ...clean } of run.results.flatMap((unit) => unit.clean)) {
    sources.set(clean.index, clean);
  }
  const methods = summaries.map((summary): PublishedMethod => {
    const seeds = summary.seeds.length;
    const published = (value: MeanSd, places: number) => ({
      ...value,
      text: formatOverSeeds(value, places, seeds),
    });
    const method = run.results.find((unit) => unit.settings.method.id === summary.id)?.settings
      .method as AttackUnitResult['settings']['method'];
    return {
      id: summary.id,
      label: summary.label,
      settings: describeMethod(method),
      seeds,
      ...(Object.fromEntries(
        Object.entries(digits).map(([key, places]) => [
          key,
          published(summary[key as keyof typeof digits], places),
        ]),
      ) as Record<keyof typeof digits, PublishedOverSeeds>),
      trainSeconds: summary.trainSeconds ? published(summary.trainSeconds, 0) : null,
    };
  });
  return {
    name: run.name,
    folder: run.name,
    sources: [...sources.values()],
    targets: run.results[0]?.settings.targets ?? [],
    pairs: summaries[0]?.pairs ?? 0,
    attackedPairs: summaries[0]?.attackedPairs ?? 0,
    units: run.results.length,
    createdAt: run.manifest.createdAt,
    updatedAt: run.manifest.updatedAt,
    code: run.code,
    methods,
  };
}

/**
 * The publication of finished adversarial runs of one study, one per source set (the first is
 * the study's default sources): per method, each number of the report's comparison as mean ± sd
 * over seeds, with the report's text for it. The seed gave no figures for this study, so there
 * is no reference column and no gap.
 */
export function buildAdversarialPublication(
  runs: AdversarialRun[],
  classifier: AdversarialPublication['classifier'],
  format: number,
): AdversarialPublication {
  const first = runs[0] as AdversarialRun;
  const { study } = first.manifest;
  const sourceSets = runs.map(publishedSet);
  const dates = runs.flatMap((run) => [run.manifest.createdAt, run.manifest.updatedAt]).sort();
  return {
    format,
    kind: 'adversarial',
    study: { name: study.name, title: study.title, description: study.description.trim() },
    machine: first.manifest.machine,
    run: {
      createdAt: dates[0] as string,
      updatedAt: dates.at(-1) as string,
      seeds: Math.min(...sourceSets.flatMap((set) => set.methods.map((method) => method.seeds))),
      units: sourceSets.reduce((sum, set) => sum + set.units, 0),
      backends: [
        ...new Set(runs.map((run) => String(run.manifest.options.backend ?? 'auto'))),
      ].sort(),
    },
    code: first.code,
    reference: null,
    classifier,
    sourceSets,
  };
}
