/**
 * Hand-written expectations for the protocol golden cases (gRPC, redirects, rewrites, TCP; issue 16)
 * that the behaviour tests and the mutation test share, for the sidecar and the ambient output:
 * from the policies' plain meaning (test/cases/*.yaml), never read back from the output.
 *
 * What a reader turns Envoy's answer into: a redirect's Location and status code (driver/protocol.go
 * computes the Location with Envoy's rules for the request sent), the path and host the upstream
 * receives after a rewrite, the weighted clusters of the tcp_proxy a TCP connection meets and its
 * idle timeout, and for gRPC the route a call `/package.Service/Method` (HTTP/2, content-type
 * application/grpc) takes and the HTTP/2 upstream of the chosen clusters.
 */
import { expect } from 'vitest';
import { ambientRequest } from './ambient-world.js';
import type { Answer, Call, Result } from './driver.js';
import {
  arrival,
  backendName,
  backends,
  fqdn,
  type PodDef,
  pod,
  type RequestOptions,
  request,
  result,
  type ServiceDef,
} from './world.js';

/** Envoy's tcp_proxy idle timeout when none is set (extensions.filters.network.tcp_proxy.v3). */
export const TCP_PROXY_DEFAULT_IDLE_MS = 3_600_000;

/** A case: its world, the calls made in it, and the expectations on Istio's answer. */
export interface ProtocolCase {
  readonly file: string;
  readonly services: ServiceDef[];
  readonly pods: PodDef[];
  readonly calls: Call[];
  check(answer: Answer): void;
}

/** Where a TCP connection goes, in the policy's words (as `backends` does for HTTP routes). */
export function tcpBackends(r: Result): Record<string, number> {
  if (!r.tcp) throw new Error(`call ${r.id} met no tcp_proxy: ${r.error ?? JSON.stringify(r)}`);
  return Object.fromEntries(r.tcp.clusters.map((c) => [backendName(c.cluster), c.weight]));
}

/** The redirect a request got: status code and Location. */
export function redirected(r: Result): { code: number; location: string } {
  expect(r.error, r.id).toBeUndefined();
  const rd = r.route?.redirect;
  if (!rd) throw new Error(`call ${r.id} was not redirected: ${JSON.stringify(r)}`);
  expect(r.route?.clusters ?? [], `${r.id} is answered, not forwarded`).toEqual([]);
  return { code: rd.responseCode, location: rd.location };
}

/** What the upstream receives after the route's rewrite: :path and Host (unchanged when absent). */
export function upstreamRequest(r: Result, sent: { path: string; host: string }) {
  expect(r.error, r.id).toBeUndefined();
  return { path: r.route?.rewrite?.path ?? sent.path, host: r.route?.rewrite?.host || sent.host };
}

/**
 * Every cluster the route chose speaks HTTP/2 to its endpoints for this HTTP/2 call (gRPC needs it
 * end to end): explicitly (istiod's cluster for a grpc-* port), or the caller's protocol (the
 * waypoint's cluster for a leaf Service whose port names no protocol, use_downstream_protocol).
 */
function expectHttp2Upstream(r: Result): void {
  const settings = r.route?.clusterSettings ?? {};
  for (const c of r.route?.clusters ?? []) {
    expect(['http2', 'downstream'], `${r.id}: ${c.cluster} speaks HTTP/2`).toContain(
      settings[c.cluster]?.upstreamProtocol,
    );
  }
}

export type Side = 'sidecar' | 'ambient';

/** A call for the side: through the caller's sidecar, or through the Service's waypoint to `server`. */
export function caller(side: Side) {
  return (
    id: string,
    from: PodDef,
    to: ServiceDef,
    port: number,
    opts: Parameters<typeof request>[4] & { server?: PodDef } = {},
  ): Call => {
    const { server, ...rest } = opts;
    return side === 'sidecar'
      ? request(id, from, to, port, rest)
      : ambientRequest(id, from, to, port, { ...rest, ...(server ? { server } : {}) });
  };
}

/** The backend name of version `v` of `service` on `port`: a subset (sidecar) or leaf Service (ambient). */
export const version = (side: Side, service: string, ns: string, port: number, v: string) =>
  side === 'sidecar' ? `${service}.${ns}:${port}/${v}` : `${service}-${v}.${ns}:${port}`;

/** test/cases/grpc-routing.yaml: AddItem to v2, tenant acme's calls to v1, the rest of shop.Cart 90/10. */
export function grpcRouting(side: Side): ProtocolCase {
  const cart: ServiceDef = {
    namespace: 'shop',
    name: 'cart',
    ip: '10.96.3.10',
    ports: [{ port: 50051, protocol: 'grpc' }],
  };
  const v1 = pod('shop', 'cart-v1', { app: 'cart', version: 'v1' });
  const v2 = pod('shop', 'cart-v2', { app: 'cart', version: 'v2' });
  const web = pod('shop', 'web', { app: 'web' });
  const call = caller(side);
  const grpc = (id: string, path: string, server: PodDef | undefined, headers?: Record<string, string>) =>
    call(id, web, cart, 50051, {
      grpc: true,
      path,
      ...(headers ? { headers } : {}),
      ...(server ? { server } : {}),
    });
  const at = (v: string) => version(side, 'cart', 'shop', 50051, v);
  return {
    file: 'test/cases/grpc-routing.yaml',
    services: [cart],
    pods: [v1, v2, web],
    calls: [
      grpc('add', '/shop.Cart/AddItem', v2),
      grpc('add-acme', '/shop.Cart/AddItem', v2, { 'x-tenant': 'acme' }),
      grpc('acme', '/shop.Cart/GetCart', v1, { 'x-tenant': 'acme' }),
      grpc('other-tenant', '/shop.Cart/GetCart', v1, { 'x-tenant': 'globex' }),
      grpc('get', '/shop.Cart/GetCart', v1),
      grpc('other-service', '/shop.Orders/List', undefined),
      grpc('service-prefix', '/shop.CartAdmin/Reset', undefined),
      grpc('method-prefix', '/shop.Cart/AddItems', v1),
    ],
    check(answer) {
      // The first rule holds for AddItem whoever the tenant is (rules are tried in order).
      for (const id of ['add', 'add-acme']) {
        const r = result(answer, id);
        expect(r.route?.name, id).toMatch(/add-item$/);
        expect(backends(r), id).toEqual({ [at('v2')]: 100 });
        expectHttp2Upstream(r);
      }
      const acme = result(answer, 'acme');
      expect(acme.route?.name).toMatch(/tenant-acme$/);
      expect(backends(acme)).toEqual({ [at('v1')]: 100 });
      // Every other shop.Cart call (another tenant, no tenant, a method merely starting with AddItem).
      for (const id of ['other-tenant', 'get', 'method-prefix']) {
        const r = result(answer, id);
        expect(r.route?.name, id).toMatch(/\.?cart$/);
        expect(backends(r), id).toEqual({ [at('v1')]: 90, [at('v2')]: 10 });
        expectHttp2Upstream(r);
      }
      // No rule names another service (nor one whose name only starts with shop.Cart): no route.
      for (const id of ['other-service', 'service-prefix']) {
        expect(result(answer, id).error, id).toBe('no route matched');
      }
    },
  };
}

/** test/cases/grpc-timeouts.yaml: Checkout may take 10 s, every other call 2 s. */
export function grpcTimeouts(side: Side): ProtocolCase {
  const payments: ServiceDef = {
    namespace: 'shop',
    name: 'payments',
    ip: '10.96.3.20',
    ports: [{ port: 9090, protocol: 'grpc' }],
  };
  const server = pod('shop', 'payments', { app: 'payments' });
  const web = pod('shop', 'web', { app: 'web' });
  const call = caller(side);
  const grpc = (id: string, path: string) => call(id, web, payments, 9090, { grpc: true, path, server });
  return {
    file: 'test/cases/grpc-timeouts.yaml',
    services: [payments],
    pods: [server, web],
    calls: [
      grpc('checkout', '/shop.v1.Payments/Checkout'),
      grpc('refund', '/shop.v1.Payments/Refund'),
      grpc('checkout-other-service', '/shop.v2.Payments/Checkout'),
      grpc('checkout-longer', '/shop.v1.Payments/CheckoutAll'),
    ],
    check(answer) {
      const checkout = result(answer, 'checkout');
      expect(checkout.route?.name).toMatch(/checkout$/);
      expect(backends(checkout)).toEqual({ 'payments.shop:9090': 100 });
      expect(checkout.route?.timeoutMs).toBe(10_000);
      expectHttp2Upstream(checkout);
      for (const id of ['refund', 'checkout-other-service', 'checkout-longer']) {
        const r = result(answer, id);
        expect(r.route?.name, id).toMatch(/other$/);
        expect(backends(r), id).toEqual({ 'payments.shop:9090': 100 });
        expect(r.route?.timeoutMs, id).toBe(2000);
      }
    },
  };
}

/** The retry conditions Envoy got on a route, sorted (retry_on is a comma-separated list). */
export const retryOn = (r: Result): string[] =>
  (r.route?.retry?.retryOn ?? '').split(',').filter(Boolean).sort();

/**
 * test/cases/grpc-retries.yaml: shop.Checkout/GetOrder gets 2 s, 3 retries of 500 ms each on the
 * gRPC statuses UNAVAILABLE, RESOURCE_EXHAUSTED and DEADLINE_EXCEEDED; every other shop.Checkout
 * call 5 s and 2 retries on UNAVAILABLE, each try bounded by the call's own timeout only. Envoy's
 * retry_on takes gRPC statuses by these names (config.route.v3.RetryPolicy.retry_on: the conditions
 * of x-envoy-retry-on and x-envoy-retry-grpc-on), so the sidecar's retry_on is the policy's list
 * itself. The ambient output's HTTPRoute retry has no conditions (GEP-1731): what Istio then retries
 * is stated apart, in grpcRetriesAmbientConditions, as the AM3003 warnings say.
 */
export function grpcRetries(side: Side): ProtocolCase {
  const checkout: ServiceDef = {
    namespace: 'shop',
    name: 'checkout',
    ip: '10.96.3.25',
    ports: [{ port: 50051, protocol: 'grpc' }],
  };
  const server = pod('shop', 'checkout', { app: 'checkout' });
  const web = pod('shop', 'web', { app: 'web' });
  const call = caller(side);
  const grpc = (id: string, path: string, to?: PodDef) =>
    call(id, web, checkout, 50051, { grpc: true, path, ...(to ? { server: to } : {}) });
  return {
    file: 'test/cases/grpc-retries.yaml',
    services: [checkout],
    pods: [server, web],
    calls: [
      grpc('get-order', '/shop.Checkout/GetOrder', server),
      grpc('place-order', '/shop.Checkout/PlaceOrder', server),
      // An exact method match: a longer method name is another call of the service.
      grpc('get-order-status', '/shop.Checkout/GetOrderStatus', server),
      grpc('other-service', '/shop.Cart/GetCart'),
    ],
    check(answer) {
      const get = result(answer, 'get-order');
      expect(get.route?.name).toMatch(/get-order$/);
      expect(backends(get)).toEqual({ 'checkout.shop:50051': 100 });
      expectHttp2Upstream(get);
      expect(get.route?.timeoutMs, 'get-order call timeout').toBe(2000);
      expect(get.route?.retry?.numRetries, 'get-order retries').toBe(3);
      expect(get.route?.retry?.perTryTimeoutMs, 'get-order per-try timeout').toBe(500);
      for (const id of ['place-order', 'get-order-status']) {
        const r = result(answer, id);
        expect(r.route?.name, id).toMatch(/\.?checkout$/);
        expect(backends(r), id).toEqual({ 'checkout.shop:50051': 100 });
        expectHttp2Upstream(r);
        expect(r.route?.timeoutMs, `${id} call timeout`).toBe(5000);
        expect(r.route?.retry?.numRetries, `${id} retries`).toBe(2);
        // No per-try timeout: each try may use what is left of the 5 s (Envoy's default).
        expect(r.route?.retry?.perTryTimeoutMs, `${id} per-try timeout`).toBeUndefined();
      }
      // Retried on the statuses the policy lists: exactly those on the sidecar; on ambient at least
      // UNAVAILABLE, the one status both rules list that an HTTPRoute retry still gets.
      if (side === 'sidecar') {
        expect(retryOn(get), 'get-order retry_on').toEqual(
          ['deadline-exceeded', 'resource-exhausted', 'unavailable'].sort(),
        );
        for (const id of ['place-order', 'get-order-status'])
          expect(retryOn(result(answer, id)), `${id} retry_on`).toEqual(['unavailable']);
      } else {
        for (const id of ['get-order', 'place-order', 'get-order-status'])
          expect(retryOn(result(answer, id)), `${id} retry_on`).toContain('unavailable');
      }
      expect(result(answer, 'other-service').error).toBe('no route matched');
    },
  };
}

/**
 * Not the policy's meaning, what Istio makes of the ambient output's retries (the AM3003 warnings on
 * retries.attempts and retries.on.grpc say so): Istio's gateway controller gives every HTTPRoute
 * retry the conditions connect-failure, refused-stream, unavailable and cancelled, plus the listed
 * codes (pilot/pkg/config/kube/gateway/conversion.go, `r.Retry != nil`), and the HTTPRoute has no
 * field for gRPC statuses. So GetOrder is not retried on RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED,
 * and both rules retry CANCELLED and connection failures they do not list.
 */
export function grpcRetriesAmbientConditions(answer: Answer): void {
  for (const id of ['get-order', 'place-order'])
    expect(retryOn(result(answer, id)), id).toEqual(
      ['cancelled', 'connect-failure', 'refused-stream', 'unavailable'].sort(),
    );
}

const storefront: ServiceDef = {
  namespace: 'shop',
  name: 'storefront',
  ip: '10.96.3.30',
  ports: [{ port: 8080 }],
};

/**
 * test/cases/redirect-paths.yaml: /checkout... answers 301 to the same URL over https (port 443,
 * the scheme's own, so no port in the Location); /help answers 308 to docs.example.com's
 * /storefront/help on the request's port (no scheme or port given); the rest is served, 15 s.
 */
export function redirectPaths(side: Side): ProtocolCase {
  const server = pod('shop', 'storefront', { app: 'storefront' });
  const web = pod('shop', 'web', { app: 'web' });
  const call = caller(side);
  const host = fqdn(storefront);
  return {
    file: 'test/cases/redirect-paths.yaml',
    services: [storefront],
    pods: [server, web],
    calls: [
      call('checkout', web, storefront, 8080, { path: '/checkout/cart?step=2' }),
      call('checkout-root', web, storefront, 8080, { method: 'POST', path: '/checkout' }),
      // As curl http://storefront.shop:8080/checkout sends it: the Host names the port.
      { ...call('checkout-hostport', web, storefront, 8080, { path: '/checkout' }), host: `${host}:8080` },
      call('help', web, storefront, 8080, { path: '/help' }),
      call('help-query', web, storefront, 8080, { path: '/help?topic=returns' }),
      call('help-sub', web, storefront, 8080, { path: '/help/returns', server }),
      call('home', web, storefront, 8080, { path: '/', server }),
    ],
    check(answer) {
      expect(redirected(result(answer, 'checkout'))).toEqual({
        code: 301,
        location: `https://${host}/checkout/cart?step=2`,
      });
      expect(redirected(result(answer, 'checkout-root'))).toEqual({
        code: 301,
        location: `https://${host}/checkout`,
      });
      expect(redirected(result(answer, 'help'))).toEqual({
        code: 308,
        location: 'http://docs.example.com:8080/storefront/help',
      });
      // Replacing the full path keeps the query (Gateway API ReplaceFullPath, Envoy path_redirect).
      expect(redirected(result(answer, 'help-query'))).toEqual({
        code: 308,
        location: 'http://docs.example.com:8080/storefront/help?topic=returns',
      });
      // /help is an exact match: /help/returns is served like the rest.
      for (const id of ['help-sub', 'home']) {
        const r = result(answer, id);
        expect(r.route?.redirect, id).toBeUndefined();
        expect(r.route?.name, id).toMatch(/app$/);
        expect(backends(r), id).toEqual({ 'storefront.shop:8080': 100 });
        expect(r.route?.timeoutMs, id).toBe(15_000);
      }
    },
  };
}

/**
 * Not the policy's meaning, a limitation of Istio's output that redirect-paths' `checkout-hostport`
 * call shows (kept apart so the case's own check states only the policy): istiod drops port 443
 * from an https redirect (istio/istio pilot/pkg/networking/core/route/route.go ApplyRedirect, "Do
 * not put explicit :80 or :443"), and without port_redirect Envoy keeps the port the request's Host
 * names (envoy source/common/http/utility.cc processRequestHost drops only :80 when the scheme
 * changes from http). So a caller of storefront:8080 is sent to https://...:8080. No VirtualService
 * or HTTPRoute field avoids it; this fails, and tells, when Istio changes it.
 */
export function httpsRedirectKeepsHostPort(answer: Answer): void {
  expect(redirected(result(answer, 'checkout-hostport'))).toEqual({
    code: 301,
    location: `https://${fqdn(storefront)}:8080/checkout`,
  });
}

/**
 * test/cases/redirect-prefix.yaml (ambient only; the sidecar column refuses it): /catalog and what
 * lies under it answer 302 (the default) with /catalog replaced by /products, the rest of the path
 * and the query kept, on the request's scheme, host and port. Other paths have no rule.
 */
export function redirectPrefix(): ProtocolCase {
  const server = pod('shop', 'storefront', { app: 'storefront' });
  const web = pod('shop', 'web', { app: 'web' });
  const call = caller('ambient');
  const base = `http://${fqdn(storefront)}:8080`;
  return {
    file: 'test/cases/redirect-prefix.yaml',
    services: [storefront],
    pods: [server, web],
    calls: [
      call('shoes', web, storefront, 8080, { path: '/catalog/shoes?color=red' }),
      call('catalog', web, storefront, 8080, { path: '/catalog' }),
      call('other', web, storefront, 8080, { path: '/cart' }),
    ],
    check(answer) {
      expect(redirected(result(answer, 'shoes'))).toEqual({
        code: 302,
        location: `${base}/products/shoes?color=red`,
      });
      expect(redirected(result(answer, 'catalog'))).toEqual({ code: 302, location: `${base}/products` });
      expect(result(answer, 'other').error).toBe('no route matched');
    },
  };
}

/**
 * test/cases/rewrite-host.yaml: every request reaches legacy with Host legacy.internal.example.com;
 * /healthz (exactly) arrives as /status/health.jsp, other paths unchanged.
 */
export function rewriteHost(side: Side): ProtocolCase {
  const legacy: ServiceDef = { namespace: 'shop', name: 'legacy', ip: '10.96.3.40', ports: [{ port: 8080 }] };
  const server = pod('shop', 'legacy', { app: 'legacy' });
  const web = pod('shop', 'web', { app: 'web' });
  const call = caller(side);
  const sent = (path: string) => ({ path, host: fqdn(legacy) });
  return {
    file: 'test/cases/rewrite-host.yaml',
    services: [legacy],
    pods: [server, web],
    calls: [
      call('health', web, legacy, 8080, { path: '/healthz', server }),
      call('health-query', web, legacy, 8080, { path: '/healthz?verbose=1', server }),
      call('health-sub', web, legacy, 8080, { path: '/healthz/db', server }),
      call('page', web, legacy, 8080, { path: '/orders/7', server }),
    ],
    check(answer) {
      const target = 'legacy.internal.example.com';
      const health = result(answer, 'health');
      expect(health.route?.name).toMatch(/health$/);
      expect(upstreamRequest(health, sent('/healthz'))).toEqual({ path: '/status/health.jsp', host: target });
      expect(upstreamRequest(result(answer, 'health-query'), sent('/healthz?verbose=1'))).toEqual({
        path: '/status/health.jsp?verbose=1',
        host: target,
      });
      for (const [id, path] of [
        ['health-sub', '/healthz/db'],
        ['page', '/orders/7'],
      ] as const) {
        const r = result(answer, id);
        expect(r.route?.name, id).toMatch(/app$/);
        expect(upstreamRequest(r, sent(path)), id).toEqual({ path, host: target });
      }
      for (const c of this.calls)
        expect(backends(result(answer, c.id)), c.id).toEqual({ 'legacy.shop:8080': 100 });
    },
  };
}

/**
 * test/cases/rewrite-prefix.yaml: /api/v2... reaches orders' stable version (v3) as /v2... (the
 * rest of the path and the query kept), within 5 s; nothing else has a rule.
 */
export function rewritePrefix(side: Side): ProtocolCase {
  const orders: ServiceDef = { namespace: 'shop', name: 'orders', ip: '10.96.3.50', ports: [{ port: 8080 }] };
  const v3 = pod('shop', 'orders-v3', { app: 'orders', version: 'v3' });
  const v2 = pod('shop', 'orders-v2', { app: 'orders', version: 'v2' });
  const web = pod('shop', 'web', { app: 'web' });
  const call = caller(side);
  const sent = (path: string) => ({ path, host: fqdn(orders) });
  return {
    file: 'test/cases/rewrite-prefix.yaml',
    services: [orders],
    pods: [v3, v2, web],
    calls: [
      call('order', web, orders, 8080, { path: '/api/v2/orders/7?expand=items', server: v3 }),
      call('root', web, orders, 8080, { path: '/api/v2', server: v3 }),
      call('v1', web, orders, 8080, { path: '/api/v1/orders' }),
    ],
    check(answer) {
      for (const [id, path, upstream] of [
        ['order', '/api/v2/orders/7?expand=items', '/v2/orders/7?expand=items'],
        ['root', '/api/v2', '/v2'],
      ] as const) {
        const r = result(answer, id);
        expect(r.route?.name, id).toMatch(/api$/);
        expect(backends(r), id).toEqual({ [version(side, 'orders', 'shop', 8080, 'stable')]: 100 });
        expect(upstreamRequest(r, sent(path)), id).toEqual({ path: upstream, host: fqdn(orders) });
        expect(r.route?.timeoutMs, id).toBe(5000);
      }
      expect(result(answer, 'v1').error).toBe('no route matched');
    },
  };
}

/** test/cases/tcp-canary.yaml: 95% of new connections to Postgres 16, 5% to 17. */
export function tcpCanary(side: Side): ProtocolCase {
  const db: ServiceDef = {
    namespace: 'shop',
    name: 'orders-db',
    ip: '10.96.3.60',
    ports: [{ port: 5432, protocol: 'tcp' }],
  };
  const pg16 = pod('shop', 'orders-db-16', { app: 'orders-db', postgres: '16' });
  const pg17 = pod('shop', 'orders-db-17', { app: 'orders-db', postgres: '17' });
  const worker = pod('shop', 'orders', { app: 'orders' });
  const call = caller(side);
  return {
    file: 'test/cases/tcp-canary.yaml',
    services: [db],
    pods: [pg16, pg17, worker],
    calls: [
      call('connect', worker, db, 5432, { tcp: true, server: pg16 }),
      call('connect-17', worker, db, 5432, { tcp: true, server: pg17 }),
    ],
    check(answer) {
      for (const id of ['connect', 'connect-17']) {
        const r = result(answer, id);
        expect(r.error, id).toBeUndefined();
        expect(tcpBackends(r), id).toEqual({
          [version(side, 'orders-db', 'shop', 5432, 'pg16')]: 95,
          [version(side, 'orders-db', 'shop', 5432, 'pg17')]: 5,
        });
      }
    },
  };
}

/** test/cases/tcp-idle-timeout.yaml (sidecar only; ambient refuses it): Redis connections close after an hour idle. */
export function tcpIdleTimeout(): ProtocolCase {
  const redis: ServiceDef = {
    namespace: 'shop',
    name: 'redis',
    ip: '10.96.3.70',
    ports: [{ port: 6379, protocol: 'tcp' }],
  };
  const server = pod('shop', 'redis', { app: 'redis' });
  const worker = pod('shop', 'worker', { app: 'worker' });
  return {
    file: 'test/cases/tcp-idle-timeout.yaml',
    services: [redis],
    pods: [server, worker],
    calls: [request('connect', worker, redis, 6379, { tcp: true })],
    check(answer) {
      const r = result(answer, 'connect');
      expect(tcpBackends(r)).toEqual({ 'redis.shop:6379': 100 });
      // The connection is the tcp_proxy's: its idle_timeout is the one that closes it.
      expect(r.tcp?.idleTimeoutMs ?? TCP_PROXY_DEFAULT_IDLE_MS, 'tcp_proxy idle timeout').toBe(3_600_000);
    },
  };
}

/**
 * What a route that sets no retries may retry on Istio (docs/policy-model.md, "Omitted timeout and
 * retries"): istiod gives it its default policy, 2 retries on connect-failure, refused-stream,
 * unavailable, cancelled and retriable-status-codes (pilot/pkg/networking/core/route/retry/retry.go
 * defaultRetryOn) with no status code listed. Of these only the connection conditions can fire for a
 * service that is not gRPC (unavailable and cancelled are grpc-status values, and
 * retriable-status-codes lists none), which the neutral meaning allows: a request the service may have
 * seen is not sent again, as the Istio descriptor declares (`differs: grpc`).
 */
export function expectNoRetryOfSeenRequests(r: Result): void {
  const retry = r.route?.retry;
  if (!retry) return;
  const connection = ['connect-failure', 'refused-stream'];
  const grpcStatuses = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];
  for (const on of retryOn(r))
    expect([...connection, ...grpcStatuses, 'retriable-status-codes'], `${r.id} retries on ${on}`).toContain(
      on,
    );
  expect(retry.retriableStatusCodes ?? [], `${r.id} retries no status code`).toEqual([]);
}

/** The service port of test/cases/http2-api.yaml, and the Service in its world (the user's). */
const CATALOG_PORT = 8080;
export const catalogService = (port: ServiceDef['ports'][number] = { port: CATALOG_PORT }): ServiceDef => ({
  namespace: 'shop',
  name: 'catalog',
  ip: '10.96.3.80',
  ports: [port],
});

/**
 * test/cases/http2-api.yaml: catalog speaks HTTP/2 in cleartext. GET /v1/search... goes to v2 within
 * 2 s; the rest of /v1/ is split 80/20 between v1 and v2 within 5 s, retried twice when a proxy could
 * not reach the backend (gateway-error: 502, 503, 504); nothing else has a rule. Every backend of a
 * route is spoken to over HTTP/2, also for a caller that sends HTTP/1.1: on the sidecar the caller's
 * sidecar upgrades (the Envoy cluster of each subset has explicit HTTP/2 protocol options), on ambient
 * the waypoint's cluster of each leaf Service does (appProtocol kubernetes.io/h2c). What reaches the
 * pod from a sidecar is the Service port's business, stated apart (http2ServerHop).
 */
export function http2Api(side: Side): ProtocolCase {
  const catalog = catalogService();
  const v1 = pod('shop', 'catalog-v1', { app: 'catalog', version: 'v1' });
  const v2 = pod('shop', 'catalog-v2', { app: 'catalog', version: 'v2' });
  const web = pod('shop', 'web', { app: 'web' });
  const call = caller(side);
  const to = (id: string, path: string, server: PodDef | undefined, opts: RequestOptions = {}) =>
    call(id, web, catalog, CATALOG_PORT, { path, ...opts, ...(server ? { server } : {}) });
  const at = (v: string) => version(side, 'catalog', 'shop', CATALOG_PORT, v);
  const sidecarArrivals =
    side === 'sidecar'
      ? [
          arrival('arrive-v1', web, v1, CATALOG_PORT, { path: '/v1/items/7' }),
          arrival('arrive-v1-h2', web, v1, CATALOG_PORT, { path: '/v1/items/7', http2: true }),
        ]
      : [];
  return {
    file: 'test/cases/http2-api.yaml',
    services: [catalog],
    pods: [v1, v2, web],
    calls: [
      to('search', '/v1/search?q=shoes', v2, { method: 'GET' }),
      to('search-sub', '/v1/search/suggest', v2, { method: 'GET' }),
      // GET only: a POST to the search endpoint is the rest of the API.
      to('search-post', '/v1/search', v1, { method: 'POST' }),
      to('items', '/v1/items/7', v1, { method: 'GET' }),
      to('items-h2', '/v1/items/7', v2, { method: 'GET', http2: true }),
      to('v1-root', '/v1', side === 'ambient' ? v1 : undefined),
      to('v2', '/v2/items', undefined),
      ...sidecarArrivals,
    ],
    check(answer) {
      const expectHttp2 = (r: Result) => {
        const settings = r.route?.clusterSettings ?? {};
        for (const c of r.route?.clusters ?? [])
          expect(settings[c.cluster]?.upstreamProtocol, `${r.id}: ${c.cluster} speaks HTTP/2`).toBe('http2');
      };
      for (const id of ['search', 'search-sub']) {
        const r = result(answer, id);
        expect(r.error, id).toBeUndefined();
        expect(r.route?.name, id).toMatch(/search$/);
        expect(backends(r), id).toEqual({ [at('v2')]: 100 });
        expect(r.route?.timeoutMs, id).toBe(2000);
        expectNoRetryOfSeenRequests(r);
        expectHttp2(r);
      }
      for (const id of ['search-post', 'items', 'items-h2']) {
        const r = result(answer, id);
        expect(r.error, id).toBeUndefined();
        expect(r.route?.name, id).toMatch(/api$/);
        expect(backends(r), id).toEqual({ [at('v1')]: 80, [at('v2')]: 20 });
        expect(r.route?.timeoutMs, id).toBe(5000);
        expect(r.route?.retry?.numRetries, `${id} retries`).toBe(2);
        // gateway-error: Envoy's condition on the sidecar; the HTTPRoute's codes on ambient (with the
        // connection conditions Istio adds to every HTTPRoute retry, as AM3003 warns).
        if (side === 'sidecar') expect(retryOn(r), `${id} retry_on`).toEqual(['gateway-error']);
        else expect([...(r.route?.retry?.retriableStatusCodes ?? [])].sort(), id).toEqual([502, 503, 504]);
        expectHttp2(r);
      }
      expect(result(answer, 'v2').error).toBe('no route matched');
      // /v1 is not under the string prefix /v1/ (sidecar); the waypoint's segment prefix ignores the
      // trailing / and takes it (the AM3003 warning on match.path.prefix says so).
      const root = result(answer, 'v1-root');
      if (side === 'sidecar') expect(root.error).toBe('no route matched');
      else expect(backends(root)).toEqual({ [at('v1')]: 80, [at('v2')]: 20 });
    },
  };
}

/**
 * Not the policy's meaning, what the sidecar column's protocol.http2 cell says (partial): the
 * DestinationRule upgrade is of the hop between the sidecars. The server's sidecar speaks to the pod
 * in the protocol the Service port declares: for the http-8080 port of the case's world, HTTP/1.1
 * (istiod's inbound cluster has no HTTP/2 options; applyH2Upgrade is for outbound clusters), whether
 * the call arrived as HTTP/1.1 or HTTP/2.
 */
export function http2ServerHop(answer: Answer, expected: string | undefined): void {
  for (const id of ['arrive-v1', 'arrive-v1-h2']) {
    const r = result(answer, id);
    expect(r.error, id).toBeUndefined();
    expect(r.inboundCluster, `${id}: the server's sidecar forwards to the pod`).toBeDefined();
    expect(r.inboundCluster?.upstreamProtocol, `${id}: the protocol the pod receives`).toBe(expected);
  }
}
