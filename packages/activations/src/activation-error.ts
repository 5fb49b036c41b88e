import { ActlabError } from '@actlab/errors';

/**
 * The codes an {@link ActivationError} carries: an unknown activation name
 * (`UNKNOWN_ACTIVATION`), a bad parameter (`INVALID_PARAMETER`), bad sampling options
 * (`INVALID_SAMPLING`) or an input of the wrong shape (`INVALID_INPUT_SHAPE`).
 */
export type ActivationErrorCode =
  | 'UNKNOWN_ACTIVATION'
  | 'INVALID_PARAMETER'
  | 'INVALID_SAMPLING'
  | 'INVALID_INPUT_SHAPE';

/** Every error of `@actlab/activations`; the message names the valid choices. */
export class ActivationError extends ActlabError<ActivationErrorCode> {
  static override readonly marker: symbol = Symbol.for('@actlab/activations/ActivationError');
  override readonly name = 'ActivationError' as const;
}
