// Prints the README's activation table from the built package: node tools/activation-table.mjs
import '@tensorflow/tfjs-backend-cpu';
import { activations, formatInterval } from '../dist/index.js';

const zones = (list) => list.map((zone) => formatInterval(zone, 4)).join(' ∪ ') || '—';
const rows = [
  ['name', 'f(x)', 'range of f', 'range of f′', 'saturation zones', 'dead zones', 'gain'],
];
for (const a of Object.values(activations)) {
  const parameters = Object.entries(a.parameters)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  rows.push([
    `\`${a.name}\`${parameters ? ` (${parameters})` : ''}`,
    `$${a.formula.replaceAll('|', '\\|')}$`,
    formatInterval(a.range),
    formatInterval(a.derivativeRange),
    zones(a.saturationZones),
    zones(a.deadZones),
    `${a.gain.toFixed(4)}${a.gainSource === 'pytorch' ? ' (PyTorch)' : ''}`,
  ]);
}
const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
console.log(line(rows[0]));
console.log(`| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
for (const row of rows.slice(1)) console.log(line(row));
