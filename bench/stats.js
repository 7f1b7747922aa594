/** Small helpers shared by the benchmark's parts: medians, timing a process, the machine. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall time of one process run, in ms; throws if it fails (unless allowFail). */
export function timeProcess(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const ms = performance.now() - t0;
  if (r.status !== 0 && !opts.allowFail)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(0, 2000)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export function machine() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {}
  return {
    cores: cpus().length,
    model: cpus()[0]?.model ?? 'cpu',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    commit,
  };
}
