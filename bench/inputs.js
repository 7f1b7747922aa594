/** Writes the generated policies into a temporary directory, FILES files, for one benchmark size. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policies } from './generate.js';

export const FILES = 20;

export function writeInputs(count, prefix = 'anymesh-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const all = [...policies(count)];
  const perFile = Math.ceil(count / FILES);
  for (let f = 0; f < FILES; f++) {
    const chunk = all.slice(f * perFile, (f + 1) * perFile);
    if (chunk.length)
      writeFileSync(join(dir, `policies-${String(f).padStart(2, '0')}.yaml`), chunk.join('---\n'));
  }
  return dir;
}
