// Runs the study presets in their quick profile (what `pnpm start` shows a newcomer) with the
// project's own runner and copies each report (tables, machine, date) and its figures (Vega-Lite
// specs and the images rendered from them) into results/quick/<preset>/, which is committed. The
// full-size results are published by `actlab publish` into results/<preset>/ instead. Nothing is
// typed by hand. Usage: ACTLAB_DATA_DIR=../shared/data pnpm --filter docs results
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const docsDir = resolve(import.meta.dirname, '..');
const repoDir = resolve(docsDir, '../..');
const cli = join(repoDir, 'apps/study/dist/cli.js');
const presets = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['depth-activation', 'activation-comparison', 'lecun-vs-tanh'];

if (!existsSync(cli)) {
  console.error(`${cli} is missing: run corepack pnpm build first.`);
  process.exit(1);
}
for (const preset of presets) {
  const out = join(repoDir, 'runs', `docs-${preset}-quick`);
  rmSync(out, { recursive: true, force: true });
  console.log(`running ${preset} --quick into ${out}`);
  execFileSync(process.execPath, [cli, 'run', preset, '--quick', '--plain', '--out', out], {
    stdio: 'inherit',
  });
  const target = join(docsDir, 'results', 'quick', preset);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(join(out, 'report.md'), join(target, 'report.md'));
  cpSync(join(out, 'figures'), join(target, 'figures'), {
    recursive: true,
    filter: (path) => !path.endsWith('.png'),
  });
}
