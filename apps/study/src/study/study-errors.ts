import { ActlabError } from '@actlab/errors';

/** A study file or preset that cannot be used: unreadable, not found, or failing the schema. */
export class StudyConfigError extends ActlabError {}

/** A run folder that cannot be used, or a trial that failed for a reason that is not a result. */
export class StudyRunError extends ActlabError {}
