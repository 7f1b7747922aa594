/**
 * Start-up rows: `anymesh --version` and `anymesh validate` of one small file, each beside
 * `node -e 0` in the same run (interleaved, median of `runs`).
 */
import { join } from 'node:path';
import { median, timeProcess } from './stats.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'anymesh.js');

export function startupRows(runs) {
  const small = join(root, 'examples', 'resilience.yaml');
  const t = { node: [], version: [], validate: [] };
  for (let i = 0; i < runs; i++) {
    t.node.push(timeProcess(process.execPath, ['-e', '0']).ms);
    t.version.push(timeProcess(process.execPath, [bin, '--version']).ms);
    t.validate.push(timeProcess(process.execPath, [bin, 'validate', '-f', small]).ms);
  }
  const node = median(t.node);
  const row = (what, xs, goal) => ({
    what,
    ms: Math.round(median(xs)),
    ratio: +(median(xs) / node).toFixed(2),
    goal,
  });
  return {
    nodeMs: Math.round(node),
    rows: [row('anymesh --version', t.version, 2), row('anymesh validate (one small file)', t.validate, 4)],
  };
}
