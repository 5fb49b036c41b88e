import { Worker } from 'node:worker_threads';
import type { Unit } from './study-kind.js';
import type { UnitEvents, UnitExecutor, UnitJob } from './unit-executor.js';
import type { FromWorker } from './worker-messages.js';

const workerUrl = new URL('./unit-worker.js', import.meta.url);

/**
 * Runs units on `workers` worker threads of this machine, each single-threaded with its own
 * tfjs. Units are deterministic, so the results do not depend on the number of workers.
 */
export class LocalExecutor implements UnitExecutor {
  private readonly threads = new Set<Worker>();
  private closed = false;

  constructor(private readonly workers: number) {}

  async run(units: Unit[], job: UnitJob, events: UnitEvents): Promise<void> {
    const queue = [...units];
    const byId = new Map(units.map((unit) => [unit.id, unit]));
    const lanes = Array.from({ length: Math.min(this.workers, queue.length) }, () =>
      this.runLane(queue, byId, job, events),
    );
    await Promise.all(lanes);
  }

  private async runLane(
    queue: Unit[],
    byId: Map<string, Unit>,
    job: UnitJob,
    events: UnitEvents,
  ): Promise<void> {
    let worker = this.startWorker();
    try {
      for (let unit = queue.shift(); unit; unit = queue.shift()) {
        if (!this.threads.has(worker)) {
          if (this.closed) return;
          // The previous unit killed its worker: the next one gets a fresh thread.
          worker = this.startWorker();
        }
        events.started(unit);
        const current = unit;
        await new Promise<void>((resolve) => {
          const onMessage = (message: FromWorker) => {
            if (message.type === 'progress') {
              events.progress(message.progress);
              return;
            }
            if (message.type === 'done') events.finished(current, message.result);
            else if (message.type === 'failed')
              events.failed(byId.get(message.unitId) ?? current, message);
            else return;
            cleanup();
            resolve();
          };
          const onError = (error: Error) => {
            this.threads.delete(worker);
            events.failed(current, { code: 'WORKER_CRASHED', message: error.message });
            cleanup();
            resolve();
          };
          const onExit = (code: number) => {
            this.threads.delete(worker);
            if (!this.closed) {
              events.failed(current, {
                code: 'WORKER_EXITED',
                message: `worker exited with code ${code}`,
              });
            }
            cleanup();
            resolve();
          };
          const cleanup = () => {
            worker.off('message', onMessage);
            worker.off('error', onError);
            worker.off('exit', onExit);
          };
          worker.on('message', onMessage);
          worker.on('error', onError);
          worker.on('exit', onExit);
          worker.postMessage({ type: 'run', unit: current, job });
        });
      }
    } finally {
      this.threads.delete(worker);
      await worker.terminate();
    }
  }

  private startWorker(): Worker {
    const worker = new Worker(workerUrl);
    this.threads.add(worker);
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    const threads = [...this.threads];
    this.threads.clear();
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
