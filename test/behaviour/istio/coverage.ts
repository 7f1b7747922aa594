/**
 * What the Istio behavioural tier proves, for the evidence level of Istio's sidecar cells
 * (test/evidence.test.ts compares it with `istioAdapter.evidence.behaviour.features`).
 *
 * Observed, because Istio's own code made them: the driver loads each golden output into Istio's
 * fake discovery server, and Istio's xDS generation and request simulation give the listener,
 * virtual host and route a request meets (path matches), the clusters (subsets, other services) and
 * their weights, and the route's timeout, retry policy, fault, mirror and percentage, header
 * operations and CORS policy, and the clusters' connection limits, outlier detection and load
 * balancer (with the route's consistent-hash keys), redirects, rewrites, gRPC calls (HTTP/2), the
 * HTTP/2 upgrade of an http2 policy's clusters (and the protocol the server's sidecar speaks to the pod) and
 * TCP connections (tcp_proxy), and the ingress gateway's routes (a Router proxy, requests by host name),
 * each compared with the policy's plain meaning.
 * Not counted although
 * the tier runs them:
 * - header, query parameter and method matches: Istio's simulation matches paths only, and the
 *   driver picks among the generated routes by these itself (Envoy's rules, in driver/match.go);
 * - access.* and mtls.*: the generated RBAC and mTLS filters are Istio's, but the decision per
 *   caller is the driver's evaluation of them (driver/rbac.go), not Envoy's;
 * - match.port and routing.sources.*: they pick the listener or the VirtualService, which the
 *   simulation does, but no expectation isolates them; backend.port likewise (the port-level
 *   settings are seen on the one port the case calls, no other port is called);
 * - backend.rateLimit.*: left out for Istio (AM3002), nothing to observe.
 */
import { join } from 'node:path';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { compileFiles } from '../../../src/core/pipeline.js';
import { goldenCases, ROOT } from '../../support/cases.js';
import type { BehaviourCoverage } from '../../support/evidence.js';
import { NOT_YET_JUDGED } from './not-yet-judged.js';

export const coverage: BehaviourCoverage = {
  mesh: 'istio',
  observes: [
    'match.path.exact',
    'match.path.prefix',
    'match.path.regex',
    'backends.version',
    'backends.weighted',
    'backends.service',
    'timeout.request',
    'retries.attempts',
    'retries.perTryTimeout',
    'retries.on.http',
    'retries.on.connection',
    'retries.on.grpc',
    'retries.backoff',
    'retries.backoff.max',
    'fault.delay',
    'fault.abort.http',
    'fault.abort.grpc',
    'mirror',
    'mirror.percentage',
    'headers.request.set',
    'headers.request.add',
    'headers.request.remove',
    'headers.response.set',
    'headers.response.add',
    'headers.response.remove',
    'cors',
    'cors.allowOrigins.prefix',
    'cors.allowOrigins.regex',
    // BackendPolicy, from the Envoy clusters istiod generated for the route's destinations and the
    // route's hash policy (backend.test.ts, driver/cluster.go).
    'backend.outlierDetection',
    'backend.outlierDetection.gatewayErrors',
    'backend.connectionLimits.maxConnections',
    'backend.connectionLimits.maxPendingRequests',
    'backend.connectionLimits.maxRequests',
    'backend.connectionLimits.maxRequestsPerConnection',
    'backend.connectionLimits.connectTimeout',
    'backend.loadBalancer.roundRobin',
    'backend.loadBalancer.leastRequest',
    'backend.loadBalancer.random',
    'backend.loadBalancer.consistentHash.header',
    'backend.loadBalancer.consistentHash.cookie',
    'backend.loadBalancer.consistentHash.sourceIP',
    // Protocols, redirects and rewrites (protocols.test.ts, driver/protocol.go): gRPC calls sent as
    // HTTP/2 and routed by their /package.Service/Method path (a path match, as match.path.* are
    // counted) to clusters that speak HTTP/2; the route's redirect action (status code, scheme,
    // host, port, path) and rewrite (prefix, regex, host); the tcp_proxy of a TCP connection
    // (weighted clusters, idle timeout). The Location and the rewritten path are computed from
    // Istio's fields with Envoy's rules by the driver, as route choice is.
    'protocol.grpc',
    'protocol.grpc.service',
    // HTTP/2 (http2-api): the protocol options of the Envoy clusters istiod built for the route's
    // subsets (the DestinationRule's upgrade), and of the server sidecar's cluster to the pod.
    'protocol.http2',
    'protocol.grpc.method',
    'protocol.tcp',
    'protocol.tcp.weighted',
    'protocol.tcp.idleTimeout',
    'route.redirect',
    'route.redirect.path.full',
    'route.rewrite.host',
    'route.rewrite.path.full',
    'route.rewrite.path.prefix',
    // Ingress routes (gateway.test.ts): the routes of the ingress gateway's Envoy (a Router proxy)
    // for requests arriving on its listener with each host name, and none for other hosts or, for
    // a policy at one listener port (TCP ones included), on other listeners.
    'gateway.route',
    'gateway.hostnames',
    'gateway.port',
  ],
  // The golden cases the tier judges through the sidecar output (coverage.test.ts keeps the list of
  // the others).
  cases: () =>
    goldenCases()
      .filter((c) => !NOT_YET_JUDGED.includes(c.file))
      .map((c) => ({
        file: c.file,
        diagnostics: compileFiles([join(ROOT, c.file)], ADAPTERS.istio!).diagnostics,
      })),
};
