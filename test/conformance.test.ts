/**
 * Conformance: every resource any adapter makes from examples/ and test/cases/ is accepted by the
 * mesh's official CRD schema (shared/crds, or ANYMESH_CRDS), unknown fields being errors as with
 * kubectl's strict validation. Compiled with --allow-degraded so every mesh produces output.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFiles } from '../src/core/pipeline.js';
import { goldenCases } from './support/cases.js';
import { testColumns } from './support/columns.js';
import { CrdCatalog } from './support/crd-schema.js';

const ROOT = join(import.meta.dirname, '..');
const catalog = new CrdCatalog();
/** Each mesh's output is checked against the CRD folders its descriptor names (`crdFolders`). */
const catalogs = new Map<string, CrdCatalog>();
const catalogFor = (folders: readonly string[]) => {
  const key = folders.join(',');
  if (!catalogs.has(key)) catalogs.set(key, new CrdCatalog(undefined, folders));
  return catalogs.get(key)!;
};
/** Core Kubernetes kinds have no CRD; adapters may emit them (e.g. Linkerd's leaf Services). */
const CORE_KINDS = new Set(['v1/Service', 'v1/Namespace', 'v1/ConfigMap']);

// Every column: the Istio ambient output (HTTPRoutes, waypoint Gateways) against Gateway API too.
describe.each(testColumns().map((c) => [c.id, c] as const))('conformance %s', (_id, column) => {
  const crds = catalogFor(column.adapter.crdFolders);
  it.each(goldenCases())('$name', ({ file }) => {
    const r = compileFiles([join(ROOT, file)], column.adapter, {
      allowDegraded: true,
      context: { options: column.options },
    });
    const problems = r.resources
      .filter((o) => !CORE_KINDS.has(`${o.apiVersion}/${o.kind}`))
      .flatMap((o) => crds.validate(o));
    expect(problems).toEqual([]);
  });
});

describe('the CRD validator itself', () => {
  it('rejects unknown fields and wrong types, as kubectl --validate=strict does', () => {
    const bad = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'x', namespace: 'y' },
      spec: { hosts: ['x'], http: [{ route: [{ destination: { host: 'x' }, weight: 'heavy' }], bogus: 1 }] },
    };
    const problems = catalog.validate(bad);
    expect(problems.some((p) => p.includes('bogus'))).toBe(true);
    expect(problems.some((p) => p.includes('/spec/http/0/route/0/weight'))).toBe(true);
  });
  it('knows every mesh group it checks', () => {
    const groups = new Set(catalog.kinds().map((k) => k.group));
    for (const g of [
      'networking.istio.io',
      'security.istio.io',
      'policy.linkerd.io',
      'gateway.networking.k8s.io',
      'consul.hashicorp.com',
      'appmesh.k8s.aws',
    ]) {
      expect(groups).toContain(g);
    }
  });
});
