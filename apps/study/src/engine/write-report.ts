import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { renderPng, renderSvg } from '../charts/render-chart.js';
import { readJsonIfExists, writeFileAtomically, writeJsonAtomic } from './atomic-files.js';
import { metricsCsv } from './metrics-csv.js';
import { getKind } from './registry.js';
import { chartFigureHtml, escapeHtml, reportPage } from './report-html.js';
import { readFinishedResults } from './run-study.js';
import { unitFolder } from './run-unit.js';
import { StudyError } from './study-error.js';
import type { ReportBlock, ReportContent, RunManifest, StudyBasics } from './study-kind.js';

/** What {@link writeReport} produced. */
export interface ReportOutput {
  markdownPath: string;
  htmlPath: string;
  /** `metrics.csv`: every unit's metrics per epoch, a row each. */
  metricsPath: string;
  /** Names of the figures under `figures/`. */
  figures: string[];
}

/** The Markdown and HTML of one block; figures are already on disk (`svg` for charts). */
function renderBlock(block: ReportBlock, svgs: Map<string, string>): [string, string] {
  if ('paragraph' in block) return [block.paragraph, `<p>${escapeHtml(block.paragraph)}</p>`];
  if ('list' in block) {
    return [
      block.list.map((item) => `- ${item}`).join('\n'),
      `<ul>${block.list.map((item) => `<li>${escapeHtml(item.replaceAll('**', ''))}</li>`).join('')}</ul>`,
    ];
  }
  if ('table' in block) {
    const { header, rows } = block.table;
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    const head = header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
    const body = rows
      .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
      .join('\n');
    return [
      [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n'),
      `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`,
    ];
  }
  const { figure } = block;
  const svg = svgs.get(figure.name);
  const image =
    'spec' in figure
      ? chartFigureHtml(figure.name, svg ?? '', figure.spec)
      : `<img alt="${escapeHtml(figure.title)}" src="data:image/png;base64,${Buffer.from(figure.png).toString('base64')}">`;
  return [
    `![${figure.title}](figures/${figure.name}.png)\n\n*${figure.caption}*`,
    `<figure>${image}<figcaption>${escapeHtml(figure.caption)}</figcaption></figure>`,
  ];
}

/** Renders a kind's report content to Markdown and a self-contained HTML page. */
async function renderReport(
  folder: string,
  manifest: RunManifest<StudyBasics>,
  content: ReportContent,
): Promise<ReportOutput> {
  const figuresFolder = join(folder, 'figures');
  await mkdir(figuresFolder, { recursive: true });
  const svgs = new Map<string, string>();
  const figures: string[] = [];
  for (const { blocks } of content.sections) {
    for (const block of blocks) {
      if (!('figure' in block)) continue;
      const { figure } = block;
      const base = join(figuresFolder, figure.name);
      if ('spec' in figure) {
        const svg = await renderSvg(figure.spec);
        svgs.set(figure.name, svg);
        await writeJsonAtomic(`${base}.vl.json`, figure.spec);
        await writeFileAtomically(`${base}.svg`, svg);
        await writeFileAtomically(`${base}.png`, await renderPng(figure.spec));
      } else {
        await writeFileAtomically(`${base}.png`, figure.png);
      }
      figures.push(figure.name);
    }
  }
  const { title, description } = manifest.study;
  const markdown: string[] = [`# ${title}`, '', description.trim(), ''];
  const html: string[] = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(description.trim())}</p>`,
  ];
  if (content.facts.length > 0) {
    const [md, page] = renderBlock({ list: content.facts }, svgs);
    markdown.push(md, '');
    html.push(page);
  }
  for (const section of content.sections) {
    if (section.blocks.length === 0) continue;
    markdown.push(`## ${section.heading}`, '');
    html.push(`<h2>${escapeHtml(section.heading)}</h2>`);
    for (const block of section.blocks) {
      const [md, page] = renderBlock(block, svgs);
      markdown.push(md, '');
      html.push(page);
    }
  }
  for (const file of content.files ?? []) {
    await writeFileAtomically(join(folder, file.name), file.data);
  }
  await writeFileAtomically(join(folder, 'metrics.csv'), metricsCsv(content.metrics));
  const markdownPath = join(folder, 'report.md');
  const htmlPath = join(folder, 'report.html');
  await writeFileAtomically(markdownPath, markdown.join('\n'));
  await writeFileAtomically(htmlPath, await reportPage(title, html.join('\n')));
  return { markdownPath, htmlPath, metricsPath: join(folder, 'metrics.csv'), figures };
}

/**
 * Writes `report.md`, a self-contained `report.html` and `figures/` (each chart as Vega-Lite
 * JSON, SVG and PNG) for a run folder of any kind, from the finished units found there. The
 * same folder always gives the same bytes.
 *
 * @throws {@link StudyError} `RUN_NOT_FOUND` when the folder has no manifest, `KIND_UNKNOWN`
 */
export async function writeReport(runFolder: string): Promise<ReportOutput> {
  const manifest = await readJsonIfExists<RunManifest<StudyBasics>>(
    join(runFolder, 'manifest.json'),
  );
  if (!manifest) {
    throw new StudyError({
      code: 'RUN_NOT_FOUND',
      message: `${runFolder} has no manifest.json: it is not a run folder. Create one with \`actlab run <study> --out ${runFolder}\`.`,
    });
  }
  const kind = getKind(manifest.kind ?? 'grid');
  const finished = await readFinishedResults(runFolder);
  const results = manifest.trials.flatMap((unit) => {
    const result = finished.get(unit.id);
    return result ? [{ unit, result, folder: unitFolder(runFolder, unit.id) }] : [];
  });
  const content = await kind.report({ folder: runFolder, manifest, results });
  return renderReport(runFolder, manifest, content);
}
