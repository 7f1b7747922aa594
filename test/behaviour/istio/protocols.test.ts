/**
 * Istio behaviour, protocols (issue 16): the gRPC, redirect, rewrite and TCP golden cases compiled
 * for Istio's sidecar column, loaded into istiod's fake discovery server, and calls run through the
 * caller's sidecar: gRPC calls as HTTP/2 requests (Istio's simulation, Protocol HTTP2) routed by
 * their /package.Service/Method path, redirects and rewrites read from the route Envoy chose (the
 * Location computed with Envoy's rules, driver/protocol.go), TCP connections from the tcp_proxy of
 * the outbound listener's filter chain. Expectations: protocol-expectations.ts, from the policies.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { askIstio } from './driver.js';
import { type CaseRun, expectAnalyzers, runCase } from './harness.js';
import {
  catalogService,
  grpcRetries,
  grpcRouting,
  grpcTimeouts,
  http2Api,
  http2ServerHop,
  httpsRedirectKeepsHostPort,
  type ProtocolCase,
  redirectPaths,
  rewriteHost,
  rewritePrefix,
  TCP_PROXY_DEFAULT_IDLE_MS,
  tcpBackends,
  tcpCanary,
  tcpIdleTimeout,
} from './protocol-expectations.js';
import { compileCase, compileIstio, pod, request, result, worldYaml } from './world.js';

function judge(c: ProtocolCase, what: string) {
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(c.file, c, c.calls);
  });
  it(what, () => c.check(run.answer));
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
}

describe('test/cases/grpc-routing.yaml', () => {
  judge(grpcRouting('sidecar'), 'sends AddItem to v2, acme to v1, the rest of shop.Cart 90/10, over HTTP/2');
});

describe('test/cases/grpc-retries.yaml', () => {
  judge(
    grpcRetries('sidecar'),
    'retries GetOrder 3 times (500 ms each, 2 s in all) on unavailable, resource-exhausted and deadline-exceeded, the rest of shop.Checkout twice on unavailable within 5 s',
  );
});

describe('test/cases/http2-api.yaml', () => {
  const c = http2Api('sidecar');
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(c.file, c, c.calls);
  });
  it('sends GET /v1/search to v2 (2 s) and the rest of /v1/ 80/20 (5 s, 2 retries on gateway-error), upgrading every subset cluster to HTTP/2', () =>
    c.check(run.answer));
  it("hands the pod HTTP/1.1 behind a Service port named http-*: the upgrade is of the hop between sidecars (the partial cell's difference)", () =>
    http2ServerHop(run.answer, undefined));
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

// The same output in the two other worlds the protocol.http2 cell names: what the user's Service port
// says decides what the pod receives, and whether the upgrade happens at all.
describe('test/cases/http2-api.yaml behind other Service ports', () => {
  const outboundProtocols = (answer: Parameters<typeof result>[0]) => [
    ...new Set(
      Object.values(result(answer, 'items').route?.clusterSettings ?? {}).map((s) => s.upstreamProtocol),
    ),
  ];
  it('an http2-* port: HTTP/2 from the caller sidecar and on to the pod', async () => {
    const c = { ...http2Api('sidecar'), services: [catalogService({ port: 8080, protocol: 'http2' })] };
    const run = await runCase(c.file, c, c.calls);
    c.check(run.answer);
    http2ServerHop(run.answer, 'http2');
    expectAnalyzers(run.answer);
  });
  it("an unnamed port: Istio sniffs the protocol and keeps the caller's, so the upgrade does not happen (the cell's difference)", async () => {
    const c = { ...http2Api('sidecar'), services: [catalogService({ port: 8080, unnamed: true })] };
    const run = await runCase(c.file, c, c.calls);
    expect(outboundProtocols(run.answer)).toEqual(['downstream']);
    expect(() => c.check(run.answer)).toThrow(/speaks HTTP\/2/);
    http2ServerHop(run.answer, 'downstream');
    expectAnalyzers(run.answer, { IST0118: "the world's Service port is unnamed on purpose" });
  });
});

describe('test/cases/grpc-timeouts.yaml', () => {
  judge(grpcTimeouts('sidecar'), 'gives Checkout 10 s and every other call 2 s');
});

describe('test/cases/redirect-paths.yaml', () => {
  const c = redirectPaths('sidecar');
  let run: CaseRun;
  beforeAll(async () => {
    run = await runCase(c.file, c, c.calls);
  });
  it('redirects /checkout to https (301) and /help to the docs host (308), serves the rest', () =>
    c.check(run.answer));
  it("keeps the port a caller's Host names in the https redirect (Istio drops :443; a known limitation)", () =>
    httpsRedirectKeepsHostPort(run.answer));
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('test/cases/redirect-prefix.yaml', () => {
  it('is refused for the sidecar column (a VirtualService redirect has no prefix form, AM3001), so there is nothing to run', () => {
    const c = compileCase('test/cases/redirect-prefix.yaml');
    expect(c.ok).toBe(false);
    expect(c.yaml.trim()).toBe('');
    expect(c.diagnostics.some((d) => d.includes('error AM3001'))).toBe(true);
  });
});

describe('test/cases/rewrite-host.yaml', () => {
  judge(rewriteHost('sidecar'), 'rewrites the host of every request and the path of /healthz');
});

describe('test/cases/rewrite-prefix.yaml', () => {
  judge(rewritePrefix('sidecar'), 'serves /api/v2... from the stable version as /v2... within 5 s');
});

describe('test/cases/tcp-canary.yaml', () => {
  judge(tcpCanary('sidecar'), 'splits new connections 95/5 between Postgres 16 and 17');
});

describe('test/cases/tcp-idle-timeout.yaml', () => {
  judge(tcpIdleTimeout(), 'closes Redis connections after an hour idle');
});

// The golden case's hour is also Envoy's default, so it cannot tell a set timeout from none: a
// policy with another value must reach the tcp_proxy that carries the connection.
describe('a TCP idle timeout other than Envoy default reaches the tcp_proxy', () => {
  it('closes connections after 10 minutes idle', async () => {
    const { yaml, codes } = compileIstio(`apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: redis-idle, namespace: shop}
spec:
  service: redis
  port: 6379
  protocol: tcp
  rules:
    - name: idle
      timeout: 10m
`);
    expect(codes).not.toContain('AM3001');
    const redis = {
      namespace: 'shop',
      name: 'redis',
      ip: '10.96.3.71',
      ports: [{ port: 6379, protocol: 'tcp' as const }],
    };
    const worker = pod('shop', 'worker', { app: 'worker' });
    const world = worldYaml([redis], [pod('shop', 'redis', { app: 'redis' }), worker]);
    const answer = await askIstio(
      `${yaml}---\n${world}`,
      [request('c', worker, redis, 6379, { tcp: true })],
      false,
    );
    const r = result(answer, 'c');
    expect(tcpBackends(r)).toEqual({ 'redis.shop:6379': 100 });
    expect(r.tcp?.idleTimeoutMs ?? TCP_PROXY_DEFAULT_IDLE_MS, 'tcp_proxy idle timeout').toBe(600_000);
  });
});
