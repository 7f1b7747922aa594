/**
 * Linkerd's cells for BackendPolicy. Linkerd's outbound proxy balances with a fixed algorithm
 * (power of two choices over peak-EWMA latency, reference/load-balancing), has no connection or
 * request limits, and configures circuit breaking as annotations on the destination Service
 * (reference/circuit-breaking: balancer.linkerd.io/failure-accrual: consecutive, with
 * -consecutive-max-failures, -min-penalty, -max-penalty, -jitter-ratio). Rate limits are
 * HTTPLocalRateLimitPolicy (policy.linkerd.io/v1alpha1, CRD in shared/crds/linkerd: targetRef a
 * Server, total.requestsPerSecond, identity, overrides; no burst), since 2.17.
 */
import type { CapabilityCell } from '../../core/capabilities.js';
import type { BackendFeatureId } from '../../core/features/index.js';
import { cellBuilders } from '../kit/cells.js';
import { READINESS_INSTEAD } from '../kit/health-check.js';

const BREAKING = 'https://linkerd.io/2/reference/circuit-breaking/';
const BALANCING = 'https://linkerd.io/2/reference/load-balancing/';
const RATE = 'https://linkerd.io/2/reference/rate-limiting/';
const { full, none } = cellBuilders();

const ACCRUAL_KEYS =
  'balancer.linkerd.io/failure-accrual: consecutive, balancer.linkerd.io/failure-accrual-consecutive-{max-failures, min-penalty, max-penalty}';
const NO_LIMITS =
  "Linkerd's proxy has no connection pool or request limits to configure (no circuit-breaking thresholds, only failure accrual)";
const NO_LIMITS_WORKAROUND =
  'leave the limit out; use a rate limit (BackendPolicy rateLimit, HTTPLocalRateLimitPolicy) to protect the service instead';
const EWMA =
  "Linkerd always balances requests by power of two choices over each endpoint's peak-EWMA latency; the algorithm cannot be chosen";
const EWMA_WORKAROUND = 'leave loadBalancer out on Linkerd: its EWMA balancer needs no configuration';
const NO_AFFINITY =
  'Linkerd has no session affinity: its balancer picks by latency, never by a hash of the request or caller';

export const linkerdBackendCells = {
  'backend.port': full(
    'the Server of that container port (HTTPLocalRateLimitPolicy targetRef)',
    RATE,
    'the rate limit targets a Server, which selects one pod port',
    '2.17',
  ),
  'backend.outlierDetection': {
    support: 'partial',
    reason:
      "Linkerd's failure accrual (balancer.linkerd.io/failure-accrual: consecutive) on the destination's Service: an endpoint is backed off after consecutiveErrors consecutive failures, first for baseEjectionTime",
    differs:
      "Linkerd has no check interval and no cap on backed-off endpoints (interval and maxEjectionPercent are not written); further back-offs grow exponentially with jitter (Envoy: by baseEjectionTime per ejection), up to the same cap (300s, or baseEjectionTime when longer); the annotations hold for every port of the Service, even for a policy with spec.port; anymesh writes them into the user's Service (server-side apply owns only those annotations; delete leaves them)",
    native: `Service metadata.annotations ${ACCRUAL_KEYS}`,
    minVersion: '2.13',
    docs: BREAKING,
  },
  'backend.outlierDetection.gatewayErrors': none(
    'Linkerd counts consecutive failures (5xx and connection errors) only; gateway errors are not counted on their own',
    'leave consecutiveGatewayErrors out: gateway errors already count among the consecutive failures',
    BREAKING,
  ),
  'backend.connectionLimits.maxConnections': none(NO_LIMITS, NO_LIMITS_WORKAROUND, BREAKING),
  'backend.connectionLimits.maxPendingRequests': none(NO_LIMITS, NO_LIMITS_WORKAROUND, BREAKING),
  'backend.connectionLimits.maxRequests': none(NO_LIMITS, NO_LIMITS_WORKAROUND, BREAKING),
  'backend.connectionLimits.maxRequestsPerConnection': none(NO_LIMITS, NO_LIMITS_WORKAROUND, BREAKING),
  'backend.connectionLimits.connectTimeout': none(
    "Linkerd's connect timeout is a proxy setting (config.linkerd.io/proxy-outbound-connect-timeout on the caller's pods), not a property of the destination",
    "set the config.linkerd.io/proxy-outbound-connect-timeout annotation on the callers' workloads",
    'https://linkerd.io/2/reference/proxy-configuration/',
  ),
  'backend.loadBalancer.roundRobin': none(EWMA, EWMA_WORKAROUND, BALANCING),
  'backend.loadBalancer.leastRequest': {
    support: 'partial',
    reason: EWMA,
    differs:
      'nothing is written: Linkerd already prefers the less loaded of two endpoints, but weighs them by peak-EWMA latency (which grows with outstanding requests), not by the count of active requests',
    native: 'none (the fixed EWMA balancer)',
    minVersion: '2.16',
    docs: BALANCING,
  },
  'backend.loadBalancer.random': none(EWMA, EWMA_WORKAROUND, BALANCING),
  'backend.loadBalancer.consistentHash.header': none(
    NO_AFFINITY,
    'keep session state out of the instances, or use a mesh with consistent hashing',
    BALANCING,
  ),
  'backend.loadBalancer.consistentHash.cookie': none(
    NO_AFFINITY,
    'keep session state out of the instances, or use a mesh with consistent hashing',
    BALANCING,
  ),
  'backend.loadBalancer.consistentHash.sourceIP': none(
    NO_AFFINITY,
    'keep session state out of the instances, or use a mesh with consistent hashing',
    BALANCING,
  ),
  'backend.rateLimit': {
    support: 'partial',
    reason: 'HTTPLocalRateLimitPolicy total.requestsPerSecond, enforced by each inbound proxy of the Server',
    differs:
      'the policy targets a Server for the port; where no AccessPolicy or strict MTLSPolicy makes one, anymesh makes it with accessPolicy all-unauthenticated (the default cluster policy), which is wider than a stricter cluster default',
    native: 'HTTPLocalRateLimitPolicy spec.{targetRef: Server, total.requestsPerSecond} + Server',
    minVersion: '2.17',
    docs: RATE,
  },
  'backend.rateLimit.burst': none(
    'HTTPLocalRateLimitPolicy has requestsPerSecond only (total, identity, overrides); its token bucket size cannot be set',
    'leave burst out (the bucket then holds one second of requests)',
    RATE,
  ),
  'backend.healthCheck': none(
    "Linkerd's proxies do not probe endpoints: they balance over the endpoints Kubernetes marks ready (the destination controller follows EndpointSlices) and back off failing ones by failure accrual, which is passive",
    READINESS_INSTEAD,
    BREAKING,
  ),
} as const satisfies Record<BackendFeatureId, CapabilityCell>;
