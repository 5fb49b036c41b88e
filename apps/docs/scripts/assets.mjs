// The docs site's data-dependent step: builds the demos' data and models (demo-assets.mjs) from
// the datasets in ACTLAB_DATA_DIR, and says which folders it needs when they are missing.
import { resolve } from 'node:path';
import { demoAssets, missingDataMessage } from './demo-assets.mjs';

const dataDir = process.env.ACTLAB_DATA_DIR && resolve(process.env.ACTLAB_DATA_DIR);
const problem = missingDataMessage(dataDir);
if (problem) {
  console.error(`docs assets: ${problem}`);
  process.exit(1);
}
console.log(await demoAssets(dataDir, resolve(import.meta.dirname, '..', 'site')));
