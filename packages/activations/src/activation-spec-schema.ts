import { z } from 'zod';

/**
 * The schema of an {@link ActivationSpec}: an activation by name (`'relu'`), or by name with
 * numeric (or string) parameters (`{name: 'leakyRelu', alpha: 0.1}`). Reuse it in other schemas
 * (a study's `activation` field is this schema); what it parses goes into `getActivation`,
 * `activationLayer` and `sampleActivation` as is. Unknown names and parameters are reported by
 * those functions, which know the registry.
 */
export const activationSpecSchema = z.union([
  z.string().min(1),
  z.object({ name: z.string().min(1) }).catchall(z.union([z.number().finite(), z.string()])),
]);

/** An activation by name, or by name with parameters: `{name: 'leakyRelu', alpha: 0.1}`. */
export type ActivationSpec = z.infer<typeof activationSpecSchema>;
