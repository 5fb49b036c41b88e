import { ActlabError } from '@actlab/errors';

/**
 * A failure of `@actlab/backend`. Codes: `UNKNOWN_BACKEND` (a name other than auto, node, wasm,
 * cpu), `BACKEND_UNAVAILABLE` (the requested backend's package is not installed or did not
 * start), `MODEL_NOT_FUSABLE` (the model is not a plain stack of Dense layers the fused trainer
 * supports; the message says which layer and why), `INVALID_OPTION` (an optimizer, loss or
 * batch setting out of range), `SHAPE_MISMATCH` (a batch that does not fit the model),
 * `TRAINER_DISPOSED`.
 */
export class BackendError extends ActlabError {}
