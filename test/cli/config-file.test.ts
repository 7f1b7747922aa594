// anymesh.yaml: adapter options set once (found upward from the working directory, or --config),
// --option wins over it, and a mistake in it names file:line:col and the key.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit.js';
import { ensureBuilt, runBin } from '../support/bin.js';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ZERO_TRUST = join(ROOT, 'examples', 'zero-trust.yaml'); // a strict MTLSPolicy: Linkerd needs serverPorts
const tmp = mkdtempSync(join(tmpdir(), 'anymesh-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const config = (name: string, text: string) => {
  const f = join(tmp, name);
  writeFileSync(f, text);
  return f;
};

/** The ports of the Linkerd Servers compiled from the strict MTLSPolicy. */
const serverPorts = (out: string) =>
  (JSON.parse(out).items as { kind: string; spec: { port: number } }[])
    .filter((i) => i.kind === 'Server')
    .map((i) => i.spec.port)
    .sort((a, b) => a - b);

describe('anymesh.yaml', () => {
  it('--config FILE gives the options; --option wins over it', async () => {
    const f = config('a.yaml', 'options:\n  linkerd.serverPorts: "8080,9090"\n');
    const r = await runCli(['compile', '-f', ZERO_TRUST, '--mesh', 'linkerd', '--config', f, '-o', 'json']);
    expect(r.code, r.err).toBe(0);
    expect(serverPorts(r.out)).toEqual(expect.arrayContaining([8080, 9090]));
    const without = await runCli([
      'compile',
      '-f',
      ZERO_TRUST,
      '--mesh',
      'linkerd',
      '--option',
      'linkerd.serverPorts=7001',
      '-o',
      'json',
    ]);
    expect(serverPorts(without.out)).not.toContain(8080);
    const over = await runCli([
      'compile',
      '-f',
      ZERO_TRUST,
      '--mesh',
      'linkerd',
      '--config',
      f,
      '--option',
      'linkerd.serverPorts=7000',
      '-o',
      'json',
    ]);
    expect(serverPorts(over.out)).toContain(7000);
    expect(serverPorts(over.out)).not.toContain(8080);
  });

  it('mistakes name file:line:col and the key (exit 2)', async () => {
    const cases: [string, RegExp][] = [
      [
        'options:\n  linkerd.serverPort: "8080"\n',
        /b\.yaml:2:3: options\.linkerd\.serverPort: Linkerd has no such option; known: linkerd\.serverPorts/,
      ],
      [
        'options:\n  linkerd.serverPorts: "http"\n',
        /b\.yaml:2:24: options\.linkerd\.serverPorts: "http": use container ports/,
      ],
      ['option:\n  x: 1\n', /b\.yaml:1:1: option: unknown key; use options, clusterDomain, trustDomain/],
      ['options:\n  kuma.x: 1\n', /b\.yaml:2:3: options\.kuma\.x: not an option of any mesh/],
      ['options: [\n', /b\.yaml:\d+:\d+: /],
    ];
    for (const [text, message] of cases) {
      const f = config('b.yaml', text);
      const r = await runCli(['compile', '-f', ZERO_TRUST, '--mesh', 'linkerd', '--config', f]);
      expect(r.code, text).toBe(EXIT.usage);
      expect(r.err, text).toMatch(message);
    }
    expect(
      (await runCli(['compile', '-f', ZERO_TRUST, '--mesh', 'linkerd', '--config', join(tmp, 'none.yaml')]))
        .code,
    ).toBe(EXIT.usage);
  });
});

describe('found upward from the working directory', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('a run in a subfolder uses the project root’s anymesh.yaml', () => {
    const project = join(tmp, 'project');
    mkdirSync(join(project, 'deploy', 'policies'), { recursive: true });
    writeFileSync(join(project, 'anymesh.yaml'), 'options:\n  linkerd.serverPorts: "8443"\n');
    writeFileSync(join(project, 'deploy', 'policies', 'zt.yaml'), readFileSync(ZERO_TRUST));
    const r = runBin(['compile', '-f', 'policies', '--mesh', 'linkerd', '-o', 'json'], {
      cwd: join(project, 'deploy'),
    });
    expect(r.status, String(r.stderr)).toBe(0);
    expect(serverPorts(String(r.stdout))).toContain(8443);
  });
});
