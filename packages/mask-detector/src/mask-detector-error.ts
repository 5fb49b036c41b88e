import { ActlabError } from '@actlab/errors';

/** The codes a {@link MaskDetectorError} carries. */
export type MaskDetectorErrorCode =
  | 'INVALID_OPTION'
  | 'DATASET_NOT_FOUND'
  | 'EMPTY_CLASS_FOLDER'
  | 'NO_SAMPLES'
  | 'IMAGE_UNREADABLE'
  | 'ANNOTATION_UNREADABLE'
  | 'BAD_IMAGE_TENSOR'
  | 'BAD_BOX'
  | 'MODEL_UNREADABLE'
  | 'MODEL_MISMATCH'
  | 'MISSING_DEPENDENCY'
  | 'NO_FACE_DETECTOR';

/** Every error of the mask detector: an {@link ActlabError} whose `code` is a {@link MaskDetectorErrorCode}. */
export class MaskDetectorError extends ActlabError<MaskDetectorErrorCode> {
  static override readonly marker: symbol = Symbol.for('@actlab/mask-detector/MaskDetectorError');
  override readonly name = 'MaskDetectorError' as const;
}
