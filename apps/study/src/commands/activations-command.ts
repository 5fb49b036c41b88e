import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  type ActivationSpec,
  activations,
  formatInterval,
  getActivation,
  type Interval,
  sampleActivation,
} from '@actlab/activations';
import Table from 'cli-table3';
import { renderPng, renderSvg } from '../charts/render-chart.js';
import { StudyError } from '../engine/study-error.js';
import { useBackend } from '../engine/use-backend.js';
import { activationPlotSpec } from './activation-plot-spec.js';
import { colors, writeJson } from './terminal-output.js';

/** An interval as `--json` gives it: `null` for an unbounded end, and the interval as text. */
function intervalJson(range: Interval) {
  const bound = (value: number) => (Number.isFinite(value) ? value : null);
  return {
    min: bound(range.min),
    max: bound(range.max),
    minInclusive: range.minInclusive,
    maxInclusive: range.maxInclusive,
    text: formatInterval(range),
  };
}

/**
 * `actlab activations [--json]`: the table of every activation, or with `json` one JSON array
 * of `{name, formula, parameters, range, derivativeRange, gain}` (fields in the README).
 */
export function printActivationTable(options: { json?: boolean } = {}): void {
  if (options.json) {
    writeJson(
      Object.values(activations).map((activation) => ({
        name: activation.name,
        formula: activation.formula,
        parameters: activation.parameters,
        range: intervalJson(activation.range),
        derivativeRange: intervalJson(activation.derivativeRange),
        gain: activation.gain,
      })),
    );
    return;
  }
  // cli-table3 colours nothing itself (its colour library ignores NO_COLOR and pipes).
  const table = new Table({
    head: ['activation', 'range of f', "range of f'", 'gain'].map((cell) => colors.bold(cell)),
    style: { head: [], border: [] },
  });
  for (const activation of Object.values(activations)) {
    table.push([
      activation.name,
      formatInterval(activation.range),
      formatInterval(activation.derivativeRange),
      Number(activation.gain.toPrecision(4)).toString(),
    ]);
  }
  process.stdout.write(`${table.toString()}\n`);
}

function parseParameters(pairs: string[] | undefined): Record<string, number> {
  const parameters: Record<string, number> = {};
  for (const pair of pairs ?? []) {
    const [key, value] = pair.split('=');
    const parsed = Number(value);
    if (!key || value === undefined || !Number.isFinite(parsed)) {
      throw new StudyError({
        code: 'INVALID_ARGUMENT',
        message: `--param expects key=number, such as alpha=0.1; got "${pair}"`,
      });
    }
    parameters[key] = parsed;
  }
  return parameters;
}

/** Options of `actlab activations plot`. */
export interface PlotOptions {
  out: string;
  from: number;
  to: number;
  steps: number;
  param?: string[];
}

/** `actlab activations plot <name> --out file.svg|png` */
export async function plotActivationCommand(name: string, options: PlotOptions): Promise<void> {
  const format = extname(options.out).toLowerCase();
  if (format !== '.svg' && format !== '.png') {
    throw new StudyError({
      code: 'INVALID_ARGUMENT',
      message: `--out must end in .svg or .png, got "${options.out}"`,
    });
  }
  const parameters = parseParameters(options.param);
  const spec: ActivationSpec = Object.keys(parameters).length > 0 ? { name, ...parameters } : name;
  const activation = getActivation(spec);
  await useBackend('cpu');
  const sample = sampleActivation(spec, {
    from: options.from,
    to: options.to,
    steps: options.steps,
  });
  const label =
    Object.keys(parameters).length > 0
      ? `${activation.name}(${Object.entries(parameters)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')})`
      : activation.name;
  const chart = activationPlotSpec(
    label,
    sample,
    formatInterval(activation.range),
    formatInterval(activation.derivativeRange),
  );
  if (format === '.svg') await writeFile(options.out, await renderSvg(chart));
  else await writeFile(options.out, await renderPng(chart));
  process.stdout.write(`wrote ${options.out}\n`);
}
