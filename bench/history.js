/** bench/history.jsonl: one JSON line per full run, so a change can be compared with the last run. */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = join(import.meta.dirname, 'history.jsonl');

export function lastRun(mode) {
  if (!existsSync(FILE)) return undefined;
  const lines = readFileSync(FILE, 'utf8').split('\n').filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const r = JSON.parse(lines[i]);
    if (r.mode === mode) return r;
  }
  return undefined;
}

export function record(run) {
  appendFileSync(FILE, `${JSON.stringify(run)}\n`);
}
