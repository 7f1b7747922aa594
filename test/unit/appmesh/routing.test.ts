import { describe, expect, it } from 'vitest';
import { renderYaml } from '../../../src/core/render.js';
import { codes, compileFor, findObject, traffic } from '../../support/kit.js';

const CANARY = traffic(
  `  service: reviews
  port: 9080
  selector: {app: reviews}
  versions:
    v1: {version: v1}
    v2: {version: v2}
  rules:
    - name: testers
      matches:
        - headers: [{name: End-User, exact: jason}]
        - path: {prefix: /api}
          method: POST
          queryParams: [{name: engine, exact: next}]
      backends: [{version: v2}]
    - name: everyone
      backends:
        - {version: v1, weight: 90}
        - {version: v2, weight: 10}
      timeout: 3s`,
  'reviews-canary',
  'bookinfo',
);

describe('App Mesh objects for a service with versions', () => {
  const r = compileFor('appmesh', CANARY);

  it('compiles', () => {
    expect(r.ok).toBe(true);
    expect(r.resources.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'Mesh//anymesh',
      'VirtualNode/bookinfo/reviews-v1',
      'VirtualNode/bookinfo/reviews-v2',
      'VirtualRouter/bookinfo/reviews',
      'VirtualService/bookinfo/reviews',
      'Service/bookinfo/reviews-v1',
      'Service/bookinfo/reviews-v2',
    ]);
  });

  it('makes one VirtualNode per version: selector plus version labels, the port, a per-version DNS name', () => {
    expect(findObject(r.resources, 'VirtualNode', 'reviews-v2').spec).toEqual({
      podSelector: { matchLabels: { app: 'reviews', version: 'v2' } },
      listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: 'reviews-v2.bookinfo.svc.cluster.local' } },
    });
  });

  it('emits the per-version Service the DNS name needs, and says so', () => {
    expect(findObject(r.resources, 'Service', 'reviews-v1').spec).toEqual({
      selector: { app: 'reviews', version: 'v1' },
      ports: [{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' }],
    });
    expect(codes(r.diagnostics).filter((c) => c === 'AM4422')).toHaveLength(2);
  });

  it('names the VirtualService by the FQDN and has the router provide it', () => {
    expect(findObject(r.resources, 'VirtualService', 'reviews').spec).toEqual({
      awsName: 'reviews.bookinfo.svc.cluster.local',
      provider: { virtualRouter: { virtualRouterRef: { name: 'reviews' } } },
    });
  });

  it('orders routes by priority in rule order, one route per match entry', () => {
    const router = findObject(r.resources, 'VirtualRouter', 'reviews').spec;
    expect(router.listeners).toEqual([{ portMapping: { port: 9080, protocol: 'http' } }]);
    expect(router.routes.map((x: { name: string; priority: number }) => [x.name, x.priority])).toEqual([
      ['testers-0', 0],
      ['testers-1', 1],
      ['everyone', 2],
    ]);
    expect(router.routes[0].httpRoute.match).toEqual({
      prefix: '/',
      headers: [{ name: 'end-user', match: { exact: 'jason' } }],
    });
    expect(router.routes[1].httpRoute.match).toEqual({
      prefix: '/api',
      method: 'POST',
      queryParameters: [{ name: 'engine', match: { exact: 'next' } }],
    });
    expect(router.routes[2].httpRoute).toEqual({
      match: { prefix: '/' },
      action: {
        weightedTargets: [
          { virtualNodeRef: { name: 'reviews-v1' }, weight: 90 },
          { virtualNodeRef: { name: 'reviews-v2' }, weight: 10 },
        ],
      },
      timeout: { perRequest: { value: 3, unit: 's' } },
    });
    expect(router.routes[0].httpRoute.action).toEqual({
      weightedTargets: [{ virtualNodeRef: { name: 'reviews-v2' }, weight: 100 }],
    });
  });

  it('labels every object as managed and names its source policy', () => {
    for (const o of r.resources) {
      expect(o.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'anymesh' });
      expect(o.metadata.annotations).toEqual({
        'anymesh.dev/source-policies': 'TrafficPolicy/bookinfo/reviews-canary',
      });
    }
  });

  it('makes a Mesh that selects member namespaces by label and drops egress to undeclared backends', () => {
    expect(findObject(r.resources, 'Mesh', 'anymesh').spec).toEqual({
      namespaceSelector: { matchLabels: { mesh: 'anymesh' } },
      egressFilter: { type: 'DROP_ALL' },
    });
    expect(findObject(r.resources, 'Mesh', 'anymesh').metadata.namespace).toBeUndefined();
  });

  it('warns on every compile that App Mesh is past its end of support', () => {
    const eos = r.diagnostics.filter((d) => d.code === 'AM3010');
    expect(eos).toHaveLength(1);
    expect(eos[0]!.level).toBe('warning');
    expect(eos[0]!.message).toMatch(/2026-09-30/);
    expect(eos[0]!.message).toMatch(/VPC Lattice/);
    expect(eos[0]!.message).toMatch(/ECS Service Connect/);
  });

  it('is deterministic', () => {
    expect(renderYaml(compileFor('appmesh', CANARY).resources)).toBe(renderYaml(r.resources));
    expect(compileFor('appmesh', CANARY).diagnostics).toEqual(r.diagnostics);
  });
});

describe('App Mesh matches', () => {
  const one = (match: string) =>
    compileFor(
      'appmesh',
      traffic(
        `  service: cart\n  port: 8080\n  selector: {app: cart}\n  rules:\n    - name: r\n      matches:\n        - ${match}`,
        'p',
        'shop',
      ),
    );
  const matchOf = (match: string) =>
    findObject(one(match).resources, 'VirtualRouter', 'cart').spec.routes[0].httpRoute.match;

  it('maps exact and regex paths to path, prefixes to prefix', () => {
    expect(matchOf('path: {exact: /cart}')).toEqual({ path: { exact: '/cart' } });
    expect(matchOf('path: {regex: "/cart/[0-9]+"}')).toEqual({ path: { regex: '/cart/[0-9]+' } });
    expect(matchOf('path: {prefix: /cart}')).toEqual({ prefix: '/cart' });
  });
  it('maps header conditions, lower-casing names; presence becomes a match-anything regex', () => {
    expect(
      matchOf(
        'headers: [{name: X-A, exact: a}, {name: x-b, prefix: b}, {name: x-c, regex: "c+"}, {name: x-d, present: true}]',
      ),
    ).toEqual({
      prefix: '/',
      headers: [
        { name: 'x-a', match: { exact: 'a' } },
        { name: 'x-b', match: { prefix: 'b' } },
        { name: 'x-c', match: { regex: 'c+' } },
        { name: 'x-d', match: { regex: '.*' } },
      ],
    });
  });
  it('keeps empty header values valid for the CRD (at least one character)', () => {
    expect(matchOf('headers: [{name: x-a, exact: ""}, {name: x-b, prefix: ""}]').headers).toEqual([
      { name: 'x-a', match: { regex: '^$' } },
      { name: 'x-b', match: { regex: '.*' } },
    ]);
  });
  it('refuses a header name over 50 characters, at its position', () => {
    const r = one(`headers: [{name: ${'x'.repeat(51)}, exact: a}]`);
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM4407')!;
    expect(d.path).toBe('spec.rules[0].matches[0].headers[0].name');
    expect(d.location?.line).toBe(11);
  });
  it('refuses more than 10 header conditions', () => {
    const headers = Array.from({ length: 11 }, (_, i) => `{name: x-${i}, exact: v}`).join(', ');
    expect(codes(one(`headers: [${headers}]`).diagnostics)).toContain('AM4408');
  });
  it('refuses a path regex over 255 characters', () => {
    expect(codes(one(`path: {regex: "/${'a'.repeat(260)}"}`).diagnostics)).toContain('AM4407');
  });
});

describe('App Mesh targets', () => {
  it('routes a service without versions to its one VirtualNode, named by the service FQDN', () => {
    const r = compileFor(
      'appmesh',
      traffic('  service: cart\n  port: 8080\n  rules:\n    - timeout: 800ms', 'p', 'shop'),
    );
    expect(r.ok).toBe(true);
    expect(codes(r.diagnostics)).toContain('AM3005');
    expect(findObject(r.resources, 'VirtualNode', 'cart').spec).toEqual({
      podSelector: { matchLabels: { app: 'cart' } },
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: 'cart.shop.svc.cluster.local' } },
    });
    expect(findObject(r.resources, 'VirtualRouter', 'cart').spec.routes).toEqual([
      {
        name: 'rule-0',
        priority: 0,
        httpRoute: {
          match: { prefix: '/' },
          action: { weightedTargets: [{ virtualNodeRef: { name: 'cart' }, weight: 100 }] },
          timeout: { perRequest: { value: 800, unit: 'ms' } },
        },
      },
    ]);
    expect(r.resources.some((o) => o.kind === 'Service')).toBe(false);
  });

  it('targets the VirtualNode of another service, with its namespace and port, and warns when it is not generated', () => {
    const r = compileFor(
      'appmesh',
      traffic(
        '  service: cart\n  port: 8080\n  rules:\n    - backends: [{service: cart-next, namespace: beta, port: 8081, weight: 30}, {service: cart, weight: 70}]',
        'p',
        'shop',
      ),
    );
    expect(r.ok).toBe(true);
    expect(
      findObject(r.resources, 'VirtualRouter', 'cart').spec.routes[0].httpRoute.action.weightedTargets,
    ).toEqual([
      { virtualNodeRef: { name: 'cart-next', namespace: 'beta' }, weight: 30, port: 8081 },
      { virtualNodeRef: { name: 'cart' }, weight: 70 },
    ]);
    const warned = r.diagnostics.filter((d) => d.code === 'AM4410');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.path).toBe('spec.rules[0].backends[0].service');
  });

  it('refuses a backend service that has versions (no single node to target)', () => {
    const r = compileFor(
      'appmesh',
      [
        traffic('  service: cart\n  port: 8080\n  rules:\n    - backends: [{service: pricing}]', 'a', 'shop'),
        traffic(
          '  service: pricing\n  port: 8080\n  versions: {v1: {v: "1"}}\n  rules:\n    - backends: [{version: v1}]',
          'b',
          'shop',
        ),
      ].join('---\n'),
    );
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM4411');
  });

  it('refuses a rule without backends when the service has versions', () => {
    const r = compileFor(
      'appmesh',
      traffic(
        '  service: cart\n  port: 8080\n  versions: {v1: {v: "1"}}\n  rules:\n    - timeout: 1s',
        'p',
        'shop',
      ),
    );
    expect(r.ok).toBe(false);
    expect(r.diagnostics.find((d) => d.code === 'AM4406')?.path).toBe('spec.rules[0]');
  });

  it('refuses more than 10 weighted targets', () => {
    const versions = Array.from({ length: 11 }, (_, i) => `v${i}: {v: "${i}"}`).join(', ');
    const backends = Array.from(
      { length: 11 },
      (_, i) => `{version: v${i}, weight: ${i === 0 ? 0 : 10}}`,
    ).join(', ');
    const r = compileFor(
      'appmesh',
      traffic(
        `  service: cart\n  port: 8080\n  versions: {${versions}}\n  rules:\n    - backends: [${backends}]`,
        'p',
        'shop',
      ),
    );
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM4402');
  });

  it('accepts exactly 10 weighted targets', () => {
    const versions = Array.from({ length: 10 }, (_, i) => `v${i}: {v: "${i}"}`).join(', ');
    const backends = Array.from({ length: 10 }, (_, i) => `{version: v${i}, weight: 10}`).join(', ');
    const r = compileFor(
      'appmesh',
      traffic(
        `  service: cart\n  port: 8080\n  versions: {${versions}}\n  rules:\n    - backends: [${backends}]`,
        'p',
        'shop',
      ),
    );
    expect(r.ok).toBe(true);
    expect(
      findObject(r.resources, 'VirtualRouter', 'cart').spec.routes[0].httpRoute.action.weightedTargets,
    ).toHaveLength(10);
  });

  it('needs spec.port for the listeners', () => {
    const r = compileFor('appmesh', traffic('  service: cart\n  rules:\n    - timeout: 1s', 'p', 'shop'));
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM4401')!;
    expect(d.path).toBe('spec.service');
    expect(d.location).toMatchObject({ line: 5, col: 12 });
  });

  it('refuses two policies for one service (one virtual router per virtual service)', () => {
    const r = compileFor(
      'appmesh',
      [
        traffic(
          '  service: cart\n  port: 8080\n  rules:\n    - matches: [{path: {prefix: /a}}]\n      timeout: 1s',
          'a',
          'shop',
        ),
        traffic(
          '  service: cart\n  port: 8080\n  rules:\n    - matches: [{path: {prefix: /b}}]\n      timeout: 2s',
          'b',
          'shop',
        ),
      ].join('---\n'),
    );
    expect(r.ok).toBe(false);
    expect(codes(r.diagnostics)).toContain('AM4426');
  });
});

describe('App Mesh timeouts', () => {
  it('raises the target listeners when a route timeout is above the 15s default, and says so', () => {
    const r = compileFor(
      'appmesh',
      traffic(
        '  service: cart\n  port: 8080\n  versions: {v1: {v: "1"}, v2: {v: "2"}}\n  rules:\n    - name: slow\n      matches: [{path: {prefix: /export}}]\n      backends: [{version: v2}]\n      timeout: 1m\n    - backends: [{version: v1}]\n      timeout: 20s',
        'p',
        'shop',
      ),
    );
    expect(r.ok).toBe(true);
    expect(findObject(r.resources, 'VirtualNode', 'cart-v2').spec.listeners[0].timeout).toEqual({
      http: { perRequest: { value: 60, unit: 's' } },
    });
    expect(findObject(r.resources, 'VirtualNode', 'cart-v1').spec.listeners[0].timeout).toEqual({
      http: { perRequest: { value: 20, unit: 's' } },
    });
    expect(codes(r.diagnostics).filter((c) => c === 'AM4421')).toHaveLength(2);
  });
  it('leaves listeners alone for timeouts within the default', () => {
    const r = compileFor(
      'appmesh',
      traffic('  service: cart\n  port: 8080\n  rules:\n    - timeout: 15s', 'p', 'shop'),
    );
    expect(findObject(r.resources, 'VirtualNode', 'cart').spec.listeners[0].timeout).toBeUndefined();
    expect(codes(r.diagnostics)).not.toContain('AM4421');
  });
});

describe('App Mesh retries', () => {
  const retry = (retries: string, extra = '') => {
    const r = compileFor(
      'appmesh',
      traffic(`  service: cart\n  port: 8080\n  rules:\n    - retries: ${retries}${extra}`, 'p', 'shop'),
    );
    return {
      r,
      policy: r.ok
        ? findObject(r.resources, 'VirtualRouter', 'cart').spec.routes[0].httpRoute.retryPolicy
        : undefined,
    };
  };

  it('maps attempts, per-try timeout and conditions to maxRetries, perRetryTimeout and events', () => {
    const { r, policy } = retry(
      '{attempts: 3, perTryTimeout: 250ms, retryOn: [connect-failure, 5xx, refused-stream, retriable-4xx, gateway-error, 5xx]}',
    );
    expect(r.ok).toBe(true);
    expect(policy).toEqual({
      maxRetries: 3,
      perRetryTimeout: { value: 250, unit: 'ms' },
      httpRetryEvents: ['server-error', 'gateway-error', 'client-error', 'stream-error'],
      tcpRetryEvents: ['connection-error'],
    });
    expect(codes(r.diagnostics)).not.toContain('AM4403');
    expect(codes(r.diagnostics)).not.toContain('AM4404');
  });

  it('defaults perRetryTimeout to the rule timeout, and reports it', () => {
    const { r, policy } = retry('{attempts: 2, retryOn: [5xx]}', '\n      timeout: 4s');
    expect(policy.perRetryTimeout).toEqual({ value: 4, unit: 's' });
    const d = r.diagnostics.find((x) => x.code === 'AM4403')!;
    expect(d.level).toBe('info');
    expect(d.message).toMatch(/4s/);
    expect(d.path).toBe('spec.rules[0].retries');
  });

  it("defaults perRetryTimeout to App Mesh's 15s without a timeout, and events to gateway and connection errors", () => {
    const { r, policy } = retry('{attempts: 2}');
    expect(policy).toEqual({
      maxRetries: 2,
      perRetryTimeout: { value: 15, unit: 's' },
      httpRetryEvents: ['gateway-error'],
      tcpRetryEvents: ['connection-error'],
    });
    expect(codes(r.diagnostics)).toEqual(expect.arrayContaining(['AM4403', 'AM4404']));
  });

  it('refuses a single status code and a bare reset, with positions', () => {
    const { r } = retry('{attempts: 2, retryOn: [retriable-4xx, "503", reset]}');
    expect(r.ok).toBe(false);
    expect(r.diagnostics.filter((d) => d.code === 'AM4405').map((d) => d.path)).toEqual([
      'spec.rules[0].retries.retryOn[1]',
      'spec.rules[0].retries.retryOn[2]',
    ]);
  });

  it('accepts a status code or reset that a listed event already covers, losing nothing', () => {
    const { r } = retry('{attempts: 2, retryOn: [gateway-error, "503", reset]}');
    expect(r.ok).toBe(true);
    expect(r.diagnostics.filter((d) => d.code === 'AM4405')).toEqual([]);
    const route = (r.resources.find((o) => o.kind === 'VirtualRouter')!.spec as any).routes[0].httpRoute;
    expect(route.retryPolicy.httpRetryEvents).toEqual(['gateway-error']);
  });

  it('warns that 5xx maps to an event class (partial cell)', () => {
    const { r } = retry('{attempts: 2, retryOn: [5xx]}');
    expect(r.diagnostics.find((d) => d.code === 'AM3003' && d.feature === 'retries.on.http')).toBeDefined();
  });
});
