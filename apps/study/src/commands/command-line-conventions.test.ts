import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { activations as registry } from '@actlab/activations';
import { describe, expect, it } from 'vitest';
import { parseStudy } from '../study/load-study.js';

const cli = resolve(import.meta.dirname, '../../dist/cli.js');
const execute = promisify(execFile);
const ansi = '\x1b[';

/** The environment of a plain shell: no colour switches unless a test sets them. */
function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NO_COLOR, FORCE_COLOR, CI, ...rest } = process.env;
  return { ...rest, TERM: 'xterm-256color', ...extra };
}

/** Runs the built CLI with stdout piped and returns what it printed. */
async function actlab(args: string[], extra: Record<string, string> = {}) {
  return execute(process.execPath, [cli, ...args], {
    env: environment(extra),
    maxBuffer: 16 * 1024 * 1024,
  });
}

/**
 * Runs the CLI with stdout piped into a reader that closes after `chunks` chunks (0: before
 * anything arrives, so every write finds the pipe closed), and returns its exit code and stderr.
 */
function runIntoClosingPipe(args: string[], chunks: number) {
  return new Promise<{ code: number | null; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: environment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let seen = 0;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    if (chunks === 0) child.stdout.destroy();
    else {
      child.stdout.on('data', () => {
        seen += 1;
        if (seen >= chunks) child.stdout.destroy();
      });
    }
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

describe('colour on stdout', () => {
  it('prints no ANSI codes into a pipe, even on a colour terminal type', async () => {
    const { stdout } = await actlab(['activations']);
    expect(stdout).toContain('relu');
    expect(stdout).not.toContain(ansi);
  });

  it('prints no ANSI codes with NO_COLOR set, even when FORCE_COLOR asks for colour', async () => {
    const { stdout } = await actlab(['activations'], { NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(stdout).not.toContain(ansi);
  });

  it('prints no ANSI codes with TERM=dumb', async () => {
    const { stdout } = await actlab(['list'], { TERM: 'dumb' });
    expect(stdout).not.toContain(ansi);
  });

  it('prints no ANSI codes with FORCE_COLOR=0', async () => {
    const { stdout } = await actlab(['activations'], { FORCE_COLOR: '0' });
    expect(stdout).not.toContain(ansi);
  });

  it('colours a pipe when FORCE_COLOR forces it', async () => {
    const { stdout } = await actlab(['activations'], { FORCE_COLOR: '1' });
    expect(stdout).toContain(ansi);
  });
});

describe('a closed stdout pipe', () => {
  it('ends `actlab list` quietly with exit code 0 when the reader closes before any output', async () => {
    const { code, stderr } = await runIntoClosingPipe(['list'], 0);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('ends `actlab list` quietly with exit code 0 when the reader closes after the first chunk', async () => {
    const { code, stderr } = await runIntoClosingPipe(['list'], 1);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('--json', () => {
  it('`actlab list --json` gives one array of presets with name, kind, title and description', async () => {
    const { stdout } = await actlab(['list', '--json'], { FORCE_COLOR: '1' });
    expect(stdout).not.toContain(ansi);
    const presets = JSON.parse(stdout) as Record<string, unknown>[];
    expect(presets.map((preset) => preset.name)).toContain('depth-activation');
    for (const preset of presets) {
      expect(Object.keys(preset)).toEqual(['name', 'kind', 'title', 'description']);
    }
    expect(presets.find((preset) => preset.name === 'mask-detector')?.kind).toBe('mask-detector');
  });

  it('`actlab show <preset> --json` gives the study file as JSON, a study file itself', async () => {
    const { stdout } = await actlab(['show', 'depth-activation', '--json']);
    const document = JSON.parse(stdout);
    expect(document.name).toBe('depth-activation');
    expect(parseStudy(document).study.name).toBe('depth-activation');
  });

  it('`actlab activations --json` gives every activation with its ranges, unbounded ends as null', async () => {
    const { stdout } = await actlab(['activations', '--json'], { FORCE_COLOR: '1' });
    expect(stdout).not.toContain(ansi);
    expect(stdout).not.toContain('┌');
    const activations = JSON.parse(stdout) as {
      name: string;
      range: { min: number | null; max: number | null; text: string };
      gain: number;
    }[];
    const relu = activations.find((activation) => activation.name === 'relu');
    expect(relu?.range).toEqual({
      min: 0,
      max: null,
      minInclusive: true,
      maxInclusive: false,
      text: '[0, ∞)',
    });
    expect(relu?.gain).toBeCloseTo(Math.SQRT2, 12);
    expect(activations.map((activation) => activation.name)).toEqual(
      Object.values(registry).map((activation) => activation.name),
    );
  });
});

describe('the library entry point', () => {
  it('loads with require() from CommonJS (vega is imported lazily)', async () => {
    const script = `const study = require(${JSON.stringify(resolve(import.meta.dirname, '../../dist/index.js'))}); console.log(typeof study.writeReport);`;
    const { stdout } = await execute(process.execPath, ['-e', script], { env: environment() });
    expect(stdout.trim()).toBe('function');
  });
});
