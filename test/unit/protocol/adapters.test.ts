// What each adapter makes of issue 16's fields, beyond the golden files: the cases where meshes
// keep settings elsewhere (Istio's idle timeout in the DestinationRule beside BackendPolicy
// limits), the defaults the model fixes (302, the request's port) and each adapter's refusals.
import { describe, expect, it } from 'vitest';
import { codes, compileFor, findObject, maybeObject, policy, traffic } from '../../support/kit.js';

const tcp = (name: string, extra: string, timeout: string) =>
  traffic(
    `  service: db\n  port: 5432\n  protocol: tcp\n${extra}  rules:\n    - timeout: ${timeout}\n`,
    name,
    'shop',
  );

describe('Istio sidecar', () => {
  it("keeps a TCP idle timeout (top level, the only one the tcp_proxy reads) beside a BackendPolicy's limits for its port", () => {
    const backend = policy(
      'BackendPolicy',
      '  service: db\n  port: 5432\n  connectionLimits: {maxConnections: 10, connectTimeout: 1s}\n',
      { name: 'db', namespace: 'shop' },
    );
    const r = compileFor('istio', [tcp('db', '', '30m'), backend].join('---\n'));
    expect(r.ok).toBe(true);
    const dr = findObject(r.resources, 'DestinationRule', 'db');
    expect(dr.spec.trafficPolicy).toEqual({
      connectionPool: { tcp: { idleTimeout: '30m' } },
      portLevelSettings: [
        { port: { number: 5432 }, connectionPool: { tcp: { maxConnections: 10, connectTimeout: '1s' } } },
      ],
    });
    expect(findObject(r.resources, 'VirtualService', 'db').spec.tcp).toEqual([
      {
        match: [{ port: 5432 }],
        route: [{ destination: { host: 'db.shop.svc.cluster.local', port: { number: 5432 } } }],
      },
    ]);
  });

  it('refuses two idle timeouts for one service, even for different callers (AM4140)', () => {
    const text = [
      tcp('jobs', '  sources: [{namespace: jobs}]\n', '1h'),
      tcp('web', '  sources: [{namespace: web}]\n', '10m'),
    ].join('---\n');
    const r = compileFor('istio', text);
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM4140');
  });

  it('refuses two idle timeouts on two ports of one service (one top-level timeout holds for both, AM4140)', () => {
    const onPort = (name: string, port: number, timeout: string) =>
      traffic(
        `  service: db\n  port: ${port}\n  protocol: tcp\n  rules:\n    - timeout: ${timeout}\n`,
        name,
        'shop',
      );
    const r = compileFor(
      'istio',
      [onPort('primary', 5432, '1h'), onPort('replica', 5433, '10m')].join('---\n'),
    );
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM4140');
    const same = compileFor(
      'istio',
      [onPort('primary', 5432, '1h'), onPort('replica', 5433, '60m')].join('---\n'),
    );
    expect(same.ok).toBe(true);
    expect(findObject(same.resources, 'DestinationRule', 'db').spec.trafficPolicy).toEqual({
      connectionPool: { tcp: { idleTimeout: '1h' } },
    });
  });

  it("writes the model's redirect defaults: status 302 (Istio's own is 301) and the request's port", () => {
    const r = compileFor(
      'istio',
      traffic('  service: web\n  rules:\n    - redirect: {host: www.example.com}\n', 'web', 'shop'),
    );
    expect(findObject(r.resources, 'VirtualService', 'web').spec.http[0].redirect).toEqual({
      authority: 'www.example.com',
      derivePort: 'FROM_REQUEST_PORT',
      redirectCode: 302,
    });
  });
});

describe('Istio ambient', () => {
  const grpc = (rule: string) =>
    traffic(
      `  service: cart\n  port: 50051\n  protocol: grpc\n  rules:\n    - matches: [{grpc: {service: shop.Cart, method: Add}}]\n${rule}`,
      'cart',
      'shop',
    );
  const ambient = { options: { 'istio.dataplane': 'ambient' } };
  it('writes a GRPCRoute when the rules need nothing GRPCRoute lacks', () => {
    const r = compileFor('istio', grpc('      requestHeaders: {set: {x-a: b}}\n'), ambient);
    expect(findObject(r.resources, 'GRPCRoute', 'cart').spec.rules[0].matches).toEqual([
      { method: { type: 'Exact', service: 'shop.Cart', method: 'Add' } },
    ]);
    expect(maybeObject(r.resources, 'HTTPRoute', 'cart')).toBeUndefined();
  });
  it('writes an HTTPRoute on the gRPC path when a rule has a timeout (GRPCRoute has none)', () => {
    const r = compileFor('istio', grpc('      timeout: 2s\n'), ambient);
    const route = findObject(r.resources, 'HTTPRoute', 'cart');
    expect(route.spec.rules[0].matches).toEqual([{ path: { type: 'Exact', value: '/shop.Cart/Add' } }]);
    expect(route.spec.rules[0].timeouts).toEqual({ request: '2s' });
  });
});

describe('Linkerd', () => {
  it('refuses HTTP retry conditions on a GRPCRoute (AM4240)', () => {
    const r = compileFor(
      'linkerd',
      traffic(
        '  service: cart\n  port: 50051\n  protocol: grpc\n  rules:\n    - retries: {attempts: 2, retryOn: [5xx]}\n',
        'cart',
        'shop',
      ),
    );
    expect(codes(r.diagnostics)).toContain('AM4240');
    expect(r.ok).toBe(false);
  });
  it('writes gRPC retry conditions to retry.linkerd.io/grpc on a GRPCRoute, and refuses them on http', () => {
    const spec = (protocol: string) =>
      traffic(
        `  service: cart\n  port: 50051\n  protocol: ${protocol}\n  rules:\n    - retries: {attempts: 2, retryOn: [unavailable, cancelled]}\n`,
        'cart',
        'shop',
      );
    const grpc = compileFor('linkerd', spec('grpc'));
    expect(grpc.ok).toBe(true);
    const annotations = findObject(grpc.resources, 'GRPCRoute', 'cart').metadata.annotations!;
    expect(annotations['retry.linkerd.io/grpc']).toBe('unavailable,cancelled');
    expect(annotations['retry.linkerd.io/limit']).toBe('2');
    expect(annotations['retry.linkerd.io/http']).toBeUndefined();
    const http = compileFor('linkerd', spec('http'));
    expect(http.ok).toBe(false);
    expect(http.diagnostics.filter((d) => d.code === 'AM3001').map((d) => [d.feature, d.path])).toEqual([
      ['retries.on.grpc', 'spec.rules[0].retries.retryOn[0]'],
      ['retries.on.grpc', 'spec.rules[0].retries.retryOn[1]'],
    ]);
  });
  it('a redirect rule has the filter and no backendRefs', () => {
    const r = compileFor(
      'linkerd',
      traffic('  service: web\n  port: 8080\n  rules:\n    - redirect: {scheme: https}\n', 'web', 'shop'),
    );
    expect(findObject(r.resources, 'HTTPRoute', 'web').spec.rules).toEqual([
      { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 302 } }] },
    ]);
  });
});

describe('App Mesh', () => {
  it('refuses a gRPC method without its service (AM4440)', () => {
    const r = compileFor(
      'appmesh',
      traffic(
        '  service: cart\n  port: 50051\n  protocol: grpc\n  rules:\n    - matches: [{grpc: {method: Add}}]\n',
        'cart',
        'shop',
      ),
    );
    expect(codes(r.diagnostics)).toContain('AM4440');
    expect(r.ok).toBe(false);
  });
  it('listens with the policy protocol and routes TCP with an idle timeout', () => {
    const r = compileFor(
      'appmesh',
      traffic('  service: db\n  port: 5432\n  protocol: tcp\n  rules:\n    - timeout: 90s\n', 'db', 'shop'),
    );
    const router = findObject(r.resources, 'VirtualRouter', 'db');
    expect(router.spec.listeners).toEqual([{ portMapping: { port: 5432, protocol: 'tcp' } }]);
    expect(router.spec.routes[0].tcpRoute.timeout).toEqual({ idle: { value: 90, unit: 's' } });
    expect(findObject(r.resources, 'VirtualNode', 'db').spec.listeners[0].portMapping.protocol).toBe('tcp');
  });
});

describe('Consul', () => {
  it("a gRPC policy's grpc protocol holds whichever module writes ServiceDefaults first", () => {
    const backend = policy(
      'BackendPolicy',
      '  service: cart\n  loadBalancer: {policy: consistentHash, consistentHash: {header: x-user}}\n',
      { name: 'cart', namespace: 'shop' },
    );
    const grpc = traffic(
      '  service: cart\n  protocol: grpc\n  rules:\n    - matches: [{grpc: {service: shop.Cart}}]\n      timeout: 1s\n',
      'cart',
      'shop',
    );
    for (const text of [[grpc, backend].join('---\n'), [backend, grpc].join('---\n')]) {
      const r = compileFor('consul', text);
      expect(findObject(r.resources, 'ServiceDefaults', 'cart').spec.protocol).toBe('grpc');
      expect(findObject(r.resources, 'ServiceRouter', 'cart').spec.routes[0].match).toEqual({
        http: { pathPrefix: '/shop.Cart/' },
      });
    }
  });
});

describe('leaf Services of gRPC backends declare HTTP/2 (appProtocol kubernetes.io/h2c)', () => {
  const policyOf = (protocol: string) =>
    traffic(
      `  service: cart\n  port: 50051\n  protocol: ${protocol}\n  versions: {v1: {version: v1}, v2: {version: v2}}\n  rules:\n    - backends: [{version: v1, weight: 90}, {version: v2, weight: 10}]\n`,
      'cart',
      'shop',
    );
  it.each([
    ['linkerd', {}],
    ['istio', { options: { 'istio.dataplane': 'ambient' } }],
  ] as const)('%s: on a grpc policy, and not on an http one', (mesh, opts) => {
    const ports = (protocol: string) =>
      findObject(compileFor(mesh, policyOf(protocol), opts).resources, 'Service', 'cart-v1').spec.ports;
    expect(ports('grpc')).toEqual([
      {
        name: 'port-50051',
        port: 50051,
        targetPort: 50051,
        protocol: 'TCP',
        appProtocol: 'kubernetes.io/h2c',
      },
    ]);
    expect(ports('http')[0].appProtocol).toBeUndefined();
  });
});
