import type { ChartSpec } from './render-chart.js';

type View = Record<string, unknown>;
type Encoding = Record<
  string,
  { field?: unknown; type?: unknown; aggregate?: unknown } | undefined
>;

/** Vega-Lite's composite marks: they take no selection parameters of their own. */
const compositeMarks = new Set(['errorband', 'errorbar', 'boxplot']);

function markType(mark: unknown): unknown {
  return typeof mark === 'object' && mark !== null ? (mark as { type?: unknown }).type : mark;
}

/**
 * Adds the interactions to one unit view, in place: a legend that toggles its series (the
 * others fade) when colour is a nominal field, zoom and pan along each quantitative axis that
 * is not aggregated.
 * Returns whether it added any.
 */
function decorateUnit(view: View, name: () => string): boolean {
  if (compositeMarks.has(markType(view.mark) as string)) return false;
  const encoding = (view.encoding ?? {}) as Encoding;
  const params = [...((view.params as unknown[]) ?? [])];
  const color = encoding.color;
  if (color?.type === 'nominal' && typeof color.field === 'string' && !encoding.opacity) {
    const legend = name();
    params.push({ name: legend, select: { type: 'point', fields: [color.field] }, bind: 'legend' });
    view.encoding = {
      ...encoding,
      opacity: { condition: { param: legend, value: 1 }, value: 0.15 },
    };
  }
  // An aggregated axis (a mean over seeds) cannot be bound to a selection: zoom the other one.
  const zoomable = (['x', 'y'] as const).filter(
    (channel) => encoding[channel]?.type === 'quantitative' && !encoding[channel]?.aggregate,
  );
  if (zoomable.length > 0) {
    params.push({
      name: name(),
      select: { type: 'interval', encodings: zoomable },
      bind: 'scales',
    });
  }
  if (params.length === 0) return false;
  view.params = params;
  return true;
}

/** Decorates the first unit of a layer stack that takes them; every view of a concatenation. */
function decorate(view: View, name: () => string): boolean {
  if ('mark' in view) return decorateUnit(view, name);
  if (Array.isArray(view.layer))
    return (view.layer as View[]).some((layer) => decorate(layer, name));
  if (typeof view.spec === 'object' && view.spec !== null) return decorate(view.spec as View, name);
  const views = [view.concat, view.hconcat, view.vconcat].find(Array.isArray) as View[] | undefined;
  return (views ?? []).map((inner) => decorate(inner, name)).some(Boolean);
}

/**
 * The spec of a report figure for the HTML page: a copy of `spec` with tooltips on every mark,
 * and, where they make sense, a legend that toggles series and zoom/pan (mouse wheel and drag)
 * on quantitative axes.
 * The static SVG and PNG are drawn from the spec as it is; these interactions change nothing
 * in them.
 *
 * @param spec - a figure's Vega-Lite spec (not modified)
 */
export function interactiveSpec(spec: ChartSpec): ChartSpec {
  const copy = structuredClone(spec) as unknown as View;
  let count = 0;
  decorate(copy, () => {
    count += 1;
    return `interaction${count}`;
  });
  const config = (copy.config ?? {}) as View;
  copy.config = { ...config, mark: { ...((config.mark as View) ?? {}), tooltip: true } };
  return copy as unknown as ChartSpec;
}
