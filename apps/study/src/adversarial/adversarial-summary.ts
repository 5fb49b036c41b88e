import { type MeanSd, meanSd } from '../report/summarize.js';
import type { AdversarialMethod } from './adversarial-study-schema.js';
import type { AttackUnitResult, PairResult } from './attack-unit.js';

/** What one method did with one seed: a row of the comparison table. */
export interface MethodSummary {
  id: string;
  label: string;
  seed: number;
  pairs: number;
  successes: number;
  /** Pairs whose target is not the source's own class. */
  attackedPairs: number;
  attackedSuccesses: number;
  /** Means over the successful pairs whose target is not the source's class. */
  meanL0: number | null;
  meanL2: number | null;
  meanLinf: number | null;
  meanConfidence: number | null;
  meanSteps: number;
  /** Mean wall-clock ms per example (attack call, or forward pass for the amortised generator). */
  millisecondsPerExample: number;
  /** Amortised generator only: one-off training time. */
  trainSeconds?: number;
  /** Seconds of all its attacks (and training) together. */
  totalSeconds: number;
}

/** One method over its seeds: each number as mean ± sd over the seeds' {@link MethodSummary}. */
export interface MethodOverSeeds {
  id: string;
  label: string;
  seeds: number[];
  pairs: number;
  attackedPairs: number;
  /** Share of all pairs the classifier then assigns to the target. */
  successRate: MeanSd;
  /** Share of the real attacks (target ≠ label) that reach the target. */
  attackedSuccessRate: MeanSd;
  meanL0: MeanSd;
  meanL2: MeanSd;
  meanLinf: MeanSd;
  meanConfidence: MeanSd;
  meanSteps: MeanSd;
  millisecondsPerExample: MeanSd;
  /** Amortised generator only. */
  trainSeconds: MeanSd | null;
  /** One summary per seed, in seed order. */
  perSeed: MethodSummary[];
}

/**
 * L0 of an attack: the pixels whose 8-bit grey value it changes (the source's pixels are
 * k / 255; the adversarial image's are rounded to the nearest k / 255).
 */
export function changedPixels(adversarial: ArrayLike<number>, source: ArrayLike<number>): number {
  let changed = 0;
  for (let i = 0; i < source.length; i++) {
    if (Math.round(255 * Number(adversarial[i])) !== Math.round(255 * Number(source[i]))) {
      changed++;
    }
  }
  return changed;
}

const mean = (values: number[]) =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * The summary of one method's units of one seed; `sourcePixels` gives each source's image (for
 * L0). L0, L2, L∞ and confidence are means over the successful real attacks (target ≠ label).
 */
export function summarizeMethod(
  method: AdversarialMethod,
  seed: number,
  units: AttackUnitResult[],
  sourcePixels: (index: number) => ArrayLike<number>,
): MethodSummary {
  const pairs = units.flatMap((unit) => unit.pairs);
  const attacked = pairs.filter((pair) => pair.target !== pair.label);
  const fooled = attacked.filter((pair) => pair.success);
  const seconds = units.find((unit) => unit.training)?.training?.seconds;
  return {
    id: method.id,
    label: method.label,
    seed,
    pairs: pairs.length,
    successes: pairs.filter((pair) => pair.success).length,
    attackedPairs: attacked.length,
    attackedSuccesses: fooled.length,
    meanL0: mean(fooled.map((pair) => changedPixels(pair.pixels, sourcePixels(pair.source)))),
    meanL2: mean(fooled.map((pair) => pair.l2)),
    meanLinf: mean(fooled.map((pair) => pair.linf)),
    meanConfidence: mean(fooled.map((pair) => pair.confidence)),
    meanSteps: mean(pairs.map((pair) => pair.steps)) ?? 0,
    millisecondsPerExample: mean(pairs.map((pair) => pair.milliseconds)) ?? 0,
    ...(seconds !== undefined ? { trainSeconds: seconds } : {}),
    totalSeconds: (seconds ?? 0) + pairs.reduce((sum, pair) => sum + pair.milliseconds, 0) / 1000,
  };
}

const over = (summaries: MethodSummary[], value: (summary: MethodSummary) => number | null) =>
  meanSd(summaries.map((summary) => value(summary) ?? Number.NaN));

/**
 * Every method of a run over its seeds, in the order the methods first appear: per seed a
 * {@link summarizeMethod}, then mean ± sd over the seeds of each number (a seed without a
 * successful real attack has no mean L0/L2/L∞ and is left out of theirs).
 */
export function summarizeOverSeeds(units: AttackUnitResult[]): MethodOverSeeds[] {
  const methods: AdversarialMethod[] = [];
  for (const unit of units) {
    if (!methods.some((method) => method.id === unit.settings.method.id)) {
      methods.push(unit.settings.method);
    }
  }
  const sources = new Map<number, number[]>();
  for (const clean of units.flatMap((unit) => unit.clean)) sources.set(clean.index, clean.pixels);
  const sourcePixels = (index: number) => sources.get(index) ?? [];
  return methods.map((method) => {
    const ofMethod = units.filter((unit) => unit.settings.method.id === method.id);
    const seeds = [...new Set(ofMethod.map((unit) => unit.settings.seed))].sort((a, b) => a - b);
    const perSeed = seeds.map((seed) =>
      summarizeMethod(
        method,
        seed,
        ofMethod.filter((unit) => unit.settings.seed === seed),
        sourcePixels,
      ),
    );
    const first = perSeed[0] as MethodSummary;
    return {
      id: method.id,
      label: method.label,
      seeds,
      pairs: first.pairs,
      attackedPairs: first.attackedPairs,
      successRate: over(perSeed, (summary) => summary.successes / summary.pairs),
      attackedSuccessRate: over(
        perSeed,
        (summary) => summary.attackedSuccesses / summary.attackedPairs,
      ),
      meanL0: over(perSeed, (summary) => summary.meanL0),
      meanL2: over(perSeed, (summary) => summary.meanL2),
      meanLinf: over(perSeed, (summary) => summary.meanLinf),
      meanConfidence: over(perSeed, (summary) => summary.meanConfidence),
      meanSteps: over(perSeed, (summary) => summary.meanSteps),
      millisecondsPerExample: over(perSeed, (summary) => summary.millisecondsPerExample),
      trainSeconds:
        first.trainSeconds === undefined ? null : over(perSeed, (s) => s.trainSeconds ?? null),
      perSeed,
    };
  });
}

/** The pairs of one seed (the first, by default) of a method: what the grids and pair table show. */
export function pairsOfSeed(
  units: AttackUnitResult[],
  methodId: string,
  seed: number,
): PairResult[] {
  return units
    .filter((unit) => unit.settings.method.id === methodId && unit.settings.seed === seed)
    .flatMap((unit) => unit.pairs);
}
