import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type JobJson, Worker } from 'bullmq';
import type { ProcessorSettings } from './unit-job-processor.js';
import {
  checkpointKey,
  checkQueueConnection,
  isConnectionError,
  parseQueueUrl,
  reconnectingOptions,
  trialQueueName,
  type UnitJobData,
  type UnitJobResult,
  watchRedis,
} from './unit-queue.js';

const processorPath = fileURLToPath(new URL('./unit-job-processor.js', import.meta.url));

/**
 * A BullMQ worker whose jobs' progress updates never fail. BullMQ's sandbox rejects a job
 * whose progress update fails in the main thread (Redis lost the job: restarted without
 * persistence) while its thread still trains, and hands that busy thread to the next job, which
 * then fails with "cannot start a not idling child process". Progress is best effort: the
 * result still goes through BullMQ's checked completion.
 */
class UnitWorker extends Worker<UnitJobData, UnitJobResult> {
  protected override createJob(data: JobJson, jobId: string) {
    const job = super.createJob(data, jobId);
    const update = job.updateProgress.bind(job);
    job.updateProgress = (progress) => update(progress).catch(() => undefined);
    return job;
  }
}

/** Options of {@link runQueueWorker} (`actlab worker`). */
export interface QueueWorkerOptions {
  /** `redis://[:password@]host[:port][/db]` or `rediss://…`. */
  queue: string;
  /** Trials trained at once, each in its own thread. */
  concurrency: number;
  /** tfjs backend request for this machine: auto, wasm, cpu or node. */
  backend: string;
  /** Folder with one sub-folder per dataset; else the loader's defaults. */
  dataDir?: string;
  /** Milliseconds a job's lock lasts without renewal; a dead worker's job is retried after it. */
  lockDurationMs?: number;
  /** Milliseconds between checks for stalled jobs. */
  stalledIntervalMs?: number;
  /** Largest checkpoint (JSON bytes) published to Redis; default 16 MiB. */
  checkpointLimitBytes?: number;
  /** Where to log what the worker does; default stderr. */
  log?: (line: string) => void;
}

/** A running worker; `close()` stops taking jobs and ends the trials in progress. */
export interface RunningQueueWorker {
  close(): Promise<void>;
}

/**
 * Takes trial jobs from the queue and trains them, `concurrency` at a time in worker threads
 * (BullMQ's sandboxed processors), so lock renewals keep going while a trial trains. A job
 * whose worker dies is retried by BullMQ on another worker once its lock expires (stalled).
 * While Redis is unreachable the worker retries with backoff (250 ms doubling to 5 s), logs
 * `Redis unreachable at <url>, retrying` once and goes on when Redis is back.
 *
 * @throws {@link StudyError} `QUEUE_URL_INVALID`, or `QUEUE_UNREACHABLE` when Redis cannot be
 * reached at start
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<RunningQueueWorker> {
  const connection = parseQueueUrl(options.queue);
  await checkQueueConnection(connection);
  const { options: redis, redacted } = connection;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const scratchFolder = await mkdtemp(join(tmpdir(), 'actlab-worker-'));
  const processorSettings: ProcessorSettings = {
    redis,
    backend: options.backend,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    scratchFolder,
    checkpointLimitBytes: options.checkpointLimitBytes ?? 16 * 2 ** 20,
    checkpointTtlSeconds: 7 * 24 * 3600,
  };
  // Reports outages; also deletes the checkpoints of completed units.
  const watch = watchRedis(connection, log);
  const cleanup = watch.client;
  const worker = new UnitWorker(trialQueueName, processorPath, {
    connection: reconnectingOptions(connection),
    concurrency: options.concurrency,
    useWorkerThreads: true,
    workerThreadsOptions: { workerData: processorSettings },
    ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
    // A trial whose worker dies is retried; one that keeps killing workers is failed.
    maxStalledCount: 3,
  });
  worker.on('active', (job) => log(`started ${job.id} ${job.data.unit.label}`));
  worker.on('completed', (job) => {
    log(`completed ${job.id} ${job.data.unit.label}`);
    // The result carries the final checkpoint; the per-epoch one is no longer needed.
    void cleanup.del(checkpointKey(job.id as string)).catch(() => undefined);
  });
  worker.on('failed', (job, error) => log(`failed ${job?.id ?? '?'} ${error.message}`));
  worker.on('error', (error) => {
    // The watch reports an unreachable Redis once; the worker reconnects by itself.
    if (!isConnectionError(error)) log(`error: ${error.message}`);
  });
  await worker.waitUntilReady();
  log(`worker ready: queue ${redacted}, ${options.concurrency} at a time`);
  let closed = false;
  return {
    async close() {
      if (closed) return;
      closed = true;
      // Forced: trials in progress stop; their jobs are retried from their last checkpoint.
      await worker.close(true);
      await watch.close();
      await rm(scratchFolder, { recursive: true, force: true });
    },
  };
}
