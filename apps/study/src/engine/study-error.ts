import { ActlabError } from '@actlab/errors';

/** Every code a {@link StudyError} carries. */
export type StudyErrorCode =
  /** A study file that fails its kind's schema. */
  | 'STUDY_INVALID'
  /** A study file that cannot be read. */
  | 'STUDY_UNREADABLE'
  /** A name that is neither a preset nor a path. */
  | 'PRESET_NOT_FOUND'
  /** The package's presets folder is gone. */
  | 'PRESETS_MISSING'
  /** A study (or run folder) whose `kind` no registered kind claims. */
  | 'KIND_UNKNOWN'
  /** A flag the study's kind cannot use (it is refused, never ignored). */
  | 'FLAG_NOT_SUPPORTED'
  /** A flag value that cannot be used. */
  | 'INVALID_ARGUMENT'
  /** A study that needs a data folder and got none. */
  | 'DATA_DIR_MISSING'
  /** A folder without a manifest. */
  | 'RUN_NOT_FOUND'
  /** A `--queue` value that is not a Redis URL. */
  | 'QUEUE_URL_INVALID'
  /** A Redis that does not answer (address, password, TLS). */
  | 'QUEUE_UNREACHABLE'
  /** A queue job whose settings do not hash to its id, or of an unknown kind. */
  | 'BAD_UNIT'
  /** A result that arrived from a worker but could not be written. */
  | 'RESULT_NOT_WRITTEN'
  /** A worker thread that crashed or exited mid-unit. */
  | 'WORKER_CRASHED'
  | 'WORKER_EXITED'
  /** A unit that failed for a reason that has no code of its own. */
  | 'UNIT_FAILED'
  /** A write that found the disk full or the quota reached (ENOSPC, EDQUOT). */
  | 'DISK_FULL'
  /** A run folder (or a file in it) that cannot be written: read-only, or another user's. */
  | 'FOLDER_NOT_WRITABLE'
  /** A run folder locked by a running `actlab run` (this machine) or by another machine. */
  | 'RUN_FOLDER_IN_USE'
  /** A run folder whose manifest belongs to another study or another kind. */
  | 'RUN_FOLDER_MISMATCH'
  /** A run folder written in another run-folder format (another actlab version). */
  | 'RUN_FORMAT_UNSUPPORTED'
  /** A run folder whose manifest.json is not readable JSON. */
  | 'MANIFEST_DAMAGED'
  /** A run folder `actlab publish` refuses: some unit has not finished. */
  | 'RUN_NOT_FINISHED'
  /** A run folder `actlab publish` cannot take: another kind than grid, or a --quick run. */
  | 'RUN_NOT_PUBLISHABLE';

/** The error `actlab` itself throws: a study, a flag, a run folder or a queue that cannot be used. */
export class StudyError extends ActlabError<StudyErrorCode> {
  static override readonly marker: symbol = Symbol.for('@actlab/study/StudyError');
  override readonly name = 'StudyError' as const;
}
