/**
 * Golden cases added after the tier was written, whose meaning nobody has stated yet (the Istio
 * evidence level counts only the cases the tier runs: coverage.ts leaves these out):
 * - ambient-*: written for the ambient column; their sidecar output is plain routing/access that
 *   the other cases already judge, and the ambient output itself is not simulated yet (issue 13);
 * - backend-*: BackendPolicy's DestinationRule trafficPolicy (outlier detection, connection pools,
 *   load balancing) is not read by the driver's summaries yet;
 * - grpc-*, tcp-*, redirect-*, rewrite-*: protocols, redirects and rewrites (issue 16); the driver
 *   reports neither TCP routes, redirects nor rewrites yet, and gRPC calls need HTTP/2 requests.
 */
export const NOT_YET_JUDGED: readonly string[] = [
  'test/cases/ambient-access.yaml',
  'test/cases/ambient-routing.yaml',
  'test/cases/backend-circuit-breaker.yaml',
  'test/cases/backend-overlap.yaml',
  'test/cases/backend-rate-limit.yaml',
  'test/cases/backend-resilience.yaml',
  'test/cases/backend-session-affinity.yaml',
  'test/cases/grpc-routing.yaml',
  'test/cases/grpc-timeouts.yaml',
  'test/cases/redirect-paths.yaml',
  'test/cases/redirect-prefix.yaml',
  'test/cases/rewrite-host.yaml',
  'test/cases/rewrite-prefix.yaml',
  'test/cases/tcp-canary.yaml',
  'test/cases/tcp-idle-timeout.yaml',
];
