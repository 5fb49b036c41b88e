import { z } from 'zod';

/** A `kind: mask-detector` study: train the seed CNN on the face-mask sets and report on it. */
export const maskStudySchema = z
  .object({
    kind: z.literal('mask-detector'),
    name: z.string().min(1),
    title: z.string().min(1),
    description: z.string().default(''),
    size: z.number().int().min(16).max(128).default(48),
    classes: z.literal(2).default(2),
    margin: z.number().min(0).max(1).default(0.1),
    minBoxSize: z.number().min(0).default(10),
    maxEpochs: z.number().int().min(1).default(20),
    targetValidationAccuracy: z.number().min(0).max(1).default(0.97),
    batchSize: z.number().int().min(1).default(32),
    seed: z.number().int().default(0),
    crossDataset: z.boolean().default(true),
    quick: z
      .object({
        limit: z.number().int().min(1).default(40),
        maxEpochs: z.number().int().min(1).default(2),
        size: z.number().int().min(16).max(128).default(32),
      })
      .strict()
      .default({ limit: 40, maxEpochs: 2, size: 32 }),
    report: z
      .object({ figures: z.array(z.string()).default(['learning-curves', 'confusion-matrix']) })
      .strict()
      .default({ figures: ['learning-curves', 'confusion-matrix'] }),
  })
  .strict();

/** A validated mask-detector study. */
export type MaskStudy = z.infer<typeof maskStudySchema>;
