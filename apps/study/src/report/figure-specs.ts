import type { ChartSpec } from '../charts/render-chart.js';

const schema = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Rows of per-epoch values for a learning-curve chart: one row per trial, epoch and series. */
export interface CurveRow {
  epoch: number;
  value: number;
  series: string;
  seed: number;
}

const metricTitles: Record<string, string> = {
  testAccuracy: 'test accuracy',
  validationAccuracy: 'validation accuracy',
  trainAccuracy: 'training accuracy',
  trainLoss: 'training loss',
  validationLoss: 'validation loss',
};

/**
 * Learning curves: the mean over seeds as a line per series, and a ±1 sd band when there are
 * several seeds. The raw per-seed values stay in the spec, so anyone can re-aggregate them.
 */
export function curveChartSpec(options: {
  title: string;
  metric: string;
  colorTitle: string;
  rows: CurveRow[];
}): ChartSpec {
  const severalSeeds = new Set(options.rows.map((row) => row.seed)).size > 1;
  const x = {
    field: 'epoch',
    type: 'quantitative' as const,
    title: 'epoch',
    axis: { tickMinStep: 1 },
  };
  const color = { field: 'series', type: 'nominal' as const, title: options.colorTitle };
  const yTitle = metricTitles[options.metric] ?? options.metric;
  return {
    $schema: schema,
    title: options.title,
    width: 380,
    height: 220,
    data: { values: options.rows },
    layer: [
      ...(severalSeeds
        ? [
            {
              mark: { type: 'errorband' as const, extent: 'stdev' as const, opacity: 0.2 },
              encoding: {
                x,
                y: { field: 'value', type: 'quantitative' as const, title: yTitle },
                color,
              },
            },
          ]
        : []),
      {
        mark: { type: 'line' as const, point: true },
        encoding: {
          x,
          y: {
            aggregate: 'mean' as const,
            field: 'value',
            type: 'quantitative' as const,
            title: yTitle,
          },
          color,
        },
      },
    ],
  } as ChartSpec;
}

/** Rows for a per-layer gradient chart. */
export interface GradientRow {
  layer: number;
  value: number;
  series: string;
  seed: number;
}

/** Max |gradient| per layer against the layer index on a log axis, a line per series. */
export function gradientChartSpec(options: {
  title: string;
  yTitle: string;
  colorTitle: string;
  rows: GradientRow[];
}): ChartSpec {
  return {
    $schema: schema,
    title: options.title,
    width: 380,
    height: 220,
    data: { values: options.rows.filter((row) => row.value > 0 && Number.isFinite(row.value)) },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'layer',
        type: 'quantitative',
        title: 'layer (input side → output side)',
        axis: { tickMinStep: 1 },
      },
      y: {
        aggregate: 'mean',
        field: 'value',
        type: 'quantitative',
        title: options.yTitle,
        scale: { type: 'log' },
      },
      color: { field: 'series', type: 'nominal', title: options.colorTitle },
    },
  } as ChartSpec;
}

/** Rows of sampled activation curves. */
export interface ActivationRow {
  x: number;
  value: number;
  curve: 'f(x)' | "f'(x)";
  activation: string;
}

/** f and f′ of each activation, one small chart per activation. */
export function activationChartSpec(
  rows: ActivationRow[],
  title = 'Activation functions and their derivatives',
): ChartSpec {
  return {
    $schema: schema,
    title,
    data: { values: rows },
    facet: { field: 'activation', type: 'nominal', title: null },
    columns: 3,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 200,
      height: 150,
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'x' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'curve', type: 'nominal', title: null },
        strokeDash: { field: 'curve', type: 'nominal', title: null },
      },
    },
  } as ChartSpec;
}

/** Final metric per (x, y) grid cell as a colored table with the numbers written in. */
export function heatmapSpec(options: {
  title: string;
  xTitle: string;
  yTitle: string;
  rows: { x: string; y: string; value: number }[];
}): ChartSpec {
  const encoding = {
    x: { field: 'x', type: 'nominal' as const, title: options.xTitle, sort: null },
    y: { field: 'y', type: 'nominal' as const, title: options.yTitle, sort: null },
  };
  return {
    $schema: schema,
    title: options.title,
    data: { values: options.rows },
    layer: [
      {
        mark: 'rect',
        encoding: {
          ...encoding,
          color: {
            aggregate: 'mean',
            field: 'value',
            type: 'quantitative',
            title: 'mean',
            scale: { scheme: 'viridis' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          ...encoding,
          text: { aggregate: 'mean', field: 'value', type: 'quantitative', format: '.4f' },
          color: { value: 'white' },
        },
      },
    ],
  } as ChartSpec;
}

/** Training (dashed) and validation (solid) loss per epoch, a color per series. */
export function lossCurvesSpec(options: {
  title: string;
  yTitle: string;
  rows: {
    epoch: number;
    value: number;
    series: string;
    split: 'training' | 'validation';
    seed: number;
  }[];
}): ChartSpec {
  return {
    $schema: schema,
    title: options.title,
    width: 380,
    height: 220,
    data: { values: options.rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { aggregate: 'mean', field: 'value', type: 'quantitative', title: options.yTitle },
      color: { field: 'series', type: 'nominal', title: null },
      strokeDash: {
        field: 'split',
        type: 'nominal',
        title: null,
        scale: {
          domain: ['validation', 'training'],
          range: [
            [1, 0],
            [6, 4],
          ],
        },
      },
    },
  } as ChartSpec;
}

/** Learned activation parameters per epoch, a line per scalar. */
export function learnedParametersSpec(options: {
  title: string;
  rows: { epoch: number; value: number; parameter: string }[];
}): ChartSpec {
  return {
    $schema: schema,
    title: options.title,
    width: 380,
    height: 220,
    data: { values: options.rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: 'value' },
      color: { field: 'parameter', type: 'nominal', title: null },
    },
  } as ChartSpec;
}
