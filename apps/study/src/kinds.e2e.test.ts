import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  hasRedisServer,
  makeTempDir,
  startRedisServer,
  type TestRedisServer,
} from '@actlab/test-utils';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunManifest } from './engine/study-kind.js';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../dist/cli.js');
const dataDir = process.env.ACTLAB_DATA_DIR;

/** Every kind on its smallest real workload: a study argument and the flags that keep it quick. */
const kinds: { kind: string; study: (folder: string) => Promise<string>; flags: string[] }[] = [
  {
    kind: 'grid',
    study: async (folder) => {
      const path = join(folder, 'tiny-grid.yaml');
      await writeFile(
        path,
        `name: tiny-grid
title: Tiny grid
description: Two activations, two seeds, a few hundred MNIST images.
seeds: 2
base: { dataset: mnist, trainSize: 300, testSize: 200, validationFraction: 0.1, width: 8, depth: 2, epochs: 3, batchSize: 32, optimizer: { name: adam, learningRate: 0.01 } }
grid: { activation: [relu, tanh] }
record: { gradients: { batchSize: 16, targets: [weights] } }
report: { figures: [{ kind: accuracy-curves, color: activation }] }
`,
      );
      return path;
    },
    flags: ['--backend', 'cpu', '--trainer', 'tfjs'],
  },
  {
    kind: 'adversarial',
    study: async () => 'adversarial-mnist',
    flags: ['--backend', 'cpu', '--quick', '--sources', '102,88', '--methods', 'fgsm,pgd-linf'],
  },
  {
    kind: 'mask-detector',
    study: async (folder) => {
      const path = join(folder, 'tiny-mask.yaml');
      await writeFile(
        path,
        `kind: mask-detector
name: tiny-mask
title: Tiny mask study
quick: { limit: 20, maxEpochs: 3, size: 16 }
targetValidationAccuracy: 1
`,
      );
      return path;
    },
    // Convolutions on the cpu backend take minutes; WebAssembly is as deterministic and fast.
    flags: ['--quick', '--backend', 'wasm'],
  },
];

/** What must not depend on where or when a unit ran: everything but times and the resume flag. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !/seconds|milliseconds|resumed/i.test(key))
        .map(([key, inner]) => [key, comparable(inner)]),
    );
  }
  return value;
}

async function results(folder: string): Promise<Record<string, unknown>> {
  const manifest: RunManifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8'));
  const entries = await Promise.all(
    manifest.trials.map(async ({ id }) => [
      id,
      comparable(JSON.parse(await readFile(join(folder, 'trials', id, 'result.json'), 'utf8'))),
    ]),
  );
  return Object.fromEntries(entries);
}

async function reportBytes(folder: string): Promise<Record<string, string>> {
  const names = [
    'report.md',
    'report.html',
    'metrics.csv',
    ...(await readdir(join(folder, 'figures'))).map((name) => `figures/${name}`),
  ];
  const files = await Promise.all(
    names.map(async (name) => [name, (await readFile(join(folder, name))).toString('base64')]),
  );
  return Object.fromEntries(files);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error('timed out waiting');
}

/** Units with a checkpoint but no result yet, with the step of their checkpoint. */
async function interrupted(folder: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const ids = await readdir(join(folder, 'trials')).catch(() => [] as string[]);
  for (const id of ids) {
    const files = await readdir(join(folder, 'trials', id)).catch(() => [] as string[]);
    if (files.includes('result.json') || !files.includes('checkpoint.json')) continue;
    const checkpoint = JSON.parse(
      await readFile(join(folder, 'trials', id, 'checkpoint.json'), 'utf8').catch(() => '{}'),
    );
    if (typeof checkpoint.step === 'number') found.set(id, checkpoint.step);
  }
  return found;
}

describe.skipIf(!dataDir)('every study kind on the one engine (real processes)', () => {
  let folder: { path: string; remove: () => Promise<void> };
  let redis: TestRedisServer | undefined;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    folder = await makeTempDir('actlab-kinds-');
    if (hasRedisServer) redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await redis?.stop();
    await folder?.remove();
  });

  describe.each(kinds)('$kind', ({ kind, study, flags }) => {
    const common = () => ['--plain', '--data-dir', dataDir as string, ...flags];
    let studyArg: string;
    let baseline: Record<string, unknown>;

    beforeAll(async () => {
      studyArg = await study(folder.path);
      const out = join(folder.path, `${kind}-one`);
      await run('node', [cli, 'run', studyArg, ...common(), '--workers', '1', '--out', out], {
        maxBuffer: 1 << 26,
      });
      baseline = await results(out);
    }, 600_000);

    it('gives the same results on 2 local workers as on one, and `actlab report` rewrites the report byte for byte', async () => {
      const out = join(folder.path, `${kind}-two`);
      await run('node', [cli, 'run', studyArg, ...common(), '--workers', '2', '--out', out], {
        maxBuffer: 1 << 26,
      });
      expect(await results(out)).toEqual(baseline);
      const manifest: RunManifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
      expect(manifest.kind).toBe(kind);
      // metrics.csv: a row per unit × epoch (per attacked pair for adversarial units).
      const rows: { trial: string }[] = parse(await readFile(join(out, 'metrics.csv'), 'utf8'), {
        columns: true,
      });
      const counted = Object.values(await results(out)) as {
        epochs?: unknown[];
        pairs?: unknown[];
      }[];
      const expected = counted.reduce(
        (sum, unit) => sum + (unit.epochs ?? unit.pairs ?? []).length,
        0,
      );
      expect(rows).toHaveLength(expected);
      expect(new Set(rows.map((row) => row.trial))).toEqual(
        new Set(manifest.trials.map((unit) => unit.id)),
      );
      const before = await reportBytes(out);
      await run('node', [cli, 'report', out]);
      expect(await reportBytes(out)).toEqual(before);
    }, 600_000);

    it.skipIf(!hasRedisServer)(
      'gives the same results over Redis with 2 `actlab worker` processes',
      async () => {
        const url = `${redis?.url}/${kinds.findIndex((entry) => entry.kind === kind) + 1}`;
        const backend = flags[flags.indexOf('--backend') + 1] as string;
        for (let i = 0; i < 2; i++) {
          const worker = spawn(
            'node',
            [cli, 'worker', '--queue', url, '--backend', backend, '--data-dir', dataDir as string],
            { stdio: 'ignore' },
          );
          children.push(worker);
        }
        const out = join(folder.path, `${kind}-queue`);
        const { stderr } = await run(
          'node',
          [cli, 'run', studyArg, ...common(), '--no-report', '--queue', url, '--out', out],
          { maxBuffer: 1 << 26 },
        );
        expect(stderr).toContain('0 failed');
        expect(await results(out)).toEqual(baseline);
      },
      600_000,
    );

    it('after kill -9 mid-unit, a rerun keeps every finished unit and redoes at most the interrupted step', async () => {
      const out = join(folder.path, `${kind}-killed`);
      const child = spawn(
        'node',
        [cli, 'run', studyArg, ...common(), '--workers', '1', '--out', out],
        { stdio: 'ignore' },
      );
      children.push(child);
      let cut = new Map<string, number>();
      await waitFor(async () => {
        cut = await interrupted(out);
        return cut.size > 0;
      }, 300_000);
      child.kill('SIGKILL');
      await new Promise((done) => child.once('exit', done));
      cut = await interrupted(out);
      const finished = Object.keys(await results(out).catch(() => ({}))).length;
      const ids = (await readdir(join(out, 'trials'))).sort();
      const kept = new Map<string, string>();
      for (const id of ids) {
        const text = await readFile(join(out, 'trials', id, 'result.json'), 'utf8').catch(
          () => undefined,
        );
        if (text) kept.set(id, text);
      }
      const { stderr } = await run(
        'node',
        [cli, 'run', studyArg, ...common(), '--workers', '1', '--out', out],
        { maxBuffer: 1 << 26 },
      );
      expect(stderr).toContain(`${kept.size} already finished`);
      for (const [id, text] of kept) {
        expect(await readFile(join(out, 'trials', id, 'result.json'), 'utf8')).toBe(text);
      }
      const manifest: RunManifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
      for (const [id, step] of cut) {
        const unit = manifest.trials.find((entry) => entry.id === id);
        // The plain log has one line per finished step: the rerun shows only the steps after the checkpoint.
        const lines = stderr.split('\n').filter((line) => line.includes(`] ${unit?.label} `));
        expect(lines.length).toBeLessThanOrEqual((unit?.steps ?? 0) - step);
      }
      expect(finished).toBeLessThanOrEqual(manifest.trials.length);
      expect(await results(out)).toEqual(baseline);
    }, 600_000);
  });
});
