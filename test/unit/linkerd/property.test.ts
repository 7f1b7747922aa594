/**
 * Property tests: random valid policies compile for Linkerd without internal errors, every object
 * they produce passes its schema, and compiling twice gives the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkerdAdapter } from '../../../src/adapters/linkerd/index.js';
import { renderYaml } from '../../../src/core/render.js';
import { compileFor, schemaProblems } from '../../support/kit.js';

const name = fc.constantFrom('a', 'api', 'v2', 'checkout', 'x-1');
const path = fc.constantFrom('/', '/api', '/api/v1', '/health', '/a/b');
const header = fc.record({
  name: fc.constantFrom('x-user', 'x-env', 'end-user'),
  value: fc.constantFrom('a', 'b.c', '1'),
});

const match = fc
  .record(
    {
      path: fc.oneof(
        path.map((p) => `path: {exact: "${p}"}`),
        path.map((p) => `path: {prefix: "${p}"}`),
        fc.constant('path: {regex: "/r/[0-9]+"}'),
      ),
      method: fc.constantFrom('GET', 'POST', 'PUT'),
      headers: fc.array(
        fc.oneof(
          header.map((h) => `{name: ${h.name}, exact: "${h.value}"}`),
          header.map((h) => `{name: ${h.name}, prefix: "${h.value}"}`),
          header.map((h) => `{name: ${h.name}, present: true}`),
        ),
        { maxLength: 1 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((m) =>
    [
      m.path,
      m.method ? `method: ${m.method}` : undefined,
      m.headers?.length ? `headers: [${m.headers.join(', ')}]` : undefined,
    ]
      .filter(Boolean)
      .join(', '),
  );

const rule = fc
  .record(
    {
      matches: fc.array(match, { minLength: 1, maxLength: 2 }),
      split: fc.integer({ min: 0, max: 100 }),
      timeout: fc.constantFrom('250ms', '3s', '1m30s'),
      retries: fc.constantFrom(
        '{attempts: 2}',
        '{attempts: 3, perTryTimeout: 1500ms, retryOn: [5xx, "503"]}',
      ),
      headers: fc.constant('{set: {x-env: prod}, remove: [x-debug]}'),
    },
    { requiredKeys: ['split'] },
  )
  .map((r) => {
    const lines = [
      r.matches ? `matches: [${r.matches.map((m) => `{${m}}`).join(', ')}]` : undefined,
      `backends: [{version: v1, weight: ${r.split}}, {version: v2, weight: ${100 - r.split}}]`,
      r.timeout ? `timeout: ${r.timeout}` : undefined,
      r.retries ? `retries: ${r.retries}` : undefined,
      r.headers ? `requestHeaders: ${r.headers}` : undefined,
    ].filter(Boolean);
    return `    - ${lines.join('\n      ')}`;
  });

const policy = fc
  .record({
    service: name,
    rules: fc.array(rule, { minLength: 1, maxLength: 4 }),
    source: fc.option(fc.constantFrom('web', 'mobile')),
  })
  .map(
    (p) => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: p, namespace: shop}
spec:
  service: ${p.service === 'x-1' ? 'svc-x' : p.service}
  port: 8080
  versions: {v1: {version: v1}, v2: {version: v2}}
${p.source ? `  sources: [{namespace: ${p.source}}]\n` : ''}  rules:
${p.rules.join('\n')}
`,
  );

describe('Linkerd property tests', () => {
  it('random valid TrafficPolicies compile without internal errors to schema-valid, deterministic output', () => {
    fc.assert(
      fc.property(policy, (text) => {
        const r = compileFor(linkerdAdapter, text);
        // An adapter that throws surfaces as AM3000 InternalError; never acceptable.
        expect(r.diagnostics.filter((d) => d.code === 'AM3000')).toEqual([]);
        // Either it compiles, or it is refused for a reason the adapter names (rule order, ties).
        if (!r.ok) {
          expect(
            r.diagnostics
              .filter((d) => d.level === 'error')
              .every((d) => ['AM4203', 'AM4204'].includes(d.code)),
          ).toBe(true);
          return;
        }
        for (const o of r.resources) expect(schemaProblems(o)).toEqual([]);
        expect(renderYaml(compileFor(linkerdAdapter, text).resources)).toBe(renderYaml(r.resources));
      }),
      { numRuns: 150, seed: 4242 },
    );
  });
});
