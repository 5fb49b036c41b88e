import { describe, expect, it } from 'vitest';
import {
  isConnectionError,
  parseFailedReason,
  parseQueueUrl,
  reconnectDelayMs,
} from './unit-queue.js';

describe('parseQueueUrl', () => {
  it('takes host, port and database from a plain URL', () => {
    const { options, redacted } = parseQueueUrl('redis://10.0.0.5:6380/3');
    expect(options).toMatchObject({ host: '10.0.0.5', port: 6380, db: 3 });
    expect(options.tls).toBeUndefined();
    expect(options.password).toBeUndefined();
    expect(redacted).toBe('redis://10.0.0.5:6380/3');
  });

  it('puts user and password into the options and never into the printable form', () => {
    const { options, redacted } = parseQueueUrl('redis://lab:p%40ss@redis.lab');
    expect(options).toMatchObject({ username: 'lab', password: 'p@ss', port: 6379, db: 0 });
    expect(redacted).toBe('redis://redis.lab');
    expect(parseQueueUrl('redis://:only-pass@h:1').options.password).toBe('only-pass');
  });

  it('turns on TLS for rediss:// with the host as server name', () => {
    const { options, redacted } = parseQueueUrl('rediss://:x@redis.lab:6380');
    expect(options.tls).toEqual({ servername: 'redis.lab' });
    expect(redacted).toBe('rediss://redis.lab:6380');
    expect(parseQueueUrl('rediss://127.0.0.1:6380').options.tls).toEqual({});
  });

  it('rejects other schemes and bad databases without echoing the password', () => {
    for (const url of ['http://:secret@host', 'redis://:secret@host/x', 'not a url']) {
      let thrown: unknown;
      try {
        parseQueueUrl(url);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'QUEUE_URL_INVALID' });
      expect((thrown as Error).message).not.toContain('secret');
    }
  });
});

describe('parseFailedReason', () => {
  it('splits a worker failure into its code and message', () => {
    expect(parseFailedReason('TRAINER_UNAVAILABLE: prelu cannot be fused')).toEqual({
      code: 'TRAINER_UNAVAILABLE',
      message: 'prelu cannot be fused',
    });
    expect(parseFailedReason('job stalled more than allowable limit')).toEqual({
      code: 'TRIAL_FAILED',
      message: 'job stalled more than allowable limit',
    });
  });
});

describe('reconnectDelayMs', () => {
  it('waits 250 ms before the first reconnect attempt and doubles up to 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map(reconnectDelayMs)).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });
});

describe('isConnectionError', () => {
  it('tells an unreachable Redis from a real error', () => {
    expect(isConnectionError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBe(true);
    expect(isConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isConnectionError(new Error('Missing lock for job 1. moveToFinished'))).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
  });
});
