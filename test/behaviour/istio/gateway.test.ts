/**
 * Istio behaviour, ingress routes (TrafficPolicy spec.gateway): the golden case compiled for the
 * sidecar column (a VirtualService bound to a networking.istio.io Gateway) and the ambient column (an
 * HTTPRoute with a Gateway API Gateway parent), asked of istiod's own code: its xDS generation for a
 * proxy of type Router (the ingress gateway's Envoy; for ambient after its gateway controller turned
 * the Gateway and HTTPRoute into config) and the request simulation in gateway mode (a client outside
 * the mesh, on the gateway's listener port, with a Host header). The Gateways are the user's: anymesh
 * binds routes to them and does not create them, so the tests add them to the world.
 *
 * Every expectation is the policy's plain meaning (test/cases/gateway-ingress.yaml): the routes hold
 * at their gateway for their host names only, and calls inside the mesh keep their own policy.
 */
import { dump } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AmbientRun, ambientRequest, runAmbientCase } from './ambient-world.js';
import type { Call, Workload } from './driver.js';
import { type CaseRun, runCase } from './harness.js';
import { backends, headerOps, pod, request, result, type ServiceDef } from './world.js';

const FILE = 'test/cases/gateway-ingress.yaml';

const storefront: ServiceDef = {
  namespace: 'shop',
  name: 'storefront',
  ip: '10.96.7.10',
  ports: [{ port: 8080 }],
};
const catalog: ServiceDef = { namespace: 'shop', name: 'catalog', ip: '10.96.7.11', ports: [{ port: 9090 }] };
const status: ServiceDef = { namespace: 'ops', name: 'status', ip: '10.96.7.12', ports: [{ port: 8080 }] };
const world = {
  services: [storefront, catalog, status],
  pods: [
    pod('shop', 'storefront-v1', { app: 'storefront', version: 'v1' }),
    pod('shop', 'storefront-v2', { app: 'storefront', version: 'v2' }),
    pod('shop', 'catalog', { app: 'catalog' }),
    pod('ops', 'status', { app: 'status' }),
  ],
};
const web = pod('shop', 'web', { app: 'web' });

/** A request entering through ingress gateway `gateway` (its pods' labels) for `host` on port 80. */
function entering(
  id: string,
  gateway: Workload,
  host: string,
  path: string,
  headers?: Record<string, string>,
): Call {
  return {
    id,
    mode: 'gateway',
    from: gateway,
    host,
    port: 80,
    path,
    ...(headers ? { headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])) } : {}),
  };
}

/** The calls both data planes answer alike, at gateways whose pods carry `edge` and `ops` labels. */
function calls(edge: Workload, ops: Workload): Call[] {
  return [
    entering('api', edge, 'shop.example.com', '/api/items'),
    entering('api-beta', edge, 'shop.example.com', '/api/items', { 'x-beta': 'on' }),
    entering('beta', edge, 'www.shop.example.com', '/home', { 'x-beta': 'on' }),
    entering('pages', edge, 'shop.example.com', '/home'),
    entering('status', ops, 'eu.status.example.com', '/health'),
  ];
}

/** What the policy says of those calls, on either data plane (`name`: a backend's name there). */
function expectIngress(
  run: { answer: Parameters<typeof result>[0] },
  name: (service: string, v?: string) => string,
) {
  const api = result(run.answer, 'api');
  expect(backends(api)).toEqual({ [name('catalog')]: 100 });
  expect(api.route?.timeoutMs).toBe(3000);
  expect(headerOps(api.route?.requestHeaders)).toContain('set x-entry=public');
  // The api rule comes first: beta testers' API calls go to the catalog too.
  expect(backends(result(run.answer, 'api-beta'))).toEqual({ [name('catalog')]: 100 });
  expect(backends(result(run.answer, 'beta'))).toEqual({ [name('storefront', 'v2')]: 100 });
  const pages = result(run.answer, 'pages');
  expect(backends(pages)).toEqual({ [name('storefront', 'v1')]: 90, [name('storefront', 'v2')]: 10 });
  expect(pages.route?.timeoutMs).toBe(10_000);
  const st = result(run.answer, 'status');
  expect(backends(st)).toEqual({ [name('status')]: 100 });
  expect(st.route?.timeoutMs).toBe(2000);
}

/** The user's objects (the Gateways) as YAML documents to follow the compiled output. */
const documents = (objects: readonly object[]) => objects.map((o) => `---\n${dump(o)}`).join('');

const notRouted = (r: { route?: unknown; error?: string }) => r.route === undefined && r.error !== undefined;

describe('test/cases/gateway-ingress.yaml', () => {
  const edge = { namespace: 'edge', name: 'public-gateway', labels: { istio: 'public' } };
  const ops = { namespace: 'ops', name: 'internal-gateway', labels: { istio: 'internal' } };
  // The user's Gateways: HTTP on port 80 for every host of every namespace.
  const gateway = (name: string, namespace: string, selector: Record<string, string>) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace },
    spec: { selector, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/*'] }] },
  });
  const gateways = documents([
    gateway('public', 'edge', edge.labels),
    gateway('internal-gw', 'ops', ops.labels),
  ]);
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(
      FILE,
      world,
      [
        ...calls(edge, ops),
        entering('other-host', edge, 'other.example.com', '/home'),
        entering('bare-status', ops, 'status.example.com', '/health'),
        entering('wrong-gateway', ops, 'shop.example.com', '/home'),
        request('inside', web, storefront, 8080, { path: '/home' }),
      ],
      (o) => o + gateways,
    );
  });
  it('routes the entering requests by host, path and header to the versions and services the rules name', () =>
    expectIngress(
      run,
      (service, v) =>
        `${service}.${service === 'status' ? 'ops' : 'shop'}:${service === 'catalog' ? 9090 : 8080}${v ? `/${v}` : ''}`,
    ));
  it('answers only for its host names, and only at its own gateway', () => {
    expect(notRouted(result(run.answer, 'other-host'))).toBe(true);
    // *.status.example.com is a suffix match: not the bare domain.
    expect(notRouted(result(run.answer, 'bare-status'))).toBe(true);
    expect(notRouted(result(run.answer, 'wrong-gateway'))).toBe(true);
  });
  it('leaves the calls inside the mesh to their own policy', () => {
    const inside = result(run.answer, 'inside');
    expect(inside.route?.name).toBe('storefront.internal');
    expect(backends(inside)).toEqual({ 'storefront.shop:8080/v1': 100 });
    expect(inside.route?.retry?.numRetries).toBe(2);
  });
});

describe('ambient: test/cases/gateway-ingress.yaml', () => {
  // Istio deploys a Gateway API Gateway's Envoy with pods labelled by the Gateway's name.
  // istiod finds the gateway's proxies by the Service of that deployment, <name>-istio.
  const byName = (name: string) => ({ 'gateway.networking.k8s.io/gateway-name': name });
  const edge = pod('edge', 'public-istio', byName('public'));
  const ops = pod('ops', 'internal-gw-istio', byName('internal-gw'));
  const deployed = (p: typeof edge, ip: string): ServiceDef => ({
    namespace: p.namespace,
    name: p.name,
    ip,
    ports: [{ port: 80 }],
    selector: p.labels,
  });
  const ambientWorld = {
    services: [...world.services, deployed(edge, '10.96.7.20'), deployed(ops, '10.96.7.21')],
    pods: [...world.pods, edge, ops],
  };
  const gateway = (name: string, namespace: string) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace },
    spec: {
      gatewayClassName: 'istio',
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
      ],
    },
  });
  const gateways = documents([gateway('public', 'edge'), gateway('internal-gw', 'ops')]);
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(
      FILE,
      ambientWorld,
      [
        ...calls(edge, ops),
        entering('other-host', edge, 'other.example.com', '/home'),
        ambientRequest('inside', web, storefront, 8080, { path: '/home' }),
      ],
      (o) => o + gateways,
    );
  });
  it('routes the entering requests by host, path and header to the leaf Services and services the rules name', () =>
    expectIngress(
      run,
      (service, v) =>
        `${v ? `${service}-${v}` : service}.${service === 'status' ? 'ops' : 'shop'}:${service === 'catalog' ? 9090 : 8080}`,
    ));
  it('answers only for its host names', () => expect(notRouted(result(run.answer, 'other-host'))).toBe(true));
  it('leaves the calls inside the mesh to their own policy, at the waypoint', () => {
    const inside = result(run.answer, 'inside');
    expect(backends(inside)).toEqual({ 'storefront-v1.shop:8080': 100 });
  });
});
