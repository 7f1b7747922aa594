/** The policy files every adapter is tested with: examples/ and test/cases/. */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export function goldenCases(): { name: string; file: string }[] {
  const out: { name: string; file: string }[] = [];
  for (const dir of ['examples', 'test/cases']) {
    for (const f of readdirSync(join(ROOT, dir)).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      out.push({
        name: `${dir === 'examples' ? 'example' : 'case'}-${basename(f).replace(/\.ya?ml$/, '')}`,
        file: `${dir}/${f}`,
      });
    }
  }
  return out;
}
