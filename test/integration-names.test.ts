/**
 * The install tests run real helm against charts shaped like the meshes' official ones
 * (test/charts), not the published charts, which this network cannot download, except where a
 * mesh's own chart sources reach the machine another way (Istio's, inside the Go module
 * istio.io/istio). Every test name in test/integration/install*.test.ts says which it is, so a green
 * run is never read as "the official chart installs" when it was a stand-in: a name says "stand-in
 * chart", "real charts" (and then from where), or "no chart" for tests that install none.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, 'integration');
/** "real charts" must say from where: `real charts: istio.io/istio ...`. */
const NAMED = /stand-in chart|real charts: \S|no chart/;
const files = readdirSync(DIR).filter((f) => /^install.*\.test\.ts$/.test(f));

/** Test names as written: `it('...'` and `it.each(...)('...'`. */
function testNames(text: string): string[] {
  return [...text.matchAll(/^\s*it(?:\.each\([^)]*\))?\(\s*(['"`])(.*?)\1/gm)].map((m) => m[2]!);
}

describe('install test names', () => {
  it('there are install tests to name', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: every test says it uses a stand-in chart, real charts, or no chart', (file) => {
    const names = testNames(readFileSync(join(DIR, file), 'utf8'));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !NAMED.test(n))).toEqual([]);
  });

  it('the check reads names as written (it can fail)', () => {
    expect(testNames("  it('installs Istio', async () => {\n  it('x (stand-in chart)', () => {")).toEqual([
      'installs Istio',
      'x (stand-in chart)',
    ]);
    expect(['x (real charts)', 'x (real charts: istio.io/istio)'].map((n) => NAMED.test(n))).toEqual([
      false,
      true,
    ]);
  });
});
