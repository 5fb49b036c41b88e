import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TrialResult } from '../run/trial-records.js';

/** The built CLI the queue tests start as separate processes. */
export const cli = resolve(import.meta.dirname, '../../dist/cli.js');

/** A tiny grid study (two activations × three seeds = 6 units) on a few hundred MNIST images. */
export function tinyStudy(overrides: { trainSize: number; epochs: number; width: number }): string {
  return `
name: tiny-queue
title: Tiny queue study
description: Two activations, three seeds, a few hundred MNIST images.
seeds: 3
base:
  dataset: mnist
  trainSize: ${overrides.trainSize}
  testSize: 200
  validationFraction: 0.1
  width: ${overrides.width}
  depth: 2
  epochs: ${overrides.epochs}
  batchSize: 32
  optimizer: { name: sgd, learningRate: 0.05 }
grid:
  activation: [relu, tanh]
record:
  gradients: { batchSize: 16, targets: [weights] }
report:
  figures:
    - { kind: accuracy-curves, facet: activation, color: activation }
`;
}

/** A child process (`actlab worker` or `actlab run`) with everything it printed so far. */
export interface CliProcess {
  child: ChildProcess;
  log: () => string;
  exited: Promise<unknown>;
}

/** Starts `node dist/cli.js …args`, collecting stdout and stderr together. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): CliProcess {
  const child = spawn('node', [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exited = new Promise((done) => child.once('exit', done));
  return { child, log: () => text, exited };
}

/** Signals the process (if still running) and waits until it exited. */
export async function stopCli(process: CliProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (process.child.exitCode === null && process.child.signalCode === null) {
    process.child.kill(signal);
  }
  await process.exited;
}

/** Unit ids a worker logged as completed (`completed <id> <label>`), in order, repeats kept. */
export function completedIds(...logs: string[]): string[] {
  return logs.flatMap((log) =>
    [...log.matchAll(/^completed (\w+)/gm)].map((match) => match[1] as string),
  );
}

/** Unit ids a worker logged as started, repeats kept. */
export function startedIds(...logs: string[]): string[] {
  return logs.flatMap((log) =>
    [...log.matchAll(/^started (\w+)/gm)].map((match) => match[1] as string),
  );
}

/** Polls `check` every 25 ms until it holds. @throws when `timeoutMs` passed first */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error('timed out waiting');
}

/** Every unit's `result.json` of a run folder, in the manifest's order. */
export async function readResults(runFolder: string): Promise<TrialResult[]> {
  const manifest = JSON.parse(await readFile(join(runFolder, 'manifest.json'), 'utf8'));
  return Promise.all(
    manifest.trials.map(async ({ id }: { id: string }) =>
      JSON.parse(await readFile(join(runFolder, 'trials', id, 'result.json'), 'utf8')),
    ),
  );
}

/** What must not depend on where a trial ran: everything but times and the resume flag. */
export function comparable(results: TrialResult[]) {
  return results
    .map(({ epochs, id, status, finalTestAccuracy, trainer }) => ({
      id,
      status,
      trainer,
      finalTestAccuracy,
      epochs: epochs.map(({ trainSeconds: _t, wallSeconds: _w, ...rest }) => rest),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
