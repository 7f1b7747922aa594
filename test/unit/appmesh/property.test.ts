/**
 * Property tests: random valid TrafficPolicies (and mTLS/access policies over them) compile for
 * App Mesh either to CRD-valid objects with consistent routes, or to coded diagnostics; never to an
 * internal error; and the same input always gives the same output.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderYaml } from '../../../src/core/render.js';
import { APPMESH_SDS, compileFor } from '../../support/kit.js';

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const header = fc.record({
  name: fc.stringMatching(/^x-[a-z]{1,8}$/),
  kind: fc.constantFrom('exact', 'prefix', 'regex', 'present'),
  value: fc.stringMatching(/^[a-z0-9]{1,8}$/),
});
const match = fc.record(
  {
    path: fc.oneof(
      fc.record({ exact: fc.stringMatching(/^\/[a-z]{0,8}$/) }),
      fc.record({ prefix: fc.stringMatching(/^\/[a-z]{0,8}$/) }),
      fc.record({ regex: fc.constantFrom('/a/[0-9]+', '/v[12]/.*', '/x') }),
    ),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    headers: fc.uniqueArray(header, { maxLength: 3, selector: (h) => h.name }),
    queryParams: fc.uniqueArray(
      fc.record({ name: fc.stringMatching(/^[a-z]{1,6}$/), exact: fc.stringMatching(/^[a-z0-9]{0,6}$/) }),
      { maxLength: 2, selector: (q) => q.name },
    ),
  },
  { requiredKeys: [] },
);
const duration = fc.integer({ min: 1, max: 40_000 }).map((ms) => `${ms}ms`);
const retryOn = fc.uniqueArray(
  fc.constantFrom(
    '5xx',
    'gateway-error',
    'retriable-4xx',
    'connect-failure',
    'refused-stream',
    'reset',
    '503',
  ),
  { maxLength: 4 },
);

const policy = fc
  .record({
    service: name,
    port: fc.integer({ min: 1, max: 65535 }),
    versions: fc.uniqueArray(name, { minLength: 0, maxLength: 4 }),
    rules: fc.array(
      fc.record(
        {
          matches: fc.array(match, { maxLength: 3 }),
          split: fc.integer({ min: 0, max: 100 }),
          timeout: duration,
          retries: fc.record(
            { attempts: fc.integer({ min: 1, max: 5 }), perTryTimeout: duration, retryOn },
            { requiredKeys: ['attempts'] },
          ),
        },
        { requiredKeys: [] },
      ),
      { minLength: 1, maxLength: 4 },
    ),
    mtls: fc.constantFrom('none', 'strict', 'permissive'),
    allow: fc.boolean(),
  })
  .map((p) => {
    const lines = [
      'apiVersion: anymesh.dev/v1alpha1',
      'kind: TrafficPolicy',
      'metadata: {name: p, namespace: shop}',
      'spec:',
      `  service: ${p.service}`,
      `  port: ${p.port}`,
    ];
    if (p.versions.length) {
      lines.push(`  versions: {${p.versions.map((v, i) => `${v}: {track: t${i}}`).join(', ')}}`);
    }
    lines.push('  rules:');
    for (const r of p.rules) {
      lines.push('    - timeout: 1s'.replace('1s', r.timeout ?? '1s'));
      if (r.matches?.length) {
        lines.push('      matches:');
        for (const m of r.matches) {
          const parts: string[] = [];
          if (m.path) parts.push(`path: ${JSON.stringify(m.path)}`);
          if (m.method) parts.push(`method: ${m.method}`);
          if (m.headers?.length)
            parts.push(
              `headers: [${m.headers
                .map((h) =>
                  h.kind === 'present'
                    ? `{name: ${h.name}, present: true}`
                    : `{name: ${h.name}, ${h.kind}: "${h.value}"}`,
                )
                .join(', ')}]`,
            );
          if (m.queryParams?.length)
            parts.push(
              `queryParams: [${m.queryParams.map((q) => `{name: ${q.name}, exact: "${q.exact}"}`).join(', ')}]`,
            );
          lines.push(`        - {${parts.join(', ')}}`);
        }
      }
      if (p.versions.length === 1) lines.push(`      backends: [{version: ${p.versions[0]}}]`);
      else if (p.versions.length > 1) {
        const s = r.split ?? 50;
        lines.push(
          `      backends: [{version: ${p.versions[0]}, weight: ${s}}, {version: ${p.versions[1]}, weight: ${100 - s}}]`,
        );
      }
      if (r.retries) {
        const rt = r.retries;
        const fields = [`attempts: ${rt.attempts}`];
        if (rt.perTryTimeout) fields.push(`perTryTimeout: ${rt.perTryTimeout}`);
        if (rt.retryOn?.length)
          fields.push(`retryOn: [${rt.retryOn.map((c) => JSON.stringify(c)).join(', ')}]`);
        lines.push(`      retries: {${fields.join(', ')}}`);
      }
    }
    let text = `${lines.join('\n')}\n`;
    if (p.mtls !== 'none')
      text += `---\napiVersion: anymesh.dev/v1alpha1\nkind: MTLSPolicy\nmetadata: {name: m, namespace: shop}\nspec:\n  mode: ${p.mtls}\n`;
    if (p.allow)
      text += `---\napiVersion: anymesh.dev/v1alpha1\nkind: AccessPolicy\nmetadata: {name: a, namespace: shop}\nspec:\n  service: ${p.service}\n  action: allow\n  from: [{namespace: web, serviceAccount: frontend}]\n`;
    return text;
  });

describe('App Mesh property tests', () => {
  it('compiles random valid policies to CRD-valid, consistent output or to coded diagnostics', () => {
    fc.assert(
      fc.property(policy, (text) => {
        // appmesh() validates every output object against the CRDs.
        const r = compileFor('appmesh', text, { options: APPMESH_SDS });
        expect(r.diagnostics.filter((d) => d.code === 'AM3000')).toEqual([]);
        for (const d of r.diagnostics) expect(d.code).toMatch(/^AM\d{4}$/);
        if (!r.ok) {
          expect(r.resources).toEqual([]);
          return;
        }
        const router = r.resources.find((o) => o.kind === 'VirtualRouter');
        if (!router) throw new Error('a compiled TrafficPolicy always has a VirtualRouter');
        const routes = (
          router.spec as {
            routes: { priority: number; httpRoute: { action: { weightedTargets: { weight: number }[] } } }[];
          }
        ).routes;
        routes.forEach((route, i) => {
          expect(route.priority).toBe(i);
          expect(route.httpRoute.action.weightedTargets.reduce((a, t) => a + t.weight, 0)).toBe(100);
        });
        const nodes = new Set(
          r.resources.filter((o) => o.kind === 'VirtualNode').map((o) => o.metadata.name),
        );
        for (const route of routes)
          for (const t of route.httpRoute.action.weightedTargets as unknown as {
            virtualNodeRef: { name: string };
          }[])
            expect(nodes.has(t.virtualNodeRef.name)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('gives byte-identical output for the same input', () => {
    fc.assert(
      fc.property(policy, (text) => {
        const a = compileFor('appmesh', text, { options: APPMESH_SDS });
        const b = compileFor('appmesh', text, { options: APPMESH_SDS });
        expect(renderYaml(b.resources)).toBe(renderYaml(a.resources));
        expect(b.diagnostics).toEqual(a.diagnostics);
      }),
      { numRuns: 50 },
    );
  });
});
