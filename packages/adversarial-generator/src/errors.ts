import { ActlabError } from '@actlab/errors';

/** Codes of {@link AdversarialError}. */
export type AdversarialErrorCode =
  | 'SHAPE_MISMATCH'
  | 'TARGET_OUT_OF_RANGE'
  | 'NON_FINITE_INPUT'
  | 'INVALID_OPTION'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_UNREADABLE';

/** Every error of this package: an {@link ActlabError} whose `code` is an {@link AdversarialErrorCode}. */
export class AdversarialError extends ActlabError<AdversarialErrorCode> {
  static override readonly marker: symbol = Symbol.for(
    '@actlab/adversarial-generator/AdversarialError',
  );
  override readonly name = 'AdversarialError' as const;
}
