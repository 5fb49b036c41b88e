import { createLogUpdate } from 'log-update';
import type { Unit, UnitProgress } from './study-kind.js';

/** Receives what happens during a run, to show it. */
export interface ProgressDisplay {
  unitStarted(unit: Unit): void;
  progress(progress: UnitProgress): void;
  /** `summary`: the kind's one line about the result. */
  unitFinished(unit: Unit, summary: string): void;
  unitFailed(unit: Unit, message: string): void;
  close(): void;
}

/** A duration for people: `42s`, `6m52s`, `1h03m` (`?` when unknown). */
export function formatDuration(seconds: number): string {
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
 * Tracks the study's progress: finished steps over all steps, including units skipped
 * because they were already done, and an ETA from the pace of this run.
 */
class ProgressTracker {
  private readonly totalSteps: number;
  private doneSteps = 0;
  private readonly startedAt = performance.now();
  private doneAtStart = 0;
  readonly running = new Map<string, { unit: Unit; progress?: UnitProgress }>();
  finished = 0;
  failed = 0;

  constructor(
    readonly units: Unit[],
    alreadyFinished: number,
    alreadyDoneSteps: number,
  ) {
    this.totalSteps = units.reduce((sum, unit) => sum + unit.steps, 0);
    this.finished = alreadyFinished;
    this.doneSteps = alreadyDoneSteps;
    this.doneAtStart = alreadyDoneSteps;
  }

  start(unit: Unit): void {
    this.running.set(unit.id, { unit });
  }

  update(progress: UnitProgress): void {
    const entry = this.running.get(progress.unitId);
    if (entry) entry.progress = progress;
    if (progress.done) this.doneSteps++;
  }

  finish(unit: Unit, succeeded: boolean): void {
    const entry = this.running.get(unit.id);
    const reached = entry?.progress?.done ? entry.progress.step : 0;
    // A unit that stops early (diverged, target reached, failed): its remaining steps count as done.
    this.doneSteps += Math.max(0, unit.steps - reached);
    this.running.delete(unit.id);
    if (succeeded) this.finished++;
    else this.failed++;
  }

  fraction(): number {
    let partial = 0;
    for (const { progress } of this.running.values()) {
      if (progress && !progress.done) partial += progress.within;
    }
    return Math.min(1, (this.doneSteps + partial) / Math.max(1, this.totalSteps));
  }

  etaSeconds(): number {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const donePart = this.fraction() - this.doneAtStart / Math.max(1, this.totalSteps);
    if (donePart <= 0) return Number.POSITIVE_INFINITY;
    return (elapsed / donePart) * (1 - this.fraction());
  }
}

/** A live, redrawn display for a terminal: overall bar and ETA, then one line per running unit. */
function terminalDisplay(tracker: ProgressTracker, stream: NodeJS.WriteStream): ProgressDisplay {
  const logUpdate = createLogUpdate(stream);
  let lastDraw = 0;
  const draw = (force = false) => {
    const now = performance.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const lines = [
      `${bar(tracker.fraction(), 30)} ${(tracker.fraction() * 100).toFixed(1)}%  units ${tracker.finished}/${tracker.units.length}${tracker.failed ? ` (${tracker.failed} failed)` : ''}  ETA ${formatDuration(tracker.etaSeconds())}`,
    ];
    for (const { unit, progress } of tracker.running.values()) {
      if (!progress) {
        lines.push(`  ${unit.label}  starting…`);
        continue;
      }
      const fraction = (progress.step - 1 + (progress.done ? 1 : progress.within)) / progress.steps;
      lines.push(
        `  ${unit.label}  step ${progress.step}/${progress.steps} ${bar(fraction)}${progress.line ? `  ${progress.line}` : ''}`,
      );
    }
    logUpdate(lines.join('\n'));
  };
  return {
    unitStarted: (unit) => {
      tracker.start(unit);
      draw(true);
    },
    progress: (progress) => {
      tracker.update(progress);
      draw(progress.done === true);
    },
    unitFinished: (unit, summary) => {
      tracker.finish(unit, true);
      logUpdate.clear();
      stream.write(`✔ ${unit.label}: ${summary}\n`);
      draw(true);
    },
    unitFailed: (unit, message) => {
      tracker.finish(unit, false);
      logUpdate.clear();
      stream.write(`✘ ${unit.label}: ${message}\n`);
      draw(true);
    },
    close: () => {
      draw(true);
      logUpdate.done();
    },
  };
}

/** Plain logs for pipes and CI: one line per finished step and per finished unit. */
function lineDisplay(tracker: ProgressTracker, stream: NodeJS.WritableStream): ProgressDisplay {
  return {
    unitStarted: (unit) => tracker.start(unit),
    progress: (progress) => {
      tracker.update(progress);
      if (!progress.done) return;
      const label = tracker.running.get(progress.unitId)?.unit.label ?? progress.unitId;
      stream.write(
        `[${(tracker.fraction() * 100).toFixed(1)}% ETA ${formatDuration(tracker.etaSeconds())}] ${label} ${progress.line ?? `step ${progress.step}/${progress.steps}`}\n`,
      );
    },
    unitFinished: (unit, summary) => {
      tracker.finish(unit, true);
      stream.write(
        `unit ${tracker.finished}/${tracker.units.length} done: ${unit.label}: ${summary}\n`,
      );
    },
    unitFailed: (unit, message) => {
      tracker.finish(unit, false);
      stream.write(`unit failed: ${unit.label}: ${message}\n`);
    },
    close: () => {},
  };
}

/** Options of {@link createProgressDisplay}. */
export interface ProgressDisplayOptions {
  units: Unit[];
  alreadyFinished: number;
  alreadyDoneSteps: number;
  stream?: NodeJS.WriteStream;
  /** Force the plain line logs even on a terminal. */
  plain?: boolean;
}

/** A live display on a terminal, plain one-line-per-step logs otherwise. */
export function createProgressDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  const stream = options.stream ?? process.stderr;
  const tracker = new ProgressTracker(
    options.units,
    options.alreadyFinished,
    options.alreadyDoneSteps,
  );
  return stream.isTTY && !options.plain
    ? terminalDisplay(tracker, stream)
    : lineDisplay(tracker, stream);
}
