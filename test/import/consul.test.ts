/**
 * The Consul importer on hand-written consul-k8s entries (test/import/fixtures/consul/, written the
 * way Consul's guides write them) with the awkward parts real configurations have: resolver
 * redirects and failover, a default subset, splits naming a subset or a whole service, weights
 * that are not whole percentages, a router destination with prefixRewrite (read back as a rewrite), retries by status
 * code and without conditions, header changes, inverted matches, intentions with L7 permissions,
 * a mesh-wide default deny and permissions in an order whose precedence the neutral model does
 * not share. Each part is imported or reported where it is, an independent walk over every leaf
 * proves none is dropped silently, and `migrate plan` from these inputs gives every other mesh
 * objects that pass its official CRDs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapterFor, importSourceFor, MESHES } from '../../src/adapters/index.js';
import { loadDocuments } from '../../src/core/loader/loader.js';
import { compileFiles, compileLoaded, loadInputs, loadPolicies } from '../../src/core/pipeline.js';
import { renderYaml } from '../../src/core/render.js';
import { planMigration } from '../../src/migrate/plan.js';
import { goldenCases, ROOT } from '../support/cases.js';
import { runCli } from '../support/cli.js';
import { CrdCatalog } from '../support/crd-schema.js';
import { importText, unreportedLeaves, usesProtocolFields } from './support.js';

const consul = importSourceFor('consul')!;
const fixture = (name: string) => `test/import/fixtures/consul/${name}`;
const read = (name: string) => readFileSync(join(ROOT, fixture(name)), 'utf8');
const run = (name: string, ctx = {}) => importText(read(name), consul, fixture(name), ctx);
const codes = (r: ReturnType<typeof run>) =>
  r.diagnostics.map((d) => `${d.code} ${d.policy?.split('/')[2] ?? ''} ${d.path ?? ''}`);
const spec = (r: ReturnType<typeof run>, ref: string) =>
  r.loaded.policies.find((p) => p.ref === ref)?.policy.spec as Record<string, unknown> | undefined;

/** No silent drops: what no diagnostic covers is exactly what the ledger counts as imported. */
function noSilentDrops(name: string): number {
  const r = run(name);
  const walk = unreportedLeaves(read(name), fixture(name), r);
  expect(walk.leaves.length, walk.leaves.join('\n')).toBe(r.fields.imported);
  expect(walk.total).toBe(r.fields.total);
  expect(r.fields.unaccounted).toBe(0);
  return walk.leaves.length;
}

describe('Consul native fixtures: routing', () => {
  const r = run('routing.yaml');

  it('imports with warnings only, each at its native position', () => {
    expect(r.ok, r.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    for (const d of r.diagnostics.filter((x) => x.code !== 'AM4362'))
      expect(d.location?.line, d.message).toBeGreaterThan(0);
  });

  it('reads prefixRewrite on a path prefix back as rewrite.path.replacePrefixMatch', () => {
    const rules = spec(r, 'TrafficPolicy/shop/api')?.rules as Record<string, unknown>[];
    expect(rules[0]).toMatchObject({
      matches: [{ path: { prefix: '/admin' } }],
      rewrite: { path: { replacePrefixMatch: '/' } },
    });
    expect(codes(r).filter((c) => c.includes('prefixRewrite'))).toEqual([]);
  });

  it('reads prefixRewrite on an exact path back as rewrite.path.replaceFullPath (Envoy replaces the matched path)', () => {
    const w = run('rewrites.yaml');
    expect(w.ok, w.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    expect(spec(w, 'TrafficPolicy/shop/web')?.rules).toEqual([
      { matches: [{ path: { exact: '/exact/debug' } }], rewrite: { path: { replaceFullPath: '/debug' } } },
      { matches: [{ path: { prefix: '/static/' } }], rewrite: { path: { replacePrefixMatch: '/assets/' } } },
      { matches: [{ path: { regex: '/deb[ug]{2}' } }] },
    ]);
    // Under a regex Consul has no rewrite the neutral model can say: reported at the field.
    const lost = w.diagnostics.filter((d) => d.path?.endsWith('prefixRewrite'));
    expect(lost.map((d) => `${d.code} ${d.path} ${d.location?.line}`)).toEqual([
      'AM4360 spec.routes[2].destination.prefixRewrite 33',
    ]);
    expect(noSilentDrops('rewrites.yaml')).toBeGreaterThan(5);
  });

  it('reports every awkward part where it is', () => {
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4361 api spec.defaultSubset',
        'AM4360 api spec.subsets.v2.onlyPassing',
        'AM4360 api spec.subsets.tagged.filter',
        'AM4360 api spec.loadBalancer.leastRequestConfig',
        'AM4360 api spec.routes[2].match.http.header[0]',
        'AM4360 api spec.routes[2]',
        'AM4361 api spec.routes[4].destination.numRetries',
        'AM4360 api spec.routes[4].destination.idleTimeout',
        'AM4361 api spec.routes[5].match.http.caseInsensitive',
        'AM4360 api spec.routes[5].destination.retryOn[1]',
        'AM4361 legacy spec.redirect',
        'AM4360 payments spec.failover',
        'AM4360 payments spec.redirect',
        'AM4361 checkout spec.splits[0].weight',
        'AM4361 checkout spec.splits[1].weight',
        'AM4360 checkout spec.splits[1].requestHeaders',
        'AM4360 global spec.config.local_connect_timeout_ms',
        'AM4360 global spec.mode',
        'AM1014 ingress-gateway ',
      ]),
    );
    expect(r.skipped.map((s) => s.ref)).toEqual(['IngressGateway/consul/ingress-gateway']);
  });

  it('joins router, splitter and resolver into one policy, the split on every route to the service', () => {
    const api = spec(r, 'TrafficPolicy/shop/api')!;
    expect(api.versions).toEqual({ v1: { version: 'v1' }, v2: { version: 'v2', track: 'beta' } });
    const rules = api.rules as Record<string, unknown>[];
    const split = [
      { version: 'v1', weight: 90 },
      { version: 'v2', weight: 10 },
    ];
    // The route with the inverted match is left out; the rest keep their order.
    expect(rules.map((x) => x.backends)).toEqual([
      [{ service: 'admin' }],
      [{ version: 'v2' }],
      [{ version: 'v2' }],
      split,
      [{ service: 'legacy' }],
      // Requests no route matches take the default route: the service's splitter.
      split,
    ]);
    expect(rules[0]).toMatchObject({ matches: [{ path: { prefix: '/admin' } }], timeout: '10s' });
    // Two methods are two match entries; status codes and connect failures are retry conditions.
    expect(rules[1]!.matches).toEqual([
      { headers: [{ name: 'x-debug', present: true }], method: 'GET' },
      { headers: [{ name: 'x-debug', present: true }], method: 'HEAD' },
    ]);
    expect(rules[1]!.retries).toEqual({ attempts: 3, retryOn: ['connect-failure', '503', '504'] });
    expect(rules[1]!.requestHeaders).toEqual({ set: { 'x-debug-route': '1' }, remove: ['x-internal-token'] });
    // A suffix is a regex; query parameters and response headers as they are.
    expect(rules[2]).toMatchObject({
      matches: [
        {
          headers: [{ name: 'user-agent', regex: '.*\\.bot' }],
          queryParams: [{ name: 'canary', exact: '1' }],
        },
      ],
      responseHeaders: { add: { 'x-canary': 'true' } },
    });
    // numRetries without a condition retries nothing in Consul: no retries.
    expect(rules[3]!.retries).toBeUndefined();
    expect(rules[4]!.retries).toEqual({ attempts: 1, retryOn: ['gateway-error'] });
    expect(rules[5]!.name).toBe('default');
  });

  it('redirects, whole-service splits and resolver settings', () => {
    expect(spec(r, 'TrafficPolicy/shop/legacy')!.rules).toEqual([
      { name: 'default', backends: [{ service: 'legacy-v2' }] },
    ]);
    expect(spec(r, 'TrafficPolicy/shop/checkout')!.rules).toEqual([
      {
        backends: [
          { service: 'checkout-v1', weight: 67 },
          { service: 'checkout-v2', weight: 33 },
        ],
      },
    ]);
    expect(spec(r, 'BackendPolicy/shop/api')).toEqual({
      service: 'api',
      connectionLimits: { connectTimeout: '15s' },
      loadBalancer: { policy: 'leastRequest' },
    });
    // A failover target has no neutral form, but the connect timeout does.
    expect(spec(r, 'BackendPolicy/shop/payments')).toEqual({
      service: 'payments',
      connectionLimits: { connectTimeout: '5s' },
    });
    expect(r.loaded.policies.map((p) => p.ref)).not.toContain('TrafficPolicy/shop/payments');
  });

  it('no silent drops', () => {
    expect(noSilentDrops('routing.yaml')).toBeGreaterThan(40);
  });

  it('--strict makes every loss an error', () => {
    const strict = run('routing.yaml', { strict: true });
    expect(strict.ok).toBe(false);
    expect(
      strict.diagnostics.filter((d) => /^AM436[01]$/.test(d.code)).every((d) => d.level === 'error'),
    ).toBe(true);
  });
});

describe('Consul native fixtures: intentions and mTLS', () => {
  const r = run('security.yaml');

  it('reports the default deny, precedence and open-ended permissions', () => {
    expect(r.ok).toBe(true);
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4360 deny-all spec',
        'AM4360 api spec.sources[2].description',
        'AM4360 api spec.sources[4].permissions[0].http',
        'AM4361 billing spec.sources[0].permissions[1]',
        'AM4360 billing spec.sources[0].permissions[2].http',
        'AM4360 mesh spec.transparentProxy',
        'AM4360 web spec.upstreamConfig.defaults',
        'AM4361 web spec.upstreamConfig.overrides[0]',
        'AM4362  ',
      ]),
    );
    // What happens to callers and requests no source or permission names is no field: said once,
    // at its position, without marking the imported fields as lost.
    const notes = r.diagnostics.filter((d) => d.code === 'AM4361' && d.path === undefined);
    expect(notes.map((d) => [d.policy, d.location?.line])).toEqual([
      ['ServiceIntentions/shop/billing', 76],
      ['ServiceIntentions/shop/billing', 78],
    ]);
    expect(notes.map((d) => d.message)).toEqual([
      expect.stringMatching(/no source \* with action deny for billing/),
      expect.stringMatching(/allow permissions without a closing deny/),
    ]);
  });

  it('permissions split into deny and allow policies; callers with the same rules share one', () => {
    const api = r.loaded.policies.filter(
      (p) => p.kind === 'AccessPolicy' && (p.policy.spec as { service: string }).service === 'api',
    );
    expect(api.map((p) => p.policy.spec)).toEqual([
      {
        service: 'api',
        action: 'deny',
        from: [{ serviceAccount: 'web' }],
        to: [{ methods: ['DELETE'], paths: ['/admin*'] }],
      },
      {
        service: 'api',
        action: 'allow',
        from: [{ serviceAccount: 'web' }],
        to: [
          { methods: ['GET', 'HEAD'], paths: ['/api/*'] },
          { methods: ['POST'], paths: ['/api/orders'] },
        ],
      },
      { service: 'api', action: 'allow', from: [{ serviceAccount: 'mobile' }] },
      // batch is denied. legacy's only allow is a case-insensitive substring condition on a
      // header, which has no neutral form: left out, so no policy names legacy and the allow
      // policies deny it (never widened).
      { service: 'api', action: 'deny', from: [{ serviceAccount: 'batch' }] },
      // analytics: the API for its team only (a header condition, with the path).
      {
        service: 'api',
        action: 'allow',
        from: [{ serviceAccount: 'analytics' }],
        to: [{ paths: ['/api/*'], headers: [{ name: 'x-team', exact: 'data' }] }],
      },
    ]);
  });

  it('permissive mTLS, the Mesh switch it needs, and a caller-side limit as a BackendPolicy', () => {
    expect(spec(r, 'MTLSPolicy/shop/billing')).toEqual({ mode: 'permissive', service: 'billing' });
    expect(codes(r).some((c) => c.includes('allowEnablingPermissiveMutualTLS'))).toBe(false);
    expect(spec(r, 'BackendPolicy/shop/api')).toEqual({
      service: 'api',
      outlierDetection: { consecutiveErrors: 5, interval: '10s' },
      connectionLimits: { maxConnections: 100, maxPendingRequests: 50, maxRequests: 20 },
    });
  });

  it('no silent drops', () => {
    expect(noSilentDrops('security.yaml')).toBeGreaterThan(25);
  });
});

describe('Consul Enterprise output (consul.enterprise=true) imports back', () => {
  // Namespaces are part of Consul Enterprise identities: callers of other namespaces and `*` in
  // one namespace come back as the neutral callers they were compiled from.
  const mesh = adapterFor('consul')!;
  const options = { 'consul.enterprise': 'true' };
  const all = goldenCases().flatMap((c) => {
    const r = compileFiles([c.file], mesh, { context: { options } });
    return r.ok && r.resources.length ? [{ ...c, native: renderYaml(r.resources) }] : [];
  });
  // Issue 16's protocol fields (a grpc ServiceDefaults protocol, gRPC paths, a prefixRewrite) are
  // read back: those cases are held to the same byte-for-byte round trip as the others.
  const withProtocol = (file: string) => loadPolicies([file]).policies.some(usesProtocolFields);
  const cases = all;
  it('has cases', () => expect(cases.length).toBeGreaterThan(5));
  it('has protocol cases', () => expect(all.filter((c) => withProtocol(c.file)).length).toBeGreaterThan(2));
  it.each(cases)('$name: nothing reported, recompiled byte for byte', ({ native }) => {
    const back = importText(native, consul, 'native.yaml', { options });
    expect(back.diagnostics.filter((d) => d.level !== 'info').map((d) => d.message)).toEqual([]);
    expect(back.fields.imported).toBe(back.fields.total);
    expect(renderYaml(compileLoaded(back.loaded, mesh, { context: { options } }).resources)).toBe(native);
  });
});

describe('Consul: anymesh import and migrate plan', () => {
  it('anymesh import --from consul prints policies and the share imported losslessly', async () => {
    const out = await runCli(['import', '-f', fixture('routing.yaml'), '--from', 'consul']);
    expect(out.code).toBe(0);
    expect(out.out).toMatch(/kind: TrafficPolicy/);
    expect(out.err).toMatch(/routing.yaml:\d+:\d+: warning AM4360: spec.failover: /);
    expect(out.err).toMatch(/imported \d+ of \d+ native fields losslessly/);
  });

  const crds = new CrdCatalog();
  for (const target of MESHES.filter((m) => m.id !== 'consul'))
    for (const name of ['routing.yaml', 'security.yaml'])
      it(`${name} -> ${target.id}: every target object passes the target's CRDs`, () => {
        const plan = planMigration(loadDocuments([fixture(name)]), {
          source: consul,
          sourceMesh: adapterFor('consul')!,
          target,
          context: { options: target.exampleOptions ?? {} },
        });
        expect(plan.errors.map((d) => d.message)).toEqual([]);
        expect(plan.ok).toBe(false);
        expect(plan.policies.length).toBeGreaterThan(0);
        // Consul entries name no port, and Linkerd and App Mesh need one for every route (AM4201,
        // AM4415): the plan refuses those policies with that reason rather than guess a port (and
        // Linkerd's permissive default needs no object); never lossless without objects.
        if (!plan.objects.length)
          for (const p of plan.policies) {
            expect(p.status, p.policy).not.toBe('lossless');
            expect(p.targetLosses.length, p.policy).toBeGreaterThan(0);
          }
        // Istio writes every policy; Linkerd only the protocol-only policy of web (its ServiceDefaults
        // protocol http), an HTTPRoute on the whole Service, which needs no port.
        else if (target.id !== 'istio')
          expect(plan.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['HTTPRoute/web']);
        for (const o of plan.objects) {
          if (o.apiVersion === 'v1' || o.apiVersion === 'apps/v1') continue;
          expect(crds.validate(o), JSON.stringify(o)).toEqual([]);
        }
      });
});

describe('Consul: a rule that matches everything', () => {
  // Found by the round-trip property: `matches: [{}]` compiled to a router and a per-rule splitter
  // service, which imported back as a rule without matches and compiled to a plain splitter.
  it('`matches: [{}]` compiles as no matches do, so import(compile(p)) compiles back byte for byte', async () => {
    const policy = (matches: string) => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: reviews, namespace: bookinfo}
spec:
  service: reviews
  versions: {v1: {version: v1}, v2: {version: v2}}
  rules:
    - ${matches}backends: [{version: v2, weight: 1}, {version: v1, weight: 99}]
`;
    const mesh = adapterFor('consul')!;
    const compiled = (text: string) =>
      renderYaml(compileLoaded(loadInputs([{ name: 'p.yaml', text }]), mesh).resources);
    const native = compiled(policy('matches: [{}]\n      '));
    expect(native).toBe(compiled(policy('')));
    expect(native).not.toMatch(/kind: ServiceRouter/);
    const back = importText(native, consul);
    expect(renderYaml(compileLoaded(back.loaded, mesh).resources)).toBe(native);
  });
});

describe('Consul intention source "*" (every caller, each with a mesh identity)', () => {
  const entry = (sources: string) => `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: ledger, namespace: finance}
spec:
  destination: {name: ledger}
  sources:
${sources}`;
  const policies = (r: ReturnType<typeof importText>) =>
    r.loaded.policies.map((p) => p.policy.spec as { action: string; from: unknown[]; to?: unknown[] });

  it('a "*" deny with no allowed source is a deny of every authenticated caller', () => {
    const r = importText(entry('    - {name: "*", action: deny}\n'), consul);
    expect(r.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
    expect(policies(r)).toEqual([{ service: 'ledger', action: 'deny', from: [{ authenticated: true }] }]);
  });

  it('a "*" allow is an allow of every authenticated caller; a source allowed less beside it is reported', () => {
    const r = importText(
      entry(`    - name: reports
      permissions:
        - {action: allow, http: {methods: [GET]}}
        - {action: deny, http: {pathPrefix: /}}
    - {name: "*", action: allow}
`),
      consul,
    );
    expect(policies(r)).toContainEqual({
      service: 'ledger',
      action: 'allow',
      from: [{ authenticated: true }],
    });
    const changed = r.diagnostics.find((d) => d.code === 'AM4361');
    expect(changed?.path).toBe('spec.sources[0].permissions');
    expect(changed?.message).toContain('also allows reports');
  });

  it('the plain "*" deny beside allowed sources still only makes their allow list exclusive', () => {
    const r = importText(
      entry('    - {name: web, action: allow}\n    - {name: "*", action: deny}\n'),
      consul,
    );
    expect(policies(r)).toEqual([{ service: 'ledger', action: 'allow', from: [{ serviceAccount: 'web' }] }]);
  });
});
