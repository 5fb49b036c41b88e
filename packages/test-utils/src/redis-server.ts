import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from './temp-dir.js';

/** Debian's redis-server, where `.ci/run` installs it. */
export const redisServerPath = '/usr/bin/redis-server';

/** True when {@link startRedisServer} can run here. */
export const hasRedisServer = existsSync(redisServerPath);

/** A redis-server bound to 127.0.0.1 on a free port, without persistence unless asked. */
export interface TestRedisServer {
  port: number;
  /** `redis://[:password@]127.0.0.1:<port>` */
  url: string;
  /** With `tls`: the self-signed certificate to trust (e.g. through NODE_EXTRA_CA_CERTS). */
  caFile?: string;
  /** Kills the server with SIGKILL (a crash) and keeps its folder, so {@link start} can follow. */
  kill: () => Promise<void>;
  /** Starts the server again on the same port and folder (with `appendOnly`, with its data). */
  start: () => Promise<void>;
  /** Kills the server and removes its folder. */
  stop: () => Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface TestRedisServerOptions {
  password?: string;
  /** Only a TLS port, with a self-signed certificate for 127.0.0.1. */
  tls?: boolean;
  /** AOF persistence with `appendfsync always`: a killed server restarts with every write. */
  appendOnly?: boolean;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Starts `redis-server` on 127.0.0.1 with a random free port, no RDB file and AOF only with
 * `appendOnly` (in a temp folder), when given a password, and with `tls` only a TLS port (a
 * self-signed certificate for 127.0.0.1 made with `openssl`); resolves once it accepts
 * connections.
 */
export async function startRedisServer(
  options: TestRedisServerOptions = {},
): Promise<TestRedisServer> {
  const folder = await makeTempDir('actlab-redis-');
  const port = await freePort();
  const caFile = join(folder.path, 'cert.pem');
  const keyFile = join(folder.path, 'key.pem');
  if (options.tls) {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', keyFile].concat([
        '-out',
        caFile,
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ]),
      { stdio: 'ignore' },
    );
  }
  const tlsArgs = [
    '--tls-cert-file',
    caFile,
    '--tls-key-file',
    keyFile,
    '--tls-ca-cert-file',
    caFile,
  ];
  const ports = options.tls
    ? ['--port', '0', '--tls-port', String(port), ...tlsArgs, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [
    '--bind',
    '127.0.0.1',
    ...ports,
    '--save',
    '',
    '--appendonly',
    options.appendOnly ? 'yes' : 'no',
    ...(options.appendOnly ? ['--appendfsync', 'always'] : []),
    '--dir',
    folder.path,
    ...(options.password ? ['--requirepass', options.password] : []),
  ];
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn(redisServerPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start:\n${output}`)),
        10_000,
      );
      started.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
  };
  const kill = async () => {
    const running = child;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    }
  };
  await start();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    ...(options.tls ? { caFile } : {}),
    kill,
    start,
    stop: async () => {
      await kill();
      await folder.remove();
    },
  };
}
