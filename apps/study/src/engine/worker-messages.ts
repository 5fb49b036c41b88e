import type { Unit, UnitProgress, UnitResult } from './study-kind.js';
import type { UnitJob } from './unit-executor.js';

/** Main thread → worker. */
export type ToWorker = { type: 'run'; unit: Unit; job: UnitJob };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'progress'; progress: UnitProgress }
  | { type: 'done'; unitId: string; result: UnitResult }
  | { type: 'failed'; unitId: string; code: string; message: string };
