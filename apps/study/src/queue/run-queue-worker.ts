import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ProcessorSettings } from './unit-job-processor.js';
import {
  checkpointKey,
  checkQueueConnection,
  parseQueueUrl,
  trialQueueName,
  type UnitJobData,
  type UnitJobResult,
} from './unit-queue.js';

const processorPath = fileURLToPath(new URL('./unit-job-processor.js', import.meta.url));

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
  const cleanup = new Redis(redis);
  const worker = new Worker<UnitJobData, UnitJobResult>(trialQueueName, processorPath, {
    connection: redis,
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
  worker.on('error', (error) => log(`error: ${error.message}`));
  await worker.waitUntilReady();
  log(`worker ready: queue ${redacted}, ${options.concurrency} at a time`);
  let closed = false;
  return {
    async close() {
      if (closed) return;
      closed = true;
      // Forced: trials in progress stop; their jobs are retried from their last checkpoint.
      await worker.close(true);
      await cleanup.quit().catch(() => undefined);
      await rm(scratchFolder, { recursive: true, force: true });
    },
  };
}
