/**
 * Istio behaviour of a migration within ambient: Gateway API routes written by hand (the way
 * istio.io's ambient tasks write them: waypoint HTTPRoutes with a Service parent, leaf Services
 * per version, a second route for the same Service) are imported with `--from istio`, and what
 * anymesh compiles from the imported policies for ambient is asked of istiod next to the
 * hand-written objects. Every probe call must meet the same route in both: the same clusters and
 * weights, timeout, retry policy, mirrors and header operations, through the same waypoint, and
 * at an ingress Gateway the same routes and TCP proxies (route
 * names differ: Istio names hand-written rules `<namespace>.<route>.<index>`, anymesh names them
 * after the neutral rules). This is what the import's claim "imported losslessly" means, judged by
 * Istio's own conversion (pilot/pkg/config/kube/gateway) and waypoint configuration.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, importSourceFor } from '../../../src/adapters/index.js';
import { compileLoaded } from '../../../src/core/pipeline.js';
import { renderYaml } from '../../../src/core/render.js';
import { importText } from '../../import/support.js';
import { ambientClusterYaml, ambientRequest } from './ambient-world.js';
import { type Answer, askIstio, type Call, type Result } from './driver.js';
import { backends, pod, requestFields, result, service } from './world.js';

/** The native objects imported with `--from istio`, and their policies compiled for ambient. */
function importAndCompile(native: string) {
  const imported = importText(native, importSourceFor('istio')!, 'native.yaml');
  const compiled = compileLoaded(imported.loaded, ADAPTERS.istio!, {
    context: { options: { 'istio.dataplane': 'ambient' } },
  });
  return { imported, compiled };
}

/** What a call meets, without the route names anymesh and Istio give differently. */
function met(r: Result) {
  const { name: _, ...route } = r.route ?? { name: '' };
  return { waypoint: r.waypoint, error: r.error, route, endpoints: r.endpoints, tcp: r.tcp };
}

const NATIVE = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop, labels: {istio.io/waypoint-for: service}}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop, labels: {istio.io/use-waypoint: waypoint}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews-v1, namespace: shop}
spec:
  selector: {app: reviews, version: v1}
  ports: [{port: 9080, targetPort: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: reviews-v2, namespace: shop}
spec:
  selector: {app: reviews, version: v2}
  ports: [{port: 9080, targetPort: 9080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
  rules:
  - backendRefs:
    - {name: reviews-v1, port: 9080, weight: 90}
    - {name: reviews-v2, port: 9080, weight: 10}
    timeouts: {request: 10s, backendRequest: 2s}
    retry: {attempts: 3, codes: [502, 503, 504], backoff: 100ms}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews-testers, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /reviews}
      headers: [{name: end-user, value: jason}]
    backendRefs: [{name: reviews-v2, port: 9080}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: x-tester, value: "true"}], remove: [x-debug]}
    - type: RequestMirror
      requestMirror:
        backendRef: {name: reviews-v1, port: 9080}
        percent: 25
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: reviews-v1, port: 9080}]
    timeouts: {request: 5s}
`;

describe('ambient: Gateway API routes written by hand, imported and compiled again', () => {
  const reviews = service('shop', 'reviews', '10.96.3.10', 9080);
  const v1 = pod('shop', 'reviews-v1', { app: 'reviews', version: 'v1' });
  const v2 = pod('shop', 'reviews-v2', { app: 'reviews', version: 'v2' });
  const web = pod('shop', 'web', { app: 'web' }, 'web');
  const world = { services: [reviews], pods: [v1, v2, web] };
  const calls = [
    ambientRequest('tester', web, reviews, 9080, { path: '/reviews/1', headers: { 'end-user': 'jason' } }),
    ambientRequest('tester-elsewhere', web, reviews, 9080, {
      path: '/ratings',
      headers: { 'end-user': 'jason' },
    }),
    ambientRequest('api', web, reviews, 9080, { path: '/api/v1/items' }),
    ambientRequest('api-root', web, reviews, 9080, { path: '/api' }),
    ambientRequest('apix', web, reviews, 9080, { path: '/apix' }),
    ambientRequest('plain', web, reviews, 9080, { path: '/reviews/1' }),
  ];
  const { imported, compiled } = importAndCompile(NATIVE);
  let native: Answer;
  let again: Answer;
  beforeAll(async () => {
    native = await askIstio(ambientClusterYaml(NATIVE, world.services, world.pods), calls, false, true);
    again = await askIstio(
      ambientClusterYaml(renderYaml(compiled.resources), world.services, world.pods),
      calls,
      false,
      true,
    );
  });
  it('imports every field with nothing reported, and compiles for ambient', () => {
    expect(imported.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
    expect(imported.fields.imported).toBe(imported.fields.total);
    expect(compiled.ok, compiled.diagnostics.map((d) => d.message).join('\n')).toBe(true);
  });
  it.each(calls.map((c) => c.id))('%s meets the same route through the same waypoint', (id) => {
    expect(met(result(again, id))).toEqual(met(result(native, id)));
  });
  it('routes as the hand-written objects say (the comparison is not of two empty answers)', () => {
    expect(backends(result(native, 'tester'))).toEqual({ 'reviews-v2.shop:9080': 100 });
    expect(result(native, 'tester').route?.mirrors).toHaveLength(1);
    expect(backends(result(native, 'api'))).toEqual({ 'reviews-v1.shop:9080': 100 });
    expect(result(native, 'api').route?.timeoutMs).toBe(5000);
    expect(backends(result(native, 'apix'))).toEqual({
      'reviews-v1.shop:9080': 90,
      'reviews-v2.shop:9080': 10,
    });
    expect(result(native, 'plain').route?.retry).toMatchObject({ numRetries: 3, perTryTimeoutMs: 2000 });
  });
});

describe('ambient: leaf Services whose port names declare HTTP, imported', () => {
  const named = NATIVE.replaceAll(
    'ports: [{port: 9080, targetPort: 9080}]',
    'ports: [{name: http, port: 9080}]',
  );
  const reviews = service('shop', 'reviews', '10.96.3.11', 9080);
  const web = pod('shop', 'web', { app: 'web' }, 'web');
  const world = {
    services: [reviews],
    pods: [pod('shop', 'reviews-v1', { app: 'reviews', version: 'v1' }), web],
  };
  const calls = [ambientRequest('api', web, reviews, 9080, { path: '/api/v1/items' })];
  const { imported, compiled } = importAndCompile(named);
  it('reports the port names as changing meaning', () => {
    expect(
      imported.diagnostics.filter((d) => d.level !== 'info').map((d) => `${d.code} ${d.policy} ${d.path}`),
    ).toEqual([
      'AM4116 Service/shop/reviews-v1 spec.ports[0].name',
      'AM4116 Service/shop/reviews-v2 spec.ports[0].name',
    ]);
  });
  it('because Istio speaks HTTP/1.1 to a port named http, and the caller protocol to a leaf of anymesh', async () => {
    const protocol = async (yaml: string) => {
      const answer = await askIstio(ambientClusterYaml(yaml, world.services, world.pods), calls, false, true);
      const settings = result(answer, 'api').route?.clusterSettings ?? {};
      return Object.values(settings).map((c) => c.upstreamProtocol);
    };
    expect(await protocol(named)).toEqual([undefined]);
    expect(await protocol(renderYaml(compiled.resources))).toEqual(['downstream']);
  });
});

describe('ambient: Gateway API ingress routes written by hand, imported and compiled again', () => {
  // The user's Gateway (anymesh binds routes to it, does not create it) with a named HTTP and TCP
  // listener; Istio deploys its Envoy as pods labelled with the Gateway's name, behind <name>-istio.
  const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: shop}
spec:
  gatewayClassName: istio
  listeners:
  - {name: web, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}
  - {name: echo, port: 31400, protocol: TCP, allowedRoutes: {namespaces: {from: Same}}}
`;
  const ROUTES = `apiVersion: v1
kind: Service
metadata: {name: echo-v1, namespace: shop}
spec:
  selector: {app: echo, version: v1}
  ports: [{port: 9000, targetPort: 9000}]
---
apiVersion: v1
kind: Service
metadata: {name: echo-v2, namespace: shop}
spec:
  selector: {app: echo, version: v2}
  ports: [{port: 9000, targetPort: 9000}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: store-ingress, namespace: shop}
spec:
  parentRefs: [{name: edge, sectionName: web}]
  hostnames: [store.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: api, port: 8080}]
    timeouts: {request: 4s}
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: x-entry, value: edge}]}
  - backendRefs: [{name: web, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: echo, namespace: shop}
spec:
  parentRefs: [{name: edge, sectionName: echo}]
  rules:
  - backendRefs: [{name: echo-v1, port: 9000, weight: 80}, {name: echo-v2, port: 9000, weight: 20}]
`;
  const gatewayPod = pod('shop', 'edge-istio', { 'gateway.networking.k8s.io/gateway-name': 'edge' });
  const world = {
    services: [
      service('shop', 'api', '10.96.4.10', 8080),
      service('shop', 'web', '10.96.4.11', 8080),
      service('shop', 'echo', '10.96.4.12', 9000, 'tcp'),
      {
        namespace: 'shop',
        name: 'edge-istio',
        ip: '10.96.4.20',
        ports: [{ port: 80 }, { port: 31400, protocol: 'tcp' as const }],
        selector: gatewayPod.labels,
      },
    ],
    pods: [
      pod('shop', 'api', { app: 'api' }),
      pod('shop', 'web', { app: 'web' }),
      pod('shop', 'echo-v1', { app: 'echo', version: 'v1' }),
      pod('shop', 'echo-v2', { app: 'echo', version: 'v2' }),
      gatewayPod,
    ],
  };
  const entering = (id: string, host: string, path: string, port = 80, tcp = false): Call => ({
    id,
    mode: 'gateway',
    from: gatewayPod,
    host,
    port,
    ...requestFields({ path, ...(tcp ? { tcp } : {}) }),
  });
  const calls = [
    entering('api', 'store.example.com', '/api/orders'),
    entering('apiary', 'store.example.com', '/apiary'),
    entering('home', 'store.example.com', '/'),
    entering('other-host', 'other.example.com', '/api/orders'),
    entering('echo', 'echo.example.com', '/', 31400, true),
  ];
  const { imported, compiled } = importAndCompile(`${GATEWAY}---\n${ROUTES}`);
  let native: Answer;
  let again: Answer;
  beforeAll(async () => {
    const ask = (yaml: string) =>
      askIstio(ambientClusterYaml(`${GATEWAY}---\n${yaml}`, world.services, world.pods), calls, false, true);
    native = await ask(ROUTES);
    again = await ask(renderYaml(compiled.resources));
  });
  it('imports every route field with nothing reported (the listeners by name are their ports)', () => {
    expect(imported.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
    expect(imported.loaded.policies.map((p) => p.policy.spec)).toContainEqual(
      expect.objectContaining({ protocol: 'tcp', gateway: { name: 'edge', port: 31400 } }),
    );
    expect(compiled.ok, compiled.diagnostics.map((d) => d.message).join('\n')).toBe(true);
  });
  it.each(calls.map((c) => c.id))('%s meets the same route at the gateway', (id) => {
    expect(met(result(again, id))).toEqual(met(result(native, id)));
  });
  it('routes as the hand-written objects say (the comparison is not of two empty answers)', () => {
    expect(backends(result(native, 'api'))).toEqual({ 'api.shop:8080': 100 });
    expect(result(native, 'api').route?.timeoutMs).toBe(4000);
    expect(backends(result(native, 'apiary'))).toEqual({ 'web.shop:8080': 100 });
    expect(result(native, 'other-host').route).toBeUndefined();
    expect(result(native, 'echo').tcp).toBeDefined();
  });
});
