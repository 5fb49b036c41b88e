// Reads the MNIST subset the docs build writes (scripts/prepare.mjs) from this site's own origin.
import { withBase } from 'vitepress';

export interface MnistSubset {
  trainCount: number;
  testCount: number;
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

export async function loadMnistSubset(): Promise<MnistSubset> {
  const response = await fetch(withBase('/data/mnist-subset.bin'));
  if (!response.ok) throw new Error(`could not load the MNIST subset (HTTP ${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const view = new DataView(bytes.buffer);
  const trainCount = view.getUint32(0, true);
  const testCount = view.getUint32(4, true);
  const pixels = 28 * 28;
  let offset = 8;
  const take = (length: number) => {
    const part = bytes.subarray(offset, offset + length);
    offset += length;
    return part;
  };
  return {
    trainCount,
    testCount,
    trainImages: take(trainCount * pixels),
    trainLabels: take(trainCount),
    testImages: take(testCount * pixels),
    testLabels: take(testCount),
  };
}
