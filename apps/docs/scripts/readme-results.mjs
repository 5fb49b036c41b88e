// Rewrites the root README's Results block (between its markers) from the committed result files
// in apps/docs/results, so every number in it is one `actlab publish` wrote. With --check it only
// says whether the README is up to date (exit code 1 when not).
// Usage: corepack pnpm readme:results [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readmeBlock, readResults, replaceReadmeBlock } from './results-pages.mjs';

const docsDir = resolve(import.meta.dirname, '..');
const readmePath = join(docsDir, '../../README.md');
const readme = readFileSync(readmePath, 'utf8');
const updated = replaceReadmeBlock(readme, readmeBlock(readResults(join(docsDir, 'results'))));
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md: the Results block is out of date; run corepack pnpm readme:results');
    process.exit(1);
  }
} else if (updated !== readme) {
  writeFileSync(readmePath, updated);
  console.log('README.md: Results block rewritten');
} else {
  console.log('README.md: Results block already up to date');
}
