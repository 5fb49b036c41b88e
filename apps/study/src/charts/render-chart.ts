import { Resvg } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';

/** A Vega-Lite spec as plain JSON, kept next to every figure so the docs can render it live. */
export type ChartSpec = TopLevelSpec;

/**
 * Renders a Vega-Lite spec to an SVG string in Node (no canvas, no native build step).
 *
 * vega and vega-lite are imported here, on first use, not at the top of the module: vega's Node
 * build reaches `canvas` through a top-level await, and an ES module graph with a top-level
 * await cannot be loaded by `require()` (ERR_REQUIRE_ASYNC_MODULE). Loading them lazily keeps
 * `require('@actlab/study')` working.
 */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Renders a Vega-Lite spec to PNG bytes: SVG first, then resvg (a prebuilt binary from npm)
 * rasterises it with the system fonts at `scale` × the chart's own size.
 */
export async function renderPng(spec: ChartSpec, scale = 2): Promise<Uint8Array> {
  const svg = await renderSvg(spec);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
