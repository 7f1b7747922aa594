/**
 * Istio behaviour, ambient data plane: each golden case compiled for Istio's ambient column
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
  viaWaypoint,
  waypointDenies,
  zeroTrustAmbient,
  ztunnelAllows,
  ztunnelDenies,
} from './ambient-expectations.js';
import {
  type AmbientRun,
  ambientClusterYaml,
  ambientRequest,
  compileAmbientText,
  direct,
  runAmbientCase,
} from './ambient-world.js';
import { type Answer, askIstio } from './driver.js';
import { expectAnalyzers } from './harness.js';
import { backendName, backends, headerOps, pod, result, type ServiceDef } from './world.js';

const WAYPOINT = (ns: string) => `spiffe://cluster.local/ns/${ns}/sa/waypoint`;
const id = (ns: string, sa: string) => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;

/**
 * The leaf Services anymesh creates per version (`<service>-<version>`) name their ports
 * `port-<n>`, without a protocol: Istio detects the protocol on them (Info IST0118). The waypoint
 * routes HTTP to them either way (the routes above are Istio's); the parent Service's port names
 * are the user's.
 */
const LEAF_PORT_NAMES = {
  IST0118: 'leaf Services per version name their ports port-<n>, so Istio detects the protocol (Info)',
};

/** Every call reached the pod's ztunnel as the waypoint and was let in. */
const landedViaWaypoint = (answer: Answer, ns: string, ids: string[]) => {
  for (const i of ids) ztunnelAllows(result(answer, i), WAYPOINT(ns));
};

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

describe('ambient: examples/zero-trust.yaml', () => {
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase('examples/zero-trust.yaml', zeroTrustAmbient.world, zeroTrustAmbient.calls);
  });
  it('lets only productpage GET /reviews/* at the waypoint, admits only the waypoint at reviews, refuses plaintext', () =>
    zeroTrustAmbient.check(run.answer));
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
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
    expect(r.route?.timeoutMs ?? 0, 'beta-checkout sets no timeout').toBe(0);
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

describe('ambient: test/cases/ambient-access.yaml', () => {
  const inventory: ServiceDef = {
    namespace: 'shop',
    name: 'inventory',
    ip: '10.96.1.40',
    ports: [{ port: 8080 }, { port: 9090, tcp: true }],
  };
  const orders: ServiceDef = { namespace: 'shop', name: 'orders', ip: '10.96.1.41', ports: [{ port: 8080 }] };
  const inventoryPod = pod('shop', 'inventory', { app: 'inventory' });
  const ordersPod = pod('shop', 'orders', { app: 'orders' });
  const worker = pod('shop', 'order-worker', { app: 'order-worker' }, 'orders');
  const web = pod('shop', 'storefront', { app: 'storefront' }, 'storefront');
  const ops = pod('ops', 'toolbox', { app: 'toolbox' });
  const sandbox = pod('sandbox', 'tool', { app: 'tool' });
  const world = { services: [inventory, orders], pods: [inventoryPod, ordersPod, worker, web, ops, sandbox] };
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase('test/cases/ambient-access.yaml', world, [
      ambientRequest('orders-inventory', worker, inventory, 8080, { server: inventoryPod }),
      ambientRequest('ops-inventory', ops, inventory, 8080, { server: inventoryPod }),
      ambientRequest('web-inventory', web, inventory, 8080, { server: inventoryPod }),
      ambientRequest('orders-inventory-9090', worker, inventory, 9090, { tcp: true, server: inventoryPod }),
      direct('plaintext-inventory', worker, inventoryPod, 8080, { plaintext: true }),
      ambientRequest('web-orders-get', web, orders, 8080, { path: '/orders/7', server: ordersPod }),
      ambientRequest('web-orders-post', web, orders, 8080, {
        method: 'POST',
        path: '/orders/7',
        server: ordersPod,
      }),
      ambientRequest('web-orders-admin', web, orders, 8080, { path: '/admin', server: ordersPod }),
      ambientRequest('worker-orders-get', worker, orders, 8080, { path: '/orders/7', server: ordersPod }),
      ambientRequest('sandbox-orders-get', sandbox, orders, 8080, { path: '/orders/7', server: ordersPod }),
      direct('web-orders-bypass', web, ordersPod, 8080),
      direct('sandbox-orders-bypass', sandbox, ordersPod, 8080),
    ]);
  });
  it('lets shop/orders and namespace ops reach inventory on 8080 at ztunnel (no waypoint), nobody else, no other port', () => {
    for (const [i, who] of [
      ['orders-inventory', id('shop', 'orders')],
      ['ops-inventory', id('ops', 'default')],
    ] as const) {
      const r = result(run.answer, i);
      expect(r.waypoint, `${i}: inventory has no waypoint`).toBeUndefined();
      ztunnelAllows(r, who);
    }
    for (const i of ['web-inventory', 'orders-inventory-9090', 'plaintext-inventory'])
      ztunnelDenies(result(run.answer, i));
  });
  it('lets only storefront GET /orders/* at the waypoint, and denies namespace sandbox there', () => {
    const r = result(run.answer, 'web-orders-get');
    viaWaypoint(r, 'shop');
    expect(r.authz?.allowed).toBe(true);
    ztunnelAllows(r, WAYPOINT('shop'));
    for (const i of ['web-orders-post', 'web-orders-admin', 'worker-orders-get', 'sandbox-orders-get'])
      waypointDenies(result(run.answer, i));
    // The sandbox caller is refused by the DENY policy itself, not only for lack of an ALLOW.
    const deny = result(run.answer, 'sandbox-orders-get').authz!.filters.find((f) => f.action === 'DENY');
    expect(deny?.matched.some((p) => p.includes('orders-block'))).toBe(true);
  });
  it('admits only the waypoint at the orders pods: callers going around it are refused by ztunnel', () => {
    for (const i of ['web-orders-bypass', 'sandbox-orders-bypass']) ztunnelDenies(result(run.answer, i));
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('ambient: test/cases/access-deny.yaml', () => {
  const payments: ServiceDef = {
    namespace: 'shop',
    name: 'payments',
    ip: '10.96.1.60',
    ports: [{ port: 8080 }, { port: 9000, tcp: true }],
  };
  const server = pod('shop', 'payments', { app: 'payments' });
  const sandbox = pod('sandbox', 'tool', { app: 'tool' });
  const batch = pod('shop', 'batch', { app: 'batch' }, 'batch-jobs');
  const checkout = pod('shop', 'checkout', { app: 'checkout' }, 'checkout');
  const call = (i: string, from: typeof sandbox, method: string, path: string) =>
    ambientRequest(i, from, payments, 8080, { method, path, server });
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/access-deny.yaml',
      { services: [payments], pods: [server, sandbox, batch, checkout] },
      [
        call('sandbox-admin-post', sandbox, 'POST', '/admin/users'),
        call('sandbox-php-delete', sandbox, 'DELETE', '/index.php'),
        call('sandbox-admin-get', sandbox, 'GET', '/admin/users'),
        call('sandbox-orders-post', sandbox, 'POST', '/orders'),
        call('batch-admin-delete', batch, 'DELETE', '/admin/x'),
        call('checkout-admin-post', checkout, 'POST', '/admin/x'),
        ambientRequest('sandbox-tcp', sandbox, payments, 9000, { tcp: true, server }),
        ambientRequest('checkout-tcp', checkout, payments, 9000, { tcp: true, server }),
        direct('sandbox-bypass', sandbox, server, 8080),
      ],
    );
  });
  it('denies sandbox and batch-jobs POST/DELETE on /admin/* and *.php at the waypoint, and nothing else over HTTP', () => {
    for (const i of ['sandbox-admin-post', 'sandbox-php-delete', 'batch-admin-delete'])
      waypointDenies(result(run.answer, i));
    for (const i of ['sandbox-admin-get', 'sandbox-orders-post', 'checkout-admin-post']) {
      viaWaypoint(result(run.answer, i), 'shop');
      ztunnelAllows(result(run.answer, i), WAYPOINT('shop'));
    }
  });
  it('refuses every TCP connection from the denied callers at the waypoint, as the AM4113 warning says', () => {
    expect(run.diagnostics.some((d) => d.includes('warning AM4113'))).toBe(true);
    waypointDenies(result(run.answer, 'sandbox-tcp'));
    ztunnelAllows(result(run.answer, 'checkout-tcp'), WAYPOINT('shop'));
  });
  it('admits only the waypoint at the payments pods', () =>
    ztunnelDenies(result(run.answer, 'sandbox-bypass')));
  it('gives Istio analyzers only the message AM4113 announces', () =>
    expectAnalyzers(run.answer, {
      IST0133:
        'the DENY rule has only HTTP attributes and no port is known: anymesh warns the same (AM4113) and check calls it lossy',
    }));
});

describe('ambient: test/cases/appmesh-zero-trust.yaml', () => {
  const payments: ServiceDef = {
    namespace: 'shop',
    name: 'payments',
    ip: '10.96.1.70',
    ports: [{ port: 8443 }],
  };
  const server = pod('shop', 'payments', { app: 'payments' });
  const checkout = pod('shop', 'checkout', { app: 'checkout' }, 'checkout');
  const refunds = pod('finance', 'refunds', { app: 'refunds' }, 'refunds');
  const web = pod('shop', 'web', { app: 'web' });
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/appmesh-zero-trust.yaml',
      { services: [payments], pods: [server, checkout, refunds, web] },
      [
        ambientRequest('checkout', checkout, payments, 8443, { path: '/pay', server }),
        ambientRequest('refunds', refunds, payments, 8443, { path: '/pay', server }),
        ambientRequest('web', web, payments, 8443, { path: '/pay', server }),
        direct('checkout-bypass', checkout, server, 8443),
        direct('plaintext', checkout, server, 8443, { plaintext: true }),
      ],
    );
  });
  it('lets shop/checkout and finance/refunds call payments (3 s timeout) through the waypoint, nobody else', () => {
    for (const i of ['checkout', 'refunds']) {
      const r = result(run.answer, i);
      viaWaypoint(r, 'shop');
      expect(backends(r), i).toEqual({ 'payments.shop:8443': 100 });
      expect(r.route?.timeoutMs, i).toBe(3000);
      ztunnelAllows(r, WAYPOINT('shop'));
    }
    waypointDenies(result(run.answer, 'web'));
  });
  it('admits only the waypoint at the payments pods, and no plaintext (strict mTLS)', () => {
    ztunnelDenies(result(run.answer, 'checkout-bypass'));
    ztunnelDenies(result(run.answer, 'plaintext'));
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('ambient: test/cases/consul-intentions.yaml', () => {
  const payments: ServiceDef = {
    namespace: 'shop',
    name: 'payments',
    ip: '10.96.1.80',
    ports: [{ port: 8080 }],
  };
  const ledger: ServiceDef = { namespace: 'shop', name: 'ledger', ip: '10.96.1.81', ports: [{ port: 8080 }] };
  const paymentsPod = pod('shop', 'payments', { app: 'payments' }, 'payments');
  const ledgerPod = pod('shop', 'ledger', { app: 'ledger' });
  const checkout = pod('shop', 'checkout', { app: 'checkout' }, 'checkout');
  const batch = pod('shop', 'batch', { app: 'batch' }, 'batch-jobs');
  const web = pod('shop', 'web', { app: 'web' });
  const call = (i: string, from: typeof web, method: string, path: string) =>
    ambientRequest(i, from, payments, 8080, { method, path, server: paymentsPod });
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/consul-intentions.yaml',
      { services: [payments, ledger], pods: [paymentsPod, ledgerPod, checkout, batch, web] },
      [
        call('checkout-get', checkout, 'GET', '/v1/balance'),
        call('checkout-head', checkout, 'HEAD', '/v1/balance'),
        call('checkout-charge', checkout, 'POST', '/v1/charges'),
        call('checkout-refund', checkout, 'POST', '/v1/refunds/9'),
        call('checkout-post-other', checkout, 'POST', '/v1/other'),
        call('checkout-delete', checkout, 'DELETE', '/v1/a.json'),
        call('batch-get', batch, 'GET', '/v1/balance'),
        call('batch-delete', batch, 'DELETE', '/v1/a.json'),
        call('web-get', web, 'GET', '/v1/balance'),
        ambientRequest('payments-ledger', paymentsPod, ledger, 8080, { server: ledgerPod }),
        ambientRequest('checkout-ledger', checkout, ledger, 8080, { server: ledgerPod }),
        direct('checkout-bypass', checkout, paymentsPod, 8080),
      ],
    );
  });
  it('lets checkout and batch-jobs GET/HEAD anything and POST /v1/charges or /v1/refunds/* at the waypoint', () => {
    for (const i of ['checkout-get', 'checkout-head', 'checkout-charge', 'checkout-refund', 'batch-get']) {
      expect(result(run.answer, i).authz?.allowed, i).toBe(true);
      ztunnelAllows(result(run.answer, i), WAYPOINT('shop'));
    }
    for (const i of ['checkout-post-other', 'checkout-delete', 'web-get'])
      waypointDenies(result(run.answer, i));
  });
  it('denies batch-jobs DELETE by the deny rule itself', () => {
    const r = result(run.answer, 'batch-delete');
    waypointDenies(r);
    expect(
      r
        .authz!.filters.find((f) => f.action === 'DENY')
        ?.matched.some((p) => p.includes('payments-no-deletes')),
    ).toBe(true);
  });
  it('lets only payments reach ledger, at ztunnel (ledger has no waypoint)', () => {
    ztunnelAllows(result(run.answer, 'payments-ledger'), id('shop', 'payments'));
    expect(result(run.answer, 'payments-ledger').waypoint).toBeUndefined();
    ztunnelDenies(result(run.answer, 'checkout-ledger'));
  });
  it('admits only the waypoint at the payments pods', () =>
    ztunnelDenies(result(run.answer, 'checkout-bypass')));
  it('gives Istio analyzers only the message AM4113 announces', () => {
    expect(run.diagnostics.some((d) => d.includes('warning AM4113'))).toBe(true);
    expectAnalyzers(run.answer, {
      IST0133:
        'the DENY rule has only HTTP attributes and no port is known: anymesh warns the same (AM4113) and check calls it lossy',
    });
  });
});

describe('ambient: test/cases/consul-permissive.yaml', () => {
  const billing: ServiceDef = {
    namespace: 'finance',
    name: 'billing',
    ip: '10.96.2.10',
    ports: [{ port: 8080 }],
  };
  const billingPod = pod('finance', 'billing', { app: 'billing' });
  const ledgerPod = pod('finance', 'ledger', { app: 'ledger' });
  const caller = pod('finance', 'reports', { app: 'reports' }, 'reports');
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/consul-permissive.yaml',
      { services: [billing], pods: [billingPod, ledgerPod, caller] },
      [
        ambientRequest('reports-billing', caller, billing, 8080, { path: '/invoices', server: billingPod }),
        direct('plaintext-billing', caller, billingPod, 8080, { plaintext: true }),
        direct('plaintext-ledger', caller, ledgerPod, 8080, { plaintext: true }),
        direct('mtls-ledger', caller, ledgerPod, 8080),
      ],
    );
  });
  it('routes billing through the waypoint with a 10 s timeout', () => {
    const r = result(run.answer, 'reports-billing');
    viaWaypoint(r, 'finance');
    expect(backends(r)).toEqual({ 'billing.finance:8080': 100 });
    expect(r.route?.timeoutMs).toBe(10_000);
    ztunnelAllows(r, WAYPOINT('finance'));
  });
  it('accepts plaintext only at billing (permissive); strict mTLS mesh-wide refuses it elsewhere', () => {
    ztunnelAllows(result(run.answer, 'plaintext-billing'), '');
    ztunnelDenies(result(run.answer, 'plaintext-ledger'));
    ztunnelAllows(result(run.answer, 'mtls-ledger'), id('finance', 'reports'));
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('ambient: test/cases/linkerd-zero-trust.yaml', () => {
  const orders: ServiceDef = {
    namespace: 'shop',
    name: 'orders',
    ip: '10.96.1.90',
    ports: [{ port: 8080 }, { port: 9090 }],
  };
  const ordersPod = pod('shop', 'orders', { app: 'orders' });
  const web = pod('shop', 'storefront', { app: 'storefront' }, 'storefront');
  const ops = pod('ops', 'toolbox', { app: 'toolbox' });
  const prometheus = pod('monitoring', 'prometheus', { app: 'prometheus' }, 'prometheus');
  const grafana = pod('monitoring', 'grafana', { app: 'grafana' });
  const batchPod = pod('batch', 'job', { app: 'job' });
  const call = (i: string, from: typeof web, port: number, method: string, path: string) =>
    ambientRequest(i, from, orders, port, { method, path, server: ordersPod });
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/linkerd-zero-trust.yaml',
      { services: [orders], pods: [ordersPod, web, ops, prometheus, grafana, batchPod] },
      [
        call('web-get', web, 8080, 'GET', '/orders/7'),
        call('web-head-list', web, 8080, 'HEAD', '/orders'),
        call('web-post', web, 8080, 'POST', '/orders/7'),
        call('web-other', web, 8080, 'GET', '/admin'),
        call('web-9090', web, 9090, 'GET', '/orders/7'),
        call('ops-any', ops, 8080, 'DELETE', '/admin'),
        call('prometheus-metrics', prometheus, 9090, 'GET', '/metrics'),
        call('grafana-metrics', grafana, 9090, 'GET', '/metrics'),
        direct('web-bypass', web, ordersPod, 8080),
        direct('plaintext-batch', web, batchPod, 8080, { plaintext: true }),
      ],
    );
  });
  it('lets storefront GET/HEAD /orders and /orders/* on 8080, ops and monitoring/prometheus anything on 8080 and 9090', () => {
    for (const i of ['web-get', 'web-head-list', 'ops-any', 'prometheus-metrics']) {
      expect(result(run.answer, i).authz?.allowed, i).toBe(true);
      ztunnelAllows(result(run.answer, i), WAYPOINT('shop'));
    }
    for (const i of ['web-post', 'web-other', 'web-9090', 'grafana-metrics'])
      waypointDenies(result(run.answer, i));
  });
  it('admits only the waypoint at the orders pods', () => ztunnelDenies(result(run.answer, 'web-bypass')));
  it('accepts plaintext in namespace batch (permissive, nothing stricter applies)', () =>
    ztunnelAllows(result(run.answer, 'plaintext-batch'), ''));
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('ambient: test/cases/mtls-scopes.yaml', () => {
  const payments = pod('shop', 'payments', { app: 'payments' });
  const cart = pod('shop', 'cart', { app: 'cart' });
  const legacy = pod('legacy', 'old', { app: 'old' });
  const caller = pod('shop', 'web', { app: 'web' });
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/mtls-scopes.yaml',
      { services: [], pods: [payments, cart, legacy, caller] },
      [
        direct('plaintext-payments', caller, payments, 8080, { plaintext: true }),
        direct('plaintext-cart', caller, cart, 8080, { plaintext: true }),
        direct('plaintext-legacy', caller, legacy, 8080, { plaintext: true }),
        direct('mtls-payments', caller, payments, 8080),
        direct('mtls-legacy', caller, legacy, 8080),
      ],
    );
  });
  it('refuses plaintext mesh-wide and at payments, accepts it in namespace legacy; mTLS everywhere', () => {
    ztunnelDenies(result(run.answer, 'plaintext-payments'));
    ztunnelDenies(result(run.answer, 'plaintext-cart'));
    ztunnelAllows(result(run.answer, 'plaintext-legacy'), '');
    ztunnelAllows(result(run.answer, 'mtls-payments'), id('shop', 'default'));
    ztunnelAllows(result(run.answer, 'mtls-legacy'), id('shop', 'default'));
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
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
  it('splits 90/10 to reviews-v1/v2 at the waypoint (the backend settings are left out, AM3002 says so)', () => {
    const r = result(run.answer, 'any');
    viaWaypoint(r, 'bookinfo');
    expect(backends(r)).toEqual({ 'reviews-v1.bookinfo:9080': 90, 'reviews-v2.bookinfo:9080': 10 });
    expect(run.diagnostics.filter((d) => d.includes('warning AM3002')).length).toBeGreaterThan(0);
    ztunnelAllows(r, WAYPOINT('bookinfo'));
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
  const cart = svc('cart', '10.96.1.100');
  const catalog = svc('catalog', '10.96.1.101');
  const from = pod('shop', 'web', { app: 'web' });
  const pods = [pod('shop', 'cart', { app: 'cart' }), pod('shop', 'catalog', { app: 'catalog' }), from];
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/backend-session-affinity.yaml',
      { services: [cart, catalog], pods },
      [
        ambientRequest('cart', from, cart, 8080, { server: pods[0] }),
        ambientRequest('catalog', from, catalog, 8080, { server: pods[1] }),
      ],
    );
  });
  it('routes cart and catalog through the waypoint with a 3 s timeout (the load balancing is left out, AM3002)', () => {
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
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('ambient: a DENY with only methods/paths when a TrafficPolicy names the port (the AM4113 fix)', () => {
  const payments: ServiceDef = {
    namespace: 'shop',
    name: 'payments',
    ip: '10.96.1.110',
    ports: [{ port: 8080 }, { port: 9000, tcp: true }],
  };
  const server = pod('shop', 'payments', { app: 'payments' });
  const sandbox = pod('sandbox', 'tool', { app: 'tool' });
  const compiled = compileAmbientText(`apiVersion: anymesh.dev/v1alpha1
kind: AccessPolicy
metadata: {name: payments-block, namespace: shop}
spec:
  service: payments
  action: deny
  from: [{namespace: sandbox}]
  to: [{paths: ["/admin/*"], methods: [POST]}]
---
apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: payments, namespace: shop}
spec:
  service: payments
  port: 8080
  rules: [{timeout: 5s}]
`);
  let answer: Answer;
  beforeAll(async () => {
    answer = await askIstio(
      ambientClusterYaml(compiled.yaml, [payments], [server, sandbox]),
      [
        ambientRequest('admin-post', sandbox, payments, 8080, {
          method: 'POST',
          path: '/admin/users',
          server,
        }),
        ambientRequest('get', sandbox, payments, 8080, { path: '/admin/users', server }),
        ambientRequest('tcp', sandbox, payments, 9000, { tcp: true, server }),
      ],
      true,
      true,
    );
  });
  it('still denies the listed requests at the waypoint and no longer refuses TCP on other ports', () => {
    expect(compiled.codes).toContain('AM4114');
    waypointDenies(result(answer, 'admin-post'));
    ztunnelAllows(result(answer, 'get'), WAYPOINT('shop'));
    ztunnelAllows(result(answer, 'tcp'), WAYPOINT('shop'));
  });
  it('gives Istio analyzers nothing to report (no IST0133 once the rule names its port)', () =>
    expectAnalyzers(answer));
});
