import type { Unit, UnitProgress, UnitResult } from './study-kind.js';

/** Where and how units run: the kind, and this machine's backend and data (a worker's own for the queue). */
export interface UnitJob {
  kind: string;
  /** The run folder; each unit writes into `trials/<id>/` below it. */
  runFolder: string;
  /** Backend request: auto, wasm, cpu or node. */
  backend: string;
  /** Folder with one sub-folder per dataset. */
  dataDir?: string;
}

/** Events an executor reports while units run. */
export interface UnitEvents {
  started(unit: Unit): void;
  progress(progress: UnitProgress): void;
  finished(unit: Unit, result: UnitResult): void;
  failed(unit: Unit, error: { code: string; message: string }): void;
}

/**
 * Runs units somewhere: local worker threads, or workers taking jobs from a queue. Every
 * implementation leaves each finished unit in the same run-folder layout, `result.json` last.
 */
export interface UnitExecutor {
  /** Runs all units (in any order), reporting through `events`; resolves when all ended. */
  run(units: Unit[], job: UnitJob, events: UnitEvents): Promise<void>;
  /** Stops running units and frees workers. Safe to call twice. */
  close(): Promise<void>;
}
