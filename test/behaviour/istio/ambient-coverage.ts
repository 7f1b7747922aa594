/**
 * What the Istio behaviour tier proves for Istio's ambient column (ambient-routing.test.ts and ambient-security.test.ts), for the
 * evidence level of that column's cells (test/evidence.test.ts compares it with the column's
 * `evidence.behaviour.features` in the Istio descriptor).
 *
 * Observed, because Istio's own code made them: the waypoint's Envoy configuration istiod generates
 * from the internal VirtualService its gateway controller converts each HTTPRoute into gives the
 * clusters (leaf Services per version, other services) and their weights, the timeout, retry policy
 * (attempts, per-try timeout, backoff, status codes and retry_on), mirrors and percentage, header
 * operations and CORS, redirects and rewrites, gRPC calls (HTTP/2) and TCPRoute connections (the
 * waypoint's tcp_proxy), each compared with the policy's plain meaning. Not counted although the tier
 * runs them, as on the sidecar column:
 * - every match (path, header, query parameter, method): the driver picks among the generated routes
 *   with Envoy's rules itself (driver/match.go), for the waypoint as for sidecars;
 * - access.* and mtls.*: the waypoint's RBAC filters and ztunnel's policies are Istio's (its RBAC
 *   generation, and its conversion into the workload API's security.Authorization), but the decision
 *   per caller is the driver's evaluation of them (driver/rbac.go, driver/ambient.go), not Envoy's or
 *   ztunnel's.
 */
import { join } from 'node:path';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { compileFiles } from '../../../src/core/pipeline.js';
import { goldenCases, ROOT } from '../../support/cases.js';
import type { BehaviourCoverage } from '../../support/evidence.js';
import { ambientOptions } from './ambient-world.js';
import { AMBIENT_NOT_YET_JUDGED } from './not-yet-judged.js';

export const ambientCoverage: BehaviourCoverage = {
  mesh: 'istio',
  column: 'istio-ambient',
  observes: [
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
    'mirror',
    'mirror.percentage',
    'headers.request.set',
    'headers.request.add',
    'headers.request.remove',
    'headers.response.set',
    'headers.response.add',
    'headers.response.remove',
    'cors',
    // Protocols, redirects and rewrites at the waypoint (ambient-protocols.test.ts): GRPCRoute,
    // TCPRoute, RequestRedirect and URLRewrite through Istio's gateway controller. The gRPC service
    // and method matches are matches, not counted (see above); gRPC itself is: HTTP/2 calls reach
    // the routes, whose clusters speak HTTP/2.
    'protocol.grpc',
    // HTTP/2 (http2-api): the waypoint's clusters of the leaf Services speak HTTP/2 (appProtocol h2c).
    'protocol.http2',
    'protocol.tcp',
    'protocol.tcp.weighted',
    'route.redirect',
    'route.redirect.path.full',
    'route.redirect.path.prefix',
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
  // The golden cases whose ambient output the tier runs: every one that produces resources, but those
  // still listed in AMBIENT_NOT_YET_JUDGED (ambient-coverage.test.ts keeps both lists true).
  cases: () =>
    goldenCases()
      .filter((c) => !AMBIENT_NOT_YET_JUDGED.includes(c.file))
      .map((c) => ({
        c,
        r: compileFiles([join(ROOT, c.file)], ADAPTERS.istio!, { context: { options: ambientOptions() } }),
      }))
      .filter(({ r }) => r.ok && r.resources.length > 0)
      .map(({ c, r }) => ({ file: c.file, diagnostics: r.diagnostics })),
};
