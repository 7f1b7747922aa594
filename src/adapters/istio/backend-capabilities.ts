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
    'DestinationRule trafficPolicy.outlierDetection.{consecutive5xxErrors, interval, baseEjectionTime, maxEjectionPercent}',
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

const AMBIENT_DOCS = 'https://istio.io/latest/docs/ambient/usage/l7-features/';
const NOT_IN_AMBIENT =
  "ambient: anymesh's ambient output does not carry backend settings yet: in ambient mode a DestinationRule trafficPolicy takes effect only in a waypoint proxy (ztunnel balances and connects at L4 without it), and which of its fields waypoints honour is not yet verified here";
const AMBIENT_WORKAROUND =
  'compile the BackendPolicy with istio.dataplane=sidecar for sidecar namespaces, or write the DestinationRule for the waypoint by hand';

/**
 * The same features under `istio.dataplane=ambient` (the ambient column spreads these): refused,
 * conservatively, until the waypoint's handling of DestinationRule trafficPolicy is verified
 * against Istio's source and the ambient adapter emits it. The ambient docs say a waypoint applies
 * destination rules ("your preferred load balancing model, TLS security mode, or circuit breaker
 * settings", ambientmesh.io/docs/traffic), so the next step is likely `partial` cells (a waypoint
 * is required) with the same DestinationRule as the sidecar output.
 */
export const istioAmbientBackendCells = {
  ...Object.fromEntries(
    Object.keys(istioBackendCells).map((id) => [id, none(NOT_IN_AMBIENT, AMBIENT_WORKAROUND, AMBIENT_DOCS)]),
  ),
  // Not a matter of waypoints: ztunnel and waypoints send to the endpoints Kubernetes marks ready.
  'backend.healthCheck': none(
    'ambient: Istio has no active health checking of pods: ztunnel and waypoints send to the endpoints Kubernetes marks ready, and DestinationRule has outlier detection only (passive)',
    READINESS_INSTEAD,
    `${DR}#OutlierDetection`,
  ),
} as Record<BackendFeatureId, CapabilityCell>;
