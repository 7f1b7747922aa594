/**
 * Istio behaviour, ambient data plane, protocols (issue 16): the gRPC, redirect, rewrite and TCP
 * golden cases compiled for Istio's ambient column and run through the waypoint as
 * ambient-routing.test.ts describes. Istio's gateway controller converts each GRPCRoute into HTTP
 * routes matching /package.Service/Method (conversion.go createGRPCURIMatch), each TCPRoute into
 * TCP routes (the waypoint's tcp_proxy, weighted clusters of the leaf Services), and RequestRedirect
 * and URLRewrite filters into the internal VirtualService's redirect and rewrite (createRedirectFilter,
 * createRewriteFilter); istiod generates the waypoint's Envoy configuration from them. gRPC calls
 * reach the waypoint as HTTP/2 (its listener's application protocol 'h2c'). Expectations are the
 * sidecar's (protocol-expectations.ts) with the versions as leaf Services; tcp-idle-timeout is
 * refused for ambient (AM3001) and has no ambient output.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LEAF_PORT_NAMES, WAYPOINT, ztunnelAllows } from './ambient-expectations.js';
import { type AmbientRun, runAmbientCase } from './ambient-world.js';
import { expectAnalyzers } from './harness.js';
import {
  grpcRetries,
  grpcRetriesAmbientConditions,
  grpcRouting,
  grpcTimeouts,
  http2Api,
  httpsRedirectKeepsHostPort,
  type ProtocolCase,
  redirectPaths,
  redirectPrefix,
  rewriteHost,
  rewritePrefix,
  tcpCanary,
} from './protocol-expectations.js';
import { result } from './world.js';

/** Every call went through the namespace's waypoint; those naming a pod landed there as the waypoint. */
function throughWaypoint(c: ProtocolCase, answer: AmbientRun['answer']): void {
  for (const call of c.calls) {
    const r = result(answer, call.id);
    expect(r.waypoint, `${call.id} goes through the namespace's waypoint`).toBe(
      'waypoint.shop.svc.cluster.local',
    );
    if (call.to) ztunnelAllows(r, WAYPOINT('shop'));
  }
}

function judge(
  c: ProtocolCase,
  what: string,
  analyzers: Record<string, string> = {},
  extra?: (a: AmbientRun['answer']) => void,
) {
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(c.file, c, c.calls);
  });
  it(what, () => {
    c.check(run.answer);
    throughWaypoint(c, run.answer);
  });
  if (extra)
    it("keeps the port a caller's Host names in the https redirect (Istio drops :443; a known limitation)", () =>
      extra(run.answer));
  it('gives Istio analyzers nothing to report beyond the explained', () =>
    expectAnalyzers(run.answer, analyzers));
}

describe('ambient: test/cases/grpc-routing.yaml', () => {
  judge(
    grpcRouting('ambient'),
    'sends AddItem to cart-v2, acme to cart-v1, the rest of shop.Cart 90/10, over HTTP/2',
    // No IST0118 on the leaf Services: their ports declare appProtocol kubernetes.io/h2c.
  );
});

describe('ambient: test/cases/grpc-retries.yaml', () => {
  const c = grpcRetries('ambient');
  let run: AmbientRun;
  beforeAll(async () => {
    run = await runAmbientCase(c.file, c, c.calls);
  });
  it('retries GetOrder 3 times (500 ms each, 2 s in all), the rest of shop.Checkout twice within 5 s, on unavailable at least', () => {
    c.check(run.answer);
    throughWaypoint(c, run.answer);
  });
  it('retries on the conditions Istio gives every HTTPRoute retry, not the listed statuses (as AM3003 warns)', () => {
    expect(run.diagnostics.filter((d) => d.includes('warning AM3003')).length).toBe(3);
    grpcRetriesAmbientConditions(run.answer);
  });
  it('gives Istio analyzers nothing to report', () => expectAnalyzers(run.answer));
});

describe('ambient: test/cases/http2-api.yaml', () => {
  judge(
    http2Api('ambient'),
    'sends GET /v1/search to catalog-v2 (2 s) and the rest of /v1/ 80/20 (5 s, 2 retries on 502-504) through clusters that speak HTTP/2 to the leaf Services',
    // No IST0118: the leaf Services' ports declare appProtocol kubernetes.io/h2c.
  );
});

describe('ambient: test/cases/grpc-timeouts.yaml', () => {
  judge(
    grpcTimeouts('ambient'),
    'gives Checkout 10 s and every other call 2 s (an HTTPRoute on the gRPC path)',
  );
});

describe('ambient: test/cases/redirect-paths.yaml', () => {
  judge(
    redirectPaths('ambient'),
    'redirects /checkout to https (301) and /help to the docs host (308) at the waypoint, serves the rest',
    {},
    httpsRedirectKeepsHostPort,
  );
});

describe('ambient: test/cases/redirect-prefix.yaml', () => {
  judge(
    redirectPrefix(),
    'redirects /catalog/... to /products/... (302), keeping the rest of the path and the query',
  );
});

describe('ambient: test/cases/rewrite-host.yaml', () => {
  judge(rewriteHost('ambient'), 'rewrites the host of every request and the path of /healthz');
});

describe('ambient: test/cases/rewrite-prefix.yaml', () => {
  judge(
    rewritePrefix('ambient'),
    'serves /api/v2... from orders-stable as /v2... within 5 s',
    LEAF_PORT_NAMES,
  );
});

describe('ambient: test/cases/tcp-canary.yaml', () => {
  judge(
    tcpCanary('ambient'),
    "splits new connections 95/5 between the leaf Services at the waypoint's tcp_proxy",
    LEAF_PORT_NAMES,
  );
});
