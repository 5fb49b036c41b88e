import type { Trial } from '../study/expand-trials.js';
import type { TrialProgress } from './train-trial.js';
import type { TrialJobContext } from './trial-executor.js';
import type { TrialResult } from './trial-records.js';

/** Main thread → worker. */
export type ToWorker = { type: 'run'; trial: Trial; context: TrialJobContext };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'progress'; progress: TrialProgress }
  | { type: 'done'; trialId: string; result: TrialResult }
  | { type: 'failed'; trialId: string; code: string; message: string };
