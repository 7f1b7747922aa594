/**
 * Istio behaviour, ambient data plane, access and mTLS: each golden AccessPolicy/MTLSPolicy case
 * compiled for Istio's ambient column and asked of Istio's code as ambient-routing.test.ts
 * describes (what Istio covers and what the driver evaluates itself is said there): the waypoint's
 * RBAC for L7 policies attached by targetRefs, then ztunnel's decision at the destination pod over
 * Istio's conversion of the selector and namespace policies (the ztunnel guard that admits only the
 * waypoint, PeerAuthentication STRICT/PERMISSIVE), and callers that go around the waypoint.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  id,
  viaWaypoint,
  WAYPOINT,
  waypointDenies,
  zeroTrustAmbient,
  ztunnelAllows,
  ztunnelDenies,
} from './ambient-expectations.js';
import {
  type AmbientRun,
  ambientClusterYaml,
  ambientRequest,
  compileAmbient,
  compileAmbientText,
  direct,
  runAmbientCase,
} from './ambient-world.js';
import { type Answer, askIstio } from './driver.js';
import { DENY_HTTP_ONLY } from './expectations.js';
import { expectAnalyzers } from './harness.js';
import { backends, pod, result, type ServiceDef, service } from './world.js';

describe('ambient: examples/zero-trust.yaml', () => {
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase('examples/zero-trust.yaml', zeroTrustAmbient.world, zeroTrustAmbient.calls);
  });
  it('lets only productpage GET /reviews/* at the waypoint, admits only the waypoint at reviews, refuses plaintext', () =>
    zeroTrustAmbient.check(run.answer));
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

describe('ambient: test/cases/access-ip-block.yaml', () => {
  it('is refused for the ambient column (a waypoint does not see the caller address, AM3001), so there is nothing to run', () => {
    const c = compileAmbient('test/cases/access-ip-block.yaml');
    expect(c.ok).toBe(false);
    expect(c.yaml.trim()).toBe('');
    expect(c.diagnostics.filter((d) => d.includes('error AM3001')).length).toBe(3);
  });
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
        call('checkout-dispute', checkout, 'POST', '/v1/disputes'),
        ambientRequest('checkout-dispute-reviewed', checkout, payments, 8080, {
          method: 'POST',
          path: '/v1/disputes',
          headers: { 'x-reviewed-by': 'ops-7' },
          server: paymentsPod,
        }),
        ambientRequest('batch-legacy', batch, payments, 8080, {
          path: '/v1/balance',
          headers: { 'x-client': 'legacy-cron/2' },
          server: paymentsPod,
        }),
      ],
    );
  });
  it('lets disputes through the waypoint only once reviewed, and denies legacy clients of batch-jobs there', () => {
    expect(result(run.answer, 'checkout-dispute-reviewed').authz?.allowed).toBe(true);
    ztunnelAllows(result(run.answer, 'checkout-dispute-reviewed'), WAYPOINT('shop'));
    waypointDenies(result(run.answer, 'checkout-dispute'));
    const legacy = result(run.answer, 'batch-legacy');
    waypointDenies(legacy);
    expect(
      legacy
        .authz!.filters.find((f) => f.action === 'DENY')
        ?.matched.some((p) => p.includes('payments-no-deletes')),
    ).toBe(true);
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

describe('ambient: test/cases/access-headers.yaml', () => {
  const reports: ServiceDef = {
    namespace: 'shop',
    name: 'reports',
    ip: '10.96.1.90',
    ports: [{ port: 8080 }],
  };
  const reportsPod = pod('shop', 'reports', { app: 'reports' });
  const storefront = pod('shop', 'storefront', { app: 'storefront' }, 'storefront');
  const partner = pod('partners', 'gateway', { app: 'gateway' }, 'gateway');
  const partnerHeaders = { authorization: 'Bearer t0k3n', 'x-api-version': 'v2.3' };
  const call = (i: string, from: typeof storefront, path: string, headers?: Record<string, string>) =>
    ambientRequest(i, from, reports, 8080, { path, ...(headers ? { headers } : {}), server: reportsPod });
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/access-headers.yaml',
      { services: [reports], pods: [reportsPod, storefront, partner] },
      [
        call('sf-acme', storefront, '/reports/q3', { 'x-tenant': 'acme' }),
        call('sf-globex', storefront, '/reports/q3', { 'x-tenant': 'globex' }),
        call('sf-health', storefront, '/healthz'),
        call('partner-v2', partner, '/reports/export', partnerHeaders),
        call('partner-v1', partner, '/reports/export', { ...partnerHeaders, 'x-api-version': 'v1' }),
        direct('partner-bypass', partner, reportsPod, 8080),
      ],
    );
  });
  it('checks the header conditions at the waypoint: exact tenant, credentials present, version prefix', () => {
    for (const i of ['sf-acme', 'sf-health', 'partner-v2']) {
      expect(result(run.answer, i).authz?.allowed, i).toBe(true);
      ztunnelAllows(result(run.answer, i), WAYPOINT('shop'));
    }
    for (const i of ['sf-globex', 'partner-v1']) waypointDenies(result(run.answer, i));
  });
  it('admits only the waypoint at the reports pods', () =>
    ztunnelDenies(result(run.answer, 'partner-bypass')));
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
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

describe('ambient: test/cases/access-authenticated.yaml', () => {
  const ledger = pod('finance', 'ledger', { app: 'ledger' });
  const archive = pod('finance', 'archive', { app: 'archive' });
  const web = pod('shop', 'web', { app: 'web' }, 'web');
  const batch = pod('jobs', 'batch', { app: 'batch' }, 'batch');
  const archiveSvc = service('finance', 'archive', '10.96.9.31', 8080);
  const ledgerSvc = service('finance', 'ledger', '10.96.9.30', 8080);
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/access-authenticated.yaml',
      { services: [ledgerSvc, archiveSvc], pods: [ledger, archive, web, batch] },
      [
        direct('web-ledger', web, ledger, 8080),
        direct('plain-ledger', web, ledger, 8080, { plaintext: true }),
        direct('batch-ledger', batch, ledger, 8080),
        ambientRequest('web-export', web, archiveSvc, 8080, { path: '/export/all', server: archive }),
        ambientRequest('web-items', web, archiveSvc, 8080, { path: '/items', server: archive }),
      ],
    );
  });
  it('lets ztunnel admit any caller with a mesh identity to the ledger, but not plaintext, nor batch', () => {
    ztunnelAllows(result(run.answer, 'web-ledger'), id('shop', 'web'));
    for (const i of ['plain-ledger', 'batch-ledger']) ztunnelDenies(result(run.answer, i));
  });
  it('denies exports to every authenticated caller at the waypoint', () => {
    waypointDenies(result(run.answer, 'web-export'));
    expect(result(run.answer, 'web-items').authz?.allowed).toBe(true);
  });
  it('gives Istio analyzers only the message AM4113 announces', () =>
    expectAnalyzers(run.answer, DENY_HTTP_ONLY));
});

describe('ambient: test/cases/access-authenticated-ports.yaml', () => {
  const statements = pod('finance', 'statements', { app: 'statements' });
  const web = pod('shop', 'web', { app: 'web' }, 'web');
  const svc = service('finance', 'statements', '10.96.9.40', 8080);
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      'test/cases/access-authenticated-ports.yaml',
      { services: [svc], pods: [statements, web] },
      [direct('web', web, statements, 8080), direct('plain', web, statements, 8080, { plaintext: true })],
    );
  });
  it('admits any authenticated caller on 8080 at ztunnel, never a plaintext one', () => {
    ztunnelAllows(result(run.answer, 'web'), id('shop', 'web'));
    ztunnelDenies(result(run.answer, 'plain'));
  });
  it('leaves the office policy out with the AM3002 warning (no callers by network in ambient)', () =>
    expect(run.diagnostics.some((d) => d.includes('warning AM3002') && d.includes('reports-office'))).toBe(
      true,
    ));
});
