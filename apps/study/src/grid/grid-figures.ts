import { type ActivationSpec, sampleActivation } from '@actlab/activations';
import type { ReportFigure } from '../engine/study-kind.js';
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
} from '../report/figure-specs.js';
import type { GradientRecord, TrialResult } from '../run/trial-records.js';
import { formatAxisValue } from '../study/expand-trials.js';
import type { FigureSpec, GridAxis } from '../study/study-schema.js';

/** A finished trial with its grid values and gradients, as the figures need it. */
export interface Entry {
  axes: Partial<Record<GridAxis, unknown>>;
  result: TrialResult;
  gradients: GradientRecord[];
}

type Figure = Extract<ReportFigure, { spec: unknown }>;

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
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
): Figure[] {
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
): Figure[] {
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

function activationFigure(entries: Entry[]): Figure {
  const specs = new Map<string, ActivationSpec>();
  for (const { result } of entries) {
    for (const spec of [result.settings.activation, result.settings.firstActivation]) {
      if (spec !== null) specs.set(formatAxisValue(spec), spec);
    }
  }
  const rows: ActivationRow[] = [];
  for (const [label, spec] of specs) {
    const sample = sampleActivation(spec, { from: -5, to: 5, steps: 201 });
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

function heatmapFigure(figure: Extract<FigureSpec, { kind: 'heatmap' }>, entries: Entry[]): Figure {
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
): Figure[] {
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
): Figure[] {
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

/** The figures a study's `report.figures` asks for, drawn from its finished trials. */
export function gridFigures(figures: FigureSpec[], entries: Entry[]): Figure[] {
  return figures.flatMap((figure) => {
    if (entries.length === 0) return [];
    if (figure.kind === 'accuracy-curves') return curveFigures(figure, entries);
    if (figure.kind === 'gradient-by-layer') return gradientFigures(figure, entries);
    if (figure.kind === 'heatmap') return [heatmapFigure(figure, entries)];
    if (figure.kind === 'loss-curves') return lossFigures(figure, entries);
    if (figure.kind === 'learned-parameters') return learnedFigures(figure, entries);
    return [activationFigure(entries)];
  });
}
