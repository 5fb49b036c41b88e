import { resolve } from 'node:path';
import { StudyError } from '../engine/study-error.js';
import { type PlannedUnit, runSeeds, type StudyKind } from '../engine/study-kind.js';
import { adversarialReport } from './adversarial-report.js';
import {
  type AdversarialMethod,
  type AdversarialStudy,
  adversarialStudySchema,
} from './adversarial-study-schema.js';
import {
  type AttackSettings,
  type AttackUnitResult,
  mnistTestSet,
  runAttackUnit,
} from './attack-unit.js';
import { chooseSources } from './choose-sources.js';

/** The quick profile's caps on step counts, batch size and training images. */
function capSteps(
  method: AdversarialMethod,
  cap: AdversarialStudy['quick'] | undefined,
): AdversarialMethod {
  if (cap === undefined) return method;
  const { maxSteps } = cap;
  switch (method.attack) {
    case 'generator':
      return {
        ...method,
        attackSteps: Math.min(method.attackSteps, maxSteps),
        ...(method.reconstructSteps !== undefined || method.schedule === 'stagewise'
          ? { reconstructSteps: Math.min(method.reconstructSteps ?? 800, maxSteps) }
          : {}),
      };
    case 'pgd':
      return { ...method, steps: Math.min(method.steps, maxSteps) };
    case 'amortised':
      return {
        ...method,
        steps: Math.min(method.steps, maxSteps),
        batchSize: Math.min(method.batchSize, cap.batchSize),
        trainImages: Math.min(method.trainImages, cap.trainImages),
      };
    default:
      return method;
  }
}

/**
 * Attacks on an MNIST classifier (`kind: adversarial`): one unit per method, source and seed
 * (its targets are the unit's steps), the amortised generator one unit per seed for all sources
 * since it is trained once; a seed fixes the generators' initial weights, PGD's random start and
 * the amortised generator's training, never the classifier. Grids, a comparison table (mean ±
 * sd over seeds) and `results.json` in the report. `actlab reproduce` also runs the study's
 * `sourceSets`.
 */
export const adversarialKind: StudyKind<AdversarialStudy, AttackSettings, AttackUnitResult> = {
  kind: 'adversarial',
  schema: adversarialStudySchema,
  flags: ['seeds', 'sources', 'model', 'methods'],
  variants: (study) =>
    Object.entries(study.sourceSets ?? {}).map(([name, sources]) => ({ name, sources })),
  async plan(study, options) {
    const test = await mnistTestSet(options.dataDir);
    const sources = chooseSources(study, test.labels, options);
    const targets = options.quick ? study.quick.targets : study.targets;
    const unknown = (options.methods ?? []).filter(
      (id) => !study.methods.some((method) => method.id === id),
    );
    if (unknown.length > 0) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `unknown method(s) ${unknown.join(', ')}; ${study.name} has ${study.methods.map((method) => method.id).join(', ')}`,
      });
    }
    const model = options.model ? resolve(options.model) : null;
    const seeds = runSeeds(study, options.seeds);
    const methods = study.methods
      .filter((method) => !options.methods || options.methods.includes(method.id))
      .map((method) => capSteps(method, options.quick ? study.quick : undefined));
    return seeds.flatMap((seed) =>
      methods.flatMap((method): PlannedUnit<AttackSettings>[] => {
        const common = { method, targets, seed, model };
        const ofSeed = seeds.length > 1 ? `, seed ${seed}` : '';
        if (method.attack === 'amortised') {
          return [
            {
              label: `${method.label}${ofSeed}`,
              axes: { method: method.id, seed },
              settings: { ...common, sources },
              steps: sources.length * targets.length,
            },
          ];
        }
        return sources.map((source) => ({
          label: `${method.label}, source ${source}${ofSeed}`,
          axes: { method: method.id, source, seed },
          settings: { ...common, sources: [source] },
          steps: targets.length,
        }));
      }),
    );
  },
  runUnit: (unit, context) => runAttackUnit(unit, context),
  describe: (result) =>
    `${result.pairs.filter((pair) => pair.success).length}/${result.pairs.length} targets reached`,
  report: adversarialReport,
};
