/**
 * Istio behaviour, ambient data plane, routing (access and mTLS: ambient-security.test.ts): each golden case compiled for Istio's ambient column
 * (test/golden/istio-ambient), applied to an ambient world (ambient-world.ts) and asked of istiod's
 * own code, as the driver's ambient mode describes (driver/ambient.go). What Istio's code covers:
 *
 * - the binding of Services to waypoints (istio.io/use-waypoint) and the waypoint's identity: Istio's
 *   ambient index (pilot/pkg/serviceregistry/ambient);
 * - routing: Istio's gateway controller turns each HTTPRoute with a Service parentRef into the
 *   internal VirtualService (pilot/pkg/config/kube/gateway), and istiod generates the Envoy
 *   configuration of a proxy of type Waypoint from it (pilot/pkg/networking/core
 *   listener_waypoint.go): the filter chain for the Service's VIP and port, its route
 *   configuration, routes with clusters and weights (the leaf Services), timeout, retry policy,
 *   mirrors, header operations and CORS, read from that Envoy configuration, and the endpoints
 *   istiod sends the waypoint for the chosen clusters (the pod a call lands on must be one);
 * - L7 authorization: the RBAC filters istiod puts on that waypoint filter chain for
 *   AuthorizationPolicies attached by targetRefs;
 * - L4 authorization: istiod's conversion of selector and namespace AuthorizationPolicies and
 *   PeerAuthentications into the workload API's security.Authorization, as it pushes them to
 *   ztunnel (the ambient index's Policies);
 * - the analyzers, on the output with its Services and workloads.
 *
 * What the driver does itself (not Istio's Go code): choosing the route among the generated ones
 * by headers, query parameters and method, and the filter chain by the listener's matcher tree
 * (Envoy's rules, driver/match.go and ambient.go); evaluating the RBAC filters (driver/rbac.go);
 * and ztunnel's decision over the converted policies (ztunnel is Rust: its rules are followed in
 * driver/ambient.go); and the world's EndpointSlices (Kubernetes' controller's job: ready pods
 * whose labels include the Service's selector, ambient-world.ts). Not covered at all: the HBONE
 * tunnels themselves (ztunnel to waypoint to ztunnel), and which endpoint of a backend Envoy picks
 * (the test names a pod the chosen backend selects, and the driver checks it is an endpoint).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bookinfoAmbient,
  LEAF_PORT_NAMES,
  landedViaWaypoint,
  viaWaypoint,
  WAYPOINT,
  ztunnelAllows,
} from './ambient-expectations.js';
import { type AmbientRun, ambientRequest, runAmbientCase } from './ambient-world.js';
import type { ClusterSettings } from './driver.js';
import { healthCheckSplit } from './expectations.js';
import { expectAnalyzers } from './harness.js';
import { backendName, backends, headerOps, pod, result, type ServiceDef } from './world.js';

describe('ambient: examples/bookinfo-canary.yaml', () => {
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase('examples/bookinfo-canary.yaml', bookinfoAmbient, bookinfoAmbient.calls);
  });
  it('sends jason to reviews-v2 and everyone else 90/10 to reviews-v1/v2 with a 3 s timeout, via the waypoint', () =>
    bookinfoAmbient.check(run.answer));
  it('gives Istio analyzers only the leaf Services port-name note', () =>
    expectAnalyzers(run.answer, LEAF_PORT_NAMES));
});

describe('ambient: test/cases/ambient-routing.yaml', () => {
  const svc = (name: string, ip: string, port: number): ServiceDef => ({
    namespace: 'shop',
    name,
    ip,
    ports: [{ port }],
  });
  const cart = svc('cart', '10.96.1.30', 8080);
  const search = svc('search', '10.96.1.31', 8080);
  const legacy = svc('cart-legacy', '10.96.1.32', 9090);
  const shadow = svc('cart-shadow', '10.96.1.33', 8080);
  const v1 = pod('shop', 'cart-v1', { app: 'cart', version: 'v1' });
  const v2 = pod('shop', 'cart-v2', { app: 'cart', version: 'v2' });
  const searchPod = pod('shop', 'search', { app: 'search' });
  const legacyPod = pod('shop', 'cart-legacy', { app: 'cart-legacy' });
  const web = pod('shop', 'storefront', { app: 'storefront' }, 'storefront');
  const world = {
    services: [cart, search, legacy, shadow],
    pods: [v1, v2, searchPod, legacyPod, pod('shop', 'cart-shadow', { app: 'cart-shadow' }), web],
  };
  const beta = { 'x-beta': 'true', 'x-client': 'mobile-ios', 'x-build': '42', 'x-trace': 't1' };
  const betaPath = '/cart/checkout?variant=b&ref=abc&debug=1';
  const without = (h: Record<string, string>, k: string) =>
    Object.fromEntries(Object.entries(h).filter(([n]) => n !== k));
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase('test/cases/ambient-routing.yaml', world, [
      ambientRequest('beta', web, cart, 8080, { method: 'POST', path: betaPath, headers: beta, server: v2 }),
      ambientRequest('beta-get', web, cart, 8080, {
        method: 'GET',
        path: betaPath,
        headers: beta,
        server: v1,
      }),
      ambientRequest('beta-no-trace', web, cart, 8080, {
        method: 'POST',
        path: betaPath,
        headers: without(beta, 'x-trace'),
        server: v1,
      }),
      ambientRequest('beta-build-word', web, cart, 8080, {
        method: 'POST',
        path: betaPath,
        headers: { ...beta, 'x-build': '4a2' },
        server: v1,
      }),
      ambientRequest('beta-client-other', web, cart, 8080, {
        method: 'POST',
        path: betaPath,
        headers: { ...beta, 'x-client': 'desktop-mobile-' },
        server: v1,
      }),
      ambientRequest('beta-variant-a', web, cart, 8080, {
        method: 'POST',
        path: '/cart/checkout?variant=a&ref=abc&debug=1',
        headers: beta,
        server: v1,
      }),
      ambientRequest('beta-no-debug', web, cart, 8080, {
        method: 'POST',
        path: '/cart/checkout?variant=b&ref=abc',
        headers: beta,
        server: v1,
      }),
      ambientRequest('cart-items', web, cart, 8080, { path: '/cart/items', server: v1 }),
      ambientRequest('cart-root', web, cart, 8080, { path: '/cart', server: v1 }),
      ambientRequest('cartoon', web, cart, 8080, { path: '/cartoon', server: legacyPod }),
      ambientRequest('help', web, cart, 8080, { path: '/help', server: legacyPod }),
      ambientRequest('sku', web, search, 8080, { path: '/search/sku-123', server: searchPod }),
      ambientRequest('sku-letters', web, search, 8080, { path: '/search/sku-12a' }),
      ambientRequest('sku-longer', web, search, 8080, { path: '/search/sku-1/x' }),
    ]);
  });
  it('sends the beta checkout (POST, every header and query match) to cart-v2 with its header changes', () => {
    const r = result(run.answer, 'beta');
    viaWaypoint(r, 'shop');
    expect(backends(r)).toEqual({ 'cart-v2.shop:8080': 100 });
    expect(r.route?.timeoutMs, 'beta-checkout sets no timeout: no time limit (0, not absent)').toBe(0);
    expect(r.route?.mirrors, 'beta-checkout mirrors nothing').toBeUndefined();
    expect(headerOps(r.route?.requestHeaders)).toEqual([
      'add x-hop=waypoint',
      'remove x-internal',
      'set x-route=beta',
    ]);
    expect(headerOps(r.route?.responseHeaders)).toEqual([
      'add x-served-by=v2',
      'remove server',
      'set cache-control=no-store',
    ]);
    expect(r.route?.cors).toBeUndefined();
  });
  it('sends everything else under the /cart segment 90/10 to v1/v2 with 10 s, 3 retries of 2 s, 100 ms backoff and a 12.5% mirror to v2', () => {
    const ids = [
      'beta-get',
      'beta-no-trace',
      'beta-build-word',
      'beta-client-other',
      'beta-variant-a',
      'beta-no-debug',
      'cart-items',
      'cart-root',
    ];
    for (const i of ids) {
      const r = result(run.answer, i);
      viaWaypoint(r, 'shop');
      expect(backends(r), i).toEqual({ 'cart-v1.shop:8080': 90, 'cart-v2.shop:8080': 10 });
      expect(r.route?.timeoutMs, i).toBe(10_000);
      expect(r.route?.retry, i).toMatchObject({ numRetries: 3, perTryTimeoutMs: 2000, backoffBaseMs: 100 });
      // 5xx is every 5xx code Istio passes on (500-508, 510, 511: AM3003 says why not 509 or
      // 520-599) and retriable-4xx is 409; connection failures and the gRPC statuses come from
      // Istio's retry_on, which the next test reads.
      const codes = [409, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511];
      expect(
        [...(r.route?.retry?.retriableStatusCodes ?? [])].sort((a, b) => a - b),
        i,
      ).toEqual(codes);
      expect(
        r.route?.mirrors?.map((m) => [backendName(m.cluster), m.percent]),
        i,
      ).toEqual([['cart-v2.shop:8080', 12.5]]);
      expect(r.route?.cors, i).toBeUndefined();
    }
    landedViaWaypoint(run.answer, 'shop', ids);
  });
  it('retries connection failures and the gRPC unavailable status on cart-api, as retryOn lists them', () => {
    const on = result(run.answer, 'cart-items').route?.retry?.retryOn.split(',') ?? [];
    expect(on).toEqual(expect.arrayContaining(['connect-failure', 'unavailable', 'retriable-status-codes']));
    // Nothing Envoy does not know as a retry condition (a bare status code there is never retried).
    expect(on.filter((c) => /^[0-9]+$/.test(c))).toEqual([]);
  });
  it('sends the rest (/cartoon is not under /cart) to cart-legacy:9090 with 5 s, 2 retries on 502-504, a 50% mirror and CORS', () => {
    for (const i of ['cartoon', 'help']) {
      const r = result(run.answer, i);
      viaWaypoint(r, 'shop');
      expect(backends(r), i).toEqual({ 'cart-legacy.shop:9090': 100 });
      expect(r.route?.timeoutMs, i).toBe(5000);
      expect(r.route?.retry?.numRetries, i).toBe(2);
      expect([...(r.route?.retry?.retriableStatusCodes ?? [])].sort(), i).toEqual([502, 503, 504]);
      expect(
        r.route?.mirrors?.map((m) => [backendName(m.cluster), m.percent]),
        i,
      ).toEqual([['cart-shadow.shop:8080', 50]]);
      expect(r.route?.cors, i).toEqual({
        allowOrigins: ['exact:https://shop.example.com', 'exact:http://localhost:3000'],
        allowMethods: 'GET,POST',
        allowHeaders: 'content-type,x-requested-with',
        exposeHeaders: 'x-request-id',
        maxAge: '600',
        allowCredentials: true,
      });
    }
  });
  it('lands each routed request at its pod through ztunnel as the waypoint', () =>
    landedViaWaypoint(run.answer, 'shop', ['beta', 'cartoon', 'help', 'sku']));
  it('serves /search/sku-<digits> (the whole path) from search with a 2 s timeout, and nothing else', () => {
    const r = result(run.answer, 'sku');
    viaWaypoint(r, 'shop');
    expect(backends(r)).toEqual({ 'search.shop:8080': 100 });
    expect(r.route?.timeoutMs).toBe(2000);
    for (const i of ['sku-letters', 'sku-longer'])
      expect(result(run.answer, i).error, i).toBe('no route matched');
  });
  it('gives Istio analyzers only the leaf Services port-name note', () =>
    expectAnalyzers(run.answer, LEAF_PORT_NAMES));
});

describe('ambient: examples/storefront-edge.yaml', () => {
  const storefront: ServiceDef = {
    namespace: 'shop',
    name: 'storefront',
    ip: '10.96.1.10',
    ports: [{ port: 8080 }],
  };
  const server = pod('shop', 'storefront', { app: 'storefront' });
  const web = pod('shop', 'web', { app: 'web' });
  const call = (i: string, method: string, path: string) =>
    ambientRequest(i, web, storefront, 8080, { method, path, server });
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'examples/storefront-edge.yaml',
      { services: [storefront], pods: [server, web] },
      [
        call('product', 'GET', '/products/42'),
        call('product-list', 'GET', '/products?sort=price'),
        call('product-sub', 'GET', '/products/42/reviews'),
        call('product-sort-other', 'GET', '/products?sort=date'),
        call('product-post', 'POST', '/products/42'),
        call('checkout', 'POST', '/checkout/cart'),
        call('checkout-root', 'POST', '/checkout'),
        call('checkoutx', 'POST', '/checkoutx'),
        call('checkout-get', 'GET', '/checkout'),
      ],
    );
  });
  it('serves product pages (regex path or /products sorted by price|name, GET) with CORS and header hygiene', () => {
    for (const i of ['product', 'product-list']) {
      const r = result(run.answer, i);
      viaWaypoint(r, 'shop');
      expect(backends(r), i).toEqual({ 'storefront.shop:8080': 100 });
      expect(r.route?.timeoutMs, i).toBe(1000);
      expect(headerOps(r.route?.requestHeaders), i).toEqual([
        'remove x-internal-debug',
        'set x-shop-tier=catalog',
      ]);
      expect(headerOps(r.route?.responseHeaders), i).toEqual([
        'add cache-control=public, max-age=60',
        'remove server',
      ]);
      expect(r.route?.cors, i).toEqual({
        allowOrigins: ['exact:https://shop.example.com'],
        allowMethods: 'GET,OPTIONS',
        allowHeaders: 'content-type,authorization',
        exposeHeaders: 'x-request-id',
        maxAge: '86400',
        allowCredentials: true,
      });
    }
    landedViaWaypoint(run.answer, 'shop', ['product', 'product-list']);
  });
  it('matches the product regex against the whole path, the sort values exactly, and only GET', () => {
    for (const i of ['product-sub', 'product-sort-other', 'product-post', 'checkout-get', 'checkoutx'])
      expect(result(run.answer, i).error, i).toBe('no route matched');
  });
  it('serves checkout POSTs under the /checkout segment with a 5 s timeout and their own headers, without CORS', () => {
    for (const i of ['checkout', 'checkout-root']) {
      const r = result(run.answer, i);
      viaWaypoint(r, 'shop');
      expect(r.route?.timeoutMs, i).toBe(5000);
      expect(headerOps(r.route?.requestHeaders), i).toEqual(['add x-checkout=1']);
      expect(headerOps(r.route?.responseHeaders), i).toEqual(['set x-frame-options=DENY']);
      expect(r.route?.cors, i).toBeUndefined();
    }
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

/** The waypoint's Envoy settings of each cluster the call's route sends to. */
const clusterSettings = (run: AmbientRun, id: string): ClusterSettings[] => {
  const r = result(run.answer, id);
  if (!r.route?.clusterSettings) throw new Error(`call ${id}: ${r.error ?? 'no cluster settings'}`);
  return r.route.clusters.map((c) => r.route!.clusterSettings![c.cluster]!);
};

describe('ambient: test/cases/backend-circuit-breaker.yaml', () => {
  const httpbin: ServiceDef = {
    namespace: 'default',
    name: 'httpbin',
    ip: '10.96.3.40',
    ports: [{ port: 8000 }],
  };
  const v1 = pod('default', 'httpbin-v1', { app: 'httpbin', version: 'v1' });
  const from = pod('default', 'fortio', { app: 'fortio' });
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/backend-circuit-breaker.yaml',
      { services: [httpbin], pods: [v1, from] },
      [ambientRequest('get', from, httpbin, 8000, { path: '/get', server: v1 })],
    );
  });
  it('routes to httpbin-v1 with 5 s at the waypoint, whose cluster allows 1 connection, 1 pending request, 1 request per connection and ejects after one error', () => {
    const r = result(run.answer, 'get');
    viaWaypoint(r, 'default');
    expect(backends(r)).toEqual({ 'httpbin-v1.default:8000': 100 });
    expect(r.route?.timeoutMs).toBe(5000);
    const [c, ...rest] = clusterSettings(run, 'get');
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ maxConnections: 1, maxPendingRequests: 1, maxRequestsPerConnection: 1 });
    expect(c!.outlier).toMatchObject({
      consecutive5xx: 1,
      intervalMs: 1000,
      baseEjectionMs: 180_000,
      maxEjectionPercent: 100,
    });
  });
  it('gives Istio analyzers only the leaf Services port-name note', () =>
    expectAnalyzers(run.answer, LEAF_PORT_NAMES));
});

describe('ambient: test/cases/backend-resilience.yaml', () => {
  const reviews: ServiceDef = {
    namespace: 'bookinfo',
    name: 'reviews',
    ip: '10.96.0.30',
    ports: [{ port: 9080 }],
  };
  const v1 = pod('bookinfo', 'reviews-v1', { app: 'reviews', version: 'v1' });
  const v2 = pod('bookinfo', 'reviews-v2', { app: 'reviews', version: 'v2' });
  const from = pod('bookinfo', 'productpage', { app: 'productpage' });
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/backend-resilience.yaml',
      { services: [reviews], pods: [v1, v2, from] },
      [ambientRequest('any', from, reviews, 9080, { path: '/reviews/1', server: v1 })],
    );
  });
  it('splits 90/10 to reviews-v1/v2 at the waypoint, whose clusters for both get the limits, least-request balancing and outlier detection', () => {
    const r = result(run.answer, 'any');
    viaWaypoint(r, 'bookinfo');
    expect(backends(r)).toEqual({ 'reviews-v1.bookinfo:9080': 90, 'reviews-v2.bookinfo:9080': 10 });
    ztunnelAllows(r, WAYPOINT('bookinfo'));
    const all = clusterSettings(run, 'any');
    expect(all.length).toBe(2);
    for (const c of all) {
      expect(c).toMatchObject({
        lbPolicy: 'LEAST_REQUEST',
        connectTimeoutMs: 1000,
        maxConnections: 100,
        maxPendingRequests: 50,
        maxRequests: 200,
        maxRequestsPerConnection: 10,
      });
      expect(c.outlier).toMatchObject({
        consecutive5xx: 5,
        consecutiveGatewayFailure: 3,
        intervalMs: 10_000,
        baseEjectionMs: 30_000,
        maxEjectionPercent: 50,
      });
    }
  });
  it('gives Istio analyzers only the leaf Services port-name note', () =>
    expectAnalyzers(run.answer, LEAF_PORT_NAMES));
});

describe('ambient: test/cases/backend-session-affinity.yaml', () => {
  const svc = (name: string, ip: string): ServiceDef => ({
    namespace: 'shop',
    name,
    ip,
    ports: [{ port: 8080 }],
  });
  const services = [
    svc('cart', '10.96.1.100'),
    svc('catalog', '10.96.1.101'),
    svc('legacy', '10.96.1.102'),
    svc('profile', '10.96.1.103'),
    svc('search', '10.96.1.104'),
  ];
  const from = pod('shop', 'web', { app: 'web' });
  const pods = [...services.map((s) => pod('shop', s.name, { app: s.name })), from];
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/backend-session-affinity.yaml',
      { services, pods },
      services.map((s, i) => ambientRequest(s.name, from, s, 8080, { server: pods[i] })),
    );
  });
  it('routes cart and catalog through the waypoint with a 3 s timeout; cart hashed on the session cookie', () => {
    for (const [i, b] of [
      ['cart', 'cart.shop:8080'],
      ['catalog', 'catalog.shop:8080'],
    ] as const) {
      const r = result(run.answer, i);
      viaWaypoint(r, 'shop');
      expect(backends(r), i).toEqual({ [b]: 100 });
      expect(r.route?.timeoutMs, i).toBe(3000);
      ztunnelAllows(r, WAYPOINT('shop'));
    }
    expect(result(run.answer, 'cart').route?.hashPolicies).toEqual([
      { cookie: 'session', cookiePath: '/', cookieTtlMs: 3_600_000 },
    ]);
    expect(['RING_HASH', 'MAGLEV']).toContain(clusterSettings(run, 'cart')[0]!.lbPolicy);
  });
  it('balances catalog round robin and search at random at the waypoint', () => {
    expect(clusterSettings(run, 'catalog')[0]!.lbPolicy).toBe('ROUND_ROBIN');
    expect(clusterSettings(run, 'search')[0]!.lbPolicy).toBe('RANDOM');
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('ambient: test/cases/backend-health-check.yaml', () => {
  const c = healthCheckSplit('ambient');
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(c.file, c, c.calls);
  });
  it('leaves the health check out with a warning (AM3002): ztunnel and waypoints have no active health checking', () => {
    expect(
      run.diagnostics.filter((d) => d.includes('warning AM3002') && d.includes('healthCheck')).length,
    ).toBe(1);
  });
  it('splits colorteller 50/50 between colorteller-white and colorteller-blue at the waypoint, whose clusters have no health check', () => {
    c.check(run.answer);
    for (const call of c.calls) {
      viaWaypoint(result(run.answer, call.id), 'howto');
      ztunnelAllows(result(run.answer, call.id), WAYPOINT('howto'));
    }
  });
  it('gives Istio analyzers only the leaf Services port-name note', () =>
    expectAnalyzers(run.answer, LEAF_PORT_NAMES));
});
