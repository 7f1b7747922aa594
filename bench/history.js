/** bench/history.jsonl: one JSON line per full run, so a change can be compared with the last run. */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = join(import.meta.dirname, 'history.jsonl');

/**
 * The previous run of `mode`, each part (compile, startup, cluster, controller, ...) from the last
 * run that measured it: a BENCH_ONLY run measures some parts and must not hide the others.
 */
export function lastRun(mode) {
  if (!existsSync(FILE)) return undefined;
  const lines = readFileSync(FILE, 'utf8').split('\n').filter(Boolean);
  let merged;
  for (let i = lines.length - 1; i >= 0; i--) {
    const r = JSON.parse(lines[i]);
    if (r.mode !== mode) continue;
    merged ??= { date: r.date, mode, machine: r.machine };
    for (const [k, v] of Object.entries(r)) if (!(k in merged)) merged[k] = v;
  }
  return merged;
}

export function record(run) {
  appendFileSync(FILE, `${JSON.stringify(run)}\n`);
}
