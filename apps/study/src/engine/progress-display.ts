import { createLogUpdate } from 'log-update';
import type { Trial } from '../study/expand-trials.js';
import type { TrialProgress } from './train-trial.js';
import type { TrialResult } from './trial-records.js';

/** Receives what happens during a run, to show it. */
export interface ProgressDisplay {
  trialStarted(trial: Trial): void;
  progress(progress: TrialProgress): void;
  trialFinished(trial: Trial, result: TrialResult): void;
  trialFailed(trial: Trial, message: string): void;
  close(): void;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function bar(fraction: number, width = 20): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/**
 * Tracks the study's progress: finished epochs over all epochs, including trials skipped
 * because they were already done, and an ETA from the pace of this run.
 */
class ProgressTracker {
  private readonly totalEpochs: number;
  private doneEpochs = 0;
  private readonly startedAt = performance.now();
  private doneAtStart = 0;
  readonly running = new Map<string, { trial: Trial; progress?: TrialProgress }>();
  finished = 0;
  failed = 0;

  constructor(
    readonly trials: Trial[],
    alreadyFinished: number,
    alreadyDoneEpochs: number,
  ) {
    this.totalEpochs = trials.reduce((sum, trial) => sum + trial.settings.epochs, 0);
    this.finished = alreadyFinished;
    this.doneEpochs = alreadyDoneEpochs;
    this.doneAtStart = alreadyDoneEpochs;
  }

  start(trial: Trial): void {
    this.running.set(trial.id, { trial });
  }

  update(progress: TrialProgress): void {
    const entry = this.running.get(progress.trialId);
    if (entry) entry.progress = progress;
    if (progress.metrics) this.doneEpochs++;
  }

  finish(trial: Trial, result: TrialResult | null): void {
    const entry = this.running.get(trial.id);
    const reached = entry?.progress?.metrics?.epoch ?? 0;
    // A diverged or failed trial stops early: count its remaining epochs as done.
    this.doneEpochs += Math.max(0, trial.settings.epochs - reached);
    this.running.delete(trial.id);
    if (result) this.finished++;
    else this.failed++;
  }

  fraction(): number {
    let partial = 0;
    for (const { progress } of this.running.values()) {
      if (progress && !progress.metrics) partial += progress.batch / progress.batches;
    }
    return Math.min(1, (this.doneEpochs + partial) / Math.max(1, this.totalEpochs));
  }

  etaSeconds(): number {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const donePart = this.fraction() - this.doneAtStart / Math.max(1, this.totalEpochs);
    if (donePart <= 0) return Number.POSITIVE_INFINITY;
    return (elapsed / donePart) * (1 - this.fraction());
  }
}

/** A live, redrawn display for a terminal: overall bar and ETA, then one line per running trial. */
function terminalDisplay(tracker: ProgressTracker, stream: NodeJS.WriteStream): ProgressDisplay {
  const logUpdate = createLogUpdate(stream);
  let lastDraw = 0;
  const draw = (force = false) => {
    const now = performance.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const lines = [
      `${bar(tracker.fraction(), 30)} ${(tracker.fraction() * 100).toFixed(1)}%  trials ${tracker.finished}/${tracker.trials.length}${tracker.failed ? ` (${tracker.failed} failed)` : ''}  ETA ${formatDuration(tracker.etaSeconds())}`,
    ];
    for (const { trial, progress } of tracker.running.values()) {
      if (!progress) {
        lines.push(`  ${trial.label}  starting…`);
        continue;
      }
      const within = progress.metrics ? 1 : progress.batch / progress.batches;
      const fraction = (progress.epoch - 1 + within) / progress.epochs;
      const last = progress.metrics ? `  test acc ${progress.metrics.testAccuracy.toFixed(4)}` : '';
      lines.push(
        `  ${trial.label}  epoch ${progress.epoch}/${progress.epochs} ${bar(fraction)}${last}`,
      );
    }
    logUpdate(lines.join('\n'));
  };
  return {
    trialStarted: (trial) => {
      tracker.start(trial);
      draw(true);
    },
    progress: (progress) => {
      tracker.update(progress);
      draw(progress.metrics !== undefined);
    },
    trialFinished: (trial, result) => {
      tracker.finish(trial, result);
      logUpdate.clear();
      stream.write(
        `✔ ${trial.label}: ${result.status}${result.divergedAtEpoch ? ` at epoch ${result.divergedAtEpoch}` : ''}, test accuracy ${result.finalTestAccuracy.toFixed(4)}\n`,
      );
      draw(true);
    },
    trialFailed: (trial, message) => {
      tracker.finish(trial, null);
      logUpdate.clear();
      stream.write(`✘ ${trial.label}: ${message}\n`);
      draw(true);
    },
    close: () => {
      draw(true);
      logUpdate.done();
    },
  };
}

/** Plain logs for pipes and CI: one line per finished epoch and per finished trial. */
function lineDisplay(tracker: ProgressTracker, stream: NodeJS.WritableStream): ProgressDisplay {
  return {
    trialStarted: (trial) => tracker.start(trial),
    progress: (progress) => {
      tracker.update(progress);
      const metrics = progress.metrics;
      if (!metrics) return;
      const label = tracker.running.get(progress.trialId)?.trial.label ?? progress.trialId;
      const validation =
        metrics.validationAccuracy === null
          ? ''
          : ` val_acc=${metrics.validationAccuracy.toFixed(4)}`;
      stream.write(
        `[${(tracker.fraction() * 100).toFixed(1)}% ETA ${formatDuration(tracker.etaSeconds())}] ${label} epoch ${metrics.epoch}/${progress.epochs} loss=${metrics.trainLoss.toFixed(4)} acc=${metrics.trainAccuracy.toFixed(4)}${validation} test_acc=${metrics.testAccuracy.toFixed(4)} (${metrics.wallSeconds.toFixed(1)}s)\n`,
      );
    },
    trialFinished: (trial, result) => {
      tracker.finish(trial, result);
      stream.write(
        `trial ${tracker.finished}/${tracker.trials.length} done: ${trial.label}: ${result.status}${result.divergedAtEpoch ? ` at epoch ${result.divergedAtEpoch}` : ''}, test accuracy ${result.finalTestAccuracy.toFixed(4)}\n`,
      );
    },
    trialFailed: (trial, message) => {
      tracker.finish(trial, null);
      stream.write(`trial failed: ${trial.label}: ${message}\n`);
    },
    close: () => {},
  };
}

/** Options of {@link createProgressDisplay}. */
export interface ProgressDisplayOptions {
  trials: Trial[];
  alreadyFinished: number;
  alreadyDoneEpochs: number;
  stream?: NodeJS.WriteStream;
  /** Force the plain line logs even on a terminal. */
  plain?: boolean;
}

/** A live display on a terminal, plain one-line-per-epoch logs otherwise. */
export function createProgressDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  const tracker = new ProgressTracker(
    options.trials,
    options.alreadyFinished,
    options.alreadyDoneEpochs,
  );
  return stream.isTTY && !options.plain
    ? terminalDisplay(tracker, stream)
    : lineDisplay(tracker, stream);
}
