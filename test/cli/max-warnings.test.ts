/**
 * `--max-warnings N` judges what a command reported, whichever format reported it: a warning in
 * the `-o json` document on stdout counts as the same warning printed on stderr does. Every
 * command that takes `-o json` and can finish with warnings (without a cluster) is run both ways
 * through the installed binary, and must count the same number.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runBin } from '../support/bin.js';

const bin = (args: readonly string[]) => {
  const r = runBin(args);
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
};

const tmp = mkdtempSync(join(tmpdir(), 'anymesh-maxw-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => ensureBuilt(), 180_000);

/** A rule after a catch-all: validate warns that it is never reached (AM3012). */
const SHADOWED = join(tmp, 'shadowed.yaml');
writeFileSync(
  SHADOWED,
  `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: shadow, namespace: shop}
spec:
  service: reviews
  versions:
    v1: {version: v1}
    v2: {version: v2}
  rules:
    - name: all
      backends: [{version: v1}]
    - name: testers
      matches:
        - headers: [{name: end-user, exact: jason}]
      backends: [{version: v2}]
`,
);

/** Three policies with retries on 5xx, which Linkerd supports only in part (AM3003 each). */
const RETRIES = join(tmp, 'retries.yaml');
writeFileSync(
  RETRIES,
  Array.from(
    { length: 3 },
    (_, i) => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: p-${i}, namespace: shop}
spec:
  service: svc-${i}
  selector: {app: svc-${i}}
  rules:
    - name: all
      retries: {attempts: 3, retryOn: [5xx]}
`,
  ).join('---\n'),
);

/** Istio objects with fields that have no neutral form (exportTo and more): import warns. */
const NATIVE = 'test/fixtures/import/istio-bookinfo.yaml';

const COMMANDS: readonly (readonly [name: string, args: readonly string[]])[] = [
  ['validate', ['validate', '-f', SHADOWED]],
  ['compile', ['compile', '-f', RETRIES, '--mesh', 'linkerd']],
  ['import', ['import', '-f', NATIVE, '--from', 'istio']],
];

/** The number in `error: N warnings, more than --max-warnings 0`, or undefined. */
function over(stderr: string): number | undefined {
  const m = /error: (\d+) warnings?, more than --max-warnings 0/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

describe('--max-warnings counts the warnings of -o json as of text', () => {
  for (const [name, args] of COMMANDS) {
    it(`${name}: the same count, and the same exit codes, in text and in -o json`, () => {
      const text = bin(['--max-warnings', '0', ...args]);
      const json = bin(['--max-warnings', '0', ...args, '-o', 'json']);
      expect(text.status, text.stderr).toBe(1);
      expect(json.status, json.stderr).toBe(1);
      const counted = over(text.stderr);
      expect(counted).toBeGreaterThan(0);
      expect(over(json.stderr)).toBe(counted);
      // The JSON document is still whole on stdout, and holds those warnings.
      expect(JSON.parse(json.stdout)).toBeTruthy();
      // At the count itself both pass: the limit is "more than N", as eslint's.
      expect(bin([`--max-warnings=${counted}`, ...args]).status).toBe(0);
      expect(bin([...args, '-o', 'json', '--max-warnings', String(counted)]).status).toBe(0);
    });
  }

  it('-q hides warnings but still counts them, in -o json too', () => {
    const r = bin(['-q', '--max-warnings', '0', 'validate', '-f', SHADOWED, '-o', 'json']);
    expect(r.status).toBe(1);
    expect(over(r.stderr)).toBe(1);
    expect(r.stderr).toContain('error: 1 warning, more than --max-warnings 0');
  });
});
