import { parentPort } from 'node:worker_threads';
import { runOneTrial } from './run-one-trial.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

// Entry of a worker thread: runs the trials the main thread sends, one at a time.
const port = parentPort;
if (!port) throw new Error('trial-worker must run in a worker thread');
const send = (message: FromWorker) => port.postMessage(message);

port.on('message', async (message: ToWorker) => {
  if (message.type !== 'run') return;
  const { trial, context } = message;
  const outcome = await runOneTrial(trial, context, (progress) =>
    send({ type: 'progress', progress }),
  );
  if (outcome.ok) send({ type: 'done', trialId: trial.id, result: outcome.result });
  else send({ type: 'failed', trialId: trial.id, code: outcome.code, message: outcome.message });
});
