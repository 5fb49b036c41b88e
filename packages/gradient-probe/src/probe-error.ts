import { ActlabError } from '@actlab/errors';

/**
 * The codes a {@link GradientProbeError} carries: `SHAPE_MISMATCH` (the batch does not fit the
 * model input), `BATCH_MISMATCH` (inputs and targets hold different numbers of samples),
 * `INPUT_COUNT_MISMATCH`, `TARGET_COUNT_MISMATCH`, `TARGET_SHAPE_MISMATCH`, `INVALID_INPUT` (not
 * a tensor, disposed, empty, not a tfjs-layers model), `MODEL_NOT_BUILT`, `MISSING_TARGETS`,
 * `MISSING_LOSS`, `UNKNOWN_LOSS`, `INVALID_OPTION`.
 */
export type GradientProbeErrorCode =
  | 'SHAPE_MISMATCH'
  | 'BATCH_MISMATCH'
  | 'INPUT_COUNT_MISMATCH'
  | 'TARGET_COUNT_MISMATCH'
  | 'TARGET_SHAPE_MISMATCH'
  | 'INVALID_INPUT'
  | 'MODEL_NOT_BUILT'
  | 'MISSING_TARGETS'
  | 'MISSING_LOSS'
  | 'UNKNOWN_LOSS'
  | 'INVALID_OPTION';

/** Bad input to the gradient probe: an `ActlabError` whose `code` is a {@link GradientProbeErrorCode}. */
export class GradientProbeError extends ActlabError<GradientProbeErrorCode> {
  static override readonly marker: symbol = Symbol.for('@actlab/gradient-probe/GradientProbeError');
  override readonly name = 'GradientProbeError' as const;
}
