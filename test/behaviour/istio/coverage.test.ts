/** Every golden Istio case has its behaviour stated in this directory's tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCases } from '../../support/cases.js';
import { GOLDEN_DIR } from '../../support/golden.js';

describe('Istio behaviour coverage', () => {
  it('names every golden Istio case in a describe block', () => {
    const tests = readdirSync(import.meta.dirname)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(import.meta.dirname, f), 'utf8'))
      .join('\n');
    const golden = new Set(readdirSync(join(GOLDEN_DIR, 'istio')).map((f) => f.replace(/\.yaml$/, '')));
    const cases = goldenCases().filter((c) => golden.has(c.name));
    expect(cases.length).toBe(golden.size);
    const missing = cases.filter((c) => !tests.includes(`describe('${c.file}'`)).map((c) => c.file);
    expect(missing).toEqual([]);
  });
});
