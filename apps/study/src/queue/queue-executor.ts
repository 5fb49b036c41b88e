import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { writeFileAtomically } from '../engine/atomic-files.js';
import { unitFiles, unitFolder } from '../engine/run-unit.js';
import type { Unit, UnitProgress } from '../engine/study-kind.js';
import type { UnitEvents, UnitExecutor, UnitJob } from '../engine/unit-executor.js';
import {
  checkQueueConnection,
  isConnectionError,
  parseFailedReason,
  parseQueueUrl,
  type QueueConnection,
  reconnectingOptions,
  trialQueueName,
  type UnitJobData,
  type UnitJobResult,
  watchRedis,
} from './unit-queue.js';

/** Options of {@link QueueExecutor}. */
export interface QueueExecutorOptions {
  /** Milliseconds between checks of every unfinished job's state (events may be missed). */
  pollIntervalMs?: number;
  /** Where to say that Redis is unreachable or lost jobs; default stderr. */
  log?: (line: string) => void;
}

/**
 * Runs units of any kind as BullMQ jobs `{kind, unit}` on Redis (job id = unit id, so enqueuing twice never duplicates
 * work) and writes each result into the run folder as it arrives. `actlab worker` processes
 * train them. Closing stops following the queue only: queued and running jobs go on, and the
 * next run collects the jobs that finished meanwhile.
 *
 * While Redis is unreachable every client retries with backoff (250 ms doubling to 5 s) and
 * the log says so; a job that disappeared (Redis restarted without persistence) is enqueued
 * again under the same id, so the study still completes with every unit once.
 */
export class QueueExecutor implements UnitExecutor {
  private readonly connection: QueueConnection;
  private stop: (() => void) | undefined;
  private closed = false;

  /**
   * @param url `redis://[:password@]host[:port][/db]` or `rediss://…`
   * @throws {@link StudyError} `QUEUE_URL_INVALID` for a URL that is not a Redis URL
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

  async run(units: Unit[], job: UnitJob, events: UnitEvents): Promise<void> {
    if (units.length === 0 || this.closed) return;
    await checkQueueConnection(this.connection);
    const log = this.options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const connection = reconnectingOptions(this.connection);
    const watch = watchRedis(this.connection, log);
    const queue = new Queue<UnitJobData, UnitJobResult, 'unit'>(trialQueueName, { connection });
    const queueEvents = new QueueEvents(trialQueueName, { connection });
    // Unreachable Redis is reported once by the watch; anything else is worth a line.
    const onError = (error: Error) => {
      if (!isConnectionError(error)) log(`queue error: ${error.message}`);
    };
    queue.on('error', onError);
    queueEvents.on('error', onError);
    const byId = new Map(units.map((unit) => [unit.id, unit]));
    const remaining = new Set(byId.keys());
    const started = new Set<string>();
    const { runFolder, kind } = job;
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
    const settle = (id: string): Unit | undefined => {
      const unit = byId.get(id);
      if (!unit || !remaining.delete(id)) return undefined;
      finishWhenSettled();
      return unit;
    };
    const start = (unit: Unit) => {
      if (started.has(unit.id)) return;
      started.add(unit.id);
      events.started(unit);
    };
    const completed = async (id: string, value: UnitJobResult) => {
      const unit = byId.get(id);
      if (!unit || !remaining.has(id)) return;
      // Counted as writing until its files are on disk, so the run ends only after every write.
      remaining.delete(id);
      writing += 1;
      try {
        await writeUnitFolder(runFolder, unit, value);
        start(unit);
        events.finished(unit, value.result);
      } catch (error) {
        events.failed(unit, {
          code: 'RESULT_NOT_WRITTEN',
          message: `the result arrived but could not be written: ${(error as Error).message}`,
        });
      } finally {
        writing -= 1;
      }
      finishWhenSettled();
    };
    const failed = (id: string, reason: string | undefined) => {
      const unit = settle(id);
      if (unit) events.failed(unit, parseFailedReason(reason));
    };

    queueEvents.on('active', ({ jobId }) => {
      const unit = byId.get(jobId);
      if (unit && remaining.has(jobId)) start(unit);
    });
    queueEvents.on('progress', ({ jobId, data }) => {
      const unit = byId.get(jobId);
      if (!unit || !remaining.has(jobId)) return;
      start(unit);
      events.progress(data as unknown as UnitProgress);
    });
    queueEvents.on('completed', ({ jobId }) => void collect(jobId));
    queueEvents.on('failed', ({ jobId, failedReason }) => failed(jobId, failedReason));

    const enqueue = (unit: Unit) =>
      queue.add(
        'unit',
        { kind, unit },
        { jobId: unit.id, attempts: 1, removeOnComplete: false, removeOnFail: false },
      );
    // Units enqueued again because their job vanished, reported together after each sweep.
    const lost: string[] = [];

    // Reads a job's state and settles it when it has ended (events alone can be missed).
    const collect = async (id: string) => {
      if (!remaining.has(id)) return;
      const job = (await queue.getJob(id)) as Job<UnitJobData, UnitJobResult> | undefined;
      const unit = byId.get(id);
      if (!job) {
        // Every remaining unit was enqueued, and finished jobs are kept: a missing job was lost
        // by Redis (restarted without persistence, keys deleted). Adding it again under the
        // same id is a no-op if someone else already did.
        if (unit && remaining.has(id) && !this.closed) {
          await enqueue(unit);
          lost.push(unit.label);
        }
        return;
      }
      const state = await job.getState();
      if (state === 'completed') {
        // The job may have completed between the read above and getState: read it again, so
        // its return value is the one it completed with, not the null of an active job. Without
        // one yet, the next sweep settles it.
        const ended = (job.returnvalue ?? (await queue.getJob(id))?.returnvalue) as
          | UnitJobResult
          | null
          | undefined;
        if (ended) await completed(id, ended);
      } else if (state === 'failed') failed(id, job.failedReason);
    };
    const reportLost = () => {
      if (lost.length === 0) return;
      log(
        `Redis at ${this.connection.redacted} lost ${lost.length} job(s) (restarted without persistence?); enqueued again: ${lost.splice(0).join(', ')}`,
      );
    };

    try {
      // Listen before enqueuing, so no event of a fast job is lost.
      await queueEvents.waitUntilReady();
      for (const unit of units) {
        if (this.closed) break;
        const existing = await queue.getJob(unit.id);
        const state = existing ? await existing.getState() : 'unknown';
        if (existing && state === 'failed') {
          // A new run retries a failed unit, as a local run does.
          await existing.retry('failed');
        } else if (!existing || state === 'unknown') {
          await enqueue(unit);
        }
      }
      for (const id of [...remaining]) await collect(id);
      reportLost();
      const interval = this.options.pollIntervalMs ?? 2000;
      const sweep = async () => {
        for (const id of [...remaining]) {
          if (this.closed) return;
          await collect(id).catch(() => undefined);
        }
        reportLost();
        if (!this.closed && remaining.size > 0) poll = setTimeout(sweep, interval);
      };
      poll = setTimeout(sweep, interval);
      if ((remaining.size > 0 || writing > 0) && !this.closed) await done;
    } finally {
      clearTimeout(poll);
      await queueEvents.close();
      await queue.close();
      await watch.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stop?.();
  }
}

/** Writes a unit's files as a local run would, `result.json` last, every write atomic. */
async function writeUnitFolder(runFolder: string, unit: Unit, { files }: UnitJobResult) {
  const folder = unitFolder(runFolder, unit.id);
  await mkdir(folder, { recursive: true });
  const ordered = [
    ...files.filter((file) => file.name !== unitFiles.result),
    ...files.filter((file) => file.name === unitFiles.result),
  ];
  for (const file of ordered) {
    await writeFileAtomically(join(folder, file.name), Buffer.from(file.base64, 'base64'));
  }
}
