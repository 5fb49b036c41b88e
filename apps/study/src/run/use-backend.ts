import * as tf from '@tensorflow/tfjs-core';

let chosen: Promise<string> | undefined;

async function select(request: string): Promise<string> {
  const order = request === 'auto' ? ['node', 'wasm', 'cpu'] : [request];
  for (const name of order) {
    try {
      if (name === 'node') await import('@tensorflow/tfjs-node' as string);
      else if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
      else await import('@tensorflow/tfjs-backend-cpu');
      const backendName = name === 'node' ? 'tensorflow' : name;
      if (await tf.setBackend(backendName)) {
        await tf.ready();
        return backendName;
      }
    } catch (error) {
      if (request !== 'auto') throw error;
    }
  }
  throw new Error(`no tfjs backend could be started (asked for ${request})`);
}

/** Selects the tfjs backend once per thread and returns its name. */
export function useBackend(request: string): Promise<string> {
  chosen ??= select(request);
  return chosen;
}
