#!/usr/bin/env node
// Runs the fuzz properties (`src/**/*.fuzz.test.ts` of the packages) with many more cases than
// the normal test run, one package after the other, on a random seed it prints first so a
// failure can be replayed:
//
//   node scripts/fuzz.mjs [--runs 20000] [--seed N] [--path P] [--package mnist-loader]...
//
// --runs: cases per property (default 20 000; a few slow properties, such as face detection,
// cap it lower through fuzzParameters' longRunLimit); --seed: replay a seed; --path: the `path`
// fast-check prints beside a failing seed, to jump straight to the shrunk case; --package: only
// these packages (folder names under packages/, repeatable).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    seed: { type: 'string' },
    path: { type: 'string' },
    package: { type: 'string', multiple: true },
  },
});
const runs = Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) {
  console.error(`--runs must be a whole number ≥ 1, got ${values.runs}`);
  process.exit(2);
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isSafeInteger(seed) || seed < 0) {
  console.error(`--seed must be a whole number ≥ 0, got ${values.seed}`);
  process.exit(2);
}

const packagesDir = join(root, 'packages');
const fuzzed = readdirSync(packagesDir)
  .filter((name) => !values.package || values.package.includes(name))
  .filter((name) => existsSync(join(packagesDir, name, 'src')))
  .map((name) => ({
    name,
    files: readdirSync(join(packagesDir, name, 'src'), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.fuzz.test.ts')),
  }))
  .filter(({ files }) => files.length > 0);
if (fuzzed.length === 0) {
  console.error('no package with src/**/*.fuzz.test.ts matches --package');
  process.exit(2);
}

console.log(
  `fuzzing ${fuzzed.map(({ name }) => name).join(', ')}: ${runs} cases per property, seed ${seed}`,
);
console.log(`replay: node scripts/fuzz.mjs --runs ${runs} --seed ${seed}`);
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const failed = [];
for (const { name, files } of fuzzed) {
  const started = Date.now();
  console.log(`\n== ${name}: ${files.join(', ')}`);
  const result = spawnSync(vitest, ['run', '--testTimeout=0', ...files.map((f) => `src/${f}`)], {
    cwd: join(packagesDir, name),
    stdio: 'inherit',
    env: {
      ...process.env,
      ACTLAB_FUZZ_RUNS: String(runs),
      ACTLAB_FUZZ_SEED: String(seed),
      ...(values.path ? { ACTLAB_FUZZ_PATH: values.path } : {}),
    },
  });
  console.log(
    `== ${name}: ${result.status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  if (result.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(
    `\nfailed: ${failed.join(', ')}; replay with --seed ${seed} (and the path fast-check printed)`,
  );
  process.exit(1);
}
