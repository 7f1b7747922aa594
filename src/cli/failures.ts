/**
 * Ordinary conditions that end a command early, each said once and with its exit code, so that
 * "internal error ... this is a bug" is left for real bugs: a cluster nobody answers at (EXIT
 * unreachable, the same on every cluster command), an API error that survived the retries, a file
 * system refusal (a directory that cannot be written, a full disk), a closed stdout (EPIPE: quiet).
 */
import { ClusterUnreachableError, KubeApiError } from '../cluster/kube-error.js';
import { diag, formatDiagnostic } from '../core/diagnostics.js';
import { EXIT } from './exit.js';
import type { Io } from './output.js';

const FS_ERRNO = new Set([
  'ENOENT',
  'EACCES',
  'EPERM',
  'EISDIR',
  'ENOTDIR',
  'EEXIST',
  'ENOTEMPTY',
  'ENOSPC',
  'EROFS',
  'EDQUOT',
  'EMFILE',
  'EBUSY',
  'EXDEV',
]);

/** The one line every cluster command prints when no API server answers. */
export function unreachableLine(server: string, reason: string): string {
  return `${formatDiagnostic(diag('ClusterUnreachable', { server, reason }))}\n`;
}

/** The exit code for an error a command did not handle itself, after saying what it was; undefined for a bug. */
export function reportFailure(io: Io, e: unknown): number | undefined {
  if (e instanceof ClusterUnreachableError) {
    io.err(unreachableLine(e.server, e.reason));
    return EXIT.unreachable;
  }
  if (e instanceof KubeApiError) {
    // Lost after the up-front check (the server went away mid-command): the request and why.
    io.err(`error: ${e.describe()}\n`);
    return e.unreachable ? EXIT.unreachable : EXIT.failed;
  }
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EPIPE') return EXIT.ok; // the reader went away (`| head`): nothing more to say
  if (typeof code === 'string' && FS_ERRNO.has(code)) {
    io.err(`error: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
  return undefined;
}
