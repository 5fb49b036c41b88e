import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sampleActivation } from '@actlab/activations';
import { type ChartSpec, renderPng, renderSvg } from '../charts/render-chart.js';
import { readJsonIfExists, writeFileAtomically, writeJsonAtomic } from '../run/atomic-files.js';
import { type RunManifest, readFinishedResults } from '../run/run-study.js';
import { trialFiles } from '../run/train-trial.js';
import type { GradientRecord, TrialResult } from '../run/trial-records.js';
import { useBackend } from '../run/use-backend.js';
import { formatAxisValue } from '../study/expand-trials.js';
import { StudyRunError } from '../study/study-errors.js';
import type { FigureSpec, GridAxis, Study } from '../study/study-schema.js';
import { diagnoseFit } from './diagnose-fit.js';
import {
  type ActivationRow,
  activationChartSpec,
  type CurveRow,
  curveChartSpec,
  type GradientRow,
  gradientChartSpec,
  heatmapSpec,
  learnedParametersSpec,
  lossCurvesSpec,
} from './figure-specs.js';
import { formatMeanSd, type GridPointSummary, summarizeGridPoints } from './summarize.js';

/** A figure of the report: its spec and the files it was rendered to. */
export interface ReportFigure {
  name: string;
  title: string;
  caption: string;
  spec: ChartSpec;
  svg: string;
}

/** What {@link writeReport} produced. */
export interface ReportOutput {
  markdownPath: string;
  htmlPath: string;
  figures: string[];
  gridPoints: GridPointSummary[];
}

interface Entry {
  axes: Partial<Record<GridAxis, unknown>>;
  result: TrialResult;
  gradients: GradientRecord[];
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );
}

function facetGroups(entries: Entry[], facet: GridAxis | undefined): [string | null, Entry[]][] {
  if (!facet) return [[null, entries]];
  const groups = new Map<string, Entry[]>();
  for (const entry of entries) {
    const key = formatAxisValue(entry.axes[facet]);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.entries()];
}

function curveFigures(
  figure: Extract<FigureSpec, { kind: 'accuracy-curves' }>,
  entries: Entry[],
): Omit<ReportFigure, 'svg'>[] {
  return facetGroups(entries, figure.facet).map(([facetValue, group]) => {
    const rows: CurveRow[] = group.flatMap(({ axes, result }) =>
      result.epochs.flatMap((epoch) => {
        const value = epoch[figure.metric];
        return value === null || !Number.isFinite(value)
          ? []
          : [
              {
                epoch: epoch.epoch,
                value,
                series: formatAxisValue(axes[figure.color]),
                seed: result.settings.seed,
              },
            ];
      }),
    );
    const title = `${figure.metric} per epoch${facetValue === null ? '' : ` — ${figure.facet} = ${facetValue}`}`;
    return {
      name: slug(`${figure.metric}-${figure.facet ?? 'all'}-${facetValue ?? ''}`),
      title,
      caption: `${title}; a line per ${figure.color} (mean over seeds${rows.some((row) => row.seed > 1) ? ', band = ±1 sd' : ''}).`,
      spec: curveChartSpec({ title, metric: figure.metric, colorTitle: figure.color, rows }),
    };
  });
}

function gradientFigures(
  figure: Extract<FigureSpec, { kind: 'gradient-by-layer' }>,
  entries: Entry[],
): Omit<ReportFigure, 'svg'>[] {
  return facetGroups(entries, figure.facet).map(([facetValue, group]) => {
    let omitted = 0;
    const rows: GradientRow[] = group.flatMap(({ axes, result, gradients }) => {
      const records = gradients.filter((record) => record.target === figure.target);
      const record =
        figure.epoch < 0
          ? records[records.length + figure.epoch]
          : records.find((r) => r.epoch === figure.epoch);
      if (!record) return [];
      return record.layers.map((layer) => {
        if (!(layer.maxAbs > 0) || !Number.isFinite(layer.maxAbs)) omitted++;
        return {
          layer: layer.index,
          value: layer.maxAbs,
          series: formatAxisValue(axes[figure.color]),
          seed: result.settings.seed,
        };
      });
    });
    const what =
      figure.target === 'input' ? 'max |∂(sum of layer outputs)/∂(input)|' : 'max |∂loss/∂kernel|';
    const when =
      figure.epoch === 0
        ? 'untrained'
        : figure.epoch < 0
          ? 'after training'
          : `after epoch ${figure.epoch}`;
    const title = `${what} per layer, ${when}${facetValue === null ? '' : ` — ${figure.facet} = ${facetValue}`}`;
    return {
      name: slug(
        `gradients-${figure.target}-${figure.statistic}-${figure.facet ?? 'all'}-${facetValue ?? ''}-${figure.epoch < 0 ? 'last' : `epoch-${figure.epoch}`}`,
      ),
      title,
      caption: `${title}; log scale, mean over seeds.${omitted > 0 ? ` ${omitted} zero or non-finite values cannot be drawn on a log axis and are left out.` : ''}`,
      spec: gradientChartSpec({ title, yTitle: what, colorTitle: figure.color, rows }),
    };
  });
}

function activationFigure(entries: Entry[]): Omit<ReportFigure, 'svg'> {
  const specs = new Map<string, unknown>();
  for (const { result } of entries) {
    for (const spec of [result.settings.activation, result.settings.firstActivation]) {
      if (spec !== null) specs.set(formatAxisValue(spec), spec);
    }
  }
  const rows: ActivationRow[] = [];
  for (const [label, spec] of specs) {
    const sample = sampleActivation(spec as never, { from: -5, to: 5, steps: 201 });
    sample.x.forEach((x, i) => {
      rows.push({ x, value: sample.y[i] as number, curve: 'f(x)', activation: label });
      rows.push({ x, value: sample.dy[i] as number, curve: "f'(x)", activation: label });
    });
  }
  return {
    name: 'activation-functions',
    title: 'Activation functions used',
    caption:
      'f (solid) and its analytic derivative f′ (dashed) on [−5, 5], computed by @actlab/activations.',
    spec: activationChartSpec(rows),
  };
}

function heatmapFigure(
  figure: Extract<FigureSpec, { kind: 'heatmap' }>,
  entries: Entry[],
): Omit<ReportFigure, 'svg'> {
  const rows = entries.flatMap(({ axes, result }) => {
    const value = result.epochs[result.epochs.length - 1]?.[figure.metric];
    return typeof value === 'number' && Number.isFinite(value)
      ? [{ x: formatAxisValue(axes[figure.x]), y: formatAxisValue(axes[figure.y]), value }]
      : [];
  });
  const title = `final ${figure.metric}: ${figure.y} × ${figure.x}`;
  return {
    name: slug(`heatmap-${figure.metric}-${figure.y}-${figure.x}`),
    title,
    caption: `${title} (mean over seeds).`,
    spec: heatmapSpec({ title, xTitle: figure.x, yTitle: figure.y, rows }),
  };
}

function lossFigures(
  figure: Extract<FigureSpec, { kind: 'loss-curves' }>,
  entries: Entry[],
): Omit<ReportFigure, 'svg'>[] {
  return facetGroups(entries, figure.facet).map(([facetValue, group]) => {
    const rows = group.flatMap(({ axes, result }) => {
      const series = figure.color ? formatAxisValue(axes[figure.color]) : String(facetValue);
      return result.epochs.flatMap((epoch) => [
        {
          epoch: epoch.epoch,
          value: figure.measure === 'accuracy' ? epoch.trainAccuracy : epoch.trainLoss,
          series,
          split: 'training' as const,
          seed: result.settings.seed,
        },
        ...((figure.measure === 'accuracy' ? epoch.validationAccuracy : epoch.validationLoss) ===
        null
          ? []
          : [
              {
                epoch: epoch.epoch,
                value: (figure.measure === 'accuracy'
                  ? epoch.validationAccuracy
                  : epoch.validationLoss) as number,
                series,
                split: 'validation' as const,
                seed: result.settings.seed,
              },
            ]),
      ]);
    });
    const title = `training (dashed) and validation (solid) ${figure.measure} — ${figure.facet} = ${facetValue}`;
    return {
      name: slug(`${figure.measure}-curves-${figure.facet}-${facetValue}`),
      title,
      caption: `${title}; mean over seeds.`,
      spec: lossCurvesSpec({ title, rows, yTitle: figure.measure }),
    };
  });
}

function learnedFigures(
  figure: Extract<FigureSpec, { kind: 'learned-parameters' }>,
  entries: Entry[],
): Omit<ReportFigure, 'svg'>[] {
  return facetGroups(entries, figure.facet).flatMap(([facetValue, group]) => {
    const first = group.find(({ result }) => result.settings.seed === 1) ?? group[0];
    const rows = (first?.result.epochs ?? []).flatMap((epoch) =>
      (epoch.learnedParameters ?? []).flatMap((layer) =>
        Object.entries(layer.values).flatMap(([name, values]) =>
          values.length > 8
            ? // One unit per line would be unreadable: the layer's mean stands for them.
              [
                {
                  epoch: epoch.epoch,
                  value: values.reduce((sum, v) => sum + v, 0) / values.length,
                  parameter: `${layer.layer} mean ${name} (${values.length} units)`,
                },
              ]
            : values.map((value, i) => ({
                epoch: epoch.epoch,
                value,
                parameter: `${layer.layer} ${name}${values.length > 1 ? `[${i}]` : ''}`,
              })),
        ),
      ),
    );
    if (rows.length === 0) return [];
    const title = `learned activation parameters per epoch — ${figure.facet} = ${facetValue}`;
    return [
      {
        name: slug(`learned-${figure.facet}-${facetValue}`),
        title,
        caption: `${title} (seed 1).`,
        spec: learnedParametersSpec({ title, rows }),
      },
    ];
  });
}

function resultsTable(
  points: GridPointSummary[],
  study: Study,
): { header: string[]; rows: string[][] } {
  const axes = Object.keys(points[0]?.axes ?? {});
  const reference = study.report.reference;
  const header = [
    ...axes,
    'seeds',
    'test accuracy',
    'train accuracy',
    'validation accuracy',
    'diverged',
    'train time (s)',
  ];
  if (reference) header.push(`reference (${reference.metric}, epoch ${reference.epoch})`);
  const diagnose = study.report.fitDiagnosis;
  if (diagnose) header.push('fit (per seed)');
  const showLearned = points.some((point) =>
    point.results.some((result) => result.epochs.some((epoch) => epoch.learnedParameters)),
  );
  if (showLearned) header.push('learned parameters after the last epoch (seed 1)');
  const rows = points.map((point) => {
    const row = [
      ...axes.map((axis) => point.axes[axis] ?? ''),
      String(point.seeds),
      formatMeanSd(point.finalTestAccuracy),
      formatMeanSd(point.finalTrainAccuracy),
      formatMeanSd(point.finalValidationAccuracy),
      point.diverged === 0 ? '0' : `${point.diverged} (epoch ${point.divergedEpochs.join(', ')})`,
      formatMeanSd(point.trainSeconds, 1),
    ];
    if (reference) {
      const match = reference.rows.find((candidate) =>
        Object.entries(candidate).every(
          ([key, value]) => key === 'value' || point.axes[key] === String(value),
        ),
      );
      row.push(match ? String(match.value) : '—');
    }
    if (diagnose) row.push(point.results.map((result) => fitOf(result)?.label ?? '—').join(', '));
    if (showLearned)
      row.push(
        learnedSummary(
          point.results.find((result) => result.settings.seed === 1) ?? point.results[0],
        ),
      );
    return row;
  });
  return { header, rows };
}

function fitOf(result: TrialResult) {
  try {
    return diagnoseFit(result.epochs);
  } catch {
    return undefined;
  }
}

function learnedSummary(result: TrialResult | undefined): string {
  const last = result?.epochs[result.epochs.length - 1]?.learnedParameters ?? [];
  return (
    last
      .map(
        (layer) =>
          `${layer.layer}: ${Object.entries(layer.values)
            .map(([name, values]) =>
              values.length === 1
                ? `${name}=${(values[0] as number).toFixed(3)}`
                : `${name}[${values.length}]`,
            )
            .join(' ')}`,
      )
      .join('; ') || '—'
  );
}

/** Sentences for the grid points where our result and the reference differ beyond noise. */
function referenceDisagreements(
  points: GridPointSummary[],
  study: Study,
  epochsRun: number[],
): string[] {
  const reference = study.report.reference;
  if (!reference) return [];
  const lines: string[] = [];
  if (epochsRun.some((epochs) => epochs !== reference.epoch)) {
    lines.push(
      `These trials ran ${[...new Set(epochsRun)].join('/')} epochs, the reference ${reference.epoch}: compare with care.`,
    );
  }
  for (const point of points) {
    const match = reference.rows.find((candidate) =>
      Object.entries(candidate).every(
        ([key, value]) => key === 'value' || point.axes[key] === String(value),
      ),
    );
    if (!match || typeof match.value !== 'number') continue;
    const ours =
      reference.metric === 'validationAccuracy'
        ? point.finalValidationAccuracy
        : point.finalTestAccuracy;
    const tolerance = Math.max(0.02, 2 * (ours.sd ?? 0));
    if (Math.abs(ours.mean - match.value) > tolerance) {
      const where = Object.entries(point.axes)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ');
      lines.push(
        `${where}: we measured ${formatMeanSd(ours)}, the reference says ${match.value} (difference ${(ours.mean - match.value).toFixed(4)}).`,
      );
    }
  }
  return lines;
}

function markdownTable({ header, rows }: { header: string[]; rows: string[][] }): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function htmlTable({ header, rows }: { header: string[]; rows: string[][] }): string {
  const head = header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * Writes `report.md`, a self-contained `report.html` and `figures/` (each figure as Vega-Lite
 * JSON, SVG and PNG) for a run folder, from the trial results found there.
 *
 * @throws {@link StudyRunError} `RUN_NOT_FOUND` when the folder has no manifest
 */
export async function writeReport(runFolder: string): Promise<ReportOutput> {
  const manifest = await readJsonIfExists<RunManifest>(join(runFolder, 'manifest.json'));
  if (!manifest) {
    throw new StudyRunError({
      code: 'RUN_NOT_FOUND',
      message: `${runFolder} has no manifest.json: it is not a run folder. Create one with \`actlab run <study> --out ${runFolder}\`.`,
    });
  }
  const { study } = manifest;
  const finished = await readFinishedResults(runFolder);
  const entries: Entry[] = [];
  for (const trial of manifest.trials) {
    const result = finished.get(trial.id);
    if (!result) continue;
    const gradients =
      (await readJsonIfExists<GradientRecord[]>(
        join(runFolder, 'trials', trial.id, trialFiles.gradients),
      )) ?? [];
    entries.push({ axes: trial.axes, result, gradients });
  }
  const gridPoints = summarizeGridPoints(entries);
  // Sampling the activation curves needs a backend; any will do, cpu is always there.
  await useBackend('cpu');
  const figureDrafts = study.report.figures.flatMap((figure) => {
    if (entries.length === 0) return [];
    if (figure.kind === 'accuracy-curves') return curveFigures(figure, entries);
    if (figure.kind === 'gradient-by-layer') return gradientFigures(figure, entries);
    if (figure.kind === 'heatmap') return [heatmapFigure(figure, entries)];
    if (figure.kind === 'loss-curves') return lossFigures(figure, entries);
    if (figure.kind === 'learned-parameters') return learnedFigures(figure, entries);
    return [activationFigure(entries)];
  });
  const figuresFolder = join(runFolder, 'figures');
  await mkdir(figuresFolder, { recursive: true });
  const figures: ReportFigure[] = [];
  for (const draft of figureDrafts) {
    const svg = await renderSvg(draft.spec);
    await writeJsonAtomic(join(figuresFolder, `${draft.name}.vl.json`), draft.spec);
    await writeFileAtomically(join(figuresFolder, `${draft.name}.svg`), svg);
    await writeFileAtomically(
      join(figuresFolder, `${draft.name}.png`),
      await renderPng(draft.spec),
    );
    figures.push({ ...draft, svg });
  }

  const table = resultsTable(gridPoints, study);
  const backends = [...new Set(entries.map(({ result }) => result.backend))].join(', ') || '—';
  const trainerCounts = new Map<string, number>();
  for (const { result } of entries) {
    const trainer = result.trainer ?? 'tfjs';
    trainerCounts.set(trainer, (trainerCounts.get(trainer) ?? 0) + 1);
  }
  const trainerNames: Record<string, string> = {
    fused: 'fused WebAssembly Dense-stack trainer',
    tfjs: 'stock tfjs',
  };
  const trainers =
    [...trainerCounts]
      .map(([kind, count]) => `${trainerNames[kind] ?? kind} (${count})`)
      .join(', ') || '—';
  const missing = manifest.trials.length - entries.length;
  const { machine, options } = manifest;
  const facts = [
    `Trials: ${entries.length} of ${manifest.trials.length} finished${missing > 0 ? ` (${missing} not finished: run the same command again to resume)` : ''}; ${options.seeds} seed(s) per grid point${options.quick ? '; --quick profile' : ''}.`,
    `Backend: ${backends}; trained by ${trainers}. Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}. Written ${new Date().toISOString().slice(0, 10)}.`,
    'Test accuracy is measured after the last epoch on the test set; train accuracy on up to 10 000 training images after the epoch; mean ± sample sd over seeds.',
  ];
  const reference = study.report.reference;
  const referenceNote = reference
    ? `Reference column: ${reference.source}.${reference.note ? ` ${reference.note}` : ''}`
    : '';
  const disagreements = referenceDisagreements(
    gridPoints,
    study,
    entries.map(({ result }) => result.settings.epochs),
  );
  const diagnoses = study.report.fitDiagnosis
    ? gridPoints.flatMap((point) => {
        const diagnosis = fitOf(point.results[0] as TrialResult);
        if (!diagnosis) return [];
        const where = Object.entries(point.axes)
          .map(([key, value]) => `${key}=${value}`)
          .join(' ');
        return [`${where}: **${diagnosis.label}** — ${diagnosis.reasons.join('; ')}.`];
      })
    : [];

  const markdown = [
    `# ${study.title}`,
    '',
    study.description.trim(),
    '',
    ...facts.map((fact) => `- ${fact}`),
    '',
    '## Results',
    '',
    markdownTable(table),
    '',
    referenceNote,
    '',
    ...(disagreements.length > 0
      ? [
          '## Where our numbers and the reference disagree',
          '',
          ...disagreements.map((line) => `- ${line}`),
          '',
        ]
      : []),
    ...(diagnoses.length > 0
      ? ['## Fit diagnosis (seed 1)', '', ...diagnoses.map((line) => `- ${line}`), '']
      : []),
    ...(figures.length > 0 ? ['## Figures', ''] : []),
    ...figures.flatMap((figure) => [
      `![${figure.title}](figures/${figure.name}.png)`,
      '',
      `*${figure.caption}*`,
      '',
    ]),
  ].join('\n');

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(study.title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}figure{margin:1.5rem 0}figcaption{color:#555;font-size:.9rem}
</style></head><body>
<h1>${escapeHtml(study.title)}</h1>
<p>${escapeHtml(study.description.trim())}</p>
<ul>${facts.map((fact) => `<li>${escapeHtml(fact)}</li>`).join('')}</ul>
<h2>Results</h2>
${htmlTable(table)}
<p>${escapeHtml(referenceNote)}</p>
${disagreements.length > 0 ? `<h2>Where our numbers and the reference disagree</h2><ul>${disagreements.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : ''}
${diagnoses.length > 0 ? `<h2>Fit diagnosis (seed 1)</h2><ul>${diagnoses.map((line) => `<li>${escapeHtml(line.replaceAll('**', ''))}</li>`).join('')}</ul>` : ''}
${figures.length > 0 ? '<h2>Figures</h2>' : ''}
${figures.map((figure) => `<figure>${figure.svg}<figcaption>${escapeHtml(figure.caption)}</figcaption></figure>`).join('\n')}
</body></html>
`;
  const markdownPath = join(runFolder, 'report.md');
  const htmlPath = join(runFolder, 'report.html');
  await writeFileAtomically(markdownPath, markdown);
  await writeFileAtomically(htmlPath, html);
  return { markdownPath, htmlPath, figures: figures.map((figure) => figure.name), gridPoints };
}
