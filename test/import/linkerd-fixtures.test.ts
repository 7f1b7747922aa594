/**
 * Hand-written Linkerd inputs (test/import/fixtures/linkerd/, written as Linkerd's docs write
 * them) with the awkward parts: several HTTPRoutes for one parent, leaf Services, relative
 * weights, rule timeouts beside annotations, a policy.linkerd.io/v1beta2 route, a consumer route,
 * a GRPCRoute, a ServiceProfile (routes, isRetryable, retryBudget), failure accrual, Servers of
 * every version, inbound routes, MeshTLS and Network authentications, the namespace default
 * inbound policy and a rate limit with per-identity limits. Each part is imported or reported at
 * its position; an independent walk over every leaf proves none is dropped silently.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSourceFor } from '../../src/adapters/index.js';
import { leaves } from '../../src/core/import.js';
import { parseInputs } from '../../src/core/loader/loader.js';
import { formatPath } from '../../src/core/loader/positions.js';
import { ROOT } from '../support/cases.js';
import { importText } from './support.js';

const fixture = (name: string) => `test/import/fixtures/linkerd/${name}`;
const read = (name: string) => readFileSync(join(ROOT, fixture(name)), 'utf8');
const linkerd = () => importSourceFor('linkerd')!;
const run = (name: string, ctx = {}) => importText(read(name), linkerd(), fixture(name), ctx);
const codes = (r: ReturnType<typeof importText>) =>
  r.diagnostics.map((d) => `${d.code} ${d.policy?.split('/')[2]} ${d.path ?? ''}`);
const spec = (r: ReturnType<typeof importText>, ref: string) =>
  r.loaded.policies.find((p) => p.ref === ref)?.policy.spec as Record<string, unknown> | undefined;

/** Leaves no positioned diagnostic covers; they must be exactly what the ledger counts as imported. */
function silentDrops(name: string): string[] {
  const text = read(name);
  const r = run(name);
  const reported = r.diagnostics.filter((d) => d.level !== 'info' || d.code === 'AM4262');
  const skipped = new Set(r.skipped.map((s) => s.ref));
  const missing: string[] = [];
  let total = 0;
  for (const doc of parseInputs([{ name, text }]).documents) {
    const o = doc.value as { kind: string; metadata: { name: string; namespace?: string } };
    const ref = `${o.kind}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
    if (skipped.has(ref)) continue;
    for (const leaf of leaves(o)) {
      total++;
      const path = formatPath(leaf);
      const covered = reported.some(
        (d) =>
          d.policy === ref &&
          d.code !== 'AM4262' &&
          (d.path === '' ||
            path === d.path ||
            path.startsWith(`${d.path}.`) ||
            path.startsWith(`${d.path}[`)),
      );
      if (!covered) missing.push(`${ref} ${path}`);
    }
  }
  expect(missing.length, missing.join('\n')).toBe(r.fields.imported);
  expect(total).toBe(r.fields.total);
  expect(r.fields.unaccounted).toBe(0);
  return missing;
}

describe('Linkerd native fixtures: routing', () => {
  it('joins routes, leaves and annotations; reports what has no neutral form where it is', () => {
    const r = run('routing.yaml');
    expect(r.ok, r.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4262 authors-split ',
        'AM4260 authors-rewrite ',
        'AM4260 authors-writes metadata.annotations["timeout.linkerd.io/idle"]',
        'AM4260 authors-writes spec.hostnames',
        // Linkerd's own HTTPRoute CRD has no responseHeaderModifier in a rule's filters (only in a
        // backendRef's): the API server drops it, so the filter is left with its type alone.
        'AM2052 webapp-legacy spec.rules[0].filters[0].responseHeaderModifier',
        'AM4260 webapp-legacy spec.rules[0].filters[0]',
        'AM4261 books-for-traffic spec.rules[0].backendRefs',
        'AM4260 emoji metadata.annotations["retry.linkerd.io/http"]',
        'AM4260 voting-svc.emojivoto.svc.cluster.local spec.routes[0].isRetryable',
        'AM4260 voting-svc.emojivoto.svc.cluster.local spec.routes[1].name',
        'AM4260 voting-svc.emojivoto.svc.cluster.local spec.routes[2]',
        'AM4260 voting-svc.emojivoto.svc.cluster.local spec.retryBudget',
        'AM4261 web-svc metadata.annotations["balancer.linkerd.io/failure-accrual"]',
        'AM4260 web-svc metadata.annotations["balancer.linkerd.io/failure-accrual-consecutive-max-penalty"]',
        'AM4260 web-svc metadata.annotations["config.linkerd.io/opaque-ports"]',
        'AM1014 web ',
        'AM4260 voting-route ',
      ]),
    );
    for (const d of r.diagnostics) expect(d.location?.line, d.message).toBeGreaterThan(0);
    // Leaf Services are versions; relative weights 3:1 are 75/25; the Service's retry annotations
    // fill in for the route without its own; the route with a URLRewrite is refused by Linkerd.
    expect(spec(r, 'TrafficPolicy/books/authors')).toEqual({
      service: 'authors',
      port: 7001,
      versions: { v1: { version: 'v1' }, v2: { version: 'v2' } },
      rules: [
        {
          matches: [
            {
              path: { exact: '/authors/new' },
              method: 'POST',
              headers: [
                { name: 'x-tenant', exact: 'acme' },
                { name: 'x-trace', regex: '[0-9a-f]{16}' },
              ],
            },
          ],
          requestHeaders: { set: { 'x-route': 'writes' } },
          backends: [{ version: 'v2' }],
          timeout: '5s',
          retries: {
            attempts: 3,
            perTryTimeout: '300ms',
            retryOn: ['500', '501', '502', '503', '504', 'gateway-error'],
          },
        },
        {
          matches: [
            { path: { exact: '/authors' }, method: 'GET' },
            { path: { prefix: '/authors/' }, method: 'GET' },
          ],
          backends: [
            { version: 'v1', weight: 75 },
            { version: 'v2', weight: 25 },
          ],
          timeout: '2s',
          retries: { attempts: 2, retryOn: ['5xx'] },
        },
        { backends: [{ version: 'v1' }], retries: { attempts: 2, retryOn: ['5xx'] } },
      ],
    });
    expect(spec(r, 'TrafficPolicy/books/traffic-books-for-traffic')?.sources).toEqual([
      { namespace: 'traffic' },
    ]);
    // A GRPCRoute is a gRPC policy: its method match comes back as the neutral gRPC match.
    expect(spec(r, 'TrafficPolicy/emojivoto/emoji')?.protocol).toBe('grpc');
    expect(spec(r, 'TrafficPolicy/emojivoto/emoji')?.rules).toEqual([
      {
        matches: [{ grpc: { service: 'emojivoto.v1.EmojiService', method: 'ListAll' } }],
        retries: { attempts: 1, retryOn: ['unavailable', 'cancelled'] },
      },
    ]);
    expect(spec(r, 'TrafficPolicy/emojivoto/voting-svc-profile')?.rules).toEqual([
      {
        name: 'vote-donut',
        matches: [{ path: { regex: '/emojivoto\\.v1\\.VotingService/VoteDonut' }, method: 'POST' }],
        timeout: '250ms',
      },
      // A route with no timeout names requests for metrics; it still takes them from the routes
      // after it (first match), so it is a rule adding nothing. Its name is not a DNS label.
      { matches: [{ path: { regex: '/leaderboard' }, method: 'GET' }] },
      { name: 'default' },
    ]);
    expect(spec(r, 'BackendPolicy/emojivoto/web-svc')).toEqual({
      service: 'web-svc',
      outlierDetection: { consecutiveErrors: 5, baseEjectionTime: '2s' },
    });
    expect(r.skipped.map((s) => s.ref)).toEqual(['Deployment/emojivoto/web']);
  });

  it('no silent drops', () => {
    expect(silentDrops('routing.yaml').length).toBeGreaterThan(60);
  });
});

describe('Linkerd native fixtures: security', () => {
  it('Servers, AuthorizationPolicies and authentications joined; allows never widened', () => {
    const r = run('security.yaml');
    expect(r.ok, r.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    expect(codes(r)).toEqual(
      expect.arrayContaining([
        'AM4262 emoji-admin ',
        'AM4261 metrics spec.port',
        'AM4260 admin-anyone spec',
        'AM4260 web-pages spec.rules[0].matches[3]',
        'AM4260 web-limit spec.identity',
        'AM4260 web-limit spec.overrides',
        'AM4260 emojivoto metadata.annotations["linkerd.io/inject"]',
        'AM1014 emoji ',
      ]),
    );
    // proxyProtocol gRPC on a service no route was imported for: a gRPC policy sending every call
    // to the service itself (import-protocols.ts), not a loss.
    expect(codes(r).filter((c) => c.includes('proxyProtocol'))).toEqual([]);
    expect(spec(r, 'TrafficPolicy/emojivoto/voting-grpc')).toEqual({
      service: 'voting-svc',
      port: 8080,
      protocol: 'grpc',
      rules: [{}],
    });
    expect(spec(r, 'AccessPolicy/emojivoto/voting-from-web')).toEqual({
      service: 'voting-svc',
      action: 'allow',
      from: [{ namespace: 'emojivoto', serviceAccount: 'web' }, { namespace: 'ops' }],
      to: [{ ports: [8080] }],
    });
    // A PathPrefix is the path and everything below it; the header-matched entry is an operation
    // with that header condition; the entry with a query parameter condition is left out.
    const pages = [
      { methods: ['GET'], paths: ['/api', '/api/*', '/'], ports: [8080] },
      { paths: ['/js/app.js'], headers: [{ name: 'accept', exact: 'text/javascript' }], ports: [8080] },
    ];
    expect(spec(r, 'AccessPolicy/emojivoto/web-pages-ingress')?.to).toEqual(pages);
    // A NetworkAuthentication's networks are callers by ipBlock.
    // Server web-http has an inbound route and no catch-all, so requests matching no route are
    // refused: callers allowed on the whole Server may make what the route matches, no more.
    expect(spec(r, 'AccessPolicy/emojivoto/web-probes')).toEqual({
      service: 'web-svc',
      action: 'allow',
      from: [{ ipBlock: { cidr: '10.0.0.0/8' } }],
      to: pages,
    });
    expect(spec(r, 'AccessPolicy/emojivoto/web-from-ops')?.to).toEqual(pages);
    expect(codes(r)).not.toContain('AM4261 web-from-ops spec.targetRef');
    // ServerAuthorization client networks: unauthenticated clients from them are callers by
    // network, with their exceptions; mesh identities with networks must hold both. Without
    // networks, unauthenticated clients come from the install's clusterNetworks: left out.
    expect(spec(r, 'AccessPolicy/emojivoto/admin-scrapes')?.from).toEqual([
      { ipBlock: { cidr: '10.8.0.0/16', except: ['10.8.255.0/24'] } },
    ]);
    expect(spec(r, 'AccessPolicy/emojivoto/admin-operator')?.from).toEqual([
      { namespace: 'ops', serviceAccount: 'operator', ipBlock: { cidr: '192.168.0.0/16' } },
    ]);
    expect(spec(r, 'AccessPolicy/emojivoto/admin-anyone')).toBeUndefined();
    // No required authentication: Linkerd admits unauthenticated callers from every network.
    expect(spec(r, 'AccessPolicy/emojivoto/admin-open')?.from).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0' } },
      { ipBlock: { cidr: '::/0' } },
    ]);
    // The ServerAuthorization's Server names its port; the Deployment it selects numbers it.
    expect(spec(r, 'AccessPolicy/emojivoto/legacy-admin')).toEqual({
      service: 'emoji-svc',
      action: 'allow',
      from: [{ namespace: 'emojivoto', serviceAccount: 'admin' }],
      to: [{ ports: [9990] }],
    });
    expect(spec(r, 'MTLSPolicy/emojivoto/emojivoto-default-inbound')).toEqual({ mode: 'strict' });
    expect(spec(r, 'MTLSPolicy/emojivoto/emoji-svc')).toEqual({ mode: 'strict', service: 'emoji-svc' });
    expect(spec(r, 'BackendPolicy/emojivoto/web-limit')).toEqual({
      service: 'web-svc',
      port: 8080,
      rateLimit: { requestsPerSecond: 200 },
    });
    silentDrops('security.yaml');
  });

  it('with the port option a strict Server compiles back: no change reported', () => {
    const r = run('security.yaml', { options: { 'linkerd.serverPorts': '8801' } });
    expect(codes(r)).not.toContain('AM4261 metrics spec.port');
  });

  it('--strict makes every loss an error', () => {
    const r = run('security.yaml', { strict: true });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.filter((d) => d.code === 'AM4260').every((d) => d.level === 'error')).toBe(true);
  });
});

describe('Linkerd GRPCRoutes', () => {
  // Two HTTPRoutes and two GRPCRoutes of one parent: a policy speaks one protocol, so the HTTP
  // routes are one policy and the gRPC routes another (protocol grpc, method matches as gRPC
  // matches); both take the parent's name, the gRPC one with -grpc. A RegularExpression method
  // match has no neutral form and is reported.
  const route = (kind: string, name: string, match: string) =>
    `apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}, namespace: shop}
spec:
  parentRefs: [{name: cart, kind: Service, group: core, port: 80}]
  rules:
    - matches: [${match}]
      backendRefs: [{name: cart, port: 80}]
`;
  const text = [
    route('HTTPRoute', 'a1', '{path: {type: PathPrefix, value: /x}}'),
    route('HTTPRoute', 'a2', '{path: {type: PathPrefix, value: /y}}'),
    route('GRPCRoute', 'g1', '{method: {service: shop.Cart}}'),
    route('GRPCRoute', 'g2', '{method: {service: shop.Cart, method: AddItem}}'),
    route('GRPCRoute', 'g3', '{method: {type: RegularExpression, service: shop.Cart, method: "Add.*"}}'),
  ].join('---\n');
  const r = importText(text, linkerd(), 'routes.yaml');

  it('HTTP and gRPC routes of one parent are two policies, one protocol each', () => {
    expect(r.loaded.policies.map((p) => p.ref).sort()).toEqual([
      'TrafficPolicy/shop/cart',
      'TrafficPolicy/shop/cart-grpc',
    ]);
    expect(spec(r, 'TrafficPolicy/shop/cart')?.protocol).toBeUndefined();
    const grpc = spec(r, 'TrafficPolicy/shop/cart-grpc')!;
    expect(grpc.protocol).toBe('grpc');
    expect((grpc.rules as { matches: unknown[] }[]).map((x) => x.matches)).toEqual([
      [{ grpc: { service: 'shop.Cart', method: 'AddItem' } }],
      [{ grpc: { service: 'shop.Cart' } }],
    ]);
  });

  it('a RegularExpression method match is reported where it is', () => {
    expect(codes(r)).toContain('AM4260 g3 spec.rules[0].matches[0].method');
  });
});

describe('Linkerd native fixtures: redirects', () => {
  it('RequestRedirect filters are neutral redirects; the ones with no neutral form are reported', () => {
    const r = run('redirects.yaml');
    expect(r.ok, r.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    const lost = r.diagnostics.filter((d) => d.code === 'AM4260');
    expect(lost.map((d) => d.path)).toEqual([
      'spec.rules[0].filters[0]',
      'spec.rules[2].filters[0]',
      'spec.rules[3].filters[0]',
    ]);
    // A hand-written PathPrefix is whole segments (two neutral entries), which no one neutral
    // replacePrefixMatch covers.
    expect(lost[0]?.message).toContain('write two rules by hand');
    expect(lost[1]?.message).toContain('whose one match is not a path prefix');
    expect(lost[2]?.message).toContain('also has backendRefs');
    for (const d of lost) expect(d.location?.line).toBeGreaterThan(0);
    const rules = spec(r, 'TrafficPolicy/shop/web-moves')?.rules as Record<string, unknown>[];
    expect(rules[0]?.redirect).toBeUndefined();
    expect(rules.slice(1, 2)).toEqual([
      {
        matches: [{ path: { exact: '/login' } }],
        redirect: {
          scheme: 'https',
          host: 'login.example.com',
          port: 8443,
          statusCode: 301,
          path: { replaceFullPath: '/sso' },
        },
      },
    ]);
    // The rules whose redirect is reported still forward (to the parent), as without the filter.
    expect(rules.slice(2).map((x) => x.redirect)).toEqual([undefined, undefined, undefined]);
    // anymesh's own PathPrefix (one neutral prefix) keeps its ReplacePrefixMatch: the Linkerd
    // round trip of case-redirect-prefix (roundtrip.test.ts) holds it.
  });

  it('no silent drops', () => {
    expect(silentDrops('redirects.yaml').length).toBeGreaterThan(20);
  });
});

describe('Linkerd native fixtures: Server proxyProtocol', () => {
  const r = run('protocols.yaml');
  const lost = (name: string) =>
    r.diagnostics.find((d) => d.policy === `Server/shop/${name}` && d.path === 'spec.proxyProtocol');

  it('opaque, gRPC and HTTP/1 are the neutral protocol of the service on that port', () => {
    expect(r.ok, r.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    // opaque: no route for redis, so a tcp policy that sends every connection to the service.
    expect(spec(r, 'TrafficPolicy/shop/redis')).toEqual({
      service: 'redis',
      port: 6379,
      protocol: 'tcp',
      rules: [{}],
    });
    expect(lost('redis')).toBeUndefined();
    // HTTP/1 beside an HTTPRoute of the same service and port: that route's http policy says it.
    expect(lost('web-http')).toBeUndefined();
    expect(spec(r, 'TrafficPolicy/shop/web-split')?.protocol).toBeUndefined();
    expect(r.loaded.policies.map((p) => p.ref)).not.toContain('TrafficPolicy/shop/web-http');
  });

  it('a protocol the routes contradict, HTTP/2, TLS and an unknown port are reported where they are', () => {
    expect(lost('cart-grpc')?.message).toContain('routes imported for cart port 9090 are http calls');
    expect(lost('search-h2')?.message).toContain('HTTP/2 only');
    expect(lost('vault-tls')?.message).toContain('proxyProtocol TLS has no neutral protocol');
    expect(lost('admin-grpc')?.message).toContain('the port is unknown');
    for (const name of ['cart-grpc', 'search-h2', 'vault-tls', 'admin-grpc'])
      expect(lost(name)?.location?.line, name).toBeGreaterThan(0);
    expect(r.loaded.policies.map((p) => p.ref)).not.toContain('TrafficPolicy/shop/search-h2');
  });

  it('no silent drops', () => {
    expect(silentDrops('protocols.yaml').length).toBeGreaterThan(20);
  });
});

describe("Servers on the ports Linkerd's proxy injector names", () => {
  // As Linkerd's own extensions (viz, multicluster) write them: the proxy's admin port by name,
  // which no manifest names (the container is added at admission).
  const server = (port: string) => `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: gateway-admin, namespace: linkerd-multicluster}
spec:
  podSelector:
    matchLabels: {app: linkerd-gateway}
  port: ${port}
  proxyProtocol: HTTP/1
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: gateway-admin, namespace: linkerd-multicluster}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: gateway-admin}
  requiredAuthenticationRefs:
    - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: prometheus}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: prometheus, namespace: linkerd-multicluster}
spec:
  identities: ["prometheus.linkerd-viz.serviceaccount.identity.linkerd.cluster.local"]
`;

  it.each([
    ['linkerd-admin', 4191],
    ['linkerd-proxy', 4143],
  ])(
    '%s is port %i unless the install changes it (said), so the Server and its authorization import',
    (name, port) => {
      const r = importText(server(name), linkerd(), 'servers.yaml');
      expect(r.ok).toBe(true);
      const note = r.diagnostics.find((d) => d.code === 'AM4262' && d.message.includes(name));
      expect(note?.message).toContain(`port ${port}`);
      const access = r.loaded.policies.find((p) => p.kind === 'AccessPolicy')?.policy.spec as {
        to?: { ports?: number[] }[];
      };
      expect(access?.to?.[0]?.ports).toEqual([port]);
      expect(r.diagnostics.filter((d) => d.path === 'spec.port')).toEqual([]);
    },
  );

  it('another unknown port name is still reported', () => {
    const r = importText(server('svcmi-admin'), linkerd(), 'servers.yaml');
    expect(codes(r)).toContain('AM4260 gateway-admin spec.port');
  });
});

describe('Linkerd Server label expressions and the identity "*"', () => {
  const text = `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: orders-http, namespace: shop}
spec:
  podSelector:
    matchExpressions:
    - {key: app, operator: In, values: [orders]}
    - {key: tier, operator: In, values: [backend]}
    - {key: track, operator: NotIn, values: [canary]}
  port: 8080
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: orders-meshed, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: orders-http}
  requiredAuthenticationRefs:
  - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: meshed}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: meshed, namespace: shop}
spec:
  identities: ["*"]
`;
  const r = importText(text, linkerd(), 'expressions.yaml');
  it('an In expression with one value is that label; "*" is every authenticated client', () => {
    expect(spec(r, 'AccessPolicy/shop/orders-meshed')).toEqual({
      service: 'orders',
      selector: { app: 'orders', tier: 'backend' },
      action: 'allow',
      from: [{ authenticated: true }],
      to: [{ ports: [8080] }],
    });
  });
  it('reports the other expressions where they are', () => {
    expect(codes(r)).toEqual(['AM4260 orders-http spec.podSelector.matchExpressions[2]']);
  });
});
