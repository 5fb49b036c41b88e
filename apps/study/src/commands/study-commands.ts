import { resolve } from 'node:path';
import { loadAdversarialStudy } from '../adversarial/load-adversarial-study.js';
import { runAdversarialStudy } from '../adversarial/run-adversarial-study.js';
import { loadMaskStudy, studyKind } from '../mask-detector/load-mask-study.js';
import { runMaskDetectorStudy } from '../mask-detector/run-mask-detector.js';
import { QueueExecutor } from '../queue/queue-executor.js';
import { runQueueWorker } from '../queue/run-queue-worker.js';
import { writeReport } from '../report/write-report.js';
import { LocalExecutor } from '../run/local-executor.js';
import { runStudy } from '../run/run-study.js';
import type { TrainerRequest } from '../run/training-engine.js';
import { expandTrials } from '../study/expand-trials.js';
import { listPresets, loadStudy, readPresetText } from '../study/load-study.js';
import { StudyConfigError } from '../study/study-errors.js';

/** `actlab list` */
export async function listCommand(): Promise<void> {
  for (const name of await listPresets()) {
    const kind = await studyKind(name);
    const study =
      kind === 'mask-detector'
        ? await loadMaskStudy(name)
        : kind === 'adversarial'
          ? await loadAdversarialStudy(name)
          : await loadStudy(name);
    process.stdout.write(`${name.padEnd(24)} ${study.title}\n`);
  }
}

/** `actlab show <preset>` */
export async function showCommand(preset: string): Promise<void> {
  process.stdout.write(await readPresetText(preset));
}

/** Options of `actlab run`. */
export interface RunCommandOptions {
  out?: string;
  seeds?: number;
  epochs?: number;
  workers: number;
  quick: boolean;
  backend: string;
  trainer: TrainerRequest;
  dataDir?: string;
  plain: boolean;
  report: boolean;
  /** Run the trials as BullMQ jobs on this Redis instead of local worker threads. */
  queue?: string;
  /** Adversarial studies: test-set indices of the source images. */
  sources?: number[];
  /** Adversarial studies: folder of the classifier to attack. */
  model?: string;
  /** Adversarial studies: ids of the methods to run. */
  methods?: string[];
}

/** `actlab run <study>` */
export async function runCommand(studyName: string, options: RunCommandOptions): Promise<void> {
  const kind = await studyKind(studyName);
  if (kind === 'mask-detector' || kind === 'adversarial') {
    if (options.queue) {
      throw new StudyConfigError({
        code: 'INVALID_ARGUMENT',
        message: `${studyName} is a ${kind} study, which runs on this machine only; drop --queue`,
      });
    }
    if (kind === 'adversarial') {
      await runAdversarialStudy(await loadAdversarialStudy(studyName), options);
    } else {
      await runMaskDetectorStudy(await loadMaskStudy(studyName), options);
    }
    return;
  }
  if (options.sources || options.model || options.methods) {
    throw new StudyConfigError({
      code: 'INVALID_ARGUMENT',
      message: `--sources, --model and --methods apply to adversarial studies only; ${studyName} is not one`,
    });
  }
  const study = await loadStudy(studyName);
  const trials = expandTrials(study, {
    quick: options.quick,
    ...(options.seeds !== undefined ? { seeds: options.seeds } : {}),
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
  });
  const runFolder = resolve(options.out ?? `runs/${study.name}${options.quick ? '-quick' : ''}`);
  const queueExecutor = options.queue ? new QueueExecutor(options.queue) : undefined;
  const executor = queueExecutor ?? new LocalExecutor(options.workers);
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    process.stderr.write(
      '\nstopping: finished trials and checkpoints are kept; run the same command again to resume\n',
    );
    void executor.close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const where = queueExecutor
    ? `queue ${queueExecutor.redactedUrl} (start \`actlab worker\` on any machine)`
    : `${Math.min(options.workers, trials.length)} worker(s)`;
  process.stderr.write(
    `${study.title}: ${trials.length} trials, ${where}, run folder ${runFolder}\n`,
  );
  const dataDir = options.dataDir ?? process.env.ACTLAB_DATA_DIR;
  const summary = await runStudy({
    study,
    trials,
    runFolder,
    executor,
    context: {
      backend: options.backend,
      trainer: options.trainer,
      probeBatchSize: study.record.gradients.batchSize,
      probeTargets: study.record.gradients.targets,
      recordLearnedParameters: study.record.learnedParameters,
      ...(dataDir ? { dataDir } : {}),
    },
    manifestOptions: {
      quick: options.quick,
      seeds: options.seeds ?? study.seeds,
      epochs: options.epochs ?? null,
      workers: options.workers,
      backend: options.backend,
      trainer: options.trainer,
      ...(queueExecutor ? { queue: queueExecutor.redactedUrl } : {}),
    },
    plain: options.plain,
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await executor.close();
  if (interrupted) {
    process.exitCode = 130;
    return;
  }
  process.stderr.write(
    `done: ${summary.completed} completed, ${summary.diverged} diverged, ${summary.failed.length} failed, ${summary.skipped} already finished\n`,
  );
  for (const failure of summary.failed) {
    process.stderr.write(`  failed: ${failure.label}: ${failure.message} [${failure.code}]\n`);
  }
  if (options.report) {
    const report = await writeReport(runFolder);
    process.stdout.write(`report: ${report.markdownPath}\n        ${report.htmlPath}\n`);
  }
  if (summary.failed.length > 0) process.exitCode = 1;
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

/** `actlab worker --queue <url>`: trains trial jobs until stopped (Ctrl-C or SIGTERM). */
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
      process.stderr.write('\nstopping: trials in progress are retried from their checkpoints\n');
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
