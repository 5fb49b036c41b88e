import { defineConfig } from 'tsup';

export default defineConfig({
  // Flat names: the executor starts `unit-worker.js` by path from beside the other chunks.
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    'unit-worker': 'src/engine/unit-worker.ts',
    // BullMQ loads the queue worker's processor by path into its threads.
    'unit-job-processor': 'src/queue/unit-job-processor.ts',
  },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
