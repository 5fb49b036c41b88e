import type { Trial } from '../study/expand-trials.js';
import type { TrialProgress } from './train-trial.js';
import type { TrainerRequest } from './training-engine.js';
import type { TrialResult } from './trial-records.js';

/** What an executor needs to run a study's trials. */
export interface TrialJobContext {
  /** The run folder; each trial writes into `trials/<id>/` below it. */
  runFolder: string;
  /** Backend request: auto, wasm, cpu or node. */
  backend: string;
  /** Which trainer trains the trials; default `auto` (fused where the model qualifies). */
  trainer?: TrainerRequest;
  /** Samples in the fixed gradient-probe batch. */
  probeBatchSize: number;
  /** Which gradients to probe after every epoch. */
  probeTargets: ('weights' | 'input' | 'outputSum')[];
  /** Record learnable activation parameters after every epoch. */
  recordLearnedParameters?: boolean;
  /** Folder with one sub-folder per dataset; else the loader's defaults. */
  dataDir?: string;
}

/** Events an executor reports while trials run. */
export interface TrialEvents {
  started(trial: Trial): void;
  progress(progress: TrialProgress): void;
  finished(trial: Trial, result: TrialResult): void;
  failed(trial: Trial, error: { code: string; message: string }): void;
}

/**
 * Runs trials somewhere: local worker threads, or (scale-out) workers taking jobs from a queue.
 * Every implementation writes each finished trial into the same run-folder layout.
 */
export interface TrialExecutor {
  /** Runs all trials (in any order), reporting through `events`; resolves when all ended. */
  run(trials: Trial[], context: TrialJobContext, events: TrialEvents): Promise<void>;
  /** Stops running trials and frees workers. Safe to call twice. */
  close(): Promise<void>;
}
