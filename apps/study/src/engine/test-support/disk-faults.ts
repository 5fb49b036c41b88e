import type * as fsPromises from 'node:fs/promises';

/**
 * Which file writes fail, for tests that mock `node:fs/promises` with {@link withDiskFaults}:
 * while `code` is set, a temp file opened for writing whose path `matches` gets half its bytes,
 * then the error, as a real full disk does mid-write.
 */
export const diskFaults: {
  code: 'ENOSPC' | 'EDQUOT' | 'EACCES' | undefined;
  matches: (path: string) => boolean;
  /** How many writes failed so far. */
  injected: number;
} = { code: undefined, matches: () => true, injected: 0 };

/** Stops injecting and resets the count. */
export function clearDiskFaults(): void {
  diskFaults.code = undefined;
  diskFaults.matches = () => true;
  diskFaults.injected = 0;
}

const messages = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
} as const;

/**
 * The real `node:fs/promises` with `open` wrapped by {@link diskFaults}. Use it as
 * `vi.mock('node:fs/promises', async (original) => (await import('./test-support/disk-faults.js')).withDiskFaults(await original()))`.
 */
export function withDiskFaults(original: typeof fsPromises): typeof fsPromises {
  const open: typeof fsPromises.open = async (path, flags, mode) => {
    const code = diskFaults.code;
    const target = String(path);
    if (!code || !diskFaults.matches(target) || !String(flags ?? '').includes('w')) {
      return original.open(path, flags, mode);
    }
    diskFaults.injected++;
    const error = Object.assign(new Error(`${code}: ${messages[code]}, write '${target}'`), {
      code,
      syscall: 'write',
      path: target,
    });
    if (code === 'EACCES') throw error;
    const handle = await original.open(path, flags, mode);
    return new Proxy(handle, {
      get(inner, property) {
        if (property === 'writeFile') {
          return async (data: string | Uint8Array) => {
            const bytes = typeof data === 'string' ? Buffer.from(data) : data;
            await inner.writeFile(bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
            throw error;
          };
        }
        const value = Reflect.get(inner, property, inner);
        return typeof value === 'function' ? value.bind(inner) : value;
      },
    });
  };
  return { ...original, open };
}
