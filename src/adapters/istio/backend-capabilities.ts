/**
 * Istio's cells for BackendPolicy: DestinationRule `trafficPolicy` carries all of it but the rate
 * limit. Facts from the DestinationRule CRD of Istio 1.30.3 (shared/crds/istio: trafficPolicy
 * .outlierDetection, .connectionPool.{tcp,http}, .loadBalancer.{simple,consistentHash},
 * .portLevelSettings) and the reference linked per cell.
 */
import type { CapabilityCell } from '../../core/capabilities.js';
import type { BackendFeatureId } from '../../core/features/index.js';
import { cellBuilders } from '../kit/cells.js';
import { READINESS_INSTEAD } from '../kit/health-check.js';

const DR = 'https://istio.io/latest/docs/reference/config/networking/destination-rule/';
const RATE = 'https://istio.io/latest/docs/tasks/policy-enforcement/rate-limit/';
const { full, none } = cellBuilders({ minVersion: '1.22' });

const NO_RATE_LIMIT =
  "Istio has no rate-limit API: Envoy's local rate limit filter (envoy.filters.http.local_ratelimit) is reachable only through an EnvoyFilter patch of the sidecar's inbound listener, which is version-specific and outside Istio's compatibility promise";
const RATE_WORKAROUND =
  'write an EnvoyFilter with the local_ratelimit filter (token_bucket max_tokens, tokens_per_fill, fill_interval) for the workload, as in the Istio rate-limit task';

export const istioBackendCells = {
  'backend.port': full(
    'DestinationRule trafficPolicy.portLevelSettings[].port.number',
    `${DR}#TrafficPolicy-PortTrafficPolicy`,
  ),
  'backend.outlierDetection': full(
    'DestinationRule trafficPolicy.outlierDetection.{consecutive5xxErrors, interval, baseEjectionTime, maxEjectionPercent} (maxEjectionPercent 0 is written as 1: Istio reads 0 as unset, i.e. 10%, and Envoy ejects at least one instance at either, so they differ only above 100 instances)',
    `${DR}#OutlierDetection`,
  ),
  'backend.outlierDetection.gatewayErrors': full(
    'DestinationRule trafficPolicy.outlierDetection.consecutiveGatewayErrors',
    `${DR}#OutlierDetection`,
  ),
  'backend.connectionLimits.maxConnections': full(
    'DestinationRule trafficPolicy.connectionPool.tcp.maxConnections',
    `${DR}#ConnectionPoolSettings-TCPSettings`,
  ),
  'backend.connectionLimits.maxPendingRequests': full(
    'DestinationRule trafficPolicy.connectionPool.http.http1MaxPendingRequests',
    `${DR}#ConnectionPoolSettings-HTTPSettings`,
  ),
  'backend.connectionLimits.maxRequests': full(
    'DestinationRule trafficPolicy.connectionPool.http.http2MaxRequests (Envoy max_requests: every HTTP version)',
    `${DR}#ConnectionPoolSettings-HTTPSettings`,
  ),
  'backend.connectionLimits.maxRequestsPerConnection': full(
    'DestinationRule trafficPolicy.connectionPool.http.maxRequestsPerConnection',
    `${DR}#ConnectionPoolSettings-HTTPSettings`,
  ),
  'backend.connectionLimits.connectTimeout': full(
    'DestinationRule trafficPolicy.connectionPool.tcp.connectTimeout',
    `${DR}#ConnectionPoolSettings-TCPSettings`,
  ),
  'backend.loadBalancer.roundRobin': full(
    'DestinationRule trafficPolicy.loadBalancer.simple: ROUND_ROBIN',
    `${DR}#LoadBalancerSettings-SimpleLB`,
  ),
  'backend.loadBalancer.leastRequest': full(
    'DestinationRule trafficPolicy.loadBalancer.simple: LEAST_REQUEST',
    `${DR}#LoadBalancerSettings-SimpleLB`,
  ),
  'backend.loadBalancer.random': full(
    'DestinationRule trafficPolicy.loadBalancer.simple: RANDOM',
    `${DR}#LoadBalancerSettings-SimpleLB`,
  ),
  'backend.loadBalancer.consistentHash.header': full(
    'DestinationRule trafficPolicy.loadBalancer.consistentHash.httpHeaderName',
    `${DR}#LoadBalancerSettings-ConsistentHashLB`,
  ),
  'backend.loadBalancer.consistentHash.cookie': full(
    'DestinationRule trafficPolicy.loadBalancer.consistentHash.httpCookie.{name, ttl, path}',
    `${DR}#LoadBalancerSettings-ConsistentHashLB-HTTPCookie`,
  ),
  'backend.loadBalancer.consistentHash.sourceIP': full(
    'DestinationRule trafficPolicy.loadBalancer.consistentHash.useSourceIp',
    `${DR}#LoadBalancerSettings-ConsistentHashLB`,
  ),
  'backend.rateLimit': none(NO_RATE_LIMIT, RATE_WORKAROUND, RATE),
  'backend.rateLimit.burst': none(NO_RATE_LIMIT, RATE_WORKAROUND, RATE),
  'backend.healthCheck': none(
    'Istio has no active health checking of pods: DestinationRule trafficPolicy has outlier detection only (passive, the CRD has no health check field), and sidecars send to the endpoints Kubernetes marks ready (WorkloadGroup probe checks VM workloads only)',
    READINESS_INSTEAD,
    `${DR}#OutlierDetection`,
  ),
} as const satisfies Record<BackendFeatureId, CapabilityCell>;

const WAYPOINT_DOCS = 'https://istio.io/latest/docs/ambient/usage/l7-features/';
/** Ambient reached GA in Istio 1.24; waypoints applied DestinationRule trafficPolicy since. */
const AMBIENT = '1.24';
const ISTIO_SRC = 'istio/istio pilot/pkg/networking/core/cluster_waypoint.go buildWaypointInboundVIPCluster';

const WAYPOINT_APPLIES = `the service's waypoint applies the DestinationRule to its clusters (${ISTIO_SRC}: connection pool, outlier detection, load balancer, port-level settings first); ztunnel applies none of it, so anymesh binds the service to a waypoint, and copies the settings to each leaf Service a route sends versions to`;
const SHARED_BY_CALLERS =
  'the waypoint enforces the limit for all callers together, per waypoint replica (a sidecar enforces it for each calling pod on its own), so the same numbers limit the service much harder: scale them to what the whole service should take from one waypoint replica';
const HASH_ON_ROUTES =
  "the hash is set on the routes the waypoint builds from the service's HTTPRoute (listener_waypoint.go translateWaypointRoute, LookupHash); for a service with no TrafficPolicy the waypoint's default route carries no hash before Istio 1.31 (istio/istio#61045, fixed by #61048 in 1.31) and, from 1.31, only from a BackendPolicy without spec.port: give the service a TrafficPolicy to have the hash on every version";

const ambientFull = (id: BackendFeatureId): CapabilityCell => ({
  ...istioBackendCells[id],
  reason: `ambient: ${WAYPOINT_APPLIES}`,
  docs: WAYPOINT_DOCS,
  minVersion: AMBIENT,
});
const ambientPartial = (id: BackendFeatureId, differs: string): CapabilityCell => ({
  ...ambientFull(id),
  support: 'partial',
  differs,
});

const NO_AMBIENT_RATE_LIMIT =
  "ambient: Istio has no rate-limit API in either data plane: Envoy's local rate limit filter is reachable only through an EnvoyFilter, which in ambient mode patches a waypoint (EnvoyFilter targetRefs to its Gateway) and is outside Istio's compatibility promise; ztunnel has no rate limiting";
const AMBIENT_RATE_WORKAROUND =
  "write an EnvoyFilter with targetRefs to the namespace's waypoint Gateway that inserts envoy.filters.http.local_ratelimit (token_bucket max_tokens, tokens_per_fill, fill_interval) into the waypoint's HTTP filter chain, as in the Istio rate-limit task, or compile the BackendPolicy with istio.dataplane=sidecar for a sidecar namespace";

/**
 * The same features under `istio.dataplane=ambient` (the ambient column spreads these), from Istio's
 * source (ambient-backend.ts has the details): the waypoint applies DestinationRule trafficPolicy,
 * so outlier detection, port scoping and the simple balancers are full; connection limits are
 * shared by every caller of a waypoint replica; consistent hashing needs a route on the waypoint.
 */
export const istioAmbientBackendCells = {
  'backend.port': ambientFull('backend.port'),
  'backend.outlierDetection': ambientFull('backend.outlierDetection'),
  'backend.outlierDetection.gatewayErrors': ambientFull('backend.outlierDetection.gatewayErrors'),
  'backend.connectionLimits.maxConnections': ambientPartial(
    'backend.connectionLimits.maxConnections',
    SHARED_BY_CALLERS,
  ),
  'backend.connectionLimits.maxPendingRequests': ambientPartial(
    'backend.connectionLimits.maxPendingRequests',
    SHARED_BY_CALLERS,
  ),
  'backend.connectionLimits.maxRequests': ambientPartial(
    'backend.connectionLimits.maxRequests',
    SHARED_BY_CALLERS,
  ),
  // Per connection, so sharing the waypoint changes nothing.
  'backend.connectionLimits.maxRequestsPerConnection': ambientFull(
    'backend.connectionLimits.maxRequestsPerConnection',
  ),
  'backend.connectionLimits.connectTimeout': ambientFull('backend.connectionLimits.connectTimeout'),
  'backend.loadBalancer.roundRobin': ambientFull('backend.loadBalancer.roundRobin'),
  'backend.loadBalancer.leastRequest': ambientFull('backend.loadBalancer.leastRequest'),
  'backend.loadBalancer.random': ambientFull('backend.loadBalancer.random'),
  'backend.loadBalancer.consistentHash.header': ambientPartial(
    'backend.loadBalancer.consistentHash.header',
    HASH_ON_ROUTES,
  ),
  'backend.loadBalancer.consistentHash.cookie': ambientPartial(
    'backend.loadBalancer.consistentHash.cookie',
    HASH_ON_ROUTES,
  ),
  'backend.loadBalancer.consistentHash.sourceIP': ambientPartial(
    'backend.loadBalancer.consistentHash.sourceIP',
    HASH_ON_ROUTES,
  ),
  'backend.rateLimit': none(NO_AMBIENT_RATE_LIMIT, AMBIENT_RATE_WORKAROUND, RATE),
  'backend.rateLimit.burst': none(NO_AMBIENT_RATE_LIMIT, AMBIENT_RATE_WORKAROUND, RATE),
  // Not a matter of waypoints: ztunnel and waypoints send to the endpoints Kubernetes marks ready.
  'backend.healthCheck': none(
    'ambient: Istio has no active health checking of pods: ztunnel and waypoints send to the endpoints Kubernetes marks ready, and DestinationRule has outlier detection only (passive)',
    READINESS_INSTEAD,
    `${DR}#OutlierDetection`,
  ),
} as const satisfies Record<BackendFeatureId, CapabilityCell>;
