/**
 * `anymesh import --from linkerd` and `anymesh migrate plan --from linkerd` as a user runs them:
 * what anymesh compiled for Linkerd moves to another mesh losslessly, and from the hand-written
 * Linkerd fixtures every object a plan proposes passes the target mesh's official CRD schema.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MESHES } from '../../src/adapters/index.js';
import type { KubeObject } from '../../src/core/adapter.js';
import { runCli } from '../support/cli.js';
import { CrdCatalog } from '../support/crd-schema.js';

const LINKERD = 'linkerd';
const FIXTURES = ['test/import/fixtures/linkerd/routing.yaml', 'test/import/fixtures/linkerd/security.yaml'];
const CORE_GROUPS = new Set(['v1', 'apps/v1']);

let crds: CrdCatalog;
beforeAll(() => {
  crds = new CrdCatalog();
});

describe('anymesh import --from linkerd', () => {
  it('what anymesh compiled imports back whole, and moves to another mesh losslessly', async () => {
    const native = await runCli(['compile', '-f', 'examples/bookinfo-canary.yaml', '--mesh', LINKERD]);
    expect(native.code).toBe(0);
    const back = await runCli(['import', '-f', '-', '--from', LINKERD], { stdin: native.out });
    expect(back.code).toBe(0);
    expect(back.err).toMatch(/\(100\.0%\), 0 reported; 0 objects not imported/);
    expect(back.out).toMatch(/name: reviews-canary/);
    const plan = await runCli(
      ['migrate', 'plan', '-f', '-', '--from', LINKERD, '--to', MESHES[0]!.id, '-o', 'json'],
      { stdin: native.out },
    );
    expect(plan.code, plan.out).toBe(0);
    expect((JSON.parse(plan.out) as { ok: boolean }).ok).toBe(true);
  });

  it('a hand-written input: losses with positions on stderr, --strict fails', async () => {
    const r = await runCli(['import', '-f', FIXTURES[0]!, '--from', LINKERD]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/routing\.yaml:\d+:\d+: warning AM4260: spec\.retryBudget: /);
    expect((await runCli(['import', '-f', FIXTURES[0]!, '--from', LINKERD, '--strict'])).code).toBe(1);
  });
});

describe('anymesh migrate plan --from linkerd', () => {
  for (const target of MESHES.filter((m) => m.id !== LINKERD)) {
    for (const file of FIXTURES) {
      it(`${file.split('/').pop()} -> ${target.id}: the target objects pass the target's CRDs`, async () => {
        const r = await runCli([
          'migrate',
          'plan',
          '-f',
          file,
          '--from',
          LINKERD,
          '--to',
          target.id,
          '-o',
          'json',
        ]);
        expect([0, 1]).toContain(r.code);
        const plan = JSON.parse(r.out) as { objects: KubeObject[]; errors: unknown[]; policies: unknown[] };
        expect(plan.errors).toEqual([]);
        expect(plan.policies.length).toBeGreaterThan(0);
        for (const o of plan.objects) {
          if (CORE_GROUPS.has(o.apiVersion)) continue;
          expect(crds.validate(o), JSON.stringify(o)).toEqual([]);
        }
      });
    }
  }
});
