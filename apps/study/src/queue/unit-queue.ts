import { isIP } from 'node:net';
import type { RedisOptions } from 'bullmq';
import { Redis, type RedisOptions as RedisClientOptions } from 'ioredis';
import { StudyError } from '../engine/study-error.js';
import type { Unit, UnitResult } from '../engine/study-kind.js';

/** The BullMQ queue every coordinator and worker of one Redis database share. */
export const trialQueueName = 'actlab-trials';

/** Redis key of the last checkpoint a worker published for a unit. */
export function checkpointKey(unitId: string): string {
  return `actlab:checkpoint:${unitId}`;
}

/** What a job carries: the study kind and the unit (backend and data are the worker's). */
export interface UnitJobData {
  kind: string;
  unit: Unit;
}

/** What a finished job returns: every file of the unit's folder, for `trials/<id>/`. */
export interface UnitJobResult {
  result: UnitResult;
  /** The files the unit wrote, bytes as base64 (`result.json` among them, written last). */
  files: { name: string; base64: string }[];
}

/** A Redis URL taken apart: options for ioredis and a form safe to print or store. */
export interface QueueConnection {
  options: RedisOptions;
  /** The URL without user name or password, e.g. `rediss://redis.lab:6380/2`. */
  redacted: string;
}

/**
 * Parses `redis://[[user]:password@]host[:port][/db]` or `rediss://…` (TLS). Credentials go
 * only into the connection options, never into {@link QueueConnection.redacted}.
 *
 * @throws {@link StudyError} `QUEUE_URL_INVALID` for anything else
 */
export function parseQueueUrl(text: string): QueueConnection {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(text, 'it is not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw invalid(text, `the scheme is ${url.protocol.replace(':', '')}`);
  }
  const path = url.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) throw invalid(text, `"${path}" is not a database number`);
  if (url.hostname === '') throw invalid(text, 'it names no host');
  const port = url.port === '' ? 6379 : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const options: RedisOptions = {
    host,
    port,
    db,
    // BullMQ's workers and event listeners block on Redis; they must wait, not give up.
    maxRetriesPerRequest: null,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    // SNI takes host names only; an IP address is checked against the certificate without it.
    ...(url.protocol === 'rediss:' ? { tls: isIP(host) === 0 ? { servername: host } : {} } : {}),
  };
  return {
    options,
    redacted: `${url.protocol}//${url.host}${db === 0 ? '' : `/${db}`}`,
  };
}

function invalid(text: string, why: string): StudyError {
  // Never echo the URL itself: it may carry a password.
  const safe = text.replace(/\/\/[^@/]*@/, '//***@');
  return new StudyError({
    code: 'QUEUE_URL_INVALID',
    message: `--queue ${safe} cannot be used: ${why}. Expected redis://[:password@]host[:port][/db] or rediss://… for TLS.`,
  });
}

/**
 * Connects once and pings, so a wrong address or password is reported at once instead of
 * BullMQ retrying for ever.
 *
 * @throws {@link StudyError} `QUEUE_UNREACHABLE` with Redis's own reason (never the password)
 */
export async function checkQueueConnection(connection: QueueConnection): Promise<void> {
  const client = new Redis({
    ...(connection.options as RedisClientOptions),
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
    connectTimeout: 10_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const password = connection.options.password;
    let reason = (error as Error).message;
    if (password) reason = reason.split(password).join('***');
    throw new StudyError({
      code: 'QUEUE_UNREACHABLE',
      message: `cannot use the queue at ${connection.redacted}: ${reason}. Check the host, the port, the password and (for rediss://) the TLS certificate.`,
      cause: error,
    });
  } finally {
    client.disconnect();
  }
}

/**
 * Milliseconds ioredis waits before reconnect attempt `attempt` (1, 2, …) after losing Redis:
 * 250 ms, doubling up to 5 s, for ever. Used as every client's `retryStrategy`, with
 * `maxRetriesPerRequest: null` so that commands wait for the connection instead of failing.
 */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(5000, 250 * 2 ** Math.max(0, Math.min(attempt - 1, 5)));
}

/** The connection's options for BullMQ and ioredis, reconnecting with {@link reconnectDelayMs}. */
export function reconnectingOptions(connection: QueueConnection): RedisOptions {
  return { ...connection.options, retryStrategy: reconnectDelayMs };
}

/** True for an error that only says Redis cannot be reached (ioredis reconnects by itself). */
export function isConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const codes = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'];
  if (typeof code === 'string' && codes.includes(code)) return true;
  return (
    typeof message === 'string' &&
    (codes.some((name) => message.includes(name)) || /Connection is closed/i.test(message))
  );
}

/** A client that reports when Redis becomes unreachable and when it is back. */
export interface RedisWatch {
  /** The watching client: usable for ordinary commands, which wait while Redis is away. */
  client: Redis;
  /** Outages seen so far. */
  readonly outages: number;
  close(): Promise<void>;
}

/**
 * Opens a client that reconnects with {@link reconnectDelayMs} and logs, once per outage,
 * `Redis unreachable at <url>, retrying …` and then `Redis at <url> reachable again after …`.
 * The BullMQ clients of the same process reconnect on their own with the same backoff; this
 * one only tells the user what is happening.
 */
export function watchRedis(connection: QueueConnection, log: (line: string) => void): RedisWatch {
  const client = new Redis(reconnectingOptions(connection) as RedisClientOptions);
  let lostAt: number | undefined;
  let outages = 0;
  let reason = 'connection closed';
  const password = connection.options.password;
  client.on('error', (error: Error) => {
    reason = password ? error.message.split(password).join('***') : error.message;
  });
  client.on('reconnecting', (delayMs: number) => {
    if (lostAt !== undefined) return;
    lostAt = Date.now();
    outages += 1;
    log(
      `Redis unreachable at ${connection.redacted} (${reason}), retrying (next attempt in ${delayMs} ms, then every ≤ ${reconnectDelayMs(Number.POSITIVE_INFINITY) / 1000} s)`,
    );
  });
  client.on('ready', () => {
    if (lostAt === undefined) return;
    const seconds = ((Date.now() - lostAt) / 1000).toFixed(1);
    lostAt = undefined;
    log(`Redis at ${connection.redacted} reachable again after ${seconds} s`);
  });
  return {
    client,
    get outages() {
      return outages;
    },
    async close() {
      client.disconnect();
    },
  };
}

/** Turns a failed job's reason (`CODE: message`) back into the code and the message. */
export function parseFailedReason(reason: string | undefined): { code: string; message: string } {
  const text = reason ?? 'the job failed without a reason';
  const match = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(text);
  return match
    ? { code: match[1] as string, message: match[2] as string }
    : { code: 'TRIAL_FAILED', message: text };
}
