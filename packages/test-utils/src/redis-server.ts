import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from './temp-dir.js';

/** Debian's redis-server, where `.ci/run` installs it. */
export const redisServerPath = '/usr/bin/redis-server';

/** True when {@link startRedisServer} can run here. */
export const hasRedisServer = existsSync(redisServerPath);

/** A redis-server bound to 127.0.0.1 on a free port, without persistence. */
export interface TestRedisServer {
  port: number;
  /** `redis://[:password@]127.0.0.1:<port>` */
  url: string;
  /** With `tls`: the self-signed certificate to trust (e.g. through NODE_EXTRA_CA_CERTS). */
  caFile?: string;
  stop: () => Promise<void>;
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
 * Starts `redis-server` on 127.0.0.1 with a random free port, no RDB or AOF files (in a temp
 * folder), when given a password, and with `tls` only a TLS port (a self-signed certificate for
 * 127.0.0.1 made with `openssl`); resolves once it accepts connections.
 */
export async function startRedisServer(
  options: { password?: string; tls?: boolean } = {},
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
    'no',
    '--dir',
    folder.path,
    ...(options.password ? ['--requirepass', options.password] : []),
  ];
  const child: ChildProcess = spawn(redisServerPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${output}`)),
      10_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    ...(options.tls ? { caFile } : {}),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      await folder.remove();
    },
  };
}
