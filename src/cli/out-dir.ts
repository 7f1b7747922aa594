/**
 * `compile --out-dir DIR`: the directory mirrors the policies, and is replaced as a whole.
 *
 * - Atomic: the new content is built in a staging folder beside DIR (`DIR.anymesh-tmp-<pid>`), then
 *   swapped in by two renames (DIR -> DIR.anymesh-old-<pid>, staging -> DIR) and the old folder is
 *   removed. All of it is synchronous, and SIGINT/SIGTERM/SIGHUP handlers are installed for its
 *   duration: Node runs signal handlers only between synchronous work, so a signal waits until the
 *   swap is complete or undone, then ends the process as it would have (re-raised). An error at any
 *   step removes the staging folder and, if the swap had begun, puts the old folder back.
 * - Marked: `.anymesh-files` in DIR lists the files anymesh wrote. A later run removes listed files
 *   it no longer produces (stale), keeps every other file (a README, a hand-written patch), and
 *   refuses to overwrite a file of the same name that anymesh did not write.
 * - Leftovers of a run that was killed outright (SIGKILL, power loss) are removed by the next run:
 *   staging folders whose process is gone.
 */
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from './exit.js';

/** The marker file: the names of the files anymesh wrote into the directory, one per line. */
export const MARKER = '.anymesh-files';

export interface OutFile {
  readonly name: string;
  readonly content: string;
}

export interface OutDirResult {
  readonly written: number;
  /** Files an earlier run wrote that this one no longer produces. */
  readonly removed: readonly string[];
}

/** A mistake about files (not the command line): a file anymesh would overwrite but did not write. */
export class OutDirError extends Error {}

/**
 * Targets that cannot be the output directory are usage errors, found before any work: an empty
 * name (a shell variable that was not set), a file, and a filesystem root (the staging folder is
 * made beside the target, which a root does not have).
 */
export function checkOutDirTarget(dir: string): void {
  if (dir.trim() === '') throw new UsageError('--out-dir "": give a directory');
  const full = resolve(dir);
  if (dirname(full) === full)
    throw new UsageError(`--out-dir ${dir}: is a filesystem root; give a directory below it`);
  if (existsSync(full) && !statSync(full).isDirectory())
    throw new UsageError(`--out-dir ${dir}: is a file, not a directory`);
}

function readMarker(dir: string): Set<string> {
  const f = join(dir, MARKER);
  if (!existsSync(f)) return new Set();
  return new Set(
    readFileSync(f, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Staging and old folders left by runs that were killed before they could clean up. */
function removeLeftovers(target: string): void {
  const parent = dirname(target);
  if (!existsSync(parent)) return;
  const prefix = `${basename(target)}.anymesh-`;
  for (const name of readdirSync(parent)) {
    const m = /^(?:tmp|old)-(\d+)$/.exec(name.slice(prefix.length));
    if (!name.startsWith(prefix) || !m || alive(Number(m[1]))) continue;
    const path = join(parent, name);
    // An old folder whose target is missing is the only copy of the last good output: restore it.
    if (name.slice(prefix.length).startsWith('old-') && !existsSync(target)) renameSync(path, target);
    else rmSync(path, { recursive: true, force: true });
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs `work` with the signals held back; a signal that came meanwhile is raised again afterwards.
 * Node dispatches a signal to its listeners on a later turn of the event loop, so the listeners
 * stay 50 ms after `work` (a signal pending then is raised again at once), then go.
 */
function holdingSignals<T>(work: () => T): T {
  let received: NodeJS.Signals | undefined;
  let finished = false;
  const release = () => {
    for (const s of SIGNALS) process.off(s, hold);
  };
  const raise = (s: NodeJS.Signals) => {
    release();
    if (process.listenerCount(s) === 0) process.kill(process.pid, s);
  };
  function hold(s: NodeJS.Signals) {
    if (finished) raise(s);
    else received ??= s;
  }
  for (const s of SIGNALS) process.on(s, hold);
  try {
    return work();
  } finally {
    finished = true;
    if (received) raise(received);
    // Not unref'd: a process with nothing else to do would exit without reading the pending signal.
    else setTimeout(release, 50);
  }
}

/** Entries that cannot be copied into a staging folder (FIFOs, sockets, devices). */
function uncopyable(dir: string, entry: string): boolean {
  const s = lstatSync(join(dir, entry));
  return !(s.isFile() || s.isDirectory() || s.isSymbolicLink());
}

/** True when `dir` is the working directory or holds it: renaming it would pull the floor away. */
function holdsCwd(dir: string): boolean {
  const rel = relative(dir, process.cwd());
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
}

export function writeOutDir(dirArg: string, files: readonly OutFile[]): OutDirResult {
  checkOutDirTarget(dirArg);
  const dir = resolve(dirArg);
  return holdingSignals(() => {
    removeLeftovers(dir);
    const staging = `${dir}.anymesh-tmp-${process.pid}`;
    const old = `${dir}.anymesh-old-${process.pid}`;
    const exists = existsSync(dir);
    const before = exists ? readMarker(dir) : new Set<string>();
    const names = new Set(files.map((f) => f.name));
    if (exists) {
      const foreign = [...names].filter((n) => !before.has(n) && existsSync(join(dir, n)));
      if (foreign.length)
        throw new OutDirError(
          `--out-dir ${dirArg}: ${foreign.join(', ')} exist${foreign.length === 1 ? 's' : ''} and ${foreign.length === 1 ? 'was' : 'were'} not written by anymesh (not in ${MARKER}); move ${foreign.length === 1 ? 'it' : 'them'} away or choose another directory`,
        );
    }
    const removed = [...before].filter((n) => !names.has(n) && existsSync(join(dir, n))).sort();
    let swapped = false;
    try {
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(dirname(dir), { recursive: true });
      mkdirSync(staging);
      for (const f of files) writeFileSync(join(staging, f.name), f.content);
      writeFileSync(
        join(staging, MARKER),
        `# Files anymesh compile --out-dir wrote here; it replaces and removes only these.\n${[...names].sort().join('\n')}\n`,
      );
      if (!exists) {
        renameSync(staging, dir);
        return { written: files.length, removed };
      }
      // Everything anymesh did not write stays, as it is.
      const foreign = readdirSync(dir).filter((entry) => entry !== MARKER && !before.has(entry));
      if (holdsCwd(dir) || foreign.some((entry) => uncopyable(dir, entry))) {
        // The directory cannot be swapped: under the user's feet (the working directory), or
        // holding what no copy can carry over (a FIFO, a socket). Replace file by file instead
        // (each rename atomic), stale files last, the marker at the very end; foreign entries are
        // not touched, so nothing of theirs is copied.
        for (const f of files) renameSync(join(staging, f.name), join(dir, f.name));
        for (const n of removed) rmSync(join(dir, n), { force: true });
        renameSync(join(staging, MARKER), join(dir, MARKER));
        return { written: files.length, removed };
      }
      for (const entry of foreign)
        cpSync(join(dir, entry), join(staging, entry), { recursive: true, preserveTimestamps: true });
      renameSync(dir, old);
      swapped = true;
      renameSync(staging, dir);
      swapped = false;
      rmSync(old, { recursive: true, force: true });
      return { written: files.length, removed };
    } finally {
      if (swapped && !existsSync(dir) && existsSync(old)) renameSync(old, dir);
      rmSync(staging, { recursive: true, force: true });
    }
  });
}
