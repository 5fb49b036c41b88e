import { parentPort } from 'node:worker_threads';
import { runUnit } from './run-unit.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

// Entry of a worker thread: runs the units the main thread sends, one at a time.
const port = parentPort;
if (!port) throw new Error('unit-worker must run in a worker thread');
const send = (message: FromWorker) => port.postMessage(message);

port.on('message', async (message: ToWorker) => {
  if (message.type !== 'run') return;
  const { unit, job } = message;
  const outcome = await runUnit(unit, job, (progress) => send({ type: 'progress', progress }));
  if (outcome.ok) send({ type: 'done', unitId: unit.id, result: outcome.result });
  else send({ type: 'failed', unitId: unit.id, code: outcome.code, message: outcome.message });
});
