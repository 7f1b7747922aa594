/**
 * Istio behaviour, security: each golden AccessPolicy/MTLSPolicy case compiled for Istio, loaded
 * into istiod's fake discovery server, and connections run through the server's inbound sidecar
 * configuration: the filter chain it takes (mTLS or plaintext; a STRICT port has no plaintext
 * chain), then the RBAC filters istiod generated on it, per caller identity, method, path and port.
 * Expectations come from the policies' plain meaning.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { askIstio } from './driver.js';
import { DENY_HTTP_ONLY, ipBlockAccess } from './expectations.js';
import { type CaseRun, expectAnalyzers, runCase } from './harness.js';
import {
  allowed,
  arrival,
  compileIstio,
  pod,
  request,
  result,
  type ServiceDef,
  service,
  worldYaml,
} from './world.js';

/** A plaintext caller reaching a STRICT port finds no filter chain: the connection is refused. */
const refusedByMtls = (r: ReturnType<typeof result>) => r.error === 'no filter chains matched' && !r.authz;

describe('examples/zero-trust.yaml', () => {
  const reviews = pod('bookinfo', 'reviews-v1', { app: 'reviews', version: 'v1' });
  const productpage = pod('bookinfo', 'productpage', { app: 'productpage' }, 'bookinfo-productpage');
  const ratings = pod('bookinfo', 'ratings', { app: 'ratings' }, 'bookinfo-ratings');
  const services: ServiceDef[] = [
    { namespace: 'bookinfo', name: 'reviews', ip: '10.96.0.20', ports: [{ port: 9080 }] },
    { namespace: 'bookinfo', name: 'ratings', ip: '10.96.0.21', ports: [{ port: 9080 }] },
    { namespace: 'bookinfo', name: 'productpage', ip: '10.96.0.22', ports: [{ port: 9080 }] },
  ];
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('examples/zero-trust.yaml', { services, pods: [reviews, productpage, ratings] }, [
      arrival('pp-get', productpage, reviews, 9080, { path: '/reviews/1' }),
      arrival('pp-post', productpage, reviews, 9080, { method: 'POST', path: '/reviews/1' }),
      arrival('pp-other', productpage, reviews, 9080, { path: '/details/1' }),
      arrival('ratings-get', ratings, reviews, 9080, { path: '/reviews/1' }),
      arrival('plaintext', productpage, reviews, 9080, { path: '/reviews/1', plaintext: true }),
      arrival('plaintext-ratings', productpage, ratings, 9080, { plaintext: true }),
    ]);
  });
  it('lets only productpage GET /reviews/* on reviews', () => {
    expect(allowed(result(run.answer, 'pp-get'))).toBe(true);
    for (const id of ['pp-post', 'pp-other', 'ratings-get'])
      expect(allowed(result(run.answer, id)), id).toBe(false);
  });
  it('refuses plaintext everywhere in bookinfo (strict mTLS for the namespace)', () => {
    for (const id of ['plaintext', 'plaintext-ratings'])
      expect(refusedByMtls(result(run.answer, id)), id).toBe(true);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

const paymentsWorld = () => {
  const payments = pod('shop', 'payments', { app: 'payments' });
  const services: ServiceDef[] = [
    {
      namespace: 'shop',
      name: 'payments',
      ip: '10.96.1.60',
      ports: [{ port: 8080 }, { port: 9000, tcp: true }],
    },
  ];
  return {
    payments,
    services,
    sandbox: pod('sandbox', 'tool', { app: 'tool' }),
    batch: pod('shop', 'batch', { app: 'batch' }, 'batch-jobs'),
    checkout: pod('shop', 'checkout', { app: 'checkout' }, 'checkout'),
  };
};

describe('test/cases/access-deny.yaml', () => {
  const w = paymentsWorld();
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(
      'test/cases/access-deny.yaml',
      { services: w.services, pods: [w.payments, w.sandbox, w.batch, w.checkout] },
      [
        arrival('sandbox-admin-post', w.sandbox, w.payments, 8080, { method: 'POST', path: '/admin/users' }),
        arrival('sandbox-php-delete', w.sandbox, w.payments, 8080, { method: 'DELETE', path: '/index.php' }),
        arrival('sandbox-admin-get', w.sandbox, w.payments, 8080, { method: 'GET', path: '/admin/users' }),
        arrival('sandbox-orders-post', w.sandbox, w.payments, 8080, { method: 'POST', path: '/orders' }),
        arrival('batch-admin-delete', w.batch, w.payments, 8080, { method: 'DELETE', path: '/admin/x' }),
        arrival('checkout-admin-post', w.checkout, w.payments, 8080, { method: 'POST', path: '/admin/x' }),
        arrival('sandbox-tcp', w.sandbox, w.payments, 9000, { tcp: true }),
        arrival('checkout-tcp', w.checkout, w.payments, 9000, { tcp: true }),
      ],
    );
  });
  it('denies sandbox and batch-jobs POST/DELETE on /admin/* and *.php, and nothing else over HTTP', () => {
    for (const id of ['sandbox-admin-post', 'sandbox-php-delete', 'batch-admin-delete'])
      expect(allowed(result(run.answer, id)), id).toBe(false);
    for (const id of ['sandbox-admin-get', 'sandbox-orders-post', 'checkout-admin-post'])
      expect(allowed(result(run.answer, id)), id).toBe(true);
  });
  it('refuses every TCP connection from the denied callers, as the AM4113 warning says', () => {
    // No TrafficPolicy names a port of payments, so anymesh cannot limit the rule to ports and
    // warns; Istio drops methods and paths on TCP chains, leaving "deny these callers".
    expect(run.diagnostics.some((d) => d.includes('warning AM4113'))).toBe(true);
    expect(allowed(result(run.answer, 'sandbox-tcp'))).toBe(false);
    expect(allowed(result(run.answer, 'checkout-tcp'))).toBe(true);
  });
  it('gives Istio analyzers only the message AM4113 announces', () =>
    expectAnalyzers(run.answer, DENY_HTTP_ONLY));
});

describe('a DENY with only methods/paths when a TrafficPolicy names the port (the AM4113 fix)', () => {
  const w = paymentsWorld();
  const policies = `apiVersion: anymesh.dev/v1alpha1
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
`;
  const compiled = compileIstio(policies);
  let answer: Awaited<ReturnType<typeof askIstio>>;
  beforeAll(async () => {
    answer = await askIstio(`${compiled.yaml}---\n${worldYaml(w.services, [w.payments, w.sandbox])}`, [
      arrival('admin-post', w.sandbox, w.payments, 8080, { method: 'POST', path: '/admin/users' }),
      arrival('get', w.sandbox, w.payments, 8080, { path: '/admin/users' }),
      arrival('tcp', w.sandbox, w.payments, 9000, { tcp: true }),
    ]);
  });
  it('still denies the listed requests and no longer refuses TCP on other ports', () => {
    expect(compiled.codes).toContain('AM4114');
    expect(allowed(result(answer, 'admin-post'))).toBe(false);
    expect(allowed(result(answer, 'get'))).toBe(true);
    expect(allowed(result(answer, 'tcp'))).toBe(true);
  });
  it('gives Istio analyzers nothing to report (no IST0133 once the rule names its port)', () =>
    expectAnalyzers(answer));
});

describe('test/cases/access-ip-block.yaml', () => {
  // istiod writes source.ipBlocks as RBAC direct_remote_ip principals and notIpBlocks as their
  // negation; the driver matches them against the address each connection arrives from.
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('test/cases/access-ip-block.yaml', ipBlockAccess, ipBlockAccess.calls);
  });
  it('lets in 10.0.0.0/8 but 10.96.0.0/12 and fd00::/8 on 8080, prometheus from anywhere, batch from 10.20.0.0/16, and no one else', () =>
    ipBlockAccess.check(run.answer));
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/appmesh-zero-trust.yaml', () => {
  const payments = pod('shop', 'payments', { app: 'payments' });
  const checkout = pod('shop', 'checkout', { app: 'checkout' }, 'checkout');
  const refunds = pod('finance', 'refunds', { app: 'refunds' }, 'refunds');
  const web = pod('shop', 'web', { app: 'web' }, 'web');
  const svc: ServiceDef = { namespace: 'shop', name: 'payments', ip: '10.96.1.70', ports: [{ port: 8443 }] };
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(
      'test/cases/appmesh-zero-trust.yaml',
      { services: [svc], pods: [payments, checkout, refunds, web] },
      [
        request('route', checkout, svc, 8443, { path: '/v1/charge' }),
        arrival('checkout', checkout, payments, 8443, { method: 'POST', path: '/v1/charge' }),
        arrival('refunds', refunds, payments, 8443, { method: 'POST', path: '/v1/refund' }),
        arrival('web', web, payments, 8443),
        arrival('plaintext', checkout, payments, 8443, { plaintext: true }),
      ],
    );
  });
  it('routes payments calls with a 3 s timeout', () => {
    expect(result(run.answer, 'route').route?.timeoutMs).toBe(3000);
  });
  it('lets only shop/checkout and finance/refunds call payments, over mTLS only', () => {
    expect(allowed(result(run.answer, 'checkout'))).toBe(true);
    expect(allowed(result(run.answer, 'refunds'))).toBe(true);
    expect(allowed(result(run.answer, 'web'))).toBe(false);
    expect(refusedByMtls(result(run.answer, 'plaintext'))).toBe(true);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/consul-intentions.yaml', () => {
  const w = paymentsWorld();
  const ledger = pod('shop', 'ledger', { app: 'ledger' });
  const paymentsCaller = pod('shop', 'payments-client', { app: 'payments-client' }, 'payments');
  const web = pod('shop', 'web', { app: 'web' }, 'web');
  const auditor = pod('shop', 'auditor', { app: 'auditor' }, 'auditor');
  const services: ServiceDef[] = [
    ...w.services,
    { namespace: 'shop', name: 'ledger', ip: '10.96.1.61', ports: [{ port: 8080 }] },
  ];
  let run: CaseRun;
  beforeAll(async () => {
    const to = (id: string, from: typeof web, method: string, path: string) =>
      arrival(id, from, w.payments, 8080, { method, path });
    run = await runCase(
      'test/cases/consul-intentions.yaml',
      { services, pods: [w.payments, w.checkout, w.batch, ledger, paymentsCaller, web, auditor] },
      [
        to('checkout-get', w.checkout, 'GET', '/v1/balance'),
        to('checkout-head', w.checkout, 'HEAD', '/'),
        to('checkout-charge', w.checkout, 'POST', '/v1/charges'),
        to('checkout-refund', w.checkout, 'POST', '/v1/refunds/9'),
        to('checkout-post-other', w.checkout, 'POST', '/v1/other'),
        to('checkout-delete', w.checkout, 'DELETE', '/v1/charges'),
        to('batch-get', w.batch, 'GET', '/a.json'),
        to('batch-delete', w.batch, 'DELETE', '/a.json'),
        to('batch-delete-any', w.batch, 'DELETE', '/v1/charges'),
        to('web-get', web, 'GET', '/'),
        arrival('batch-tcp', w.batch, w.payments, 9000, { tcp: true }),
        arrival('ledger-payments', paymentsCaller, ledger, 8080, { method: 'POST', path: '/entries' }),
        arrival('ledger-checkout', w.checkout, ledger, 8080),
        arrival('ledger-auditor', auditor, ledger, 8080, { headers: { 'x-audit-ticket': 'AUD-123456' } }),
        to('checkout-dispute', w.checkout, 'POST', '/v1/disputes'),
        arrival('checkout-dispute-reviewed', w.checkout, w.payments, 8080, {
          method: 'POST',
          path: '/v1/disputes',
          headers: { 'X-Reviewed-By': 'ops-7' },
        }),
        arrival('batch-legacy', w.batch, w.payments, 8080, {
          path: '/v1/charges',
          headers: { 'x-client': 'legacy-cron/2' },
        }),
        arrival('batch-modern', w.batch, w.payments, 8080, {
          path: '/v1/charges',
          headers: { 'x-client': 'cron-legacy' },
        }),
      ],
    );
  });
  it('lets disputes through only once reviewed (the x-reviewed-by header, any value, any case of the name)', () => {
    expect(allowed(result(run.answer, 'checkout-dispute-reviewed'))).toBe(true);
    expect(allowed(result(run.answer, 'checkout-dispute'))).toBe(false);
  });
  it('denies batch-jobs calling as a legacy client (x-client starting with legacy-), not other clients', () => {
    const legacy = result(run.answer, 'batch-legacy');
    expect(allowed(legacy)).toBe(false);
    expect(legacy.authz!.filters.find((f) => f.action === 'DENY')?.matched).toEqual([
      'ns[shop]-policy[payments-no-deletes]-rule[1]',
    ]);
    expect(allowed(result(run.answer, 'batch-modern'))).toBe(true);
  });
  it('leaves the auditors policy out (no regular expressions in Istio conditions), so auditors are denied', () => {
    expect(run.diagnostics.some((d) => d.includes('warning AM3002') && d.includes('ledger-auditors'))).toBe(
      true,
    );
    expect(allowed(result(run.answer, 'ledger-auditor'))).toBe(false);
  });
  it('lets checkout and batch-jobs read payments and POST charges and refunds, nothing else', () => {
    for (const id of ['checkout-get', 'checkout-head', 'checkout-charge', 'checkout-refund', 'batch-get'])
      expect(allowed(result(run.answer, id)), id).toBe(true);
    for (const id of ['checkout-post-other', 'checkout-delete', 'web-get'])
      expect(allowed(result(run.answer, id)), id).toBe(false);
  });
  it('denies batch-jobs deletes of any path ("*") by the DENY policy itself', () => {
    for (const id of ['batch-delete', 'batch-delete-any']) {
      const r = result(run.answer, id);
      expect(allowed(r), id).toBe(false);
      const deny = r.authz!.filters.find((f) => f.action === 'DENY');
      expect(deny?.matched, id).toEqual(['ns[shop]-policy[payments-no-deletes]-rule[0]']);
    }
  });
  it('refuses batch-jobs every TCP connection, as the AM4113 warning says', () => {
    expect(run.diagnostics.some((d) => d.includes('warning AM4113'))).toBe(true);
    expect(allowed(result(run.answer, 'batch-tcp'))).toBe(false);
  });
  it('lets only the payments identity call ledger', () => {
    expect(allowed(result(run.answer, 'ledger-payments'))).toBe(true);
    expect(allowed(result(run.answer, 'ledger-checkout'))).toBe(false);
  });
  it('gives Istio analyzers only the message AM4113 announces', () =>
    expectAnalyzers(run.answer, DENY_HTTP_ONLY));
});

describe('test/cases/access-headers.yaml', () => {
  const reports = pod('shop', 'reports', { app: 'reports' });
  const storefront = pod('shop', 'storefront', { app: 'storefront' }, 'storefront');
  const partner = pod('partners', 'gateway', { app: 'gateway' }, 'gateway');
  const auditor = pod('audit', 'auditor', { app: 'auditor' }, 'auditor');
  const services: ServiceDef[] = [
    { namespace: 'shop', name: 'reports', ip: '10.96.1.70', ports: [{ port: 8080 }] },
  ];
  let run: CaseRun;
  beforeAll(async () => {
    const call = (id: string, from: typeof storefront, opts: Parameters<typeof arrival>[4]) =>
      arrival(id, from, reports, 8080, opts);
    const partnerHeaders = { authorization: 'Bearer t0k3n', 'x-api-version': 'v2.3' };
    run = await runCase(
      'test/cases/access-headers.yaml',
      { services, pods: [reports, storefront, partner, auditor] },
      [
        call('sf-health', storefront, { path: '/healthz' }),
        call('sf-acme', storefront, { path: '/reports/q3', headers: { 'x-tenant': 'acme' } }),
        call('sf-acme-case', storefront, { path: '/reports/q3', headers: { 'X-Tenant': 'acme' } }),
        call('sf-globex', storefront, { path: '/reports/q3', headers: { 'x-tenant': 'globex' } }),
        call('sf-acme-prefix', storefront, { path: '/reports/q3', headers: { 'x-tenant': 'acme-eu' } }),
        call('sf-none', storefront, { path: '/reports/q3' }),
        call('sf-post', storefront, { method: 'POST', path: '/reports/q3', headers: { 'x-tenant': 'acme' } }),
        call('partner-v2', partner, { method: 'POST', path: '/reports/export', headers: partnerHeaders }),
        call('partner-v1', partner, { headers: { ...partnerHeaders, 'x-api-version': 'v1.9' } }),
        call('partner-no-auth', partner, { headers: { 'x-api-version': 'v2' } }),
        call('partner-health', partner, { path: '/healthz' }),
        call('sf-as-partner', storefront, { path: '/other', headers: partnerHeaders }),
        call('auditor', auditor, { path: '/reports/q3', headers: { 'x-audit-ticket': 'AUD-123456' } }),
      ],
    );
  });
  it('lets storefront read health, and reports of tenant acme only (the exact value, any case of the name)', () => {
    for (const id of ['sf-health', 'sf-acme', 'sf-acme-case'])
      expect(allowed(result(run.answer, id)), id).toBe(true);
    for (const id of ['sf-globex', 'sf-acme-prefix', 'sf-none', 'sf-post'])
      expect(allowed(result(run.answer, id)), id).toBe(false);
  });
  it('lets the partner gateway in with credentials and API version 2, any request; nothing else', () => {
    expect(allowed(result(run.answer, 'partner-v2'))).toBe(true);
    for (const id of ['partner-v1', 'partner-no-auth', 'partner-health', 'sf-as-partner'])
      expect(allowed(result(run.answer, id)), id).toBe(false);
  });
  it('leaves the auditors policy out with the AM3002 warning, so auditors are denied', () => {
    expect(run.diagnostics.some((d) => d.includes('warning AM3002') && d.includes('reports-auditors'))).toBe(
      true,
    );
    expect(allowed(result(run.answer, 'auditor'))).toBe(false);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/consul-permissive.yaml', () => {
  const billing = pod('finance', 'billing', { app: 'billing' });
  const ledger = pod('finance', 'ledger', { app: 'ledger' });
  const legacy = pod('finance', 'legacy-client', { app: 'legacy-client' });
  const services: ServiceDef[] = [
    { namespace: 'finance', name: 'billing', ip: '10.96.3.10', ports: [{ port: 8080 }] },
    { namespace: 'finance', name: 'ledger', ip: '10.96.3.11', ports: [{ port: 8080 }] },
  ];
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('test/cases/consul-permissive.yaml', { services, pods: [billing, ledger, legacy] }, [
      arrival('billing-plain', legacy, billing, 8080, { plaintext: true }),
      arrival('billing-mtls', legacy, billing, 8080),
      arrival('ledger-plain', legacy, ledger, 8080, { plaintext: true }),
      arrival('ledger-mtls', legacy, ledger, 8080),
      request('route', legacy, services[0]!, 8080),
    ]);
  });
  it('accepts plaintext and mTLS on billing, only mTLS elsewhere (strict mesh-wide)', () => {
    for (const id of ['billing-plain', 'billing-mtls', 'ledger-mtls']) {
      const r = result(run.answer, id);
      expect(r.error, id).toBeUndefined();
      expect(allowed(r), id).toBe(true);
    }
    expect(refusedByMtls(result(run.answer, 'ledger-plain'))).toBe(true);
  });
  it('gives billing calls a 10 s timeout', () => {
    expect(result(run.answer, 'route').route?.timeoutMs).toBe(10_000);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/linkerd-zero-trust.yaml', () => {
  const orders = pod('shop', 'orders', { app: 'orders' });
  const storefront = pod('shop', 'storefront', { app: 'storefront' }, 'storefront');
  const ops = pod('ops', 'deployer', { app: 'deployer' }, 'deployer');
  const prometheus = pod('monitoring', 'prometheus', { app: 'prometheus' }, 'prometheus');
  const grafana = pod('monitoring', 'grafana', { app: 'grafana' }, 'grafana');
  const batch = pod('batch', 'job', { app: 'job' });
  const services: ServiceDef[] = [
    { namespace: 'shop', name: 'orders', ip: '10.96.1.80', ports: [{ port: 8080 }, { port: 9090 }] },
    { namespace: 'batch', name: 'job', ip: '10.96.4.10', ports: [{ port: 8080 }] },
  ];
  let run: CaseRun;
  beforeAll(async () => {
    const to = (id: string, from: typeof ops, port: number, method: string, path: string) =>
      arrival(id, from, orders, port, { method, path });
    run = await runCase(
      'test/cases/linkerd-zero-trust.yaml',
      { services, pods: [orders, storefront, ops, prometheus, grafana, batch] },
      [
        to('sf-get', storefront, 8080, 'GET', '/orders/1'),
        to('sf-head', storefront, 8080, 'HEAD', '/orders'),
        to('sf-post', storefront, 8080, 'POST', '/orders'),
        to('sf-metrics', storefront, 9090, 'GET', '/orders'),
        to('sf-ordersx', storefront, 8080, 'GET', '/ordersx'),
        to('ops-metrics', ops, 9090, 'GET', '/metrics'),
        to('ops-post', ops, 8080, 'POST', '/orders'),
        to('prom', prometheus, 9090, 'GET', '/metrics'),
        to('grafana', grafana, 9090, 'GET', '/metrics'),
        arrival('plaintext', storefront, orders, 8080, { path: '/orders/1', plaintext: true }),
        arrival('batch-plaintext', storefront, batch, 8080, { plaintext: true }),
      ],
    );
  });
  it('lets storefront GET/HEAD /orders and /orders/* on 8080 only', () => {
    for (const id of ['sf-get', 'sf-head']) expect(allowed(result(run.answer, id)), id).toBe(true);
    for (const id of ['sf-post', 'sf-metrics', 'sf-ordersx'])
      expect(allowed(result(run.answer, id)), id).toBe(false);
  });
  it('lets anyone in ops and monitoring/prometheus do anything on 8080 and 9090', () => {
    for (const id of ['ops-metrics', 'ops-post', 'prom'])
      expect(allowed(result(run.answer, id)), id).toBe(true);
    expect(allowed(result(run.answer, 'grafana'))).toBe(false);
  });
  it('has no identity for a plaintext caller, so allow rules do not admit it', () => {
    expect(allowed(result(run.answer, 'plaintext'))).toBe(false);
  });
  it('accepts plaintext in the batch namespace (permissive)', () => {
    const r = result(run.answer, 'batch-plaintext');
    expect(r.error).toBeUndefined();
    expect(allowed(r)).toBe(true);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/mtls-scopes.yaml', () => {
  const payments = pod('shop', 'payments', { app: 'payments' });
  const cart = pod('shop', 'cart', { app: 'cart' });
  const old = pod('legacy', 'old', { app: 'old' });
  const services: ServiceDef[] = [
    { namespace: 'shop', name: 'payments', ip: '10.96.1.90', ports: [{ port: 8080 }] },
    { namespace: 'shop', name: 'cart', ip: '10.96.1.91', ports: [{ port: 8080 }] },
    { namespace: 'legacy', name: 'old', ip: '10.96.5.10', ports: [{ port: 8080 }] },
  ];
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase('test/cases/mtls-scopes.yaml', { services, pods: [payments, cart, old] }, [
      arrival('legacy-plain', cart, old, 8080, { plaintext: true }),
      arrival('cart-plain', old, cart, 8080, { plaintext: true }),
      arrival('payments-plain', old, payments, 8080, { plaintext: true }),
      arrival('payments-mtls', cart, payments, 8080),
    ]);
  });
  it('is strict mesh-wide and for payments, permissive in legacy', () => {
    const legacy = result(run.answer, 'legacy-plain');
    expect(legacy.error).toBeUndefined();
    expect(allowed(legacy)).toBe(true);
    for (const id of ['cart-plain', 'payments-plain'])
      expect(refusedByMtls(result(run.answer, id)), id).toBe(true);
    expect(allowed(result(run.answer, 'payments-mtls'))).toBe(true);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/access-authenticated.yaml', () => {
  const ledger = pod('finance', 'ledger', { app: 'ledger' });
  const archive = pod('finance', 'archive', { app: 'archive' });
  const web = pod('shop', 'web', { app: 'web' }, 'web');
  const batch = pod('jobs', 'batch', { app: 'batch' }, 'batch');
  const services: ServiceDef[] = [
    service('finance', 'ledger', '10.96.9.10', 8080),
    {
      namespace: 'finance',
      name: 'archive',
      ip: '10.96.9.11',
      ports: [{ port: 8080 }, { port: 9000, tcp: true }],
    },
  ];
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(
      'test/cases/access-authenticated.yaml',
      { services, pods: [ledger, archive, web, batch] },
      [
        arrival('web-ledger', web, ledger, 8080),
        arrival('plain-ledger', web, ledger, 8080, { plaintext: true }),
        arrival('batch-ledger', batch, ledger, 8080),
        arrival('web-export', web, archive, 8080, { path: '/export/all' }),
        arrival('web-items', web, archive, 8080, { path: '/items' }),
        arrival('plain-export', web, archive, 8080, { path: '/export/all', plaintext: true }),
        arrival('web-archive-tcp', web, archive, 9000, { tcp: true }),
        arrival('plain-archive-tcp', web, archive, 9000, { tcp: true, plaintext: true }),
      ],
    );
  });
  it('lets any caller with a mesh identity call the ledger, but not a plaintext one, nor batch', () => {
    expect(allowed(result(run.answer, 'web-ledger'))).toBe(true);
    for (const id of ['plain-ledger', 'batch-ledger'])
      expect(allowed(result(run.answer, id)), id).toBe(false);
  });
  it('denies exports to every authenticated caller; a plaintext caller is not one of them', () => {
    expect(allowed(result(run.answer, 'web-export'))).toBe(false);
    expect(allowed(result(run.answer, 'web-items'))).toBe(true);
    expect(allowed(result(run.answer, 'plain-export'))).toBe(true);
  });
  it('refuses authenticated callers every TCP connection to the archive, as the AM4113 warning says', () => {
    expect(
      run.diagnostics.some(
        (d) => d.includes('warning AM4113') && d.includes('from every authenticated caller to archive'),
      ),
    ).toBe(true);
    expect(allowed(result(run.answer, 'web-archive-tcp'))).toBe(false);
    expect(allowed(result(run.answer, 'plain-archive-tcp'))).toBe(true);
  });
  it('gives Istio analyzers only the message AM4113 announces', () =>
    expectAnalyzers(run.answer, DENY_HTTP_ONLY));
});

describe('test/cases/access-authenticated-ports.yaml', () => {
  const statements = pod('finance', 'statements', { app: 'statements' });
  const reports = pod('finance', 'reports', { app: 'reports' });
  const remote = pod('shop', 'web', { app: 'web' }, 'web');
  // A workload on the office network (10.20.0.0/16).
  const office = {
    namespace: 'shop',
    name: 'office',
    labels: { app: 'office' },
    ip: '10.20.0.5',
    serviceAccount: 'web',
  };
  const auditor = pod('audit', 'auditor', { app: 'auditor' }, 'auditor');
  const services: ServiceDef[] = [
    service('finance', 'statements', '10.96.9.20', 8080),
    service('finance', 'reports', '10.96.9.21', 8080),
  ];
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(
      'test/cases/access-authenticated-ports.yaml',
      { services, pods: [statements, reports, remote, office, auditor] },
      [
        arrival('remote-statements', remote, statements, 8080),
        arrival('plain-statements', remote, statements, 8080, { plaintext: true }),
        arrival('office-reports', office, reports, 8080),
        arrival('office-plain-reports', office, reports, 8080, { plaintext: true }),
        arrival('remote-reports', remote, reports, 8080),
        arrival('auditor-reports', auditor, reports, 8080),
      ],
    );
  });
  it('lets any authenticated caller call statements on 8080, never a plaintext one', () => {
    expect(allowed(result(run.answer, 'remote-statements'))).toBe(true);
    expect(allowed(result(run.answer, 'plain-statements'))).toBe(false);
  });
  it('lets authenticated callers of the office network, and the auditor from anywhere, call reports', () => {
    for (const id of ['office-reports', 'auditor-reports'])
      expect(allowed(result(run.answer, id)), id).toBe(true);
    for (const id of ['office-plain-reports', 'remote-reports'])
      expect(allowed(result(run.answer, id)), id).toBe(false);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});
