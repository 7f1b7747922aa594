/**
 * Istio behaviour, BackendPolicy: each golden BackendPolicy case compiled for Istio (the sidecar
 * column), and requests run through the caller's sidecar as in routing.test.ts; the Envoy clusters
 * istiod generated for the route's destinations (from the DestinationRule trafficPolicy) are read
 * for connection limits, outlier detection and the load balancer, and the route for its
 * consistent-hash keys (driver/cluster.go). Expectations come from the policies' plain meaning.
 * What Envoy then does with those settings (ejecting a host, queueing a request) is Envoy's, not
 * run here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterSettings } from './driver.js';
import { healthCheckSplit } from './expectations.js';
import { type CaseRun, expectAnalyzers, runCase } from './harness.js';
import { backends, compileCase, pod, request, result, type ServiceDef } from './world.js';

const settings = (run: CaseRun, id: string): ClusterSettings[] => {
  const r = result(run.answer, id);
  if (!r.route?.clusterSettings) throw new Error(`call ${id}: ${r.error ?? 'no cluster settings'}`);
  return r.route.clusters.map((c) => r.route!.clusterSettings![c.cluster]!);
};

describe('test/cases/backend-circuit-breaker.yaml', () => {
  const httpbin: ServiceDef = {
    namespace: 'default',
    name: 'httpbin',
    ip: '10.96.3.10',
    ports: [{ port: 8000 }],
  };
  const caller = pod('default', 'fortio', { app: 'fortio' });
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(
      'test/cases/backend-circuit-breaker.yaml',
      {
        services: [httpbin],
        pods: [pod('default', 'httpbin-v1', { app: 'httpbin', version: 'v1' }), caller],
      },
      [request('get', caller, httpbin, 8000, { path: '/get' })],
    );
  });
  it('routes to v1 with 5 s, through a cluster allowing 1 connection, 1 pending request, 1 request per connection', () => {
    const r = result(run.answer, 'get');
    expect(backends(r)).toEqual({ 'httpbin.default:8000/v1': 100 });
    expect(r.route?.timeoutMs).toBe(5000);
    const [c, ...rest] = settings(run, 'get');
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ maxConnections: 1, maxPendingRequests: 1, maxRequestsPerConnection: 1 });
  });
  it('ejects a host after one error for 3 minutes (checked every second), up to all hosts', () => {
    const [c] = settings(run, 'get');
    expect(c!.outlier).toMatchObject({
      consecutive5xx: 1,
      enforcing5xx: 100,
      intervalMs: 1000,
      baseEjectionMs: 180_000,
      maxEjectionPercent: 100,
    });
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/backend-resilience.yaml', () => {
  const reviews: ServiceDef = {
    namespace: 'bookinfo',
    name: 'reviews',
    ip: '10.96.3.20',
    ports: [{ port: 9080 }],
  };
  const caller = pod('bookinfo', 'productpage', { app: 'productpage' });
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(
      'test/cases/backend-resilience.yaml',
      {
        services: [reviews],
        pods: [
          pod('bookinfo', 'reviews-v1', { app: 'reviews', version: 'v1' }),
          pod('bookinfo', 'reviews-v2', { app: 'reviews', version: 'v2' }),
          caller,
        ],
      },
      [request('any', caller, reviews, 9080, { path: '/reviews/1' })],
    );
  });
  it('splits 90/10, and both versions get the connection limits, least-request balancing and outlier detection', () => {
    const r = result(run.answer, 'any');
    expect(backends(r)).toEqual({ 'reviews.bookinfo:9080/v1': 90, 'reviews.bookinfo:9080/v2': 10 });
    const all = settings(run, 'any');
    expect(all.length).toBe(2);
    for (const c of all) {
      expect(c).toMatchObject({
        lbPolicy: 'LEAST_REQUEST',
        connectTimeoutMs: 1000,
        maxConnections: 100,
        maxPendingRequests: 50,
        maxRequests: 200,
        maxRequestsPerConnection: 10,
      });
      expect(c.outlier).toMatchObject({
        consecutive5xx: 5,
        consecutiveGatewayFailure: 3,
        intervalMs: 10_000,
        baseEjectionMs: 30_000,
        maxEjectionPercent: 50,
      });
      // Both detectors eject: Envoy ejects only on a detector whose enforcing percentage is above 0.
      expect(c.outlier?.enforcing5xx).toBe(100);
      expect(c.outlier?.enforcingGateway).toBe(100);
    }
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/backend-session-affinity.yaml', () => {
  const svc = (name: string, ip: string): ServiceDef => ({
    namespace: 'shop',
    name,
    ip,
    ports: [{ port: 8080 }],
  });
  const services = [
    svc('cart', '10.96.3.30'),
    svc('catalog', '10.96.3.31'),
    svc('legacy', '10.96.3.32'),
    svc('profile', '10.96.3.33'),
    svc('search', '10.96.3.34'),
  ];
  const caller = pod('shop', 'web', { app: 'web' });
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(
      'test/cases/backend-session-affinity.yaml',
      { services, pods: [...services.map((s) => pod('shop', s.name, { app: s.name })), caller] },
      services.map((s) => request(s.name, caller, s, 8080, { path: '/' })),
    );
  });
  it('keeps a session on one cart pod by the cookie session (path /, 1 h)', () => {
    const r = result(run.answer, 'cart');
    expect(r.route?.timeoutMs).toBe(3000);
    expect(r.route?.hashPolicies).toEqual([{ cookie: 'session', cookiePath: '/', cookieTtlMs: 3_600_000 }]);
    expect(['RING_HASH', 'MAGLEV']).toContain(settings(run, 'cart')[0]!.lbPolicy);
  });
  it('hashes profile calls by the x-user header and legacy calls by the source address', () => {
    expect(result(run.answer, 'profile').route?.hashPolicies).toEqual([{ header: 'x-user' }]);
    expect(result(run.answer, 'legacy').route?.hashPolicies).toEqual([{ sourceIp: true }]);
    for (const i of ['profile', 'legacy'])
      expect(['RING_HASH', 'MAGLEV'], i).toContain(settings(run, i)[0]!.lbPolicy);
  });
  it('balances catalog round robin (3 s timeout) and search at random, without hashing', () => {
    expect(result(run.answer, 'catalog').route?.timeoutMs).toBe(3000);
    expect(settings(run, 'catalog')[0]!.lbPolicy).toBe('ROUND_ROBIN');
    expect(settings(run, 'search')[0]!.lbPolicy).toBe('RANDOM');
    for (const i of ['catalog', 'search'])
      expect(result(run.answer, i).route?.hashPolicies, i).toBeUndefined();
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/backend-health-check.yaml', () => {
  const c = healthCheckSplit('sidecar');
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(c.file, c, c.calls);
  });
  it('leaves the health check out with a warning (AM3002): Istio has no active health checking', () => {
    expect(
      run.diagnostics.filter((d) => d.includes('warning AM3002') && d.includes('healthCheck')).length,
    ).toBe(1);
  });
  it('splits colorteller 50/50 between the white and blue subsets, through clusters with no health check', () =>
    c.check(run.answer));
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/backend-rate-limit.yaml', () => {
  it('produces nothing for Istio to run: the rate limit is left out with warnings (AM3002), so nothing is judged', () => {
    const c = compileCase('test/cases/backend-rate-limit.yaml');
    expect(c.ok).toBe(true);
    expect(c.yaml.trim()).toBe('');
    expect(c.diagnostics.filter((d) => d.includes('warning AM3002')).length).toBeGreaterThan(0);
  });
});

describe('test/cases/backend-overlap.yaml', () => {
  it('produces nothing for Istio to run: the overlapping BackendPolicies are refused (AM3011)', () => {
    const c = compileCase('test/cases/backend-overlap.yaml');
    expect(c.ok).toBe(false);
    expect(c.diagnostics.some((d) => d.includes('error AM3011'))).toBe(true);
  });
});
