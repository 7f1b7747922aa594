/**
 * The source annotation of an object that many policies feed. Kubernetes refuses an object whose
 * annotations total more than 256 KiB, and Consul a Meta value over 512 characters: App Mesh's
 * Mesh names every policy it carries (386,923 bytes at 10,000 policies, refused by the API server
 * from about 7,000), a Consul intention every AccessPolicy of its service. Past the budget the
 * object names the count instead, and its import still brings back every policy (from the other
 * objects, which name theirs).
 */
import { describe, expect, it } from 'vitest';
import { renderConfigEntries } from '../../../src/adapters/consul/config-entry.js';
import { adapterFor, importSourceFor } from '../../../src/adapters/index.js';
import {
  outputMetadata,
  SOURCE_ANNOTATION,
  SOURCE_COUNT_ANNOTATION,
  SOURCE_LIST_BUDGET,
  sourcesOf,
} from '../../../src/core/adapter.js';
import { compileLoaded, loadInputs } from '../../../src/core/pipeline.js';
import { renderYaml } from '../../../src/core/render.js';
import { importText } from '../../import/support.js';

/** apimachinery pkg/api/validation/objectmeta.go TotalAnnotationSizeLimitB */
const KUBERNETES_ANNOTATION_LIMIT = 256 * 1024;
const annotationBytes = (a: Record<string, string> = {}) =>
  Object.entries(a).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

function trafficPolicies(count: number): string {
  return Array.from(
    { length: count },
    (_, i) => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: checkout-routing-${i}, namespace: team-${i % 20}}
spec:
  service: svc-${i}
  port: 8080
  rules: [{name: default, timeout: ${1 + (i % 5)}s}]
`,
  ).join('---\n');
}

describe('outputMetadata', () => {
  it('names the sources, sorted and once each, within the budget', () => {
    const m = outputMetadata('web', 'shop', [
      'TrafficPolicy/shop/b',
      'AccessPolicy/shop/a',
      'TrafficPolicy/shop/b',
    ]);
    expect(m.annotations).toEqual({ [SOURCE_ANNOTATION]: 'AccessPolicy/shop/a,TrafficPolicy/shop/b' });
    expect(sourcesOf({ metadata: m })).toEqual(['AccessPolicy/shop/a', 'TrafficPolicy/shop/b']);
  });

  it('writes the count instead of a list longer than the budget', () => {
    const refs = Array.from({ length: 10_000 }, (_, i) => `TrafficPolicy/team-${i % 50}/svc-${i}-routing`);
    expect(refs.join(',').length).toBeGreaterThan(SOURCE_LIST_BUDGET);
    const m = outputMetadata('mesh', undefined, refs);
    expect(m.annotations).toEqual({ [SOURCE_COUNT_ANNOTATION]: '10000' });
    expect(sourcesOf({ metadata: m })).toEqual([]);
    // Extra annotations are kept beside the count.
    expect(outputMetadata('mesh', undefined, refs, { annotations: { x: 'y' } }).annotations).toEqual({
      [SOURCE_COUNT_ANNOTATION]: '10000',
      x: 'y',
    });
  });

  it('shares one frozen labels and annotations object between objects of the same sources', () => {
    const a = outputMetadata('a', 'shop', ['TrafficPolicy/shop/web']);
    const b = outputMetadata('b', 'shop', ['TrafficPolicy/shop/web']);
    const c = outputMetadata('c', 'shop', ['TrafficPolicy/shop/api']);
    expect(b.annotations).toBe(a.annotations);
    expect(b.labels).toBe(a.labels);
    expect(c.annotations).not.toBe(a.annotations);
    expect(Object.isFrozen(a.annotations) && Object.isFrozen(a.labels)).toBe(true);
    expect(c.annotations).toEqual({ [SOURCE_ANNOTATION]: 'TrafficPolicy/shop/api' });
    // Extra labels make an object of their own.
    const d = outputMetadata('d', 'shop', ['TrafficPolicy/shop/web'], { labels: { tier: 'x' } });
    expect(d.labels).toEqual({ 'app.kubernetes.io/managed-by': 'anymesh', tier: 'x' });
    expect(a.labels).toEqual({ 'app.kubernetes.io/managed-by': 'anymesh' });
  });
});

describe('an object many policies feed', () => {
  it('App Mesh: the Mesh of 8,000 policies stays within the annotation limit, and imports back', () => {
    const count = 8000;
    const mesh = adapterFor('appmesh')!;
    const loaded = loadInputs([{ name: 'many.yaml', text: trafficPolicies(count) }]);
    expect(loaded.ok).toBe(true);
    const r = compileLoaded(loaded, mesh);
    expect(r.ok).toBe(true);
    const meshObject = r.resources.find((o) => o.kind === 'Mesh')!;
    expect(meshObject.metadata.annotations).toEqual({ [SOURCE_COUNT_ANNOTATION]: String(count) });
    for (const o of r.resources)
      expect(annotationBytes(o.metadata.annotations)).toBeLessThanOrEqual(KUBERNETES_ANNOTATION_LIMIT);
    // Every policy is still named by the objects it made, and the import brings each back.
    const named = new Set(r.resources.flatMap(sourcesOf));
    expect(named.size).toBe(count);
    const imported = importText(renderYaml(r.resources), importSourceFor('appmesh')!);
    expect(imported.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
    expect(imported.fields.unaccounted).toBe(0);
    expect(new Set(imported.loaded.policies.map((p) => p.ref))).toEqual(named);
  });

  it('Consul: an intention of 30 AccessPolicies names their count in Meta, within 512 characters, and imports back', () => {
    const policies = Array.from(
      { length: 30 },
      (_, i) => `apiVersion: anymesh.dev/v1alpha1
kind: AccessPolicy
metadata: {name: reviews-readers-${i}, namespace: bookinfo}
spec:
  service: reviews
  action: allow
  from: [{namespace: bookinfo, serviceAccount: caller-${i}}]
`,
    );
    const loaded = loadInputs([{ name: 'access.yaml', text: policies.join('---\n') }]);
    const r = compileLoaded(loaded, adapterFor('consul')!);
    expect(r.ok).toBe(true);
    const text = renderConfigEntries(r.resources, false, 'yaml');
    expect(text).toContain('"source-policy-count" = "30"');
    expect(text).not.toContain('source-policies');
    const imported = importText(text, importSourceFor('consul')!, 'entries.hcl');
    expect(imported.fields.unaccounted).toBe(0);
    expect(imported.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    const access = imported.loaded.policies.filter((p) => p.kind === 'AccessPolicy');
    expect(access).toHaveLength(1);
    expect((access[0]!.policy.spec as { from: unknown[] }).from).toHaveLength(30);
  });
});
