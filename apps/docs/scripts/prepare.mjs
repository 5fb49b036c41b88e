// Generates, before `vitepress build`, everything the site shows that comes from the code:
// - site/api/<package>/: the API reference, from the TSDoc of each package's public exports (TypeDoc);
// - site/guide/<package>.md: each package's README, its quick start replaced by an include of
//   examples/quick-start.mjs (the file the consumer test runs), so the guide cannot drift;
// - site/results/: the Results pages, from the committed result files in results/ (published by
//   `actlab publish`; the quick profiles by `pnpm results`), laid out by results-pages.mjs.
// It reads no dataset: the demos' data and models are the separate `assets` step (assets.mjs).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Application } from 'typedoc';
import { missingAssets } from './demo-assets.mjs';
import {
  figureFolders,
  quickPage,
  readResults,
  resultsIndex,
  resultsPage,
} from './results-pages.mjs';

const docsDir = resolve(import.meta.dirname, '..');
const repoDir = resolve(docsDir, '../..');
const siteDir = join(docsDir, 'site');
export const packages = [
  'activations',
  'gradient-probe',
  'mnist-loader',
  'backend',
  'adversarial-generator',
  'mask-detector',
  'errors',
];

async function apiReference(name) {
  const packageDir = join(repoDir, 'packages', name);
  const out = join(siteDir, 'api', name);
  rmSync(out, { recursive: true, force: true });
  const app = await Application.bootstrapWithPlugins({
    entryPoints: [join(packageDir, 'src/index.ts')],
    tsconfig: join(packageDir, 'tsconfig.json'),
    plugin: ['typedoc-plugin-markdown'],
    out,
    readme: 'none',
    entryFileName: 'index',
    outputFileStrategy: 'modules',
    hidePageHeader: true,
    hideBreadcrumbs: true,
    excludePrivate: true,
    excludeInternal: true,
    skipErrorChecking: true,
    logLevel: 'Warn',
    name: `@actlab/${name}`,
  });
  const project = await app.convert();
  if (!project) throw new Error(`TypeDoc could not read packages/${name}/src/index.ts`);
  await app.generateOutputs(project);
}

function guide(name, folder = `packages/${name}`, page = name) {
  const readme = readFileSync(join(repoDir, folder, 'README.md'), 'utf8');
  const example = join(repoDir, folder, 'examples', 'quick-start.mjs');
  let body = readme;
  if (existsSync(example)) {
    // The README's first code block is the quick start (byte-identical to the example, which the
    // consumer test runs); include the file itself instead.
    body = readme.replace(/```(js|javascript|mjs)\n[\s\S]*?```/, () => {
      return `<<< ../../../../${folder}/examples/quick-start.mjs{js}`;
    });
  }
  // Links into the repository go to the package folders on GitHub.
  body = body.replace(/\]\((?!https?:|#)([^)]+)\)/g, (_, target) => {
    return `](https://github.com/actlab/actlab/tree/main/${folder}/${target})`;
  });
  mkdirSync(join(siteDir, 'guide'), { recursive: true });
  writeFileSync(
    join(siteDir, 'guide', `${page}.md`),
    folder.startsWith('packages/')
      ? `${body}\n\n## API reference\n\nEvery export, from the TSDoc in the source: [@actlab/${name} API](../api/${name}/).\n`
      : body,
  );
}

function results() {
  const from = join(docsDir, 'results');
  const to = join(siteDir, 'results');
  rmSync(to, { recursive: true, force: true });
  rmSync(join(siteDir, 'public', 'results'), { recursive: true, force: true });
  mkdirSync(join(to, 'quick'), { recursive: true });
  const committed = readResults(from);
  const figures = (folder) =>
    cpSync(join(from, folder), join(siteDir, 'public', 'results', folder), { recursive: true });
  for (const entry of committed.published) {
    for (const folder of figureFolders(entry.publication)) figures(join(entry.preset, folder));
    writeFileSync(join(to, `${entry.preset}.md`), resultsPage(entry, committed.explanations));
  }
  for (const entry of committed.quick) {
    figures(join('quick', entry.preset, 'figures'));
    writeFileSync(join(to, 'quick', `${entry.preset}.md`), quickPage(entry));
  }
  writeFileSync(join(to, 'index.md'), resultsIndex(committed));
}

for (const name of packages) {
  await apiReference(name);
  guide(name);
}
guide('study', 'apps/study', 'cli');
results();
const missing = missingAssets(siteDir);
if (missing.length > 0) {
  console.warn(
    `The demos will not run: ${missing.join(', ')} not built yet. Build them with \`corepack pnpm --filter docs assets\` (needs ACTLAB_DATA_DIR).`,
  );
}
