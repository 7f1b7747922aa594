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
 * at their gateway for their host names only, and calls inside the mesh keep their own policy; and
 * (test/cases/gateway-tcp.yaml) a policy at a listener port holds there only, TCP ones included.
 */
import { dump } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AmbientRun, ambientRequest, runAmbientCase } from './ambient-world.js';
import type { Call, Workload } from './driver.js';
import { type CaseRun, runCase } from './harness.js';
import { tcpBackends } from './protocol-expectations.js';
import {
  backends,
  headerOps,
  pod,
  type RequestOptions,
  request,
  requestFields,
  result,
  type ServiceDef,
} from './world.js';

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

/**
 * A request (or with `tcp`, a connection) entering through ingress gateway `gateway` (its pods'
 * labels) for `host`, on the gateway's listener port (default 80).
 */
function entering(
  id: string,
  gateway: Workload,
  host: string,
  path: string,
  opts: RequestOptions & { port?: number } = {},
): Call {
  return {
    id,
    mode: 'gateway',
    from: gateway,
    host,
    port: opts.port ?? 80,
    ...requestFields({ path, ...opts }),
  };
}

/** The calls both data planes answer alike, at gateways whose pods carry `edge` and `ops` labels. */
function calls(edge: Workload, ops: Workload): Call[] {
  return [
    entering('api', edge, 'shop.example.com', '/api/items'),
    entering('api-beta', edge, 'shop.example.com', '/api/items', { headers: { 'x-beta': 'on' } }),
    entering('beta', edge, 'www.shop.example.com', '/home', { headers: { 'x-beta': 'on' } }),
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

// ---- test/cases/gateway-tcp.yaml: routes bound to one listener port, TCP among them ----------

const TCP_FILE = 'test/cases/gateway-tcp.yaml';
const broker: ServiceDef = {
  namespace: 'messaging',
  name: 'broker',
  ip: '10.96.8.10',
  ports: [{ port: 9000, protocol: 'tcp' }],
};
const consoleSvc: ServiceDef = {
  namespace: 'messaging',
  name: 'console',
  ip: '10.96.8.11',
  ports: [{ port: 8080 }],
};
const tcpWorld = {
  services: [broker, consoleSvc],
  pods: [
    pod('messaging', 'broker-v1', { app: 'broker', version: 'v1' }),
    pod('messaging', 'broker-v2', { app: 'broker', version: 'v2' }),
    pod('messaging', 'console', { app: 'console' }),
  ],
};

/** The calls at gateway `edge`: the broker's listener, the console's, and port 80 (neither's). */
function listenerCalls(edge: Workload): Call[] {
  return [
    entering('broker', edge, 'broker.example.com', '/', { port: 31400, tcp: true }),
    entering('console-api', edge, 'console.example.com', '/api/queues', { port: 8443 }),
    entering('console-pages', edge, 'console.example.com', '/home', { port: 8443 }),
    entering('console-on-80', edge, 'console.example.com', '/home'),
  ];
}

/** What the policies say of those calls (`name`: a backend's name on the data plane). */
function expectListeners(run: { answer: Parameters<typeof result>[0] }, name: (v?: string) => string) {
  expect(tcpBackends(result(run.answer, 'broker'))).toEqual({ [name('v1')]: 80, [name('v2')]: 20 });
  const api = result(run.answer, 'console-api');
  expect(backends(api)).toEqual({ 'console.messaging:8080': 100 });
  expect(api.route?.timeoutMs).toBe(5000);
  expect(result(run.answer, 'console-pages').route?.timeoutMs).toBe(30_000);
  // The console's routes are bound to listener 8443: the same host on port 80 is not routed.
  expect(notRouted(result(run.answer, 'console-on-80'))).toBe(true);
}

describe('test/cases/gateway-tcp.yaml', () => {
  const edge = { namespace: 'edge', name: 'edge-gateway', labels: { istio: 'edge' } };
  // The user's Gateway: TCP on 31400, HTTP on 8443 and 80, for every namespace's routes.
  const servers = [
    { port: { number: 31400, name: 'tcp', protocol: 'TCP' }, hosts: ['*/*'] },
    { port: { number: 8443, name: 'http-console', protocol: 'HTTP' }, hosts: ['*/*'] },
    { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/*'] },
  ];
  const gateways = documents([
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'edge-gw', namespace: 'edge' },
      spec: { selector: edge.labels, servers },
    },
  ]);
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(TCP_FILE, tcpWorld, listenerCalls(edge), (o) => o + gateways);
  });
  it('splits the TCP listener across versions and routes the console at its own listener only', () =>
    expectListeners(run, (v) => `broker.messaging:9000${v ? `/${v}` : ''}`));
});

describe('ambient: test/cases/gateway-tcp.yaml', () => {
  const edge = pod('edge', 'edge-gw-istio', { 'gateway.networking.k8s.io/gateway-name': 'edge-gw' });
  const ambientWorld = {
    services: [
      ...tcpWorld.services,
      {
        namespace: 'edge',
        name: edge.name,
        ip: '10.96.8.20',
        ports: [{ port: 31400, protocol: 'tcp' as const }, { port: 8443 }, { port: 80 }],
        selector: edge.labels,
      },
    ],
    pods: [...tcpWorld.pods, edge],
  };
  const all = { namespaces: { from: 'All' } };
  const gateways = documents([
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'edge-gw', namespace: 'edge' },
      spec: {
        gatewayClassName: 'istio',
        listeners: [
          { name: 'tcp', port: 31400, protocol: 'TCP', allowedRoutes: all },
          { name: 'console', port: 8443, protocol: 'HTTP', allowedRoutes: all },
          { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: all },
        ],
      },
    },
  ]);
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(TCP_FILE, ambientWorld, listenerCalls(edge), (o) => o + gateways);
  });
  it('splits the TCP listener across the leaf Services and routes the console at its own listener only', () =>
    expectListeners(run, (v) => `broker${v ? `-${v}` : ''}.messaging:9000`));
});
