import { ActlabError } from '@actlab/errors';

/**
 * The codes a {@link BackendError} carries: `UNKNOWN_BACKEND` (a name other than auto, node,
 * wasm, cpu), `BACKEND_UNAVAILABLE` (the requested backend's package is not installed or did not
 * start), `MODEL_NOT_FUSABLE` (the model is not a plain stack of Dense layers the fused trainer
 * supports; the message says which layer and why), `TRAINER_UNAVAILABLE` (`trainer: 'fused'` was
 * required for such a model), `INVALID_OPTION` (an optimizer, loss or batch setting out of
 * range), `SHAPE_MISMATCH` (a batch that does not fit the model), `STATE_MISMATCH` (a trainer
 * state or checkpoint of another trainer, optimizer or model), `CHECKPOINT_INVALID` (a
 * checkpoint that is not one), `TRAINER_DISPOSED`.
 */
export type BackendErrorCode =
  | 'UNKNOWN_BACKEND'
  | 'BACKEND_UNAVAILABLE'
  | 'MODEL_NOT_FUSABLE'
  | 'TRAINER_UNAVAILABLE'
  | 'INVALID_OPTION'
  | 'SHAPE_MISMATCH'
  | 'STATE_MISMATCH'
  | 'CHECKPOINT_INVALID'
  | 'TRAINER_DISPOSED';

/** Every error of `@actlab/backend`: an `ActlabError` whose `code` is a {@link BackendErrorCode}. */
export class BackendError extends ActlabError<BackendErrorCode> {
  static override readonly marker: symbol = Symbol.for('@actlab/backend/BackendError');
  override readonly name = 'BackendError' as const;
}
