import { ActlabError } from '@actlab/errors';

/** Bad input to the probe: `BATCH_MISMATCH`, `SHAPE_MISMATCH`, `UNKNOWN_LOSS`, `INVALID_OPTION`. */
export class GradientProbeError extends ActlabError {}
