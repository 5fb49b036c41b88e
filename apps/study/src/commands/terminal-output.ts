import picocolors from 'picocolors';

/**
 * ANSI styles for stdout, on only where colour helps a person. picocolors decides the
 * conventions (`NO_COLOR` with any non-empty value and `--no-color` turn colour off,
 * `TERM=dumb` too, `FORCE_COLOR` and `--color` force it on, `FORCE_COLOR=0` forces it off); on top of that, a stdout that is
 * not a terminal gets no colour unless forced, which picocolors would give any pipe under `CI`.
 */
export const colors = picocolors.createColors(
  !forceColorOff(process.env.FORCE_COLOR) &&
    picocolors.isColorSupported &&
    (process.stdout.isTTY === true ||
      Boolean(process.env.FORCE_COLOR) ||
      process.argv.includes('--color')),
);

// `FORCE_COLOR=0` (or `false`) turns colour off, as in Node itself and supports-color; picocolors
// takes any FORCE_COLOR as forcing it on.
function forceColorOff(value: string | undefined): boolean {
  return value === '0' || value === 'false';
}

/**
 * Makes a closed stdout pipe (`actlab list | head -2`) end the process quietly with exit code
 * 0, as a reader that has seen enough is no error. Any other stdout error is rethrown.
 *
 * @param stream - the stream to watch (stdout)
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** Writes one JSON document (two-space indent, a final newline) to stdout: the `--json` output. */
export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
