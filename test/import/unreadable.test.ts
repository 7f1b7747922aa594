// Native values of a type the CRD does not allow (what files can hold and an API server would
// refuse): the import fails with AM2048 naming the object and, where it is a null, the field with
// its line, and imports nothing; never a stack trace.
import { describe, expect, it } from 'vitest';
import { importSourceFor } from '../../src/adapters/index.js';
import { importText } from './support.js';

const consul = importSourceFor('consul')!;

describe('an importer meeting a value its CRD does not allow', () => {
  it('a null subset: AM2048 at the field, nothing imported', () => {
    const r = importText(
      `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceResolver
metadata: {name: api, namespace: shop}
spec:
  subsets:
    v1: null
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceSplitter
metadata: {name: web, namespace: shop}
spec:
  splits: [{weight: 100, service: web}]
`,
      consul,
    );
    expect(r.ok).toBe(false);
    expect(r.policies).toEqual([]);
    const errors = r.diagnostics.filter((d) => d.level === 'error');
    // Only the object that cannot be read alone is blamed.
    expect(errors.map((d) => [d.code, d.policy, d.path, d.location?.line])).toEqual([
      ['AM2048', 'ServiceResolver/shop/api', 'spec.subsets.v1', 6],
    ]);
    expect(errors[0]!.message).toMatch(/holds null, which its CRD does not allow there/);
  });

  it('a string where a list is read: the object is named, at its start', () => {
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
    const d = r.diagnostics.find((x) => x.code === 'AM2048')!;
    expect(d.policy).toBe('ServiceSplitter/shop/web');
    expect(d.location?.line).toBe(1);
    expect(d.message).toMatch(/one of its fields holds a value/);
    expect(r.fields.total).toBeGreaterThan(0);
    expect(r.fields).toEqual({
      total: r.fields.total,
      imported: 0,
      reported: r.fields.total,
      unaccounted: 0,
    });
  });
});
