import type { ChartSpec } from '../charts/render-chart.js';

/** One chart with f and f′ of an activation, the ranges in the subtitle. */
export function activationPlotSpec(
  name: string,
  sample: { x: number[]; y: number[]; dy: number[] },
  range: string,
  derivativeRange: string,
): ChartSpec {
  const values = sample.x.flatMap((x, i) => [
    { x, value: sample.y[i], curve: `${name}(x)` },
    { x, value: sample.dy[i], curve: `${name}'(x)` },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: name, subtitle: `range of f: ${range}   range of f': ${derivativeRange}` },
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative' },
      y: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'curve', type: 'nominal', title: null },
      strokeDash: { field: 'curve', type: 'nominal', title: null },
    },
  } as ChartSpec;
}
