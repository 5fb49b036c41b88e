import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { interactiveSpec } from '../charts/interactive-spec.js';
import type { ChartSpec } from '../charts/render-chart.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );
}

/** JSON that can sit inside a `<script>` element: no `<` can close it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

/**
 * The HTML of one chart figure: the static SVG, which the page's script swaps for the live
 * Vega-Embed view, and the interactive spec beside it.
 */
export function chartFigureHtml(name: string, svg: string, spec: ChartSpec): string {
  const id = escapeHtml(name);
  return `<div class="chart" data-figure="${id}">${svg}</div><script type="application/json" class="vega-spec" data-figure="${id}">${scriptJson(interactiveSpec(spec))}</script>`;
}

const require = createRequire(import.meta.url);

/** The browser build of an installed package, from the `build/` folder of its main file. */
async function browserBuild(pkg: string, file: string): Promise<string> {
  const code = await readFile(join(dirname(require.resolve(pkg)), file), 'utf8');
  return code.replaceAll('</script', '<\\/script');
}

/** Renders each figure's spec with Vega-Embed, replacing the static SVG once it has drawn. */
const embedFigures = `for (const script of document.querySelectorAll('script.vega-spec')) {
  const figure = script.dataset.figure;
  const container = [...document.querySelectorAll('div.chart')].find((div) => div.dataset.figure === figure);
  const live = document.createElement('div');
  vegaEmbed(live, JSON.parse(script.textContent), {
    renderer: 'svg',
    tooltip: true,
    actions: { export: true, source: false, compiled: false, editor: false },
  }).then(() => container.replaceChildren(live), (error) => console.error(figure, error));
}`;

/**
 * A self-contained report page: `body` (already HTML), then the browser builds of vega,
 * vega-lite and vega-embed read from node_modules (the installed versions, so the same
 * install gives the same bytes), then the script that makes every chart interactive.
 */
export async function reportPage(title: string, body: string): Promise<string> {
  const builds = await Promise.all([
    browserBuild('vega', 'vega.min.js'),
    browserBuild('vega-lite', 'vega-lite.min.js'),
    browserBuild('vega-embed', 'vega-embed.min.js'),
  ]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}figure{margin:1.5rem 0}figcaption{color:#555;font-size:.9rem}img{max-width:100%}
</style></head><body>
${body}
${builds.map((code) => `<script>${code}</script>`).join('\n')}
<script>
${embedFigures}
</script>
</body></html>
`;
}
