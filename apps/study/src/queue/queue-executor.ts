import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { writeJsonAtomic } from '../run/atomic-files.js';
import { type TrialProgress, trialFiles } from '../run/train-trial.js';
import type { TrialEvents, TrialExecutor, TrialJobContext } from '../run/trial-executor.js';
import type { Trial } from '../study/expand-trials.js';
import {
  checkQueueConnection,
  parseFailedReason,
  parseQueueUrl,
  type QueueConnection,
  type TrialJobData,
  type TrialJobResult,
  trialQueueName,
} from './trial-queue.js';

/** Options of {@link QueueExecutor}. */
export interface QueueExecutorOptions {
  /** Milliseconds between checks of every unfinished job's state (events may be missed). */
  pollIntervalMs?: number;
}

/**
 * Runs trials as BullMQ jobs on Redis (job id = trial id, so enqueuing twice never duplicates
 * work) and writes each result into the run folder as it arrives. `actlab worker` processes
 * train them. Closing stops following the queue only: queued and running jobs go on, and the
 * next run collects the jobs that finished meanwhile.
 */
export class QueueExecutor implements TrialExecutor {
  private readonly connection: QueueConnection;
  private stop: (() => void) | undefined;
  private closed = false;

  /**
   * @param url `redis://[:password@]host[:port][/db]` or `rediss://…`
   * @throws {@link StudyRunError} `QUEUE_URL_INVALID` for a URL that is not a Redis URL
   */
  constructor(
    url: string,
    private readonly options: QueueExecutorOptions = {},
  ) {
    this.connection = parseQueueUrl(url);
  }

  /** The queue's URL without credentials. */
  get redactedUrl(): string {
    return this.connection.redacted;
  }

  async run(trials: Trial[], context: TrialJobContext, events: TrialEvents): Promise<void> {
    if (trials.length === 0 || this.closed) return;
    await checkQueueConnection(this.connection);
    const connection = this.connection.options;
    const queue = new Queue<TrialJobData, TrialJobResult, 'trial'>(trialQueueName, { connection });
    const queueEvents = new QueueEvents(trialQueueName, { connection });
    const byId = new Map(trials.map((trial) => [trial.id, trial]));
    const remaining = new Set(byId.keys());
    const started = new Set<string>();
    const { runFolder, dataDir: _dataDir, backend: _backend, ...jobContext } = context;
    let poll: NodeJS.Timeout | undefined;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.stop = finish;
    // Results being written: the run ends only when none is left to collect and none is in flight.
    let writing = 0;
    const finishWhenSettled = () => {
      if (remaining.size === 0 && writing === 0) finish();
    };
    const settle = (id: string): Trial | undefined => {
      const trial = byId.get(id);
      if (!trial || !remaining.delete(id)) return undefined;
      finishWhenSettled();
      return trial;
    };
    const start = (trial: Trial) => {
      if (started.has(trial.id)) return;
      started.add(trial.id);
      events.started(trial);
    };
    const completed = async (id: string, value: TrialJobResult) => {
      const trial = byId.get(id);
      if (!trial || !remaining.has(id)) return;
      // Counted as writing until its files are on disk, so the run ends only after every write.
      remaining.delete(id);
      writing += 1;
      try {
        await writeTrialFolder(runFolder, trial, value);
        start(trial);
        events.finished(trial, value.result);
      } catch (error) {
        events.failed(trial, {
          code: 'RESULT_NOT_WRITTEN',
          message: `the result arrived but could not be written: ${(error as Error).message}`,
        });
      } finally {
        writing -= 1;
      }
      finishWhenSettled();
    };
    const failed = (id: string, reason: string | undefined) => {
      const trial = settle(id);
      if (trial) events.failed(trial, parseFailedReason(reason));
    };

    queueEvents.on('active', ({ jobId }) => {
      const trial = byId.get(jobId);
      if (trial && remaining.has(jobId)) start(trial);
    });
    queueEvents.on('progress', ({ jobId, data }) => {
      const trial = byId.get(jobId);
      if (!trial || !remaining.has(jobId)) return;
      start(trial);
      events.progress(data as unknown as TrialProgress);
    });
    queueEvents.on('completed', ({ jobId }) => void collect(jobId));
    queueEvents.on('failed', ({ jobId, failedReason }) => failed(jobId, failedReason));

    // Reads a job's state and settles it when it has ended (events alone can be missed).
    const collect = async (id: string) => {
      if (!remaining.has(id)) return;
      const job = (await queue.getJob(id)) as Job<TrialJobData, TrialJobResult> | undefined;
      if (!job) return;
      const state = await job.getState();
      if (state === 'completed') await completed(id, job.returnvalue);
      else if (state === 'failed') failed(id, job.failedReason);
    };

    try {
      // Listen before enqueuing, so no event of a fast job is lost.
      await queueEvents.waitUntilReady();
      for (const trial of trials) {
        if (this.closed) break;
        const existing = await queue.getJob(trial.id);
        const state = existing ? await existing.getState() : 'unknown';
        if (existing && state === 'failed') {
          // A new run retries a failed trial, as a local run does.
          await existing.retry('failed');
        } else if (!existing || state === 'unknown') {
          await queue.add(
            'trial',
            { trial, context: jobContext },
            { jobId: trial.id, attempts: 1, removeOnComplete: false, removeOnFail: false },
          );
        }
      }
      for (const id of [...remaining]) await collect(id);
      const interval = this.options.pollIntervalMs ?? 2000;
      const sweep = async () => {
        for (const id of [...remaining]) {
          if (this.closed) return;
          await collect(id).catch(() => undefined);
        }
        if (!this.closed && remaining.size > 0) poll = setTimeout(sweep, interval);
      };
      poll = setTimeout(sweep, interval);
      if ((remaining.size > 0 || writing > 0) && !this.closed) await done;
    } finally {
      clearTimeout(poll);
      await queueEvents.close();
      await queue.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stop?.();
  }
}

/** Writes a trial's files as a local run would, `result.json` last, every write atomic. */
async function writeTrialFolder(
  runFolder: string,
  trial: Trial,
  { result, gradients, checkpoint }: TrialJobResult,
): Promise<void> {
  const folder = join(runFolder, 'trials', trial.id);
  await mkdir(folder, { recursive: true });
  await writeJsonAtomic(join(folder, trialFiles.config), {
    id: trial.id,
    label: trial.label,
    settings: trial.settings,
  });
  await writeJsonAtomic(join(folder, trialFiles.metrics), result.epochs);
  await writeJsonAtomic(join(folder, trialFiles.gradients), gradients);
  if (checkpoint) await writeJsonAtomic(join(folder, trialFiles.checkpoint), checkpoint);
  await writeJsonAtomic(join(folder, trialFiles.result), result);
}
