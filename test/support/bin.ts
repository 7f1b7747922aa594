/** The installed entry point, bin/anymesh.js, run as a user runs it: built first if src is newer. */
import { execFileSync, type SpawnSyncOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const NODE = join(ROOT, 'node_modules', '.bin', 'node');
export const BIN = join(ROOT, 'bin', 'anymesh.js');

/** The newest modification time of any file under `dir`. */
const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const p = join(dir, e.name);
    return Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);

/** As `npm run build` does (tsc, then the CLI bundle), when dist/ is older than src/ (call from a beforeAll with a long timeout). */
export function ensureBuilt(): void {
  const bundle = join(ROOT, 'dist', 'bundle', 'main.js');
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= newest(join(ROOT, 'src'))) return;
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  } catch {
    // Type errors are the typecheck step's to report; the emitted JavaScript is what runs here.
  }
  execFileSync(NODE, [join(ROOT, 'scripts', 'bundle-cli.mjs')], { cwd: ROOT, stdio: 'pipe' });
}

export function runBin(args: readonly string[], opts: SpawnSyncOptions = {}) {
  return spawnSync(NODE, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, ...opts });
}

export function spawnBin(args: readonly string[], opts: { nodeArgs?: readonly string[]; cwd?: string } = {}) {
  return spawn(NODE, [...(opts.nodeArgs ?? []), BIN, ...args], { cwd: opts.cwd ?? ROOT });
}
