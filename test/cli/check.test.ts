/** `anymesh check`: verdicts, JSON shape, table, exit codes (0 lossless, 1 loss or invalid, 2 usage). */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/adapters/index.js';
import { runCli } from '../support/cli.js';

const cli = (args: string[], stdin = '') => runCli(args, { stdin });

const header = (name: string) => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  service: ${name}
`;

const LOSSLESS = `${header('cart')}  rules:
    - matches: [{path: {exact: /api/cart}}]
      timeout: 3s
`;
const FAULT = `${header('ratings')}  rules:
    - fault: {delay: {duration: 1s, percentage: 10}}
`;
const INVALID = `${header('bad')}  rules:
    - timeout: soon
`;

let dir = '';
const file = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anymesh-check-'));
  writeFileSync(file('lossless.yaml'), LOSSLESS);
  writeFileSync(file('fault.yaml'), FAULT);
  writeFileSync(file('invalid.yaml'), INVALID);
  writeFileSync(
    file('conflict.yaml'),
    `${LOSSLESS}---\n${header('cart2').replace('service: cart2', 'service: cart')}  rules:\n    - matches: [{path: {prefix: /api}}]\n      timeout: 9s\n`,
  );
});

interface Json {
  reportVersion: number;
  valid: boolean;
  ok: boolean;
  allowDegraded: boolean;
  meshes: {
    id: string;
    lossless: boolean;
    counts: Record<string, number>;
    errors: unknown[];
    notes: { code: string }[];
  }[];
  policies: {
    policy: string;
    file: string;
    line: number;
    column: number;
    results: Record<string, { status: string; losses: Record<string, unknown>[] }>;
  }[];
  overlaps: {
    kind: string;
    code: string;
    level: string;
    file: string;
    line: number;
    other: Record<string, unknown>;
  }[];
  diagnostics: { code: string; level: string }[];
}

const json = (out: string) => JSON.parse(out) as Json;

describe('anymesh check', () => {
  it('exit 0 when every named mesh is lossless; the table has a row per policy and a column per mesh', async () => {
    const r = await cli(['check', '-f', file('lossless.yaml'), '--mesh', 'istio', '--mesh', 'linkerd']);
    expect(r.code).toBe(0);
    const [head, row] = r.out.split('\n');
    expect(head!.split(/\s+/)).toEqual(['POLICY', 'ISTIO', 'LINKERD']);
    expect(row!.split(/\s+/)).toEqual(['TrafficPolicy/shop/cart', 'lossless', 'lossless']);
  });

  it('comma-separated meshes work like repeated --mesh', async () => {
    const r = await cli(['check', '-f', file('lossless.yaml'), '--mesh', 'istio,linkerd', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(json(r.out).meshes.map((m) => m.id)).toEqual(['istio', 'linkerd']);
  });

  it('all meshes when none is named; exit 1 when any is not lossless (App Mesh refuses without spec.port)', async () => {
    const r = await cli(['check', '-f', file('lossless.yaml'), '-o', 'json']);
    expect(r.code).toBe(1);
    const j = json(r.out);
    expect(j).toMatchObject({ reportVersion: 1, valid: true, ok: false, allowDegraded: false });
    expect(j.meshes.map((m) => m.id)).toEqual(Object.keys(ADAPTERS));
    expect(j.policies[0]!.results.appmesh!.status).toBe('refused');
    expect(j.policies[0]!.results.appmesh!.losses[0]).toMatchObject({ kind: 'adapter', level: 'error' });
    expect(j.meshes.find((m) => m.id === 'istio')).toMatchObject({ lossless: true, counts: { lossless: 1 } });
    expect(j.meshes.find((m) => m.id === 'appmesh')!.notes.map((n) => n.code)).toEqual(['AM3010']);
  });

  it('refused: each loss has feature, file:line:col, reason and the upstream docs link', async () => {
    const r = await cli(['check', '-f', file('fault.yaml'), '--mesh', 'linkerd', '-o', 'json']);
    expect(r.code).toBe(1);
    const loss = json(r.out).policies[0]!.results.linkerd!;
    const cell = ADAPTERS.linkerd!.capabilities['fault.delay'];
    expect(loss.status).toBe('refused');
    expect(loss.losses).toEqual([
      {
        kind: 'unsupported',
        code: 'AM3001',
        level: 'error',
        feature: 'fault.delay',
        support: 'none',
        file: file('fault.yaml'),
        line: 7,
        column: 22,
        path: 'spec.rules[0].fault.delay',
        message: expect.stringContaining('fault.delay'),
        reason: cell.reason,
        ...(cell.workaround ? { workaround: cell.workaround } : {}),
        docs: cell.docs,
      },
    ]);
  });

  it('the table lists each loss under its policy with mesh, kind, feature, position, code and link', async () => {
    const r = await cli(['check', '-f', file('fault.yaml'), '--mesh', 'istio', '--mesh', 'linkerd']);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[1]!.split(/\s+/)).toEqual(['TrafficPolicy/shop/ratings', 'lossless', 'refused']);
    expect(lines[2]).toContain(`linkerd unsupported fault.delay at ${file('fault.yaml')}:7:22`);
    expect(lines[2]).toContain('[AM3001]');
    expect(lines[2]).toContain(ADAPTERS.linkerd!.capabilities['fault.delay'].docs);
  });

  it('--allow-degraded turns the refusal into a lossy (dropped) result, still exit 1', async () => {
    const r = await cli([
      'check',
      '-f',
      file('fault.yaml'),
      '--mesh',
      'linkerd',
      '--allow-degraded',
      '-o',
      'json',
    ]);
    expect(r.code).toBe(1);
    const j = json(r.out);
    expect(j.allowDegraded).toBe(true);
    expect(j.policies[0]!.results.linkerd!.status).toBe('lossy');
    expect(j.policies[0]!.results.linkerd!.losses.map((l) => [l.kind, l.code])).toEqual([
      ['dropped', 'AM3002'],
    ]);
  });

  it('--mesh-version answers for that version; it needs exactly one mesh', async () => {
    writeFileSync(file('retries.yaml'), `${header('cart')}  rules:\n    - retries: {attempts: 2}\n`);
    expect((await cli(['check', '-f', file('retries.yaml'), '--mesh', 'linkerd'])).code).toBe(0);
    const old = await cli([
      'check',
      '-f',
      file('retries.yaml'),
      '--mesh',
      'linkerd',
      '--mesh-version',
      '2.15',
      '-o',
      'json',
    ]);
    expect(old.code).toBe(1);
    expect(json(old.out).policies[0]!.results.linkerd!.losses[0]).toMatchObject({
      code: 'AM3001',
      feature: 'retries.attempts',
      reason: expect.stringContaining('2.16'),
    });
    const two = await cli([
      'check',
      '-f',
      file('retries.yaml'),
      '--mesh',
      'linkerd',
      '--mesh',
      'istio',
      '--mesh-version',
      '2.15',
    ]);
    expect(two.code).toBe(2);
  });

  it('reports overlapping policies with both positions, and fails on a conflict', async () => {
    const r = await cli(['check', '-f', file('conflict.yaml'), '--mesh', 'istio', '-o', 'json']);
    expect(r.code).toBe(1);
    const j = json(r.out);
    expect(j.policies.map((p) => p.results.istio!.status)).toEqual(['lossless', 'lossless']);
    expect(j.overlaps).toEqual([
      expect.objectContaining({
        kind: 'conflict',
        code: 'AM3011',
        level: 'error',
        file: file('conflict.yaml'),
        line: 16,
        column: 17,
        policy: 'TrafficPolicy/shop/cart2',
        fields: ['timeout'],
        other: {
          policy: 'TrafficPolicy/shop/cart',
          file: file('conflict.yaml'),
          line: 7,
          column: 17,
          path: 'spec.rules[0].matches[0]',
        },
      }),
    ]);
    const table = await cli(['check', '-f', file('conflict.yaml'), '--mesh', 'istio']);
    expect(table.out).toContain('OVERLAPS');
    expect(table.out).toContain('error AM3011');
  });

  it('a shadowed rule is reported but does not fail the check', async () => {
    const r = await cli(
      ['check', '-f', '-', '--mesh', 'istio', '-o', 'json'],
      `${header('cart')}  rules:\n    - timeout: 1s\n    - matches: [{method: GET}]\n      timeout: 2s\n`,
    );
    expect(r.code).toBe(0);
    expect(json(r.out).overlaps.map((o) => [o.kind, o.code, o.level])).toEqual([
      ['shadowed-rule', 'AM3012', 'warning'],
    ]);
  });

  it('invalid input: the validation diagnostics and exit 1, nothing checked', async () => {
    const table = await cli(['check', '-f', file('invalid.yaml'), '--mesh', 'istio']);
    expect(table.code).toBe(1);
    expect(table.out).toBe('');
    expect(table.err).toMatch(/error AM2\d{3}/);
    const j = await cli(['check', '-f', file('invalid.yaml'), '-o', 'json']);
    expect(j.code).toBe(1);
    expect(json(j.out)).toMatchObject({ valid: false, ok: false, policies: [], meshes: [] });
    expect(json(j.out).diagnostics.some((d) => d.level === 'error' && /^AM2/.test(d.code))).toBe(true);
  });

  it.each([
    [['check', '--mesh', 'istio']],
    [['check', '-f', 'x.yaml', '--mesh', 'nope']],
    [['check', '-f', 'x.yaml', '-o', 'yaml']],
    [['check', '-f', 'x.yaml', '--option', 'novalue']],
    [['check', '-f', 'x.yaml', '--bogus']],
  ])('usage error %j: exit 2', async (args) => {
    expect((await cli(args)).code).toBe(2);
  });
});
