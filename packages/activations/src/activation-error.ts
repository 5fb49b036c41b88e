import { ActlabError } from '@actlab/errors';

/**
 * Thrown for an unknown activation name (`UNKNOWN_ACTIVATION`), a bad parameter
 * (`INVALID_PARAMETER`) or bad sampling options (`INVALID_SAMPLING`). The message names the
 * valid choices.
 */
export class ActivationError extends ActlabError {}
