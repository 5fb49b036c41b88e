import * as vega from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import {
  activationChartSpec,
  curveChartSpec,
  gradientChartSpec,
  heatmapSpec,
  learnedParametersSpec,
  lossCurvesSpec,
} from '../report/figure-specs.js';
import { interactiveSpec } from './interactive-spec.js';
import type { ChartSpec } from './render-chart.js';

const curveRows = [1, 2, 3].flatMap((epoch) =>
  ['relu', 'tanh'].flatMap((series) =>
    [1, 2].map((seed) => ({ epoch, series, seed, value: 0.5 + epoch / 10 + seed / 100 })),
  ),
);

/** One spec of every builder the reports use. */
const specs: Record<string, ChartSpec> = {
  'learning curves with a ±1 sd band': curveChartSpec({
    title: 'accuracy',
    metric: 'testAccuracy',
    colorTitle: 'activation',
    rows: curveRows,
  }),
  'gradients per layer on a log axis': gradientChartSpec({
    title: 'gradients',
    yTitle: 'max |g|',
    colorTitle: 'activation',
    rows: curveRows.map(({ epoch, ...row }) => ({ ...row, layer: epoch })),
  }),
  'faceted activation functions': activationChartSpec([
    { x: -1, value: 0, curve: 'f(x)', activation: 'relu' },
    { x: 1, value: 1, curve: 'f(x)', activation: 'relu' },
    { x: 1, value: 1, curve: "f'(x)", activation: 'relu' },
  ]),
  'a heat map': heatmapSpec({
    title: 'final accuracy',
    xTitle: 'optimizer',
    yTitle: 'activation',
    rows: [{ x: 'sgd', y: 'relu', value: 0.9 }],
  }),
  'loss curves': lossCurvesSpec({
    title: 'loss',
    yTitle: 'loss',
    rows: curveRows.map((row) => ({ ...row, split: 'training' as const })),
  }),
  'learned parameters': learnedParametersSpec({
    title: 'alpha',
    rows: [{ epoch: 1, value: 0.2, parameter: 'alpha' }],
  }),
};

/** The names and kinds of the parameters anywhere in a compiled-in-place spec. */
function parameters(spec: unknown): { bind?: unknown; select?: unknown }[] {
  if (Array.isArray(spec)) return spec.flatMap(parameters);
  if (spec === null || typeof spec !== 'object') return [];
  const own = (spec as { params?: unknown[] }).params ?? [];
  return [
    ...(own as { bind?: unknown }[]),
    ...Object.entries(spec)
      .filter(([key]) => key !== 'params' && key !== 'data')
      .flatMap(([, value]) => parameters(value)),
  ];
}

describe('interactiveSpec', () => {
  it.each(Object.entries(specs))(
    'gives %s a spec that Vega-Lite compiles and Vega parses',
    async (_name, spec) => {
      const live = interactiveSpec(spec);
      const view = new vega.View(vega.parse(compile(live).spec), { renderer: 'none' });
      await view.runAsync();
      view.finalize();
      expect((live as { config?: { mark?: { tooltip?: unknown } } }).config?.mark?.tooltip).toBe(
        true,
      );
    },
  );

  it('adds a legend toggle and zoom/pan to line charts, and neither to a heat map', () => {
    const curves = parameters(
      interactiveSpec(specs['learning curves with a ±1 sd band'] as ChartSpec),
    );
    expect(curves.map((parameter) => parameter.bind)).toEqual(['legend', 'scales']);
    expect(parameters(interactiveSpec(specs['a heat map'] as ChartSpec))).toEqual([]);
  });

  it('leaves the spec it is given as it was', () => {
    const spec = specs['gradients per layer on a log axis'] as ChartSpec;
    const before = JSON.stringify(spec);
    interactiveSpec(spec);
    expect(JSON.stringify(spec)).toBe(before);
  });
});
