/**
 * Istio behaviour, routing: each golden TrafficPolicy case compiled for Istio, loaded into istiod's
 * own fake discovery server, and requests run through the caller's sidecar configuration (listener,
 * route configuration, virtual host, first matching route). Every expectation is written from the
 * policy's plain meaning (see the case files), not read back from the output.
 *
 * Requests no rule matches: anymesh's VirtualService has no catch-all unless the policy has one,
 * and Envoy answers such requests 404 ("no route"). The tests state it where a case has no
 * catch-all rule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { istioAdapter } from '../../../src/adapters/istio/index.js';
import { bookinfo } from './expectations.js';
import { type CaseRun, expectAnalyzers, runCase } from './harness.js';
import { expectNoRetryOfSeenRequests } from './protocol-expectations.js';
import { backends, compileCase, headerOps, pod, request, result, type ServiceDef } from './world.js';

const retryOn = (r: { route?: { retry?: { retryOn: string } } }) => r.route?.retry?.retryOn.split(',').sort();

describe('examples/bookinfo-canary.yaml', () => {
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('examples/bookinfo-canary.yaml', bookinfo, bookinfo.calls);
  });
  it('sends jason to v2 and everyone else 90/10 to v1/v2 with a 3 s timeout', () =>
    bookinfo.check(run.answer));
  it('gives the rules that omit timeout and retries what the Istio descriptor declares (core/defaults.ts)', () => {
    // The declaration under test: no time limit (the neutral meaning), and retries that differ from
    // the neutral meaning only for gRPC services (docs/policy-model.md, "Omitted timeout and retries").
    expect(istioAdapter.defaults.timeout.differs).toBe('never');
    expect(istioAdapter.defaults.retries.differs).toBe('grpc');
    const jason = result(run.answer, 'jason');
    expect(jason.route?.timeoutMs, 'no timeout: 0, Envoy for no limit').toBe(0);
    expect(jason.route?.retry?.numRetries, "Istio's default policy").toBe(2);
    expectNoRetryOfSeenRequests(jason);
    // A rule with a timeout and no retries: the same retries, its own timeout.
    expectNoRetryOfSeenRequests(result(run.answer, 'anonymous'));
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('examples/resilience.yaml', () => {
  const ratings: ServiceDef = {
    namespace: 'bookinfo',
    name: 'ratings',
    ip: '10.96.0.11',
    ports: [{ port: 9080 }],
  };
  const caller = pod('bookinfo', 'reviews', { app: 'reviews' });
  const world = {
    services: [ratings],
    pods: [
      pod('bookinfo', 'ratings-v1', { app: 'ratings', version: 'v1' }),
      pod('bookinfo', 'ratings-v2', { app: 'ratings', version: 'v2' }),
      caller,
    ],
  };
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('examples/resilience.yaml', world, [
      request('chaos', caller, ratings, 9080, { headers: { 'x-chaos': 'on' } }),
      request('chaos-off', caller, ratings, 9080, { headers: { 'x-chaos': 'off' } }),
      request('plain', caller, ratings, 9080, { path: '/ratings/7' }),
    ]);
  });
  it('delays half and aborts a tenth of the chaos traffic with 503, on v1, mirroring nothing', () => {
    const r = result(run.answer, 'chaos');
    expect(r.route?.name).toBe('ratings-resilience.chaos-test');
    expect(backends(r)).toEqual({ 'ratings.bookinfo:9080/v1': 100 });
    expect(r.route?.fault).toEqual({
      delayMs: 2000,
      delayPercent: 50,
      abortHttpStatus: 503,
      abortPercent: 10,
    });
    expect(r.route?.mirrors).toBeUndefined();
  });
  it('gives other traffic a 2 s timeout, 3 retries of 500 ms with 25 ms backoff, and mirrors 20% to v2', () => {
    for (const id of ['chaos-off', 'plain']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('ratings-resilience.default');
      expect(backends(r), id).toEqual({ 'ratings.bookinfo:9080/v1': 100 });
      expect(r.route?.fault, id).toBeUndefined();
      expect(r.route?.timeoutMs, id).toBe(2000);
      expect(r.route?.retry, id).toMatchObject({ numRetries: 3, perTryTimeoutMs: 500, backoffBaseMs: 25 });
      expect(retryOn(r), id).toEqual(['5xx', 'connect-failure', 'reset']);
      expect(r.route?.mirrors, id).toEqual([
        { cluster: 'outbound|9080|v2|ratings.bookinfo.svc.cluster.local', percent: 20 },
      ]);
    }
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('examples/storefront-edge.yaml', () => {
  const storefront: ServiceDef = {
    namespace: 'shop',
    name: 'storefront',
    ip: '10.96.1.10',
    ports: [{ port: 8080 }],
  };
  const web = pod('shop', 'web', { app: 'web' });
  const world = { services: [storefront], pods: [pod('shop', 'storefront', { app: 'storefront' }), web] };
  const call = (id: string, method: string, path: string) =>
    request(id, web, storefront, 8080, { method, path });
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('examples/storefront-edge.yaml', world, [
      call('product', 'GET', '/products/42'),
      call('product-list', 'GET', '/products?sort=price'),
      call('product-sub', 'GET', '/products/42/reviews'),
      call('product-sort-other', 'GET', '/products?sort=date'),
      call('product-post', 'POST', '/products/42'),
      call('checkout', 'POST', '/checkout/cart'),
      call('checkout-get', 'GET', '/checkout'),
    ]);
  });
  it('serves product pages (regex path or /products sorted by price|name) with CORS and header hygiene', () => {
    for (const id of ['product', 'product-list']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('storefront-api.product-pages');
      expect(backends(r), id).toEqual({ 'storefront.shop:8080': 100 });
      expect(r.route?.timeoutMs, id).toBe(1000);
      expect(headerOps(r.route?.requestHeaders), id).toEqual([
        'remove x-internal-debug',
        'set x-shop-tier=catalog',
      ]);
      expect(headerOps(r.route?.responseHeaders), id).toEqual([
        'add cache-control=public, max-age=60',
        'remove server',
      ]);
      expect(r.route?.cors, id).toEqual({
        allowOrigins: ['exact:https://shop.example.com'],
        allowMethods: 'GET,OPTIONS',
        allowHeaders: 'content-type,authorization',
        exposeHeaders: 'x-request-id',
        maxAge: '86400',
        allowCredentials: true,
      });
    }
  });
  it('matches the product regex against the whole path, the sort values exactly, and only GET', () => {
    for (const id of ['product-sub', 'product-sort-other', 'product-post', 'checkout-get']) {
      expect(result(run.answer, id).error, id).toBe('no route matched');
    }
  });
  it('serves checkout POSTs with a 5 s timeout and their own headers, without CORS', () => {
    const r = result(run.answer, 'checkout');
    expect(r.route?.name).toBe('storefront-api.checkout');
    expect(r.route?.timeoutMs).toBe(5000);
    expect(headerOps(r.route?.requestHeaders)).toEqual(['add x-checkout=1']);
    expect(headerOps(r.route?.responseHeaders)).toEqual(['set x-frame-options=DENY']);
    expect(r.route?.cors).toBeUndefined();
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/appmesh-canary-resilience.yaml', () => {
  const checkout: ServiceDef = {
    namespace: 'shop',
    name: 'checkout',
    ip: '10.96.1.20',
    ports: [{ port: 8080 }],
  };
  const payments: ServiceDef = {
    namespace: 'shop',
    name: 'payments',
    ip: '10.96.1.21',
    ports: [{ port: 8443 }],
  };
  const web = pod('shop', 'web', { app: 'web' });
  const world = {
    services: [checkout, payments],
    pods: [
      pod('shop', 'checkout-v1', { app: 'checkout', version: 'v1' }),
      pod('shop', 'checkout-v2', { app: 'checkout', version: 'v2' }),
      pod('shop', 'payments', { app: 'payments' }),
      web,
    ],
  };
  const uuid = '123e4567-e89b-12d3-a456-426614174000';
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('test/cases/appmesh-canary-resilience.yaml', world, [
      request('tester', web, checkout, 8080, { headers: { 'x-canary-tester': 'anything' } }),
      request('ios', web, checkout, 8080, { method: 'POST', path: '/api/mobile/pay?client=ios' }),
      request('android', web, checkout, 8080, { method: 'POST', path: '/api/mobile/pay?client=android' }),
      request('ios-get', web, checkout, 8080, { method: 'GET', path: '/api/mobile?client=ios' }),
      request('export', web, checkout, 8080, { path: '/export/12.csv' }),
      request('export-longer', web, checkout, 8080, { path: '/export/12.csvx' }),
      request('export-name', web, checkout, 8080, { path: '/export/ab.csv' }),
      request('charge', web, payments, 8443, {
        method: 'POST',
        path: '/v1/charge',
        headers: { 'idempotency-key': uuid },
      }),
      request('charge-nokey', web, payments, 8443, { method: 'POST', path: '/v1/charge' }),
      request('charge-badkey', web, payments, 8443, {
        method: 'POST',
        path: '/v1/charge',
        headers: { 'idempotency-key': 'nope' },
      }),
    ]);
  });
  it('sends testers (header present) and iOS mobile POSTs to v2', () => {
    for (const id of ['tester', 'ios']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('checkout-canary.testers');
      expect(backends(r), id).toEqual({ 'checkout.shop:8080/v2': 100 });
    }
  });
  it('keeps CSV exports (whole-path regex, GET) on v1 with a 45 s timeout', () => {
    const r = result(run.answer, 'export');
    expect(r.route?.name).toBe('checkout-canary.exports');
    expect(backends(r)).toEqual({ 'checkout.shop:8080/v1': 100 });
    expect(r.route?.timeoutMs).toBe(45_000);
  });
  it('splits everyone else 80/20 with a 2 s timeout and 2 retries of 500 ms', () => {
    for (const id of ['android', 'ios-get', 'export-longer', 'export-name']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('checkout-canary.everyone');
      expect(backends(r), id).toEqual({ 'checkout.shop:8080/v1': 80, 'checkout.shop:8080/v2': 20 });
      expect(r.route?.timeoutMs, id).toBe(2000);
      expect(r.route?.retry, id).toMatchObject({ numRetries: 2, perTryTimeoutMs: 500 });
      expect(retryOn(r), id).toEqual(['5xx', 'connect-failure', 'refused-stream']);
    }
  });
  it('gives keyed charges 5 s and 3 retries on gateway errors, the rest of payments 1 s', () => {
    const charge = result(run.answer, 'charge');
    expect(charge.route?.name).toBe('payments.charge');
    expect(backends(charge)).toEqual({ 'payments.shop:8443': 100 });
    expect(charge.route?.timeoutMs).toBe(5000);
    expect(charge.route?.retry?.numRetries).toBe(3);
    expect(retryOn(charge)).toEqual(['gateway-error']);
    for (const id of ['charge-nokey', 'charge-badkey']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('payments.rest');
      expect(r.route?.timeoutMs, id).toBe(1000);
    }
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/consul-canary.yaml', () => {
  const ratings: ServiceDef = {
    namespace: 'bookinfo',
    name: 'ratings',
    ip: '10.96.0.12',
    ports: [{ port: 9080 }],
  };
  const caller = pod('bookinfo', 'reviews', { app: 'reviews' });
  const world = {
    services: [ratings],
    pods: [
      pod('bookinfo', 'ratings-v1', { app: 'ratings', version: 'v1' }),
      pod('bookinfo', 'ratings-v2', { app: 'ratings', version: 'v2' }),
      caller,
    ],
  };
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('test/cases/consul-canary.yaml', world, [
      request('any', caller, ratings, 9080, { path: '/ratings/1' }),
    ]);
  });
  it('splits every request 95/5 and marks it with the release header', () => {
    const r = result(run.answer, 'any');
    expect(backends(r)).toEqual({ 'ratings.bookinfo:9080/v1': 95, 'ratings.bookinfo:9080/v2': 5 });
    expect(headerOps(r.route?.requestHeaders)).toEqual(['set x-canary-release=2026-11']);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/consul-l7-routing.yaml', () => {
  const storefront: ServiceDef = {
    namespace: 'shop',
    name: 'storefront',
    ip: '10.96.1.30',
    ports: [{ port: 8080 }],
  };
  const health: ServiceDef = {
    namespace: 'shop',
    name: 'storefront-health',
    ip: '10.96.1.31',
    ports: [{ port: 8080 }],
  };
  const web = pod('shop', 'web', { app: 'web' });
  const world = {
    services: [storefront, health],
    pods: [
      pod('shop', 'storefront-v1', { app: 'storefront', version: 'v1' }),
      pod('shop', 'storefront-v2', { app: 'storefront', version: 'v2' }),
      pod('shop', 'storefront-health', { app: 'storefront-health' }),
      web,
    ],
  };
  const call = (id: string, path: string, headers: Record<string, string> = {}, method = 'GET') =>
    request(id, web, storefront, 8080, { method, path, headers });
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('test/cases/consul-l7-routing.yaml', world, [
      call('tester-browser', '/', { 'x-tester': 'true', 'user-agent': 'Mozilla/5.0' }),
      call('tester-curl', '/', { 'x-tester': 'true', 'user-agent': 'curl/8' }),
      call('token-beta', '/?beta=1', { 'x-canary-token': 'abc' }),
      call('token-beta2', '/?beta=2', { 'x-canary-token': 'abc' }),
      call('beta-no-token', '/?beta=1'),
      call('checkout-post', '/api/checkout/pay', {}, 'POST'),
      call('checkout-get', '/api/checkout/pay'),
      call('order', '/api/orders/12?trace&region=eu-west', { 'x-client': 'ios' }),
      call('order-no-trace', '/api/orders/12?region=eu-west', { 'x-client': 'ios' }),
      call('order-us', '/api/orders/12?trace=1&region=us-east', { 'x-client': 'android' }),
      call('health', '/healthz'),
      call('other', '/about'),
    ]);
  });
  it('sends testers (both headers, or token plus beta=1) to next with the request header changes', () => {
    for (const id of ['tester-browser', 'token-beta']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('storefront-api.testers');
      expect(backends(r), id).toEqual({ 'storefront.shop:8080/next': 100 });
      expect(headerOps(r.route?.requestHeaders), id).toEqual([
        'add x-canary=1',
        'remove x-debug',
        'set x-routed-by=anymesh',
      ]);
    }
  });
  it('splits checkout POSTs and traced EU order reads 80/20 with 5 s, 3 retries and response headers', () => {
    for (const id of ['checkout-post', 'order']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('storefront-api.checkout');
      expect(backends(r), id).toEqual({ 'storefront.shop:8080/stable': 80, 'storefront.shop:8080/next': 20 });
      expect(r.route?.timeoutMs, id).toBe(5000);
      expect(r.route?.retry?.numRetries, id).toBe(3);
      // "503" is a status code: Envoy retries it through retriable-status-codes.
      expect(retryOn(r), id).toEqual(
        ['5xx', 'connect-failure', 'gateway-error', 'reset', 'retriable-status-codes', 'unavailable'].sort(),
      );
      expect(r.route?.retry?.retriableStatusCodes, id).toEqual([503]);
      expect(headerOps(r.route?.responseHeaders), id).toEqual([
        'add x-served-by=storefront',
        'remove server',
        'set cache-control=no-store',
      ]);
    }
  });
  it('sends /healthz to the storefront-health service', () => {
    const r = result(run.answer, 'health');
    expect(r.route?.name).toBe('storefront-api.health');
    expect(backends(r)).toEqual({ 'storefront-health.shop:8080': 100 });
  });
  it('sends everything else to stable with 15 s and 2 retries', () => {
    for (const id of [
      'tester-curl',
      'token-beta2',
      'beta-no-token',
      'checkout-get',
      'order-no-trace',
      'order-us',
      'other',
    ]) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('storefront-api.default');
      expect(backends(r), id).toEqual({ 'storefront.shop:8080/stable': 100 });
      expect(r.route?.timeoutMs, id).toBe(15_000);
      expect(r.route?.retry?.numRetries, id).toBe(2);
    }
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/consul-namespace-collision.yaml', () => {
  const a: ServiceDef = { namespace: 'team-a', name: 'reviews', ip: '10.96.2.10', ports: [{ port: 9080 }] };
  const b: ServiceDef = { namespace: 'team-b', name: 'reviews', ip: '10.96.2.11', ports: [{ port: 9080 }] };
  const caller = pod('team-a', 'web', { app: 'web' });
  const world = {
    services: [a, b],
    pods: [
      pod('team-a', 'reviews', { app: 'reviews' }),
      pod('team-b', 'reviews', { app: 'reviews' }),
      caller,
    ],
  };
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('test/cases/consul-namespace-collision.yaml', world, [
      request('a', caller, a, 9080),
      request('b', caller, b, 9080),
    ]);
  });
  it("keeps each team's reviews and timeout apart", () => {
    expect(backends(result(run.answer, 'a'))).toEqual({ 'reviews.team-a:9080': 100 });
    expect(result(run.answer, 'a').route?.timeoutMs).toBe(2000);
    expect(backends(result(run.answer, 'b'))).toEqual({ 'reviews.team-b:9080': 100 });
    expect(result(run.answer, 'b').route?.timeoutMs).toBe(4000);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/linkerd-split-routes.yaml', () => {
  const checkout: ServiceDef = {
    namespace: 'shop',
    name: 'checkout',
    ip: '10.96.1.40',
    ports: [{ port: 8080 }],
  };
  const mobile = pod('mobile', 'app-gw', { app: 'app-gw' });
  const web = pod('shop', 'web', { app: 'web' });
  const world = {
    services: [checkout],
    pods: [
      pod('shop', 'checkout-stable', { app: 'checkout', track: 'stable' }),
      pod('shop', 'checkout-canary', { app: 'checkout', track: 'canary' }),
      mobile,
      web,
    ],
  };
  const call = (
    id: string,
    from: typeof web,
    method: string,
    path: string,
    headers: Record<string, string> = {},
  ) => request(id, from, checkout, 8080, { method, path, headers });
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('test/cases/linkerd-split-routes.yaml', world, [
      call('mobile-beta', mobile, 'GET', '/api/orders', { 'x-app-version': '5.1' }),
      call('web-beta', web, 'GET', '/', { 'x-app-version': '5.1' }),
      call('mobile-old-health', mobile, 'GET', '/healthz', { 'x-app-version': '4.0' }),
      call('health-post', web, 'POST', '/healthz'),
      call('order-write', web, 'POST', '/api/orders/1'),
      call('order-read', web, 'GET', '/api/orders'),
      call('apix', web, 'GET', '/apix'),
      call('root', web, 'GET', '/'),
    ]);
  });
  it('sends mobile callers on app 5.x to the canary with 3 retries on 503, before any other rule', () => {
    const r = result(run.answer, 'mobile-beta');
    expect(r.route?.name).toBe('checkout-mobile.beta-testers');
    expect(backends(r)).toEqual({ 'checkout.shop:8080/canary': 100 });
    expect(r.route?.retry?.numRetries).toBe(3);
    expect(r.route?.retry?.retriableStatusCodes).toEqual([503]);
  });
  it('sends GET /healthz to stable without the server header', () => {
    const r = result(run.answer, 'mobile-old-health');
    expect(r.route?.name).toBe('checkout.health');
    expect(backends(r)).toEqual({ 'checkout.shop:8080/stable': 100 });
    expect(headerOps(r.route?.responseHeaders)).toEqual(['remove server']);
  });
  it('splits order writes 95/5 with 90 s, 2 retries of 1.5 s on gateway errors and the write headers', () => {
    const r = result(run.answer, 'order-write');
    expect(r.route?.name).toBe('checkout.orders-write');
    expect(backends(r)).toEqual({ 'checkout.shop:8080/stable': 95, 'checkout.shop:8080/canary': 5 });
    expect(r.route?.timeoutMs).toBe(90_000);
    expect(r.route?.retry).toMatchObject({ numRetries: 2, perTryTimeoutMs: 1500 });
    expect(retryOn(r)).toEqual(['gateway-error']);
    expect(headerOps(r.route?.requestHeaders)).toEqual([
      'add x-trace-tag=canary-5',
      'set x-checkout-path=write',
    ]);
  });
  it('splits the rest of /api (a plain string prefix, so /apix too) 90/10 with 5 s', () => {
    for (const id of ['order-read', 'apix']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('checkout.api');
      expect(backends(r), id).toEqual({ 'checkout.shop:8080/stable': 90, 'checkout.shop:8080/canary': 10 });
      expect(r.route?.timeoutMs, id).toBe(5000);
    }
  });
  it('sends everything else, and non-mobile callers on 5.x, to stable', () => {
    for (const id of ['web-beta', 'health-post', 'root']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('checkout.default');
      expect(backends(r), id).toEqual({ 'checkout.shop:8080/stable': 100 });
    }
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/sources-and-services.yaml', () => {
  const search: ServiceDef = { namespace: 'shop', name: 'search', ip: '10.96.1.50', ports: [{ port: 8080 }] };
  const next: ServiceDef = {
    namespace: 'shop',
    name: 'search-next',
    ip: '10.96.1.51',
    ports: [{ port: 8080 }],
  };
  const mobile = pod('mobile', 'ios-gw', { app: 'ios-gw' });
  const bff = pod('shop', 'mobile-bff', { app: 'mobile-bff' });
  // sources[].labels without a namespace means pods with those labels in any namespace.
  const edgeBff = pod('edge', 'mobile-bff', { app: 'mobile-bff' });
  const web = pod('shop', 'web', { app: 'web' });
  const world = {
    services: [search, next],
    pods: [
      pod('shop', 'search', { app: 'search' }),
      pod('shop', 'search-next', { app: 'search-next' }),
      mobile,
      bff,
      web,
    ],
  };
  const beta = { 'x-beta': '1' };
  const tester = { 'x-user': 'test-7' };
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('test/cases/sources-and-services.yaml', world, [
      request('mobile-beta', mobile, search, 8080, { path: '/q?engine=x', headers: beta }),
      request('bff-beta', bff, search, 8080, { path: '/q?engine=', headers: beta }),
      request('edge-bff-beta', edgeBff, search, 8080, { path: '/q?engine=x', headers: beta }),
      request('web-beta', web, search, 8080, { path: '/q?engine=x', headers: beta }),
      request('web-tester', web, search, 8080, { path: '/q?engine=next', headers: tester }),
      request('mobile-tester', mobile, search, 8080, { path: '/q?engine=next', headers: tester }),
      request('mobile-plain', mobile, search, 8080, { path: '/q' }),
    ]);
  });
  it('sends mobile callers (by namespace or by pod labels) with x-beta and any engine to search-next', () => {
    for (const id of ['mobile-beta', 'bff-beta', 'edge-bff-beta']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('mobile-clients.new-engine');
      expect(backends(r), id).toEqual({ 'search-next.shop:8080': 100 });
    }
  });
  it('splits testers asking for the next engine 50/50 between the services, with 2 retries', () => {
    for (const id of ['web-tester', 'mobile-tester']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('search-default.all');
      expect(backends(r), id).toEqual({ 'search-next.shop:8080': 50, 'search.shop:8080': 50 });
      expect(r.route?.retry?.numRetries, id).toBe(2);
      expect(retryOn(r), id).toEqual(['gateway-error', 'retriable-4xx', 'retriable-status-codes']);
      expect(r.route?.retry?.retriableStatusCodes, id).toEqual([503]);
    }
  });
  it('gives everyone else search with 800 ms', () => {
    for (const id of ['web-beta', 'mobile-plain']) {
      const r = result(run.answer, id);
      expect(r.route?.name, id).toBe('search-default.rest');
      expect(backends(r), id).toEqual({ 'search.shop:8080': 100 });
      expect(r.route?.timeoutMs, id).toBe(800);
    }
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/grpc-faults.yaml', () => {
  it('is refused for Istio (retries.backoff.max), so there is nothing for Istio to run', () => {
    const r = compileCase('test/cases/grpc-faults.yaml');
    expect(r.ok).toBe(false);
    expect(r.yaml.trim()).toBe('');
  });
});
