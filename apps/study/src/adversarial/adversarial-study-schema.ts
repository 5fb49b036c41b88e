import { z } from 'zod';

const generatorMethod = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    label: z.string().min(1),
    attack: z.literal('generator'),
    schedule: z.enum(['alternate', 'stagewise']).default('alternate'),
    hiddenUnits: z.array(z.number().int().min(1)).min(1).default([256]),
    reconstructSteps: z.number().int().min(0).optional(),
    attackSteps: z.number().int().min(1).default(800),
    learningRate: z.number().positive().default(0.001),
    confidence: z.number().min(0).max(1).default(0.9),
    closenessWeight: z.number().min(0).default(0),
  })
  .strict();

const fgsmMethod = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    label: z.string().min(1),
    attack: z.literal('fgsm'),
    epsilon: z.number().positive().default(0.3),
  })
  .strict();

const pgdMethod = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    label: z.string().min(1),
    attack: z.literal('pgd'),
    norm: z.enum(['linf', 'l2']).default('linf'),
    epsilon: z.number().positive().default(0.3),
    steps: z.number().int().min(1).default(40),
    stepSize: z.number().positive().optional(),
  })
  .strict();

const amortisedMethod = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    label: z.string().min(1),
    attack: z.literal('amortised'),
    /** Test images it trains on (the first ones that are not sources). */
    trainImages: z.number().int().min(1).default(2000),
    steps: z.number().int().min(1).default(300),
    batchSize: z.number().int().min(1).default(64),
    epsilon: z.number().positive().default(0.3),
    hiddenUnits: z.array(z.number().int().min(1)).min(1).default([256]),
    closenessWeight: z.number().min(0).default(1),
  })
  .strict();

/** One attack of the comparison; the first `generator` method also draws the grids. */
export const adversarialMethodSchema = z.discriminatedUnion('attack', [
  generatorMethod,
  fgsmMethod,
  pgdMethod,
  amortisedMethod,
]);

/** A `kind: adversarial` study: attack an MNIST classifier, draw grids, compare attacks. */
export const adversarialStudySchema = z
  .object({
    kind: z.literal('adversarial'),
    name: z.string().min(1),
    title: z.string().min(1),
    description: z.string().default(''),
    dataset: z.literal('mnist').default('mnist'),
    /** Sources: the first test image of each of these digits (unless `sourceIndices`). */
    sourceDigits: z.array(z.number().int().min(0).max(9)).min(1).default([0, 1, 2, 4, 7]),
    /** Explicit test-set indices of the sources (`--sources` overrides both). */
    sourceIndices: z.array(z.number().int().min(0)).min(1).optional(),
    /**
     * Further named sets of sources (test-set indices) that `actlab reproduce` runs besides the
     * default ones, each into its own run folder `<preset>-<name>` (e.g. the seed notebook's).
     */
    sourceSets: z
      .record(z.string().regex(/^[a-z0-9-]+$/), z.array(z.number().int().min(0)).min(1))
      .optional(),
    targets: z.array(z.number().int().min(0).max(9)).min(1).default([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    /** The first seed; `--seeds n` runs seeds `seed` to `seed + n - 1`. */
    seed: z.number().int().min(0).default(0),
    methods: z.array(adversarialMethodSchema).min(1),
    quick: z
      .object({
        sources: z.number().int().min(1).default(2),
        targets: z.array(z.number().int().min(0).max(9)).min(1).default([3, 5, 8]),
        /** Cap on every step count (generator rounds, PGD iterations, amortised steps). */
        maxSteps: z.number().int().min(1).default(30),
        trainImages: z.number().int().min(1).default(64),
        /** Cap on the amortised generator's batch size. */
        batchSize: z.number().int().min(1).default(16),
      })
      .strict()
      .default({ sources: 2, targets: [3, 8], maxSteps: 20, trainImages: 64, batchSize: 16 }),
  })
  .strict()
  .refine((study) => study.methods.some((method) => method.attack === 'generator'), {
    message: 'methods needs at least one generator method (it draws the grids)',
  })
  .refine(
    (study) => new Set(study.methods.map((method) => method.id)).size === study.methods.length,
    {
      message: 'method ids must be unique',
    },
  );

/** A validated adversarial study. */
export type AdversarialStudy = z.infer<typeof adversarialStudySchema>;
/** One validated attack method of an {@link AdversarialStudy}. */
export type AdversarialMethod = z.infer<typeof adversarialMethodSchema>;
