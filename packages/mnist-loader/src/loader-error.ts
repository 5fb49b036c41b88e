import { ActlabError } from '@actlab/errors';

/**
 * Every error of the loader. Codes: `IDX_BAD_MAGIC`, `IDX_UNKNOWN_TYPE`, `IDX_TRUNCATED`,
 * `IDX_SIZE_MISMATCH`, `IDX_EMPTY`, `GZIP_CORRUPT`, `LABEL_COUNT_MISMATCH`, `CHECKSUM_MISMATCH`,
 * `DATASET_NOT_FOUND`, `DOWNLOAD_FAILED`, `UNKNOWN_DATASET`, `INVALID_OPTION`.
 */
export class MnistLoaderError extends ActlabError {}
