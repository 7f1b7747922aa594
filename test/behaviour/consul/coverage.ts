/**
 * What the Consul behavioural tier proves, for the evidence level of Consul's capability cells
 * (test/registry.test.ts compares it with `consulAdapter.evidence.behaviour.features`).
 *
 * Observed, because Consul's own compiled view shows them: the discovery chain's route matches
 * (path, method, header and query matches as Consul compiled them), the order of routes, splits and
 * their weights, the instances each subset's filter selects (versions and other services), route
 * timeouts, retry counts and conditions, request and response header changes; and intention
 * decisions per caller from /v1/connect/intentions/check and /match (allow, deny, the caller's
 * identity); the chain's protocol (grpc for gRPC policies), gRPC service and method matches as the
 * path matches Consul compiled them, and a route's prefix rewrite. Not counted although the tier
 * runs them:
 * - access.to.methods / access.to.paths: Consul returns the intention's permissions, but matching a
 *   request against them is done by the test (intentions.ts), not by Consul or Envoy;
 * - mTLS: Consul does not expose a proxy's resolved mode over HTTP;
 * - match.port: a port match is not part of the chain Consul reports.
 */
import type { BehaviourCoverage } from '../../support/evidence.js';
import { compiledConsulCases } from './compiled.js';
import { MEANINGS } from './expectations.js';

export const coverage: BehaviourCoverage = {
  mesh: 'consul',
  observes: [
    'match.path.exact',
    'match.path.prefix',
    'match.path.regex',
    'match.method',
    'match.headers.exact',
    'match.headers.prefix',
    'match.headers.regex',
    'match.headers.present',
    'match.queryParams.exact',
    'match.queryParams.regex',
    'match.queryParams.present',
    'backends.version',
    'backends.weighted',
    'backends.service',
    'timeout.request',
    'retries.attempts',
    'retries.on.http',
    'retries.on.connection',
    'retries.on.grpc',
    'headers.request.set',
    'headers.request.add',
    'headers.request.remove',
    'headers.response.set',
    'headers.response.add',
    'headers.response.remove',
    'protocol.grpc',
    'protocol.grpc.service',
    'protocol.grpc.method',
    'route.rewrite.path.prefix',
    'access.allow',
    'access.deny',
    'access.from.serviceAccount',
    'access.from.authenticated',
  ],
  // The cases meaning.test.ts runs: every compiled Consul case, each with its hand-written meaning.
  cases: () => compiledConsulCases().filter((c) => MEANINGS[c.name] !== undefined),
};
