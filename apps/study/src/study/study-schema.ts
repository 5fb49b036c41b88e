import {
  activationNames,
  activationSpecSchema,
  learnableActivationNames,
} from '@actlab/activations';
import { optimizerSpecSchema } from '@actlab/backend';
import { z } from 'zod';
import { trialProblems } from './trial-limits.js';

const positiveInt = z.number().int().positive();

const knownActivations: readonly string[] = [...activationNames, ...learnableActivationNames];

/** An activation spec whose name is one of @actlab/activations' activations. */
const knownActivationSchema = activationSpecSchema.superRefine((spec, context) => {
  const name = typeof spec === 'string' ? spec : spec.name;
  if (!knownActivations.includes(name)) {
    context.addIssue({
      code: 'custom',
      message: `unknown activation "${name}"; the activations are: ${knownActivations.join(', ')}`,
    });
  }
});

/** The fields of a trial, each checked alone (their combination is checked by {@link trialSettingsSchema}). */
const trialSettingsObject = z
  .object({
    dataset: z.enum(['mnist', 'fashion-mnist', 'kmnist']),
    /** Training images used (the first ones of a stratified shuffle); null = all 60 000. */
    trainSize: positiveInt.nullable(),
    /** Share of the training images held out for validation. */
    validationFraction: z.number().min(0).lt(1),
    /** Test images used for the test accuracy; null = all 10 000. */
    testSize: positiveInt.nullable(),
    activation: knownActivationSchema,
    /** Activation of the first hidden layer when it differs from the others. */
    firstActivation: knownActivationSchema.nullable(),
    /** Dense layers in all, the softmax output included: depth − 1 hidden layers of `width`. */
    depth: z.number().int().min(1).max(1000),
    width: positiveInt,
    /** Explicit hidden layer widths; when set, `depth` and `width` are not used. */
    hiddenLayers: z.array(positiveInt).nullable(),
    kernelInitializer: z.enum([
      'glorotUniform',
      'glorotNormal',
      'heNormal',
      'heUniform',
      'lecunNormal',
      'lecunUniform',
      /** He-normal for ReLU-like activations, normal(0, 1/fan_in) for the others. */
      'auto',
    ]),
    optimizer: optimizerSpecSchema,
    batchSize: positiveInt,
    epochs: positiveInt,
    seed: z.number().int().min(0),
  })
  .strict();

/** One fully resolved trial configuration. */
export type TrialSettings = z.infer<typeof trialSettingsObject>;

/** Everything that defines one trial, each field and their combination (model size, data split) checked. */
export const trialSettingsSchema = trialSettingsObject.superRefine((settings, context) => {
  for (const { field, message } of trialProblems(settings)) {
    context.addIssue({ code: 'custom', path: [field], message });
  }
});

/** Trial fields that a grid may vary, each with a list of values. */
export const gridAxes = [
  'dataset',
  'trainSize',
  'activation',
  'firstActivation',
  'depth',
  'width',
  'hiddenLayers',
  'kernelInitializer',
  'optimizer',
  'batchSize',
  'epochs',
  'case',
] as const;

/** A field of the trial that a grid varies. */
export type GridAxis = (typeof gridAxes)[number];

/** Grid axes that are trial settings (`case` comes from the study's `cases`). */
type SettingAxis = Exclude<GridAxis, 'case'>;
const settingAxes = gridAxes.filter((axis): axis is SettingAxis => axis !== 'case');

const gridSchema = z
  .object(
    Object.fromEntries(
      settingAxes.map((axis) => [axis, z.array(trialSettingsObject.shape[axis]).min(1).optional()]),
    ) as { [K in SettingAxis]: z.ZodOptional<z.ZodArray<(typeof trialSettingsObject.shape)[K]>> },
  )
  .strict();

/** A named set of settings; the grid is crossed with every case (e.g. the fit regimes). */
const caseSchema = trialSettingsObject
  .partial()
  .extend({ case: z.string().min(1) })
  .strict();

const figureSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('accuracy-curves'),
      /** One chart per value of this field. */
      facet: z.enum(gridAxes).optional(),
      /** One line per value of this field. */
      color: z.enum(gridAxes),
      metric: z
        .enum([
          'testAccuracy',
          'validationAccuracy',
          'trainAccuracy',
          'trainLoss',
          'validationLoss',
        ])
        .default('testAccuracy'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('gradient-by-layer'),
      facet: z.enum(gridAxes).optional(),
      color: z.enum(gridAxes),
      target: z.enum(['weights', 'input', 'outputSum']).default('weights'),
      /** Which per-layer number: the largest |gradient| or the Frobenius (L2) norm. */
      statistic: z.enum(['maxAbs', 'l2Norm']).default('maxAbs'),
      /** The epoch whose probe is shown: 0 is the untrained net, -1 the last. */
      epoch: z.number().int().default(-1),
    })
    .strict(),
  z.object({ kind: z.literal('activation-functions') }).strict(),
  z
    .object({
      kind: z.literal('heatmap'),
      x: z.enum(gridAxes),
      y: z.enum(gridAxes),
      metric: z
        .enum(['testAccuracy', 'validationAccuracy', 'trainAccuracy'])
        .default('testAccuracy'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('loss-curves'),
      /** One chart per value of this field: training (dashed) and validation (solid) curves. */
      facet: z.enum(gridAxes),
      color: z.enum(gridAxes).optional(),
      /** Loss (default) or accuracy. */
      measure: z.enum(['loss', 'accuracy']).default('loss'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('learned-parameters'),
      /** One chart per value of this field; a line per learned scalar. */
      facet: z.enum(gridAxes),
    })
    .strict(),
]);

/** One figure of a study's report. */
export type FigureSpec = z.infer<typeof figureSchema>;

const referenceSchema = z
  .object({
    source: z.string(),
    metric: z.enum(['testAccuracy', 'validationAccuracy']),
    epoch: positiveInt,
    note: z.string().optional(),
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number()]))).min(1),
  })
  .strict();

/** What {@link mergeTrialSettings} layers. */
interface SettingLayers {
  base: Partial<TrialSettings>;
  quick: Partial<TrialSettings>;
}

/**
 * The settings of one trial before its seed: defaults, then `base`, the `quick` overrides (with
 * `--quick`), the grid point and the case; later layers win.
 */
export function mergeTrialSettings(
  study: SettingLayers,
  quick: boolean,
  point: object,
  caseSettings: object,
): Record<string, unknown> {
  return {
    ...defaultTrialSettings,
    ...study.base,
    ...(quick ? study.quick : {}),
    ...point,
    ...caseSettings,
  };
}

/** Grid points beyond which combinations are not checked one by one (the trials still are). */
const combinationLimit = 10_000;

/**
 * Checks every combination a study makes (grid point × case, with and without `quick`) for what
 * no single field shows: a model too large, a split that leaves no training images, more images
 * than the dataset has. Each issue's path is where the offending value was written.
 */
function checkTrialCombinations(
  study: SettingLayers & {
    grid: Partial<Record<string, unknown[]>>;
    cases?: ({ case: string } & Partial<TrialSettings>)[] | undefined;
  },
  context: z.RefinementCtx,
): void {
  let points: { values: Record<string, unknown>; index: Record<string, number> }[] = [
    { values: {}, index: {} },
  ];
  for (const [axis, values] of Object.entries(study.grid)) {
    if (!values) continue;
    points = points.flatMap((point) =>
      values.map((value, at) => ({
        values: { ...point.values, [axis]: value },
        index: { ...point.index, [axis]: at },
      })),
    );
    if (points.length > combinationLimit) return;
  }
  const cases = study.cases ?? [undefined];
  const reported = new Set<string>();
  for (const quick of Object.keys(study.quick).length > 0 ? [false, true] : [false]) {
    for (const point of points) {
      for (const [caseIndex, studyCase] of cases.entries()) {
        const { case: _name, ...caseSettings } = studyCase ?? { case: '' };
        const merged = mergeTrialSettings(study, quick, point.values, caseSettings);
        const parsed = trialSettingsObject.safeParse({ ...merged, seed: 1 });
        if (!parsed.success) continue;
        for (const { field, message } of trialProblems(parsed.data)) {
          const path: (string | number)[] =
            field in caseSettings
              ? ['cases', caseIndex, field]
              : field in point.values
                ? ['grid', field, point.index[field] as number]
                : quick && field in study.quick
                  ? ['quick', field]
                  : ['base', field];
          const key = `${path.join('.')}\u0000${message}`;
          if (reported.has(key)) continue;
          reported.add(key);
          context.addIssue({ code: 'custom', path, message });
        }
      }
    }
  }
}

/** A study: a grid of trials, what to record and how to report them. Presets are such files. */
export const studySchema = z
  .object({
    /** Grid studies may say so; a file without `kind` is one. */
    kind: z.literal('grid').optional(),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
    title: z.string(),
    description: z.string(),
    base: trialSettingsObject.partial(),
    grid: gridSchema.default({}),
    /** Named setting groups crossed with the grid; each trial gets the axis `case`. */
    cases: z.array(caseSchema).min(1).optional(),
    /** Seeds per grid point: seeds 1..n. */
    seeds: positiveInt.default(1),
    /** Overrides that make the study end in a few minutes (`--quick`). */
    quick: trialSettingsObject.partial().default({}),
    record: z
      .object({
        gradients: z
          .object({
            /** Samples of the fixed probe batch: the first training images. */
            batchSize: positiveInt.default(32),
            /**
             * weights: ∂loss/∂kernel; input: ∂(sum of a layer's outputs)/∂(input pixels);
             * outputSum: ∂(sum of the model's outputs)/∂kernel.
             */
            targets: z
              .array(z.enum(['weights', 'input', 'outputSum']))
              .min(1)
              .default(['weights']),
          })
          .strict()
          .default({ batchSize: 32, targets: ['weights'] }),
        /** Record the parameters of learnable activations after every epoch. */
        learnedParameters: z.boolean().default(false),
      })
      .strict()
      .default({ gradients: { batchSize: 32, targets: ['weights'] }, learnedParameters: false }),
    report: z
      .object({
        figures: z.array(figureSchema).default([]),
        reference: referenceSchema.optional(),
        /** Label each grid point underfit / good fit / overfit from its curves. */
        fitDiagnosis: z.boolean().default(false),
      })
      .strict()
      .default({ figures: [], fitDiagnosis: false }),
  })
  .strict()
  .superRefine(checkTrialCombinations);

/** A validated study. */
export type Study = z.infer<typeof studySchema>;
/** A study as written in a file, before defaults are filled in. */
export type StudyInput = z.input<typeof studySchema>;

/** Defaults for trial fields a study leaves out. */
export const defaultTrialSettings: TrialSettings = {
  dataset: 'mnist',
  trainSize: null,
  validationFraction: 0.1,
  testSize: null,
  activation: 'relu',
  firstActivation: null,
  depth: 3,
  width: 32,
  hiddenLayers: null,
  kernelInitializer: 'glorotUniform',
  optimizer: { name: 'sgd', learningRate: 0.01 },
  batchSize: 64,
  epochs: 10,
  seed: 1,
};
