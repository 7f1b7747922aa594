/**
 * The CLI contract (DESIGN.md): exit codes 0 / 1 / 2, resources on stdout and diagnostics on
 * stderr, JSON forms, stdin, --out-dir. Commands run in-process through `run(argv, io)` with a fake
 * Io; one test spawns the real entry point, bin/anymesh.js, to prove the installed binary works.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESH_IDS } from '../../src/adapters/index.js';
import { resourceFileName } from '../../src/cli/commands/compile.js';
import { MARKER } from '../../src/cli/out-dir.js';
import type { KubeObject } from '../../src/core/adapter.js';
import { FEATURE_IDS } from '../../src/core/features/index.js';
import { ensureBuilt } from '../support/bin.js';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'bookinfo-canary.yaml');
const BAD = join(ROOT, 'test', 'fixtures', 'bad', 'many-problems.yaml');

interface Run {
  code: number;
  out: string;
  err: string;
}

const cli = (argv: string[], stdin = ''): Promise<Run> => runCli(argv, { stdin });

/** Diagnostic codes printed on stderr, in order. */
const codesIn = (text: string) => [...text.matchAll(/\b(?:error|warning|info) (AM\d{4}):/g)].map((m) => m[1]);

const yamlDocs = (text: string) => (loadAll(text) as KubeObject[]).filter(Boolean);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'anymesh-cli-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('exit codes', () => {
  it('validate: 0 for valid input, with nothing on stdout', async () => {
    const r = await cli(['validate', '-f', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(codesIn(r.err).filter((c) => c?.startsWith('AM2'))).toEqual([]);
  });

  it('validate: 1 for invalid input, every problem on stderr as file:line:col: level CODE: path', async () => {
    const r = await cli(['validate', '-f', BAD]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const lines = r.err.split('\n').filter((l) => /\bAM\d{4}\b/.test(l));
    expect(lines.length).toBe(13);
    for (const l of lines) expect(l).toMatch(new RegExp(`^${BAD}:\\d+:\\d+: error AM2\\d{3}: \\S`));
    expect(codesIn(r.err)).toContain('AM2014');
  });

  it.each([
    ['an unknown command', ['frobnicate']],
    ['an unknown flag', ['validate', '-f', EXAMPLE, '--no-such-flag']],
    ['a missing -f', ['validate']],
    ['a missing -f for compile', ['compile', '--mesh', 'istio']],
    ['a bad -o', ['compile', '-f', EXAMPLE, '--mesh', 'istio', '-o', 'xml']],
    ['a bad -o for validate', ['validate', '-f', EXAMPLE, '-o', 'yaml']],
    ['an unknown mesh', ['compile', '-f', EXAMPLE, '--mesh', 'kuma']],
    ['no mesh', ['compile', '-f', EXAMPLE]],
    ['an unknown feature', ['capabilities', '--feature', 'teleport']],
    ['an unknown schema kind', ['schema', 'VirtualService']],
    ['a bad explain path', ['explain', 'TrafficPolicy.spec.nope']],
    ['a -f without its value', ['validate', '-f']],
  ])('2 for %s, with a message on stderr and nothing on stdout', async (_what, argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.length).toBeGreaterThan(0);
  });

  it('a missing file is invalid input (1), not a usage error', async () => {
    const r = await cli(['validate', '-f', join(tmp, 'nope.yaml')]);
    expect(r.code).toBe(1);
    expect(codesIn(r.err)).toEqual(['AM1001']);
  });

  it('--version and --help exit 0', async () => {
    expect((await cli(['--version'])).code).toBe(0);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/compile/);
  });
});

describe('compile', () => {
  it('prints only YAML resources on stdout and only diagnostics on stderr', async () => {
    const r = await cli(['compile', '-f', EXAMPLE, '--mesh', 'istio']);
    expect(r.code).toBe(0);
    const docs = yamlDocs(r.out);
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(d.apiVersion).toMatch(/istio\.io\//);
      expect(typeof d.kind).toBe('string');
      expect(d.metadata.name).toMatch(/^[a-z0-9]/);
      expect(d.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('anymesh');
      expect(d.metadata.annotations?.['anymesh.dev/source-policies']).toMatch(/^TrafficPolicy\//);
    }
    expect(r.err).not.toMatch(/apiVersion:/);
    for (const line of r.err.split('\n').filter(Boolean)) {
      expect(line).toMatch(/\b(AM\d{4})\b|\d+ errors?, \d+ warnings?/);
    }
  });

  it('refuses invalid input with exit 1 and no output', async () => {
    const r = await cli(['compile', '-f', BAD, '--mesh', 'istio']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(codesIn(r.err)).toContain('AM2010');
  });

  it('-o json prints a v1 List of the same resources as the YAML', async () => {
    const yaml = await cli(['compile', '-f', EXAMPLE, '--mesh', 'istio']);
    const json = await cli(['compile', '-f', EXAMPLE, '--mesh', 'istio', '-o', 'json']);
    expect(json.code).toBe(0);
    const list = JSON.parse(json.out) as { apiVersion: string; kind: string; items: KubeObject[] };
    expect(list.apiVersion).toBe('v1');
    expect(list.kind).toBe('List');
    expect(list.items).toEqual(yamlDocs(yaml.out));
  });

  it('-f - reads stdin and gives the same output as the file', async () => {
    const fromFile = await cli(['compile', '-f', EXAMPLE, '--mesh', 'istio']);
    const fromStdin = await cli(['compile', '-f', '-', '--mesh', 'istio'], readFileSync(EXAMPLE, 'utf8'));
    expect(fromStdin.code).toBe(0);
    expect(yamlDocs(fromStdin.out)).toEqual(yamlDocs(fromFile.out));
  });

  it('diagnostics of stdin are located in <stdin>', async () => {
    const r = await cli(['validate', '-f', '-'], readFileSync(BAD, 'utf8'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^<stdin>:\d+:\d+: error AM2\d{3}/m);
  });

  it('--out-dir writes one file per resource', async () => {
    const dir = join(tmp, 'out');
    const r = await cli(['compile', '-f', EXAMPLE, '--mesh', 'istio', '--out-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const expected = yamlDocs((await cli(['compile', '-f', EXAMPLE, '--mesh', 'istio'])).out);
    expect(readdirSync(dir).sort()).toEqual([MARKER, ...expected.map((x) => resourceFileName(x))].sort());
    for (const res of expected) {
      expect(yamlDocs(readFileSync(join(dir, resourceFileName(res)), 'utf8'))).toEqual([res]);
    }
    // No staging folder is left behind.
    expect(readdirSync(tmp).filter((f) => f.includes('anymesh-tmp'))).toEqual([]);
  });

  it('--out-dir writes nothing when compilation fails', async () => {
    const dir = join(tmp, 'never');
    const r = await cli(['compile', '-f', BAD, '--mesh', 'istio', '--out-dir', dir]);
    expect(r.code).toBe(1);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('validate -o json', () => {
  it('valid input', async () => {
    const r = await cli(['validate', '-f', EXAMPLE, '-o', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { valid: boolean; policies: string[]; diagnostics: unknown[] };
    expect(j.valid).toBe(true);
    expect(j.policies.length).toBeGreaterThan(0);
    for (const p of j.policies)
      expect(p).toMatch(/^(TrafficPolicy|AccessPolicy|MTLSPolicy|MeshInstallation)\/[^/]+\/[^/]+$/);
  });

  it('invalid input: every diagnostic with code, level, file, line, column and path', async () => {
    const r = await cli(['validate', '-f', BAD, '-o', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as {
      valid: boolean;
      diagnostics: {
        code: string;
        level: string;
        file: string;
        line: number;
        column: number;
        path?: string;
      }[];
    };
    expect(j.valid).toBe(false);
    expect(j.diagnostics).toHaveLength(13);
    for (const d of j.diagnostics) {
      expect(d.code).toMatch(/^AM2\d{3}$/);
      expect(d.level).toBe('error');
      expect(d.file).toBe(BAD);
      expect(d.line).toBeGreaterThanOrEqual(4);
      expect(d.column).toBeGreaterThanOrEqual(1);
      expect(d.path).toMatch(/^(metadata|spec)\b/);
    }
    expect(j.diagnostics.find((d) => d.code === 'AM2013')).toMatchObject({
      path: 'spec.rules[0].timeout',
      line: 11,
    });
  });
});

describe('capabilities, schema, explain', () => {
  it('capabilities -o json: {meshes, features, matrix} with a cell for every mesh x feature', async () => {
    const r = await cli(['capabilities', '-o', 'json']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.out) as {
      meshes: unknown[];
      features: unknown[];
      matrix: Record<string, Record<string, { support: string }>>;
    };
    const meshIds = m.meshes.map((x) => (typeof x === 'string' ? x : (x as { id: string }).id));
    const featureIds = m.features.map((x) => (typeof x === 'string' ? x : (x as { id: string }).id));
    expect(meshIds.sort()).toEqual([...MESH_IDS].sort());
    expect(featureIds.sort()).toEqual([...FEATURE_IDS].sort());
    for (const mesh of meshIds) {
      expect(Object.keys(m.matrix[mesh] ?? {}).sort()).toEqual([...FEATURE_IDS].sort());
      for (const f of featureIds)
        expect(['full', 'partial', 'emulated', 'none']).toContain(m.matrix[mesh]![f]!.support);
    }
  });

  it('capabilities --feature fault selects the fault family only; --mesh narrows the meshes', async () => {
    const r = await cli(['capabilities', '--feature', 'fault', '--mesh', 'istio', '-o', 'json']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.out) as { meshes: unknown[]; matrix: Record<string, Record<string, unknown>> };
    expect(Object.keys(m.matrix)).toEqual(['istio']);
    expect(Object.keys(m.matrix.istio!).sort()).toEqual(
      FEATURE_IDS.filter((f) => f.startsWith('fault.')).sort(),
    );
  });

  it('capabilities as a table and as markdown', async () => {
    for (const o of ['table', 'markdown']) {
      const r = await cli(['capabilities', '-o', o]);
      expect(r.code).toBe(0);
      expect(r.out).toContain('fault.abort.grpc');
    }
  });

  it('schema and schema TrafficPolicy print valid draft-07 JSON Schemas', async () => {
    const all = await cli(['schema']);
    const one = await cli(['schema', 'TrafficPolicy']);
    const lower = await cli(['schema', 'trafficpolicy']);
    for (const r of [all, one, lower]) {
      expect(r.code).toBe(0);
      const s = JSON.parse(r.out) as Record<string, unknown>;
      expect(new Ajv({ strict: false }).validateSchema(s)).toBe(true);
    }
    expect((JSON.parse(one.out) as { title: string }).title).toBe('TrafficPolicy');
    expect(lower.out).toBe(one.out);
  });

  it('explain TrafficPolicy.spec.rules.retries describes the field', async () => {
    const r = await cli(['explain', 'TrafficPolicy.spec.rules.retries']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/attempts/);
  });
});

describe('the installed entry point, node bin/anymesh.js', () => {
  beforeAll(ensureBuilt, 120_000);

  it('runs end to end with the contract exit codes', () => {
    const node = join(ROOT, 'node_modules', '.bin', 'node');
    const bin = join(ROOT, 'bin', 'anymesh.js');
    const exec = (args: string[]) =>
      spawnSync(node, [bin, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

    const ok = exec(['compile', '-f', EXAMPLE, '--mesh', 'istio']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(yamlDocs(ok.stdout).length).toBeGreaterThan(0);

    const bad = exec(['validate', '-f', BAD]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(codesIn(bad.stderr)).toContain('AM2014');

    const usage = exec(['frobnicate']);
    expect(usage.status).toBe(2);

    const stdin = spawnSync(node, [bin, 'validate', '-f', '-'], {
      cwd: ROOT,
      encoding: 'utf8',
      input: readFileSync(EXAMPLE, 'utf8'),
      timeout: 60_000,
    });
    expect(stdin.status, stdin.stderr).toBe(0);
  });
});
