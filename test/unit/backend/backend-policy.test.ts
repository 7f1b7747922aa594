/**
 * BackendPolicy end to end: the model's checks (with code and position), the overlap rule, and what
 * each adapter writes, including the merges that goldens show only once (Istio's one
 * DestinationRule per host, Linkerd's shared Server, Consul's shared ServiceResolver).
 */
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { checkPortability } from '../../../src/core/portability/index.js';
import { codes, compileFor, findObject, load, maybeObject, objectsOf, policy } from '../../support/kit.js';

const backend = (spec: string, name = 'reviews', namespace = 'bookinfo') =>
  policy('BackendPolicy', `  service: reviews\n${spec}`, { name, namespace });
const routing = policy(
  'TrafficPolicy',
  `  service: reviews
  port: 9080
  versions: {v1: {version: v1}, v2: {version: v2}}
  rules:
    - backends: [{version: v1, weight: 80}, {version: v2, weight: 20}]`,
  { name: 'reviews', namespace: 'bookinfo' },
);
const docs = (...texts: string[]) => texts.join('---\n');

describe('BackendPolicy model checks', () => {
  const problems = (spec: string) =>
    load(backend(spec), { overlaps: false }).diagnostics.map((d) => `${d.code} ${d.path}`);

  it('needs at least one setting (AM2029)', () => {
    expect(problems('  port: 9080')).toEqual(['AM2029 spec']);
  });

  it('consistentHash takes exactly one key, goes with policy consistentHash, and sourceIP must be true (AM2030)', () => {
    expect(problems('  loadBalancer: {policy: consistentHash}')).toEqual(['AM2030 spec.loadBalancer.policy']);
    expect(problems('  loadBalancer: {policy: random, consistentHash: {header: x-user}}')).toEqual([
      'AM2030 spec.loadBalancer.consistentHash',
    ]);
    expect(
      problems('  loadBalancer: {policy: consistentHash, consistentHash: {header: x-user, sourceIP: true}}'),
    ).toEqual(['AM2030 spec.loadBalancer.consistentHash']);
    expect(problems('  loadBalancer: {policy: consistentHash, consistentHash: {sourceIP: false}}')).toEqual([
      'AM2030 spec.loadBalancer.consistentHash.sourceIP',
    ]);
  });

  it('checks header names, cookie paths, durations and the burst', () => {
    expect(problems('  loadBalancer: {policy: consistentHash, consistentHash: {header: "x user"}}')).toEqual([
      'AM2015 spec.loadBalancer.consistentHash.header',
    ]);
    expect(
      problems('  loadBalancer: {policy: consistentHash, consistentHash: {cookie: {name: s, path: x}}}'),
    ).toEqual(['AM2023 spec.loadBalancer.consistentHash.cookie.path']);
    expect(problems('  outlierDetection: {interval: 0s}')).toEqual(['AM2028 spec.outlierDetection.interval']);
    expect(problems('  rateLimit: {requestsPerSecond: 100, burst: 10}')).toEqual([
      'AM2031 spec.rateLimit.burst',
    ]);
    expect(problems('  connectionLimits: {maxConnections: 0}').map((p) => p.split(' ')[0])).toEqual([
      'AM2005',
    ]);
  });
});

describe('BackendPolicy overlaps (AM3011)', () => {
  const overlap = (a: string, b: string) =>
    codes(load(docs(backend(a, 'a'), backend(b, 'b'))).diagnostics.filter((d) => d.code === 'AM3011'));

  it('two policies for one service conflict when their ports overlap', () => {
    expect(
      overlap('  port: 9080\n  loadBalancer: {policy: random}', '  loadBalancer: {policy: random}'),
    ).toEqual(['AM3011']);
    expect(
      overlap('  rateLimit: {requestsPerSecond: 1}', '  outlierDetection: {consecutiveErrors: 3}'),
    ).toEqual(['AM3011']);
  });

  it('different ports, services or namespaces do not', () => {
    expect(
      overlap(
        '  port: 9080\n  loadBalancer: {policy: random}',
        '  port: 9443\n  loadBalancer: {policy: random}',
      ),
    ).toEqual([]);
    const other = policy('BackendPolicy', '  service: ratings\n  loadBalancer: {policy: random}', {
      name: 'b',
      namespace: 'bookinfo',
    });
    expect(codes(load(docs(backend('  loadBalancer: {policy: random}', 'a'), other)).diagnostics)).toEqual(
      [],
    );
  });

  it('points at the later policy and names the earlier one', () => {
    const d = load(
      docs(
        backend('  loadBalancer: {policy: random}', 'a'),
        backend('  loadBalancer: {policy: random}', 'b'),
      ),
    ).diagnostics.find((x) => x.code === 'AM3011')!;
    expect(d.policy).toBe('BackendPolicy/bookinfo/b');
    expect(d.path).toBe('spec.service');
    expect(d.message).toContain('BackendPolicy/bookinfo/a');
    expect(d.message).toContain('loadBalancer');
  });
});

describe('Istio: settings join the DestinationRule of the host', () => {
  it('merges into the DestinationRule routing made (one per host), subsets kept, both sources named', () => {
    const r = compileFor('istio', docs(routing, backend('  loadBalancer: {policy: leastRequest}')));
    expect(objectsOf(r.resources, 'DestinationRule')).toHaveLength(1);
    const dr = findObject(r.resources, 'DestinationRule', 'reviews');
    expect(Object.keys(dr.spec)).toEqual(['host', 'trafficPolicy', 'subsets']);
    expect(dr.spec.trafficPolicy).toEqual({ loadBalancer: { simple: 'LEAST_REQUEST' } });
    expect(dr.spec.subsets.map((s: { name: string }) => s.name)).toEqual(['v1', 'v2']);
    expect(dr.metadata.annotations?.['anymesh.dev/source-policies']).toBe(
      'BackendPolicy/bookinfo/reviews,TrafficPolicy/bookinfo/reviews',
    );
  });

  it('makes a DestinationRule when routing made none, and puts a port in portLevelSettings', () => {
    const r = compileFor('istio', backend('  port: 9080\n  outlierDetection: {consecutiveErrors: 3}'));
    const dr = findObject(r.resources, 'DestinationRule', 'reviews');
    expect(dr.spec).toEqual({
      host: 'reviews.bookinfo.svc.cluster.local',
      trafficPolicy: {
        portLevelSettings: [
          {
            port: { number: 9080 },
            // The model's defaults (Envoy's) are written out.
            outlierDetection: {
              consecutive5xxErrors: 3,
              interval: '10s',
              baseEjectionTime: '30s',
              maxEjectionPercent: 10,
            },
          },
        ],
      },
    });
  });

  it('writes a session cookie as ttl 0s, and maps every limit', () => {
    const r = compileFor(
      'istio',
      backend(`  loadBalancer: {policy: consistentHash, consistentHash: {cookie: {name: session}}}
  connectionLimits: {maxConnections: 1, maxPendingRequests: 2, maxRequests: 3, maxRequestsPerConnection: 4, connectTimeout: 250ms}`),
    );
    expect(findObject(r.resources, 'DestinationRule').spec.trafficPolicy).toEqual({
      connectionPool: {
        tcp: { maxConnections: 1, connectTimeout: '250ms' },
        http: { http1MaxPendingRequests: 2, http2MaxRequests: 3, maxRequestsPerConnection: 4 },
      },
      loadBalancer: { consistentHash: { httpCookie: { name: 'session', ttl: '0s' } } },
    });
  });

  it('refuses the rate limit (EnvoyFilter only) and says what to do', () => {
    const r = compileFor('istio', backend('  rateLimit: {requestsPerSecond: 10}'));
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM3001')!;
    expect(d.feature).toBe('backend.rateLimit');
    expect(d.message).toContain('EnvoyFilter');
  });
});

describe('Istio ambient: the waypoint applies the DestinationRule', () => {
  const AMBIENT = { options: { 'istio.dataplane': 'ambient' } };

  it('binds a service with only a BackendPolicy to the waypoint, and writes its DestinationRule', () => {
    const r = compileFor('istio', backend('  port: 9080\n  loadBalancer: {policy: random}'), AMBIENT);
    expect(r.ok).toBe(true);
    const binding = findObject(r.resources, 'Service', 'reviews');
    expect(binding.metadata.labels).toEqual({ 'istio.io/use-waypoint': 'waypoint' });
    expect(maybeObject(r.resources, 'Gateway', 'waypoint')).toBeDefined();
    expect(findObject(r.resources, 'DestinationRule', 'reviews').spec).toEqual({
      host: 'reviews.bookinfo.svc.cluster.local',
      trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'RANDOM' } }] },
    });
    // No leaf Services, so no copies and no notice of them.
    expect(objectsOf(r.resources, 'DestinationRule')).toHaveLength(1);
    expect(codes(r.diagnostics)).not.toContain('AM4119');
  });

  it('copies the settings to the leaf Service of each version a route uses (AM4119), never subsets', () => {
    const r = compileFor(
      'istio',
      docs(routing, backend('  outlierDetection: {consecutiveErrors: 3}')),
      AMBIENT,
    );
    const drs = objectsOf(r.resources, 'DestinationRule');
    expect(drs.map((d) => d.spec.host).sort()).toEqual([
      'reviews-v1.bookinfo.svc.cluster.local',
      'reviews-v2.bookinfo.svc.cluster.local',
      'reviews.bookinfo.svc.cluster.local',
    ]);
    for (const dr of drs) {
      expect(dr.spec.subsets).toBeUndefined();
      expect(dr.spec.trafficPolicy.outlierDetection.consecutive5xxErrors).toBe(3);
      expect(dr.metadata.annotations?.['anymesh.dev/source-policies']).toBe('BackendPolicy/bookinfo/reviews');
    }
    const notice = r.diagnostics.find((d) => d.code === 'AM4119')!;
    expect(notice.message).toContain('reviews-v1, reviews-v2');
    expect(notice.path).toBe('spec.service');
  });

  it('warns that connection limits are shared by the callers of a waypoint, and that hashing needs a route', () => {
    const r = compileFor(
      'istio',
      backend(`  connectionLimits: {maxConnections: 5, maxRequestsPerConnection: 2}
  loadBalancer: {policy: consistentHash, consistentHash: {header: x-user}}`),
      AMBIENT,
    );
    expect(r.ok).toBe(true);
    const partial = r.diagnostics.filter((d) => d.code === 'AM3003').map((d) => d.feature);
    expect(partial.sort()).toEqual([
      'backend.connectionLimits.maxConnections',
      'backend.loadBalancer.consistentHash.header',
    ]);
  });

  it('refuses the rate limit, pointing at an EnvoyFilter for the waypoint, and then needs no waypoint', () => {
    const r = compileFor('istio', backend('  rateLimit: {requestsPerSecond: 10}'), AMBIENT);
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM3001')!;
    expect(d.feature).toBe('backend.rateLimit');
    expect(d.message).toContain("targetRefs to the namespace's waypoint Gateway");
    const degraded = compileFor('istio', backend('  rateLimit: {requestsPerSecond: 10}'), {
      ...AMBIENT,
      allowDegraded: true,
    });
    expect(degraded.resources).toEqual([]);
  });
});

describe('Consul: the ServiceResolver of the destination', () => {
  it('shares the resolver routing made for the subsets', () => {
    const r = compileFor(
      'consul',
      docs(
        routing,
        backend(
          '  loadBalancer: {policy: consistentHash, consistentHash: {cookie: {name: s}}}\n  connectionLimits: {connectTimeout: 2s}',
        ),
      ),
    );
    const resolver = findObject(r.resources, 'ServiceResolver', 'reviews');
    expect(objectsOf(r.resources, 'ServiceResolver')).toHaveLength(1);
    expect(Object.keys(resolver.spec.subsets)).toEqual(['v1', 'v2']);
    expect(resolver.spec.connectTimeout).toBe('2s');
    expect(resolver.spec.loadBalancer).toEqual({
      policy: 'ring_hash',
      hashPolicies: [{ field: 'cookie', fieldValue: 's', cookieConfig: { session: true } }],
    });
  });

  it('writes ServiceDefaults rateLimits only on Enterprise', () => {
    const text = backend('  rateLimit: {requestsPerSecond: 50, burst: 80}');
    expect(compileFor('consul', text).diagnostics.find((d) => d.code === 'AM3001')?.feature).toBe(
      'backend.rateLimit',
    );
    const ent = compileFor('consul', text, { options: { 'consul.enterprise': 'true' } });
    expect(ent.ok).toBe(true);
    // Rate limits are for HTTP requests, so the service is declared http too.
    expect(findObject(ent.resources, 'ServiceDefaults').spec).toEqual({
      protocol: 'http',
      rateLimits: { instanceLevel: { requestsPerSecond: 50, requestsMaxBurst: 80 } },
    });
  });
});

describe('Linkerd: rate limits on the Server of the port', () => {
  it('makes an all-unauthenticated Server, or shares the deny Server of an AccessPolicy', () => {
    const limit = backend('  port: 9080\n  selector: {app: reviews}\n  rateLimit: {requestsPerSecond: 20}');
    const alone = compileFor('linkerd', limit);
    expect(findObject(alone.resources, 'Server', 'reviews-9080').spec.accessPolicy).toBe(
      'all-unauthenticated',
    );
    expect(findObject(alone.resources, 'HTTPLocalRateLimitPolicy', 'reviews-9080').spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'reviews-9080' },
      total: { requestsPerSecond: 20 },
    });
    const allow = policy(
      'AccessPolicy',
      '  service: reviews\n  selector: {app: reviews}\n  action: allow\n  from: [{namespace: web, serviceAccount: frontend}]\n  to: [{ports: [9080]}]',
      { name: 'reviews', namespace: 'bookinfo' },
    );
    const both = compileFor('linkerd', docs(limit, allow));
    expect(objectsOf(both.resources, 'Server')).toHaveLength(1);
    const server = findObject(both.resources, 'Server', 'reviews-9080');
    expect(server.spec.accessPolicy).toBe('deny');
    expect(server.metadata.annotations?.['anymesh.dev/source-policies']).toBe(
      'AccessPolicy/bookinfo/reviews,BackendPolicy/bookinfo/reviews',
    );
  });

  it('a strict namespace keeps the rate-limited Server strict', () => {
    const strict = policy('MTLSPolicy', '  mode: strict', { name: 'ns', namespace: 'bookinfo' });
    const r = compileFor(
      'linkerd',
      docs(backend('  port: 9080\n  selector: {app: reviews}\n  rateLimit: {requestsPerSecond: 20}'), strict),
      { options: { 'linkerd.serverPorts': '9080' } },
    );
    expect(findObject(r.resources, 'Server', 'reviews-9080').spec.accessPolicy).toBe('all-authenticated');
  });

  it('needs the port (AM4218)', () => {
    const r = compileFor('linkerd', backend('  rateLimit: {requestsPerSecond: 20}'));
    expect(codes(r.diagnostics)).toContain('AM4218');
    expect(r.ok).toBe(false);
  });
});

describe('App Mesh: the listeners of the virtual nodes', () => {
  it('fills every node of the service, with Envoy defaults where App Mesh requires a field', () => {
    const r = compileFor(
      'appmesh',
      docs(
        routing,
        backend('  outlierDetection: {consecutiveErrors: 2}\n  connectionLimits: {maxPendingRequests: 5}'),
      ),
    );
    for (const node of objectsOf(r.resources, 'VirtualNode')) {
      const l = node.spec.listeners[0];
      expect(l.outlierDetection).toEqual({
        maxServerErrors: 2,
        interval: { value: 10, unit: 's' },
        baseEjectionDuration: { value: 30, unit: 's' },
        maxEjectionPercent: 10,
      });
      expect(l.connectionPool).toEqual({ http: { maxConnections: 1024, maxPendingRequests: 5 } });
    }
    expect(objectsOf(r.resources, 'VirtualNode')).toHaveLength(2);
  });

  it('refuses a port the nodes do not listen on (AM4427) and a service without nodes (AM4415)', () => {
    expect(
      codes(
        compileFor(
          'appmesh',
          docs(routing, backend('  port: 8080\n  outlierDetection: {consecutiveErrors: 2}')),
        ).diagnostics,
      ),
    ).toContain('AM4427');
    expect(
      codes(compileFor('appmesh', backend('  outlierDetection: {consecutiveErrors: 2}')).diagnostics),
    ).toContain('AM4415');
    // Round robin is App Mesh's only balancing: nothing to write, so no node is needed.
    const rr = compileFor('appmesh', backend('  loadBalancer: {policy: roundRobin}'));
    expect(rr.ok).toBe(true);
    expect(maybeObject(rr.resources, 'VirtualNode')).toBeUndefined();
  });
});

describe('App Mesh: the listener health check', () => {
  const check = (fields: string) => {
    const given: Record<string, string> = {
      protocol: 'http',
      path: '/ping',
      interval: '5s',
      timeout: '2s',
      healthyThreshold: '2',
      unhealthyThreshold: '2',
    };
    for (const [k, v] of fields.split(',').flatMap((f) => (f.trim() ? [f.trim().split(': ')] : [])))
      given[k!] = v!;
    const flow = Object.entries(given).map(([k, v]) => `${k}: ${v}`);
    return backend(`  healthCheck: {${flow.join(', ')}}`);
  };

  it('writes HealthCheckPolicy on every node, durations in milliseconds', () => {
    const r = compileFor('appmesh', docs(routing, check(', port: 9080')));
    expect(r.ok).toBe(true);
    for (const node of objectsOf(r.resources, 'VirtualNode'))
      expect(node.spec.listeners[0].healthCheck).toEqual({
        protocol: 'http',
        path: '/ping',
        port: 9080,
        intervalMillis: 5000,
        timeoutMillis: 2000,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      });
  });

  it.each([
    [', interval: 1s', 'spec.healthCheck.interval'],
    [', timeout: 90s', 'spec.healthCheck.timeout'],
    [', healthyThreshold: 1', 'spec.healthCheck.healthyThreshold'],
    [', unhealthyThreshold: 11', 'spec.healthCheck.unhealthyThreshold'],
    [', port: 8080', 'spec.healthCheck.port'],
  ])('refuses what HealthCheckPolicy does not take (AM4471): %s', (fields, path) => {
    const r = compileFor('appmesh', docs(routing, check(fields)));
    expect(r.ok).toBe(false);
    const d = r.diagnostics.find((x) => x.code === 'AM4471');
    expect(d?.path).toBe(path);
    expect(d?.location?.line).toBeGreaterThan(0);
  });

  it('is refused where no proxy probes instances, with the readiness probe to write instead', () => {
    for (const mesh of ['istio', 'linkerd', 'consul'] as const) {
      const r = compileFor(mesh, docs(routing, check('')));
      const d = r.diagnostics.find((x) => x.code === 'AM3001' && x.path === 'spec.healthCheck');
      expect(d?.message, mesh).toMatch(/readinessProbe/);
    }
  });
});

describe('anymesh check gates on BackendPolicy', () => {
  it('judges it on every mesh: lossless on Istio, lossy on Linkerd (failure accrual), refused on Consul', () => {
    const loaded = load(backend('  outlierDetection: {consecutiveErrors: 5}'), { overlaps: false });
    const r = checkPortability(loaded.policies, Object.values(ADAPTERS));
    expect(r.policies.map((p) => p.policy)).toEqual(['BackendPolicy/bookinfo/reviews']);
    const status = Object.fromEntries(Object.entries(r.policies[0]!.results).map(([m, x]) => [m, x.status]));
    expect(status.istio).toBe('lossless');
    // Failure accrual has no interval and no ejection cap (partial cell).
    expect(status.linkerd).toBe('lossy');
    expect(status.consul).toBe('refused');
    expect(r.ok).toBe(false);
  });
});
