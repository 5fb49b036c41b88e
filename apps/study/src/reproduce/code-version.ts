import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Which code ran: the git commit of the checkout the CLI runs from, and whether it had edits. */
export interface CodeVersion {
  /** Full commit hash, or null outside a git checkout (e.g. installed from npm). */
  commit: string | null;
  /** True when tracked files differed from the commit; null when unknown. */
  dirty: boolean | null;
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/** The code version of this CLI's checkout (git is asked in the package's own folder). */
export function codeVersion(): CodeVersion {
  const cwd = fileURLToPath(new URL('.', import.meta.url));
  const commit = git(['rev-parse', 'HEAD'], cwd);
  const status = commit ? git(['status', '--porcelain', '--untracked-files=no'], cwd) : null;
  return { commit, dirty: status === null ? null : status.length > 0 };
}
