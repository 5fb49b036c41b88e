import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A Verdaccio registry running in this process on 127.0.0.1. */
export interface LocalRegistry {
  /** Its URL, ending in `/`. */
  url: string;
  /** An auth token of a user who may publish (what `NPM_TOKEN` holds for the real registry). */
  token: string;
  /** Stops the server. */
  close: () => Promise<void>;
}

/**
 * Starts Verdaccio on 127.0.0.1 on a free port, its storage and users in `folder`, with no
 * uplink: it serves only what is published to it. Throws when the server cannot start.
 */
export async function startLocalRegistry(folder: string): Promise<LocalRegistry> {
  const { runServer } = await import('verdaccio');
  // biome-ignore lint/suspicious/noExplicitAny: Verdaccio's ConfigYaml type asks for fields it defaults itself
  const config: any = {
    self_path: join(folder, 'config.yaml'),
    storage: join(folder, 'storage'),
    auth: { htpasswd: { file: join(folder, 'htpasswd'), max_users: 1 } },
    uplinks: {},
    packages: { '**': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' } },
    max_body_size: '200mb',
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
  };
  const server = await runServer(config);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  try {
    // What `npm adduser` does: create the user, get a token.
    const response = await fetch(`${url}-/user/org.couchdb.user:release`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'release', password: 'release-rehearsal' }),
    });
    const body = (await response.json()) as { token?: string };
    if (!response.ok || !body.token) {
      throw new Error(`Verdaccio did not create the release user: ${JSON.stringify(body)}`);
    }
    return { url, token: body.token, close };
  } catch (error) {
    await close();
    throw error;
  }
}
