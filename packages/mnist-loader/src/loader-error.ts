import { ActlabError } from '@actlab/errors';

/** The codes a {@link MnistLoaderError} carries; the README has a table of what to do for each. */
export type MnistLoaderErrorCode =
  | 'IDX_EMPTY'
  | 'IDX_BAD_MAGIC'
  | 'IDX_UNKNOWN_TYPE'
  | 'IDX_TRUNCATED'
  | 'IDX_SIZE_MISMATCH'
  | 'GZIP_CORRUPT'
  | 'GZIP_TOO_LARGE'
  | 'LABEL_COUNT_MISMATCH'
  | 'LABEL_OUT_OF_RANGE'
  | 'CHECKSUM_MISMATCH'
  | 'CHECKSUM_UNAVAILABLE'
  | 'DATASET_NOT_FOUND'
  | 'DOWNLOAD_FAILED'
  | 'UNKNOWN_DATASET'
  | 'INVALID_OPTION'
  | 'CIFAR_BAD_RECORD_LENGTH'
  | 'CIFAR_MISSING_BATCH'
  | 'ARCHIVE_CORRUPT'
  | 'UNKNOWN_CLASS_FOLDER'
  | 'IMAGE_DECODE_FAILED'
  | 'BAD_IMAGE_SIZE'
  | 'IMAGE_FOLDERS_EMPTY';

/** Every error of the loader: an {@link ActlabError} whose `code` is a {@link MnistLoaderErrorCode}. */
export class MnistLoaderError extends ActlabError<MnistLoaderErrorCode> {
  static override readonly marker: symbol = Symbol.for('@actlab/mnist-loader/MnistLoaderError');
  override readonly name = 'MnistLoaderError' as const;
}
