/**
 * Diagnostics at scale: repeated ones (same code, path and message) grouped with their positions,
 * -q (errors only), --max-warnings N (exit 1 above it), colour only when asked (a terminal without
 * NO_COLOR, or --color), lines wrapped between words at the terminal width, full text in -o json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { wrap } from '../../src/cli/output.js';
import { runCli } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'anymesh-diag-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Twelve policies with the same retry condition, which Linkerd supports only in part (AM3003). */
const TWELVE = join(tmp, 'twelve.yaml');
writeFileSync(
  TWELVE,
  Array.from(
    { length: 12 },
    (_, i) => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: p-${i}, namespace: shop}
spec:
  service: svc-${i}
  selector: {app: svc-${i}}
  rules:
    - name: all
      timeout: 3s
      retries: {attempts: 3, retryOn: [5xx]}
`,
  ).join('---\n'),
);

const compile = (...extra: string[]) => runCli(['compile', '-f', TWELVE, '--mesh', 'linkerd', ...extra]);

describe('grouping', () => {
  it('a repeated warning is printed once, with the other positions', async () => {
    const r = await compile();
    expect(r.code, r.err).toBe(0);
    const am3003 = r.err.split('\n').filter((l) => l.includes('AM3003'));
    expect(am3003).toHaveLength(1);
    expect(r.err).toMatch(
      /\n {2}\.\.\. and 11 more: \d+:\d+, \d+:\d+, \d+:\d+, \d+:\d+, \d+:\d+, \d+:\d+, and 5 others\n/,
    );
    expect(r.err).toContain('0 errors, 12 warnings');
  });

  it('-o json keeps every diagnostic (validate)', async () => {
    const r = await runCli(['validate', '-f', TWELVE, '-o', 'json']);
    expect(JSON.parse(r.out).valid).toBe(true);
  });
});

describe('-q and --max-warnings', () => {
  it('-q prints errors only', async () => {
    const r = await compile('-q');
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/warning|info/);
  });

  it('--max-warnings: exit 1 above it, 0 at or below; a bad value is a usage error', async () => {
    const over = await compile('--max-warnings', '3');
    expect(over.code).toBe(1);
    expect(over.err).toContain('error: 12 warnings, more than --max-warnings 3');
    expect((await compile('--max-warnings=12')).code).toBe(0);
    expect(
      (await runCli(['-q', '--max-warnings', '0', 'compile', '-f', TWELVE, '--mesh', 'linkerd'])).code,
    ).toBe(1);
    expect((await compile('--max-warnings', 'many')).code).toBe(2);
  });
});

describe('colour and width', () => {
  const withDisplay = async (argv: string[], display: { color?: boolean; width?: number }) => {
    let err = '';
    const code = await run(argv, {
      out: () => {},
      err: (t) => {
        err += t;
      },
      stdin: () => Buffer.alloc(0),
      interactive: true,
      display,
    });
    return { code, err };
  };

  it('colour on a terminal, none with --no-color (main.ts turns it off for NO_COLOR)', async () => {
    const coloured = await withDisplay(['compile', '-f', TWELVE, '--mesh', 'linkerd'], { color: true });
    expect(coloured.err).toContain('\x1b[1;33mwarning\x1b[0m \x1b[1mAM3003\x1b[0m');
    const plain = await withDisplay(['compile', '-f', TWELVE, '--mesh', 'linkerd', '--no-color'], {
      color: true,
    });
    expect(plain.err).not.toContain('\x1b[');
    expect((await runCli(['compile', '-f', TWELVE, '--mesh', 'linkerd'])).err).not.toContain('\x1b[');
  });

  it('lines fit the terminal, broken between words only, and nothing is lost', async () => {
    const r = await withDisplay(['compile', '-f', TWELVE, '--mesh', 'linkerd'], { width: 80 });
    for (const line of r.err.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80 + 40);
    const full = (await runCli(['compile', '-f', TWELVE, '--mesh', 'linkerd'])).err;
    expect(r.err.replace(/\n {4}/g, ' ')).toBe(full.replace(/\n {4}/g, ' '));
    const words = 'a problem with several words that must be wrapped somewhere sensible and never cut';
    const wrapped = wrap(words, 40);
    expect(wrapped.replace(/\n {4}/g, ' ')).toBe(words);
    for (const l of wrapped.split('\n')) expect(l.length).toBeLessThanOrEqual(40);
  });
});
