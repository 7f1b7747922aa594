/**
 * Istio behaviour, sidecar column, of the two golden cases written for the ambient column: their
 * sidecar output (VirtualService/DestinationRule, AuthorizationPolicy by selector) run through the
 * caller's and the server's sidecars as in routing.test.ts and security.test.ts. Where the two data
 * planes differ for the same policy the expectation says so (a path prefix is a string prefix on a
 * sidecar, a segment prefix on a waypoint; ambient-routing.test.ts states the other side).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type CaseRun, expectAnalyzers, runCase } from './harness.js';
import {
  allowed,
  arrival,
  backendName,
  backends,
  headerOps,
  pod,
  request,
  result,
  type ServiceDef,
} from './world.js';

describe('test/cases/ambient-routing.yaml', () => {
  const svc = (name: string, ip: string, port: number): ServiceDef => ({
    namespace: 'shop',
    name,
    ip,
    ports: [{ port }],
  });
  const cart = svc('cart', '10.96.4.30', 8080);
  const search = svc('search', '10.96.4.31', 8080);
  const web = pod('shop', 'storefront', { app: 'storefront' }, 'storefront');
  const world = {
    services: [cart, search, svc('cart-legacy', '10.96.4.32', 9090), svc('cart-shadow', '10.96.4.33', 8080)],
    pods: [
      pod('shop', 'cart-v1', { app: 'cart', version: 'v1' }),
      pod('shop', 'cart-v2', { app: 'cart', version: 'v2' }),
      pod('shop', 'search', { app: 'search' }),
      pod('shop', 'cart-legacy', { app: 'cart-legacy' }),
      pod('shop', 'cart-shadow', { app: 'cart-shadow' }),
      web,
    ],
  };
  const beta = { 'x-beta': 'true', 'x-client': 'mobile-ios', 'x-build': '42', 'x-trace': 't1' };
  const betaPath = '/cart/checkout?variant=b&ref=abc&debug=1';
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('test/cases/ambient-routing.yaml', world, [
      request('beta', web, cart, 8080, { method: 'POST', path: betaPath, headers: beta }),
      request('beta-get', web, cart, 8080, { method: 'GET', path: betaPath, headers: beta }),
      request('beta-build-word', web, cart, 8080, {
        method: 'POST',
        path: betaPath,
        headers: { ...beta, 'x-build': '4a2' },
      }),
      request('cart-items', web, cart, 8080, { path: '/cart/items' }),
      request('cartoon', web, cart, 8080, { path: '/cartoon' }),
      request('help', web, cart, 8080, { path: '/help' }),
      request('sku', web, search, 8080, { path: '/search/sku-123' }),
      request('sku-letters', web, search, 8080, { path: '/search/sku-12a' }),
    ]);
  });
  it('sends the beta checkout to v2 with its header changes', () => {
    const r = result(run.answer, 'beta');
    expect(r.route?.name).toBe('cart-routing.beta-checkout');
    expect(backends(r)).toEqual({ 'cart.shop:8080/v2': 100 });
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
  });
  it('sends the rest under /cart 90/10 with 10 s, 3 retries of 2 s on 5xx/409/connect-failure/unavailable and a 12.5% mirror; /cartoon too (a string prefix on a sidecar)', () => {
    for (const i of ['beta-get', 'beta-build-word', 'cart-items', 'cartoon']) {
      const r = result(run.answer, i);
      expect(r.route?.name, i).toBe('cart-routing.cart-api');
      expect(backends(r), i).toEqual({ 'cart.shop:8080/v1': 90, 'cart.shop:8080/v2': 10 });
      expect(r.route?.timeoutMs, i).toBe(10_000);
      expect(r.route?.retry, i).toMatchObject({ numRetries: 3, perTryTimeoutMs: 2000, backoffBaseMs: 100 });
      expect(r.route?.retry?.retryOn.split(',').sort(), i).toEqual(
        ['5xx', 'connect-failure', 'retriable-4xx', 'unavailable'].sort(),
      );
      expect(
        r.route?.mirrors?.map((m) => [backendName(m.cluster), m.percent]),
        i,
      ).toEqual([['cart.shop:8080/v2', 12.5]]);
    }
  });
  it('sends everything else to cart-legacy:9090 with 5 s, 2 retries on gateway errors and 503, a 50% mirror and CORS', () => {
    const r = result(run.answer, 'help');
    expect(r.route?.name).toBe('cart-routing.default');
    expect(backends(r)).toEqual({ 'cart-legacy.shop:9090': 100 });
    expect(r.route?.timeoutMs).toBe(5000);
    expect(r.route?.retry?.numRetries).toBe(2);
    expect(r.route?.retry?.retryOn.split(',').sort()).toEqual(
      ['gateway-error', 'retriable-status-codes'].sort(),
    );
    expect(r.route?.retry?.retriableStatusCodes).toEqual([503]);
    expect(r.route?.mirrors?.map((m) => [backendName(m.cluster), m.percent])).toEqual([
      ['cart-shadow.shop:8080', 50],
    ]);
    expect(r.route?.cors).toEqual({
      allowOrigins: ['exact:https://shop.example.com', 'exact:http://localhost:3000'],
      allowMethods: 'GET,POST',
      allowHeaders: 'content-type,x-requested-with',
      exposeHeaders: 'x-request-id',
      maxAge: '600',
      allowCredentials: true,
    });
  });
  it('serves /search/sku-<digits> with 2 s, nothing else', () => {
    expect(result(run.answer, 'sku').route?.timeoutMs).toBe(2000);
    expect(backends(result(run.answer, 'sku'))).toEqual({ 'search.shop:8080': 100 });
    expect(result(run.answer, 'sku-letters').error).toBe('no route matched');
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/ambient-access.yaml', () => {
  const inventory = pod('shop', 'inventory', { app: 'inventory' });
  const orders = pod('shop', 'orders', { app: 'orders' });
  const worker = pod('shop', 'order-worker', { app: 'order-worker' }, 'orders');
  const web = pod('shop', 'storefront', { app: 'storefront' }, 'storefront');
  const ops = pod('ops', 'toolbox', { app: 'toolbox' });
  const sandbox = pod('sandbox', 'tool', { app: 'tool' });
  const services: ServiceDef[] = [
    {
      namespace: 'shop',
      name: 'inventory',
      ip: '10.96.4.40',
      ports: [{ port: 8080 }, { port: 9090, tcp: true }],
    },
    { namespace: 'shop', name: 'orders', ip: '10.96.4.41', ports: [{ port: 8080 }] },
  ];
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(
      'test/cases/ambient-access.yaml',
      { services, pods: [inventory, orders, worker, web, ops, sandbox] },
      [
        arrival('worker-inventory', worker, inventory, 8080),
        arrival('ops-inventory', ops, inventory, 8080),
        arrival('web-inventory', web, inventory, 8080),
        arrival('worker-inventory-9090', worker, inventory, 9090, { tcp: true }),
        arrival('plaintext-inventory', worker, inventory, 8080, { plaintext: true }),
        arrival('web-orders-get', web, orders, 8080, { path: '/orders/7' }),
        arrival('web-orders-post', web, orders, 8080, { method: 'POST', path: '/orders/7' }),
        arrival('worker-orders-get', worker, orders, 8080, { path: '/orders/7' }),
        arrival('sandbox-orders-get', sandbox, orders, 8080, { path: '/orders/7' }),
      ],
    );
  });
  it('lets shop/orders and namespace ops reach inventory on 8080, nobody else, no other port, no plaintext', () => {
    for (const i of ['worker-inventory', 'ops-inventory'])
      expect(allowed(result(run.answer, i)), i).toBe(true);
    for (const i of ['web-inventory', 'worker-inventory-9090'])
      expect(allowed(result(run.answer, i)), i).toBe(false);
    const plain = result(run.answer, 'plaintext-inventory');
    expect(plain.error === 'no filter chains matched' && !plain.authz, 'strict mTLS refuses plaintext').toBe(
      true,
    );
  });
  it('lets only storefront GET /orders/*, and denies namespace sandbox', () => {
    expect(allowed(result(run.answer, 'web-orders-get'))).toBe(true);
    for (const i of ['web-orders-post', 'worker-orders-get', 'sandbox-orders-get'])
      expect(allowed(result(run.answer, i)), i).toBe(false);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});
