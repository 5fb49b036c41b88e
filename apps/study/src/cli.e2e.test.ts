import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '@actlab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialResult } from './run/trial-records.js';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../dist/cli.js');
const dataDir = process.env.ACTLAB_DATA_DIR;

const tinyStudy = `
name: tiny-depth
title: Tiny depth study
description: Two depths, two activations, a few hundred MNIST images.
base:
  dataset: mnist
  trainSize: 600
  testSize: 500
  validationFraction: 0.1
  width: 16
  epochs: 3
  batchSize: 32
  optimizer: { name: sgd, learningRate: 0.05 }
grid:
  activation: [relu, sigmoid]
  depth: [3, 6]
record:
  gradients: { batchSize: 16, targets: [weights, input] }
report:
  figures:
    - { kind: accuracy-curves, facet: depth, color: activation }
    - { kind: gradient-by-layer, facet: depth, color: activation, target: weights, epoch: 0 }
    - { kind: activation-functions }
`;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error('timed out waiting');
}

function resultsWithoutTimes(results: TrialResult[]) {
  return results
    .map(({ epochs, id, status, finalTestAccuracy }) => ({
      id,
      status,
      finalTestAccuracy,
      epochs: epochs.map(({ trainSeconds: _t, wallSeconds: _w, ...rest }) => rest),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

async function readResults(runFolder: string): Promise<TrialResult[]> {
  const manifest = JSON.parse(await readFile(join(runFolder, 'manifest.json'), 'utf8'));
  return Promise.all(
    manifest.trials.map(async ({ id }: { id: string }) =>
      JSON.parse(await readFile(join(runFolder, 'trials', id, 'result.json'), 'utf8')),
    ),
  );
}

describe.skipIf(!dataDir)('actlab run (real MNIST subset)', () => {
  let folder: { path: string; remove: () => Promise<void> };
  let studyPath: string;

  beforeAll(async () => {
    folder = await makeTempDir('actlab-e2e-');
    studyPath = join(folder.path, 'tiny.yaml');
    await writeFile(studyPath, tinyStudy);
  });

  afterAll(async () => {
    await folder?.remove();
  });

  it('survives a kill mid-way, resumes to the same numbers as an uninterrupted run, and reports', async () => {
    const common = [
      'run',
      studyPath,
      '--backend',
      'cpu',
      '--plain',
      '--data-dir',
      dataDir as string,
    ];
    const straight = join(folder.path, 'straight');
    await run('node', [cli, ...common, '--out', straight, '--workers', '2'], {
      maxBuffer: 1 << 26,
    });

    const killed = join(folder.path, 'killed');
    const child: ChildProcess = spawn('node', [cli, ...common, '--out', killed, '--workers', '1'], {
      stdio: 'ignore',
    });
    const manifest = JSON.parse(await readFile(join(straight, 'manifest.json'), 'utf8'));
    const ids = manifest.trials.map((trial: { id: string }) => trial.id) as string[];
    const has = (id: string, file: string) => exists(join(killed, 'trials', id, file));
    // Kill once a trial is finished and a later one has a checkpoint: a real mid-study stop.
    await waitFor(async () => {
      const [first, ...rest] = ids;
      if (!(await has(first as string, 'result.json'))) return false;
      for (const id of rest) if (await has(id, 'checkpoint.json')) return true;
      return false;
    }, 120_000);
    child.kill('SIGKILL');
    await new Promise((done) => child.once('exit', done));
    const finishedBefore: string[] = [];
    const checkpointOnly: string[] = [];
    for (const id of ids) {
      if (await has(id, 'result.json')) finishedBefore.push(id);
      else if (await has(id, 'checkpoint.json')) checkpointOnly.push(id);
    }
    expect(finishedBefore.length).toBeGreaterThanOrEqual(1);
    expect(finishedBefore.length).toBeLessThan(ids.length);
    expect(checkpointOnly.length).toBeGreaterThanOrEqual(1);
    const kept = await Promise.all(
      finishedBefore.map((id) => readFile(join(killed, 'trials', id, 'result.json'), 'utf8')),
    );

    const { stderr } = await run('node', [cli, ...common, '--out', killed, '--workers', '1'], {
      maxBuffer: 1 << 26,
    });
    expect(stderr).toContain(`${finishedBefore.length} already finished`);
    // Finished trials were not redone: their files are byte for byte the same.
    const after = await Promise.all(
      finishedBefore.map((id) => readFile(join(killed, 'trials', id, 'result.json'), 'utf8')),
    );
    expect(after).toEqual(kept);
    const resumed = await readResults(killed);
    for (const id of checkpointOnly) {
      expect(resumed.find((result) => result.id === id)?.resumed).toBe(true);
    }
    expect(resultsWithoutTimes(resumed)).toEqual(resultsWithoutTimes(await readResults(straight)));

    const report = await readFile(join(killed, 'report.md'), 'utf8');
    for (const result of resumed) expect(report).toContain(result.finalTestAccuracy.toFixed(4));
    expect(await exists(join(killed, 'report.html'))).toBe(true);
    expect(await exists(join(killed, 'figures', 'activation-functions.svg'))).toBe(true);
    expect(await exists(join(killed, 'figures', 'activation-functions.png'))).toBe(true);
    expect(await exists(join(killed, 'figures', 'activation-functions.vl.json'))).toBe(true);
  }, 300_000);

  it('rejects a bad study file with the field and the allowed values, without a stack trace', async () => {
    const bad = join(folder.path, 'bad.yaml');
    await writeFile(bad, tinyStudy.replace('dataset: mnist', 'dataset: cifar'));
    const failure = await run('node', [cli, 'run', bad]).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('base.dataset');
    expect(failure.stderr).toContain('fashion-mnist');
    expect(failure.stderr).not.toMatch(/\bat .+\.js:\d+/);
  });
});

describe('actlab activations', () => {
  it('prints the table and writes SVG and PNG plots', async () => {
    const { stdout } = await run('node', [cli, 'activations']);
    expect(stdout).toContain('lecunTanh');
    const folder = await makeTempDir();
    try {
      const svgPath = join(folder.path, 'relu.svg');
      await run('node', [cli, 'activations', 'plot', 'relu', '--out', svgPath]);
      expect(await readFile(svgPath, 'utf8')).toMatch(/^<svg/);
      const pngPath = join(folder.path, 'leaky.png');
      await run('node', [
        cli,
        'activations',
        'plot',
        'leakyRelu',
        '--param',
        'alpha=0.1',
        '--out',
        pngPath,
      ]);
      const png = await readFile(pngPath);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await folder.remove();
    }
    // Three CLI starts: seconds when other test files (the queue e2e) load the cores.
  }, 30_000);

  it('names the valid activations when the name is unknown', async () => {
    const failure = await run('node', [
      cli,
      'activations',
      'plot',
      'relux',
      '--out',
      'x.svg',
    ]).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('relu');
    expect(failure.stderr).toContain('tanh');
  });
});
