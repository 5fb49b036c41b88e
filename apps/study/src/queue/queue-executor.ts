import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { writeFileAtomically } from '../engine/atomic-files.js';
import { unitFiles, unitFolder } from '../engine/run-unit.js';
import type { Unit, UnitProgress } from '../engine/study-kind.js';
import type { UnitEvents, UnitExecutor, UnitJob } from '../engine/unit-executor.js';
import {
  checkQueueConnection,
  parseFailedReason,
  parseQueueUrl,
  type QueueConnection,
  trialQueueName,
  type UnitJobData,
  type UnitJobResult,
} from './unit-queue.js';

/** Options of {@link QueueExecutor}. */
export interface QueueExecutorOptions {
  /** Milliseconds between checks of every unfinished job's state (events may be missed). */
  pollIntervalMs?: number;
}

/**
 * Runs units of any kind as BullMQ jobs `{kind, unit}` on Redis (job id = unit id, so enqueuing twice never duplicates
 * work) and writes each result into the run folder as it arrives. `actlab worker` processes
 * train them. Closing stops following the queue only: queued and running jobs go on, and the
 * next run collects the jobs that finished meanwhile.
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
    const connection = this.connection.options;
    const queue = new Queue<UnitJobData, UnitJobResult, 'unit'>(trialQueueName, { connection });
    const queueEvents = new QueueEvents(trialQueueName, { connection });
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

    // Reads a job's state and settles it when it has ended (events alone can be missed).
    const collect = async (id: string) => {
      if (!remaining.has(id)) return;
      const job = (await queue.getJob(id)) as Job<UnitJobData, UnitJobResult> | undefined;
      if (!job) return;
      const state = await job.getState();
      if (state === 'completed') await completed(id, job.returnvalue);
      else if (state === 'failed') failed(id, job.failedReason);
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
          await queue.add(
            'unit',
            { kind, unit: unit },
            { jobId: unit.id, attempts: 1, removeOnComplete: false, removeOnFail: false },
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
