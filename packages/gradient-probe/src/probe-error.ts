import { ActlabError } from '@actlab/errors';

/**
 * Bad input to the gradient probe. Codes: `SHAPE_MISMATCH` (the batch does not fit the model
 * input), `BATCH_MISMATCH` (inputs and targets hold different numbers of samples),
 * `INPUT_COUNT_MISMATCH`, `TARGET_COUNT_MISMATCH`, `TARGET_SHAPE_MISMATCH`, `INVALID_INPUT`
 * (not a tensor, disposed, empty, not a tfjs-layers model), `MODEL_NOT_BUILT`, `MISSING_TARGETS`, `MISSING_LOSS`, `UNKNOWN_LOSS`,
 * `INVALID_OPTION`.
 */
export class GradientProbeError extends ActlabError {}
