/**
 * Consul's cells for BackendPolicy. Consul splits what Envoy calls cluster settings by who owns
 * them: the destination's ServiceResolver holds the load-balancing policy and connect timeout for
 * every caller (`LoadBalancer`, `ConnectTimeout`), but passive health checks and limits live in
 * the *caller's* ServiceDefaults (`UpstreamConfig.Overrides[].PassiveHealthCheck` / `.Limits`,
 * "configuration for the upstreams of this service"), so they cannot be set once for a
 * destination. Rate limits are ServiceDefaults `RateLimits.InstanceLevel`, Enterprise only (the
 * consul-k8s CRD: "Rate limiting is a Consul enterprise feature"), new in 1.17 (hashicorp/consul#19514
 * lists "service request rate limits" among the Enterprise features of 1.17; absent from the 1.16
 * docs), and for HTTP requests only.
 * Facts from the consul-k8s v2.0.3 CRDs (shared/crds/consul) and the pages linked per cell.
 */
import type { CapabilityCell } from '../../core/capabilities.js';
import type { BackendFeatureId } from '../../core/features/index.js';
import { cellBuilders } from '../kit/cells.js';
import { READINESS_INSTEAD } from '../kit/health-check.js';

const DOCS = 'https://developer.hashicorp.com/consul/docs/connect/config-entries';
const RESOLVER = `${DOCS}/service-resolver`;
const DEFAULTS = `${DOCS}/service-defaults`;
const RATE = 'https://developer.hashicorp.com/consul/docs/connect/manage-traffic/limit-request-rates';
const { full, none } = cellBuilders({ minVersion: '1.16' });

const PER_CALLER =
  "Consul sets passive health checks and limits per caller: UpstreamConfig lives in the ServiceDefaults of the calling service (Overrides[] name the destination), so one destination's setting would have to be written into every caller's entry, and a BackendPolicy does not list its callers";
const PER_CALLER_WORKAROUND =
  'add spec.upstreamConfig.overrides[{name: <service>, passiveHealthCheck / limits}] to the ServiceDefaults of each calling service by hand';
const NO_RATE_CE =
  'ServiceDefaults RateLimits is a Consul Enterprise feature (1.17+); Community Edition has no per-service rate limit';
const NO_RATE_WORKAROUND =
  'use Consul Enterprise 1.17+ (--consul-enterprise), or rate limit in the application';

const lb = (policy: string) =>
  full(`ServiceResolver loadBalancer.policy: ${policy}`, `${RESOLVER}#loadbalancer`);
const hash = (field: string) =>
  full(
    `ServiceResolver loadBalancer.{policy: ring_hash, hashPolicies[].${field}}`,
    `${RESOLVER}#loadbalancer-hashpolicies`,
  );

export const consulBackendCells = {
  'backend.port': {
    support: 'partial',
    reason: 'a ServiceResolver covers every port of the service; Consul has no per-port load balancing',
    differs:
      'spec.port is not matched: the settings hold for every call to the Consul service, whatever the port; on a multi-port Kubernetes Service register each port as its own Consul service to keep them apart',
    native: 'none (the ServiceResolver of the service)',
    minVersion: '1.16',
    docs: RESOLVER,
  },
  'backend.outlierDetection': none(
    PER_CALLER,
    PER_CALLER_WORKAROUND,
    `${DEFAULTS}#upstreamconfig-overrides-passivehealthcheck`,
  ),
  'backend.outlierDetection.gatewayErrors': none(
    'Consul passive health checks count consecutive 5xx (MaxFailures, EnforcingConsecutive5xx) only',
    'leave consecutiveGatewayErrors out: gateway errors are 5xx and count among consecutiveErrors',
    `${DEFAULTS}#upstreamconfig-overrides-passivehealthcheck`,
  ),
  'backend.connectionLimits.maxConnections': none(
    PER_CALLER,
    PER_CALLER_WORKAROUND,
    `${DEFAULTS}#upstreamconfig-overrides-limits`,
  ),
  'backend.connectionLimits.maxPendingRequests': none(
    PER_CALLER,
    PER_CALLER_WORKAROUND,
    `${DEFAULTS}#upstreamconfig-overrides-limits`,
  ),
  'backend.connectionLimits.maxRequests': none(
    PER_CALLER,
    PER_CALLER_WORKAROUND,
    `${DEFAULTS}#upstreamconfig-overrides-limits`,
  ),
  'backend.connectionLimits.maxRequestsPerConnection': none(
    'Consul config entries have no per-connection request limit (Limits has maxConnections, maxPendingRequests, maxConcurrentRequests)',
    'leave it out, or set Envoy max_requests_per_connection through an escape hatch (envoyClusterJSON) by hand',
    `${DEFAULTS}#upstreamconfig-overrides-limits`,
  ),
  'backend.connectionLimits.connectTimeout': full(
    'ServiceResolver connectTimeout',
    `${RESOLVER}#connecttimeout`,
  ),
  'backend.loadBalancer.roundRobin': lb('round_robin'),
  'backend.loadBalancer.leastRequest': lb('least_request'),
  'backend.loadBalancer.random': lb('random'),
  'backend.loadBalancer.consistentHash.header': hash('{field: header, fieldValue}'),
  'backend.loadBalancer.consistentHash.cookie': hash('{field: cookie, fieldValue, cookieConfig.{ttl, path}}'),
  'backend.loadBalancer.consistentHash.sourceIP': hash('sourceIP'),
  'backend.rateLimit': none(NO_RATE_CE, NO_RATE_WORKAROUND, RATE),
  'backend.rateLimit.burst': none(NO_RATE_CE, NO_RATE_WORKAROUND, RATE),
  'backend.healthCheck': none(
    "Consul on Kubernetes registers each pod with one health check that mirrors the pod's Kubernetes readiness (consul-k8s health check sync); no config entry sets a probe the Envoys run (ServiceDefaults passiveHealthCheck is passive and per caller)",
    READINESS_INSTEAD,
    'https://developer.hashicorp.com/consul/docs/k8s/connect/health',
  ),
} as const satisfies Record<BackendFeatureId, CapabilityCell>;

/** With Consul Enterprise, ServiceDefaults RateLimits.InstanceLevel (1.17+). */
export const consulEnterpriseBackendCells = {
  'backend.rateLimit': full(
    'ServiceDefaults rateLimits.instanceLevel.requestsPerSecond',
    RATE,
    'with Consul Enterprise 1.17+, per-instance inbound rate limits',
    '1.17',
  ),
  'backend.rateLimit.burst': full(
    'ServiceDefaults rateLimits.instanceLevel.requestsMaxBurst',
    RATE,
    'with Consul Enterprise 1.17+, the token bucket size',
    '1.17',
  ),
} as const satisfies Partial<Record<BackendFeatureId, CapabilityCell>>;
