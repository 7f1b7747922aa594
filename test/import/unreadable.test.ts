// Native values of a type the CRD does not allow (what files can hold and an API server would
// refuse): the import fails with AM2050 at each such field (the CRD's types are checked first), or,
// where an importer still cannot read an object, AM2048 naming it; nothing is imported, and never
// a stack trace. A null the CRD does not allow is dropped, as the API server drops it (AM2051).
import { describe, expect, it } from 'vitest';
import { importSourceFor } from '../../src/adapters/index.js';
import { clusterNativeObjects, type ImportSource } from '../../src/core/import.js';
import { importNative } from '../../src/core/import-pipeline.js';
import { importText } from './support.js';

const consul = importSourceFor('consul')!;

const TEXT_NULL_SUBSET = `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceResolver
metadata: {name: api, namespace: shop}
spec:
  subsets:
    v1: null
`;

describe('an importer meeting a value its CRD does not allow', () => {
  it('a null subset is dropped as the API server drops it, and reported at its line; the rest imports', () => {
    const r = importText(
      `${TEXT_NULL_SUBSET}---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceSplitter
metadata: {name: web, namespace: shop}
spec:
  splits: [{weight: 100, service: web}]
`,
      consul,
    );
    expect(r.ok).toBe(true);
    expect(
      r.diagnostics.filter((d) => d.code === 'AM2051').map((d) => [d.policy, d.path, d.location?.line]),
    ).toEqual([['ServiceResolver/shop/api', 'spec.subsets.v1', 6]]);
    expect(r.fields.unaccounted).toBe(0);
    expect(r.policies.length).toBeGreaterThan(0);
    // --strict: a field not imported as written is an error, this one too.
    const strict = importText(TEXT_NULL_SUBSET, consul, 'native.yaml', { strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.diagnostics.find((d) => d.code === 'AM2051')?.level).toBe('error');
  });

  it('a string where the CRD has a list: AM2050 at the field, saying what the CRD has there', () => {
    const r = importText(
      `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceSplitter
metadata: {name: web, namespace: shop}
spec:
  splits: x
`,
      consul,
    );
    expect(r.ok).toBe(false);
    expect(r.policies).toEqual([]);
    const errors = r.diagnostics.filter((d) => d.level === 'error');
    expect(errors.map((d) => [d.code, d.policy, d.path, d.location?.line, d.location?.col])).toEqual([
      ['AM2050', 'ServiceSplitter/shop/web', 'spec.splits', 5, 11],
    ]);
    expect(errors[0]!.message).toBe(
      'the string "x" in ServiceSplitter/shop/web, where its ServiceSplitter consul.hashicorp.com/v1alpha1 CRD has a list; write a list there, or leave the field out (the API server refuses the object too)',
    );
    expect(r.fields.total).toBeGreaterThan(0);
    expect(r.fields).toEqual({
      total: r.fields.total,
      imported: 0,
      reported: r.fields.total,
      unaccounted: 0,
    });
  });

  it('every wrong type of every object is named at once, metadata included', () => {
    const r = importText(
      `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceSplitter
metadata:
  name: web
  namespace: shop
  labels: {team: [a]}
spec:
  splits:
    - {weight: "50", service: web}
    - {weight: 50, service: {name: web}}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceResolver
metadata: {name: web, namespace: shop}
spec:
  connectTimeout: 15
  subsets: [v1]
`,
      consul,
    );
    expect(
      r.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.path} ${d.location?.line}`),
    ).toEqual([
      'metadata.labels.team 6',
      'spec.splits[0].weight 9',
      'spec.splits[1].service 10',
      'spec.connectTimeout 16',
      'spec.subsets 17',
    ]);
  });

  it('only the objects with a wrong type are refused: the rest is imported, the run still fails', () => {
    const text = `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceSplitter
metadata: {name: web, namespace: shop}
spec:
  splits: x
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: api, namespace: shop}
spec:
  destination: {name: api}
  sources: [{name: web, action: allow}]
`;
    const r = importText(text, consul);
    expect(r.ok).toBe(false);
    expect(r.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.code} ${d.policy}`)).toEqual([
      'AM2050 ServiceSplitter/shop/web',
    ]);
    // The intentions still import, so one run shows everything else there is to fix.
    expect(r.policies.map((p) => `${p.policy.kind}/${p.policy.metadata.name}`)).toEqual(['AccessPolicy/api']);
    // The refused splitter's 3 fields (name, namespace, splits) are reported under its error.
    const refused = r.losses.find((l) => l.code === 'AM2050')!;
    expect(refused).toMatchObject({ kind: 'ServiceSplitter', field: 'spec.splits', leaves: 3 });
    expect(r.fields.reported).toBeGreaterThanOrEqual(3);
    expect(r.fields.total).toBe(r.fields.imported + r.fields.reported + r.fields.unaccounted);
  });

  it('a field the CRD does not list (a typo) is dropped as the API server drops it, and named; --strict refuses it', () => {
    const text = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
    - route: [{destination: {host: reviews}}]
      retires: {attempts: 3}
`;
    const istio = importSourceFor('istio')!;
    const r = importText(text, istio);
    expect(r.ok).toBe(true);
    const unknown = r.diagnostics.filter((d) => d.code === 'AM2052');
    expect(unknown.map((d) => [d.level, d.path, d.location?.line])).toEqual([
      ['warning', 'spec.http[0].retires', 8],
    ]);
    expect(unknown[0]!.message).toMatch(
      /^unknown field retires in VirtualService\/shop\/reviews: its VirtualService/,
    );
    // Not an AM1015 of the ledger, and counted as reported under its own reason.
    expect(r.diagnostics.some((d) => d.code === 'AM1015')).toBe(false);
    expect(r.losses.find((l) => l.code === 'AM2052')).toMatchObject({
      field: 'spec.http[].retires',
      leaves: 1,
    });
    expect(r.fields.unaccounted).toBe(0);
    const strict = importText(text, istio, 'native.yaml', { strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.diagnostics.find((d) => d.code === 'AM2052')?.level).toBe('error');
  });

  it('objects read from a cluster are not judged by the CRDs anymesh carries (the cluster may serve newer ones)', () => {
    const istio = importSourceFor('istio')!;
    const vs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'shop' },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], newField: 1 }] },
    };
    const r = importNative(clusterNativeObjects([vs as never], 'shop'), istio);
    expect(r.diagnostics.some((d) => d.code === 'AM2052')).toBe(false);
    // The field is still accounted for: reported by the importer or the ledger, never silent.
    expect(r.diagnostics.some((d) => d.path === 'spec.http[0].newField')).toBe(true);
  });

  it('an importer that still throws on an object of the right types: AM2048 names the object, never a stack', () => {
    const throwing: ImportSource = {
      ...consul,
      import: (objects, ctx) => {
        if (objects.some((o) => o.object.metadata.name === 'bad'))
          throw new TypeError('x.map is not a function');
        return consul.import(objects, ctx);
      },
    };
    const r = importText(
      `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceSplitter
metadata: {name: bad, namespace: shop}
spec:
  splits: [{weight: 100, service: web}]
`,
      throwing,
    );
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM2048')!;
    expect(d.policy).toBe('ServiceSplitter/shop/bad');
    expect(d.location?.line).toBe(1);
    expect(d.message).toMatch(/one of its fields holds a value/);
  });
});
