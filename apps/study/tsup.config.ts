import { defineConfig } from 'tsup';

export default defineConfig({
  // Flat names: the executor starts `trial-worker.js` by path from beside the other chunks.
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    'trial-worker': 'src/run/trial-worker.ts',
    // BullMQ loads the queue worker's processor by path into its threads.
    'trial-job-processor': 'src/queue/trial-job-processor.ts',
  },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
