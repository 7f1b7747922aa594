/**
 * The install tests run real helm against charts shaped like the meshes' official ones
 * (test/charts), not the published charts, which this network cannot download. Every test name in
 * test/integration/install*.test.ts says which it is, so a green run is never read as "the official
 * chart installs": a name says "stand-in chart", or "no chart" for tests that install none, or
 * "own chart" for anymesh's own controller chart (deploy/chart/anymesh: the real one, as shipped).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, 'integration');
const files = readdirSync(DIR).filter((f) => /^install.*\.test\.ts$/.test(f));

/** Test names as written: `it('...'` and `it.each(...)('...'`. */
function testNames(text: string): string[] {
  return [...text.matchAll(/^\s*it(?:\.each\([^)]*\))?\(\s*(['"`])(.*?)\1/gm)].map((m) => m[2]!);
}

describe('install test names', () => {
  it('there are install tests to name', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: every test says it uses a stand-in chart (or no chart, or its own)', (file) => {
    const names = testNames(readFileSync(join(DIR, file), 'utf8'));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !/stand-in chart|no chart|own chart/.test(n))).toEqual([]);
  });

  it('the check reads names as written (it can fail)', () => {
    expect(testNames("  it('installs Istio', async () => {\n  it('x (stand-in chart)', () => {")).toEqual([
      'installs Istio',
      'x (stand-in chart)',
    ]);
  });
});
