/**
 * Properties of the Istio ambient output over random policies (AccessPolicies with and without
 * HTTP attributes, mixed with random TrafficPolicies for the same services):
 * - no AuthorizationPolicy attached by `selector` (enforced by ztunnel) carries an HTTP attribute:
 *   ztunnel cannot enforce one, and such a policy is silently inert (istio/istio#61126);
 * - every AuthorizationPolicy attached by `targetRefs` targets a Service bound to a waypoint
 *   (`istio.io/use-waypoint`), with the waypoint Gateway in its namespace and a ztunnel guard that
 *   lets only the waypoint identity reach the workload;
 * - whatever compiles is valid for the official CRDs the descriptor names, and deterministic.
 */
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/adapters/index.js';
import type { KubeObject } from '../../src/core/adapter.js';
import { compilePolicies } from '../../src/core/compiler/compile.js';
import { formatDiagnostic } from '../../src/core/diagnostics.js';
import { parseInput } from '../../src/core/loader/loader.js';
import { validateDocuments } from '../../src/core/model/validate.js';
import { render } from '../../src/core/render.js';
import { CrdCatalog } from '../support/crd-schema.js';
import { trafficPolicy } from './arbitraries.js';

const istio = ADAPTERS.istio!;
const AMBIENT = { context: { options: { 'istio.dataplane': 'ambient' } }, allowDegraded: true };
const crds = new CrdCatalog(undefined, istio.crdFolders);

/** Operation fields ztunnel can enforce; anything else in `to[].operation` is HTTP. */
const L4_OPERATION = new Set(['ports', 'notPorts']);
const SERVICES = ['reviews', 'productpage', 'cart'] as const;

const from = fc.oneof(
  fc.record({ namespace: fc.constantFrom('bookinfo', 'ops', 'sandbox') }),
  fc.record({
    namespace: fc.constantFrom('bookinfo', 'ops'),
    serviceAccount: fc.constantFrom('web', 'batch', 'gateway'),
  }),
  fc.constant({ authenticated: true }),
);
const to = fc
  .record(
    {
      methods: fc.uniqueArray(fc.constantFrom('GET', 'POST', 'DELETE'), { minLength: 1, maxLength: 2 }),
      paths: fc.uniqueArray(fc.constantFrom('/api/*', '/admin', '*.php', '/health'), {
        minLength: 1,
        maxLength: 2,
      }),
      ports: fc.uniqueArray(fc.constantFrom(8080, 9080, 15000), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: [] },
  )
  .filter((t) => Object.keys(t).length > 0);

const accessPolicy = fc
  .record(
    {
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/),
      service: fc.constantFrom(...SERVICES),
      action: fc.constantFrom('allow', 'deny'),
      from: fc.array(from, { minLength: 1, maxLength: 3 }),
      to: fc.option(fc.array(to, { minLength: 1, maxLength: 2 }), { nil: undefined }),
      selector: fc.option(fc.constant({ app: 'svc' }), { nil: undefined }),
    },
    { requiredKeys: ['name', 'service', 'action', 'from'] },
  )
  .map((p) => ({
    apiVersion: 'anymesh.dev/v1alpha1',
    kind: 'AccessPolicy',
    metadata: { name: `${p.service}-${p.name}`, namespace: 'bookinfo' },
    spec: {
      service: p.service,
      ...(p.selector ? { selector: p.selector } : {}),
      action: p.action,
      from: p.from,
      ...(p.to ? { to: p.to } : {}),
    },
  }));

const file = fc
  .tuple(
    fc.uniqueArray(accessPolicy, { minLength: 1, maxLength: 4, selector: (p) => p.metadata.name }),
    fc.uniqueArray(trafficPolicy({ portable: true }), {
      maxLength: 2,
      selector: (p) => `${p.metadata.namespace}/${p.spec.service}`,
    }),
  )
  .map(([access, traffic]) =>
    [
      ...access,
      ...traffic.map((p) => ({
        ...p,
        metadata: { ...p.metadata, name: `${p.spec.service}-${p.metadata.name}` },
      })),
    ]
      .map((p) => dump(p, { lineWidth: -1, noRefs: true }))
      .join('---\n'),
  );

function compile(text: string) {
  const parsed = parseInput({ name: 'random.yaml', text });
  const v = validateDocuments(parsed.documents);
  expect(
    [...parsed.diagnostics, ...v.diagnostics].filter((d) => d.level === 'error').map(formatDiagnostic),
  ).toEqual([]);
  return compilePolicies(v.policies, istio, AMBIENT);
}

type Spec = Record<string, unknown>;
const spec = (o: KubeObject) => o.spec as Spec;
const ofKind = (rs: readonly KubeObject[], kind: string) => rs.filter((r) => r.kind === kind);

describe('Istio ambient AuthorizationPolicies over random policies', () => {
  it('never carry HTTP attributes together with selector; targetRefs always reach a waypoint', () => {
    let withL7 = 0;
    fc.assert(
      fc.property(file, (text) => {
        const r = compile(text);
        const errors = r.diagnostics.filter((d) => d.level === 'error');
        for (const e of errors) expect(e.code, `${formatDiagnostic(e)}\n${text}`).toMatch(/^AM4\d{3}$/);
        if (!r.ok) return;
        const aps = ofKind(r.resources, 'AuthorizationPolicy');
        for (const ap of aps) {
          const s = spec(ap);
          if (s.selector === undefined) continue;
          expect(s.targetRefs, ap.metadata.name).toBeUndefined();
          for (const rule of (s.rules ?? []) as Spec[]) {
            expect(rule.when, `${ap.metadata.name}\n${text}`).toBeUndefined();
            for (const t of (rule.to ?? []) as { operation: Spec }[])
              for (const k of Object.keys(t.operation))
                expect(L4_OPERATION.has(k), `${k} in ${ap.metadata.name}\n${text}`).toBe(true);
          }
        }
        const bound = ofKind(r.resources, 'Service').filter(
          (s) => s.metadata.labels?.['istio.io/use-waypoint'] !== undefined,
        );
        for (const ap of aps.filter((a) => spec(a).targetRefs !== undefined)) {
          withL7++;
          const ns = ap.metadata.namespace;
          for (const ref of spec(ap).targetRefs as { kind: string; name: string }[]) {
            expect(ref.kind).toBe('Service');
            const binding = bound.find((s) => s.metadata.name === ref.name && s.metadata.namespace === ns);
            expect(binding, `${ref.name} is not bound to a waypoint\n${text}`).toBeDefined();
            const waypoint = binding!.metadata.labels!['istio.io/use-waypoint'];
            expect(
              ofKind(r.resources, 'Gateway').some(
                (g) =>
                  g.metadata.name === waypoint &&
                  g.metadata.namespace === ns &&
                  spec(g).gatewayClassName === 'istio-waypoint',
              ),
            ).toBe(true);
            const guard = aps.find((a) => a.metadata.name === `${ref.name}-waypoint-only`);
            expect(guard, `no ztunnel guard for ${ref.name}\n${text}`).toBeDefined();
            expect(JSON.stringify(spec(guard!).rules)).toContain(`/ns/${ns}/sa/${waypoint}`);
          }
        }
      }),
      { numRuns: 200 },
    );
    // Not vacuous: L7 policies came up.
    expect(withL7).toBeGreaterThan(20);
  });

  it('compile to CRD-valid, deterministic output (Istio and Gateway API experimental CRDs)', () => {
    let compiled = 0;
    fc.assert(
      fc.property(file, (text) => {
        const r = compile(text);
        if (!r.ok) return;
        compiled++;
        for (const res of r.resources) {
          if (res.apiVersion === 'v1') continue;
          expect(crds.validate(res), `${text}\n---\n${render([res], 'yaml')}`).toEqual([]);
        }
        const again = compile(text);
        expect(render(again.resources, 'yaml')).toBe(render(r.resources, 'yaml'));
        expect(again.diagnostics).toEqual(r.diagnostics);
      }),
      { numRuns: 150 },
    );
    expect(compiled).toBeGreaterThan(30);
  });
});
