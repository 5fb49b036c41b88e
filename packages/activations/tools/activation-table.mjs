// Prints the README's activation table from the built package: node tools/activation-table.mjs
import '@tensorflow/tfjs-backend-cpu';
import { activations, formatInterval } from '../dist/index.js';

const zones = (list) => list.map((zone) => formatInterval(zone, 4)).join(' ∪ ') || '—';
console.log('| name | f(x) | range of f | range of f′ | saturation zones | dead zones | gain |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const a of Object.values(activations)) {
  const parameters = Object.entries(a.parameters)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  console.log(
    `| \`${a.name}\`${parameters ? ` (${parameters})` : ''} | $${a.formula.replaceAll('|', '\\|')}$ | ${formatInterval(a.range)} | ${formatInterval(a.derivativeRange)} | ${zones(a.saturationZones)} | ${zones(a.deadZones)} | ${a.gain.toFixed(4)}${a.gainSource === 'pytorch' ? ' (PyTorch)' : ''} |`,
  );
}
