import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeNativeKernels } from './native-kernels.js';

const packageDir = resolve(import.meta.dirname, '..');
const built = existsSync(resolve(packageDir, 'dist/index.js'));

// Which shared objects a process mapped, read from /proc: proves whether the addon was loaded.
const script = `
import { readFileSync } from 'node:fs';
import { createTrainer, selectBackend } from '@actlab/backend';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
const choice = await selectBackend('wasm');
const cnn = tfl.sequential({ layers: [
  tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }),
  tfl.layers.flatten(),
  tfl.layers.dense({ units: 2, activation: 'softmax' }),
] });
cnn.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
await cnn.fit(tf.ones([2, 6, 6, 1]), tf.tensor2d([[1, 0], [0, 1]]), { epochs: 1, verbose: 0 });
const mlp = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })] });
const trainer = await createTrainer(mlp, { optimizer: { name: 'sgd', learningRate: 0.1 }, trainer: 'fused' });
trainer.trainBatch(new Float32Array(8).fill(1), new Float32Array([1, 0, 0, 1]));
const mapped = readFileSync('/proc/self/maps', 'utf8').includes('.node');
console.log(JSON.stringify({ dense: choice.denseKernels, conv: choice.convKernels, mapped }));
`;

function run(env: NodeJS.ProcessEnv): { dense: string; conv: string; mapped: boolean } {
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1) as string);
}

describe.skipIf(process.platform !== 'linux' || !built || !probeNativeKernels().available)(
  'opting out of the native kernels',
  () => {
    it('never loads the addon with ACTLAB_NATIVE=0, while training a CNN and a fused Dense stack', () => {
      expect(run({ ACTLAB_NATIVE: '0' })).toEqual({ dense: 'wasm', conv: 'wasm', mapped: false });
    }, 60_000);

    it('loads it by default (the check above can see an addon)', () => {
      expect(run({ ACTLAB_NATIVE: '' })).toEqual({ dense: 'native', conv: 'native', mapped: true });
    }, 60_000);
  },
);
