/** Small helpers shared by the benchmark's parts: medians, timing a process, the machine. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * CPU time (user + system, ms) of this process's children that have been waited for, from
 * /proc/self/stat (cutime, cstime; Linux: undefined elsewhere). On a machine shared with other
 * work, a child's CPU time says what it cost when its wall time says mostly what it waited for.
 */
function childrenCpuMs() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return ((Number(f[13]) + Number(f[14])) * 1000) / 100; // clock ticks: USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Wall time (and CPU time) of one process run, in ms; throws if it fails (unless allowFail). */
export function timeProcess(cmd, args, opts = {}) {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const ms = performance.now() - t0;
  const cpu1 = childrenCpuMs();
  if (r.status !== 0 && !opts.allowFail)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(0, 2000)}`);
  const cpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
  return { ms, cpuMs, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export function machine() {
  // BENCH_COMMIT: what a copy of an older build outside the repository measures (a before/after pair).
  let commit = process.env.BENCH_COMMIT ?? 'unknown';
  try {
    if (!process.env.BENCH_COMMIT)
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
