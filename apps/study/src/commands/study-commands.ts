import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LocalExecutor } from '../engine/local-executor.js';
import { runStudy } from '../engine/run-study.js';
import { StudyError } from '../engine/study-error.js';
import type { KindFlag, Unit } from '../engine/study-kind.js';
import { unitId } from '../engine/unit-id.js';
import { writeReport } from '../engine/write-report.js';
import { QueueExecutor } from '../queue/queue-executor.js';
import { runQueueWorker } from '../queue/run-queue-worker.js';
import { listPresets, loadStudy, readPresetText } from '../study/load-study.js';
import { colors, writeJson } from './terminal-output.js';

/** Options of the commands that can answer in JSON. */
export interface JsonOption {
  /** One JSON document on stdout instead of text for people. */
  json?: boolean;
}

/**
 * `actlab list [--json]`: the built-in presets, one a line, or one JSON array of
 * `{name, kind, title, description}`.
 */
export async function listCommand(options: JsonOption = {}): Promise<void> {
  const presets = [];
  for (const name of await listPresets()) {
    const { kind, study } = await loadStudy(name);
    if (!options.json) {
      process.stdout.write(`${colors.bold(name.padEnd(24))} ${study.title}\n`);
    }
    presets.push({
      name,
      kind: kind.kind,
      title: study.title,
      description: study.description.trim(),
    });
  }
  if (options.json) writeJson(presets);
}

/**
 * `actlab show <preset> [--json]`: the preset's study file as written, or with `json` the same
 * document as JSON (itself a study file `actlab run` accepts).
 *
 * @throws {@link StudyError} `PRESET_NOT_FOUND`
 */
export async function showCommand(preset: string, options: JsonOption = {}): Promise<void> {
  const text = await readPresetText(preset);
  if (options.json) writeJson(parseYaml(text));
  else process.stdout.write(text);
}

/** Options of `actlab run`. */
export interface RunCommandOptions {
  out?: string;
  seeds?: number;
  epochs?: number;
  workers: number;
  quick: boolean;
  backend: string;
  trainer?: string;
  dataDir?: string;
  plain: boolean;
  report: boolean;
  /** Start over: move the run folder's files to `replaced/<time>/` instead of resuming. */
  fresh?: boolean;
  /** Run the units as BullMQ jobs on this Redis instead of local worker threads. */
  queue?: string;
  /** Adversarial studies: test-set indices of the source images. */
  sources?: number[];
  /** Adversarial studies: folder of the classifier to attack. */
  model?: string;
  /** Adversarial studies: ids of the methods to run. */
  methods?: string[];
}

const flagNames: Record<KindFlag, string> = {
  seeds: '--seeds',
  epochs: '--epochs',
  trainer: '--trainer',
  sources: '--sources',
  model: '--model',
  methods: '--methods',
};

/** How `actlab run` ended: every unit finished, stopped by a signal, or some unit failed. */
export type RunOutcome = 'finished' | 'interrupted' | 'failed';

/** The process exit code of a run outcome: 0, 130 (as for Ctrl-C) or 1. */
export function runExitCode(outcome: RunOutcome): number {
  return outcome === 'finished' ? 0 : outcome === 'interrupted' ? 130 : 1;
}

/**
 * `actlab run <study>`: plans the study's units, runs the unfinished ones on local worker
 * threads or a queue, and writes the report.
 *
 * @returns how the run ended (the CLI turns it into the exit code with {@link runExitCode})
 * @throws {@link StudyError} `FLAG_NOT_SUPPORTED` for a flag the study's kind cannot use
 */
export async function runCommand(
  studyName: string,
  options: RunCommandOptions,
): Promise<RunOutcome> {
  const { kind, study } = await loadStudy(studyName);
  const refused = (Object.keys(flagNames) as KindFlag[]).filter(
    (flag) => options[flag] !== undefined && !kind.flags.includes(flag),
  );
  if (refused.length > 0) {
    throw new StudyError({
      code: 'FLAG_NOT_SUPPORTED',
      message: `${refused.map((flag) => flagNames[flag]).join(', ')} cannot be used with ${studyName}, a ${kind.kind} study (it takes ${kind.flags.map((flag) => flagNames[flag]).join(', ') || 'none of the kind-specific flags'}); drop ${refused.length > 1 ? 'them' : 'it'}`,
    });
  }
  const { name, title } = study;
  const dataDir = options.dataDir ?? process.env.ACTLAB_DATA_DIR;
  const planned = await kind.plan(study, {
    quick: options.quick,
    ...(options.seeds !== undefined ? { seeds: options.seeds } : {}),
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.trainer !== undefined ? { trainer: options.trainer } : {}),
    ...(options.sources ? { sources: options.sources } : {}),
    ...(options.model ? { model: options.model } : {}),
    ...(options.methods ? { methods: options.methods } : {}),
    ...(dataDir ? { dataDir } : {}),
  });
  const units: Unit[] = planned.map((unit) => ({ ...unit, id: unitId(unit.settings) }));
  const runFolder = resolve(options.out ?? `runs/${name}${options.quick ? '-quick' : ''}`);
  const queueExecutor = options.queue ? new QueueExecutor(options.queue) : undefined;
  const executor = queueExecutor ?? new LocalExecutor(options.workers);
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    process.stderr.write(
      '\nstopping: finished units and checkpoints are kept; run the same command again to resume\n',
    );
    void executor.close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const where = queueExecutor
    ? `queue ${queueExecutor.redactedUrl} (start \`actlab worker\` on any machine)`
    : `${Math.min(options.workers, units.length)} worker(s)`;
  process.stderr.write(`${title}: ${units.length} units, ${where}, run folder ${runFolder}\n`);
  let summary: Awaited<ReturnType<typeof runStudy>>;
  try {
    summary = await runStudy({
      kind,
      study,
      units,
      runFolder,
      executor,
      job: { backend: options.backend, ...(dataDir ? { dataDir } : {}) },
      manifestOptions: {
        quick: options.quick,
        backend: options.backend,
        workers: options.workers,
        ...(options.seeds !== undefined || kind.flags.includes('seeds')
          ? { seeds: options.seeds ?? (study as { seeds?: number }).seeds }
          : {}),
        epochs: options.epochs ?? null,
        ...(options.trainer !== undefined || kind.flags.includes('trainer')
          ? { trainer: options.trainer ?? 'auto' }
          : {}),
        ...(options.sources ? { sources: options.sources } : {}),
        ...(options.model ? { model: resolve(options.model) } : {}),
        ...(options.methods ? { methods: options.methods } : {}),
        ...(queueExecutor ? { queue: queueExecutor.redactedUrl } : {}),
      },
      plain: options.plain,
      fresh: options.fresh ?? false,
    });
  } finally {
    // Also when runStudy throws: no stale handler, no open queue connection.
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await executor.close();
  }
  if (interrupted) return 'interrupted';
  process.stderr.write(
    `done: ${summary.completed} completed, ${summary.diverged} diverged, ${summary.failed.length} failed, ${summary.skipped} already finished\n`,
  );
  for (const failure of summary.failed) {
    process.stderr.write(`  failed: ${failure.label}: ${failure.message} [${failure.code}]\n`);
  }
  if (options.report) await reportCommand(runFolder);
  return summary.failed.length > 0 ? 'failed' : 'finished';
}

/** Options of `actlab worker`. */
export interface WorkerCommandOptions {
  queue: string;
  concurrency: number;
  backend: string;
  dataDir?: string;
  lockDuration?: number;
  stalledInterval?: number;
}

/** `actlab worker --queue <url>`: runs units of any kind until stopped (Ctrl-C or SIGTERM). */
export async function workerCommand(options: WorkerCommandOptions): Promise<void> {
  const dataDir = options.dataDir ?? process.env.ACTLAB_DATA_DIR;
  const worker = await runQueueWorker({
    queue: options.queue,
    concurrency: options.concurrency,
    backend: options.backend,
    ...(dataDir ? { dataDir } : {}),
    ...(options.lockDuration ? { lockDurationMs: options.lockDuration } : {}),
    ...(options.stalledInterval ? { stalledIntervalMs: options.stalledInterval } : {}),
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.stderr.write('\nstopping: units in progress are retried from their checkpoints\n');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await worker.close();
}

/** `actlab report <runFolder>` */
export async function reportCommand(runFolder: string): Promise<void> {
  const report = await writeReport(resolve(runFolder));
  process.stdout.write(`report: ${report.markdownPath}\n        ${report.htmlPath}\n`);
}
