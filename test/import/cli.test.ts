/**
 * `anymesh import` and `anymesh migrate plan` as a user runs them: exit codes, stdout/stderr, the
 * target objects of a plan valid against the target mesh's official CRDs.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { MESHES } from '../../src/adapters/index.js';
import type { KubeObject } from '../../src/core/adapter.js';
import { runCli } from '../support/cli.js';
import { CrdCatalog } from '../support/crd-schema.js';

const BOOKINFO = 'test/fixtures/import/istio-bookinfo.yaml';
const CLEAN = 'examples/bookinfo-canary.yaml';
const CORE_GROUPS = new Set(['v1', 'apps/v1']);

let crds: CrdCatalog;
beforeAll(() => {
  crds = new CrdCatalog();
});

/** Istio objects anymesh compiled from an example: the cleanest possible native input. */
async function nativeOf(file: string): Promise<string> {
  const r = await runCli(['compile', '-f', file, '--mesh', MESHES[0]!.id]);
  expect(r.code).toBe(0);
  return r.out;
}

describe('anymesh import', () => {
  it('prints neutral policies on stdout, losses with positions on stderr, exit 0', async () => {
    const r = await runCli(['import', '-f', BOOKINFO, '--from', MESHES[0]!.id]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^---\napiVersion: anymesh.dev\/v1alpha1\nkind: TrafficPolicy/);
    expect(r.err).toMatch(/istio-bookinfo.yaml:\d+:\d+: warning AM4115: spec.exportTo: /);
    expect(r.err).toMatch(
      /imported \d+ of \d+ native fields losslessly \(\d+\.\d%\), \d+ reported; 1 object not imported/,
    );
  });

  it('--strict: any loss fails and nothing is written', async () => {
    const r = await runCli(['import', '-f', BOOKINFO, '--from', MESHES[0]!.id, '--strict']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/error AM4115/);
  });

  it('-o json is a v1 List; --out-dir writes one file per policy', async () => {
    const json = await runCli(['import', '-f', BOOKINFO, '--from', MESHES[0]!.id, '-o', 'json']);
    const list = JSON.parse(json.out) as { kind: string; items: KubeObject[] };
    expect(list.kind).toBe('List');
    const dir = join(mkdtempSync(join(tmpdir(), 'anymesh-import-')), 'out');
    const r = await runCli(['import', '-f', BOOKINFO, '--from', MESHES[0]!.id, '--out-dir', dir]);
    expect(r.code).toBe(0);
    // Beside the policies, the marker of what anymesh wrote (`.anymesh-files`, as compile writes).
    expect(readdirSync(dir).filter((f) => f !== '.anymesh-files').length).toBe(list.items.length);
  });

  it('reads stdin, and refuses an unknown source as a usage error', async () => {
    const native = await nativeOf(CLEAN);
    const r = await runCli(['import', '-f', '-', '--from', MESHES[0]!.id], { stdin: native });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/\(100\.0%\), 0 reported; 0 objects not imported/);
    expect((await runCli(['import', '-f', '-', '--from', 'nomesh'])).code).toBe(2);
    expect((await runCli(['import', '-f', BOOKINFO])).code).toBe(2);
  });

  it('an input with no document at all is an error (AM1016), as kubectl apply says of no objects', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'anymesh-import-empty-'));
    for (const argv of [
      ['import', '-f', empty, '--from', MESHES[0]!.id],
      ['import', '-f', '-', '--from', MESHES[0]!.id],
    ]) {
      const r = await runCli(argv, { stdin: '' });
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/error AM1016: no native objects found in the input/);
      // 0 fields have no share: "100%" of nothing would read as a success.
      expect(r.err).toMatch(/imported 0 of 0 native fields losslessly, 0 reported/);
    }
  });

  it('a wrong type is an error at its line, and nothing is printed', async () => {
    const text = (await nativeOf(CLEAN)).replace(/^( {2}hosts:)\n {4}- (\S+)$/m, '$1 $2');
    expect(text).toMatch(/^ {2}hosts: \S+$/m);
    const r = await runCli(['import', '-f', '-', '--from', MESHES[0]!.id], { stdin: text });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(
      /^<stdin>:\d+:\d+: error AM2050: spec\.hosts: the string "\S+" in \w+\/\S+, where its /m,
    );
    expect(r.err).toMatch(/nothing was written/);
  });
});

describe('anymesh migrate plan', () => {
  it('plans nothing when the input does not import: the errors, then no steps and no objects', async () => {
    const r = await runCli(['migrate', 'plan', '-f', '-', '--from', MESHES[0]!.id, '--to', MESHES[1]!.id], {
      stdin: '',
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/errors:\n {2}error AM1016: /);
    expect(r.out).toMatch(/\nnothing planned: fix the errors above and plan again\n$/);
    expect(r.out).not.toMatch(/cut-over steps:/);
  });

  it('exit 0 when lossless, with the target objects and cut-over steps', async () => {
    // The clean canary compiles for Istio and for Consul without loss, so its Istio objects move whole.
    const native = await nativeOf('test/fixtures/import/clean-canary.yaml');
    const target = MESHES.find((m) => m.id === MESHES[2]!.id)!;
    const r = await runCli(
      ['migrate', 'plan', '-f', '-', '--from', MESHES[0]!.id, '--to', target.id, '-o', 'json'],
      {
        stdin: native,
      },
    );
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out) as {
      ok: boolean;
      objects: KubeObject[];
      steps: { rollback?: string }[];
      policies: { status: string; features: { source?: object; target: object }[] }[];
    };
    expect(plan.ok).toBe(true);
    expect(plan.policies.map((p) => p.status)).toEqual(plan.policies.map(() => 'lossless'));
    expect(plan.policies[0]!.features[0]!.source).toBeDefined();
    expect(plan.objects.length).toBeGreaterThan(0);
    expect(plan.steps.some((s) => /rollback point/.test(s.rollback ?? ''))).toBe(true);
  });

  it('exit 1 when anything is lost; text names native positions and target reasons', async () => {
    const r = await runCli([
      'migrate',
      'plan',
      '-f',
      BOOKINFO,
      '--from',
      MESHES[0]!.id,
      '--to',
      MESHES[1]!.id,
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/import {2}test\/fixtures\/import\/istio-bookinfo.yaml:\d+:\d+: warning AM4115/);
    expect(r.out).toMatch(/cut-over steps:\n {2}1\. /);
  });

  it('-n is the namespace of native objects that name none, as for import', async () => {
    const vs =
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cart}\nspec:\n  hosts: [cart]\n  http: [{timeout: 3s, route: [{destination: {host: cart}}]}]\n';
    const plan = async (...args: string[]) => {
      const r = await runCli(
        ['migrate', 'plan', '-f', '-', '--from', 'istio', '--to', 'linkerd', '-o', 'json', ...args],
        {
          stdin: vs,
        },
      );
      return (JSON.parse(r.out) as { policies: { policy: string }[] }).policies.map((p) => p.policy);
    };
    expect(await plan()).toEqual(['TrafficPolicy/default/cart']);
    expect(await plan('-n', 'shop')).toEqual(['TrafficPolicy/shop/cart']);
  });

  // Every mesh as a target, from the hand-written Istio input and from SMI: every object the plan
  // proposes passes the target mesh's official CRD schema.
  for (const target of MESHES) {
    for (const [from, file] of [
      [MESHES[0]!.id, BOOKINFO],
      ['smi', 'test/fixtures/import/smi-bookstore.yaml'],
      [MESHES[0]!.id, 'test/fixtures/import/istio-security.yaml'],
    ] as const) {
      it(`${from} -> ${target.id}: the target objects pass the target's CRDs`, async () => {
        const r = await runCli([
          'migrate',
          'plan',
          '-f',
          file,
          '--from',
          from,
          '--to',
          target.id,
          '-o',
          'json',
        ]);
        expect([0, 1]).toContain(r.code);
        const plan = JSON.parse(r.out) as { objects: KubeObject[]; errors: unknown[] };
        for (const o of plan.objects) {
          if (CORE_GROUPS.has(o.apiVersion)) continue;
          expect(crds.validate(o), JSON.stringify(o)).toEqual([]);
        }
        // The neutral policies of the plan parse back as YAML documents.
        expect(() => parseYaml(JSON.stringify(plan.objects))).not.toThrow();
      });
    }
  }
});

describe('anymesh import --option', () => {
  it("the source mesh's root namespace decides which PeerAuthentication is mesh-wide", async () => {
    const pa = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: mesh-root}
spec: {mtls: {mode: STRICT}}
`;
    const plain = await runCli(['import', '-f', '-', '--from', MESHES[0]!.id], { stdin: pa });
    expect(plain.out).not.toMatch(/scope: mesh/);
    const rooted = await runCli(
      ['import', '-f', '-', '--from', MESHES[0]!.id, '--option', `${MESHES[0]!.id}.rootNamespace=mesh-root`],
      { stdin: pa },
    );
    expect(rooted.code).toBe(0);
    expect(rooted.out).toMatch(/scope: mesh/);
    expect(
      (await runCli(['import', '-f', '-', '--from', MESHES[0]!.id, '--option', `${MESHES[0]!.id}.nope=1`]))
        .code,
    ).toBe(2);
  });
});
