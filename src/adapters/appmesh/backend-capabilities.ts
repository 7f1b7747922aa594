/**
 * App Mesh's cells for BackendPolicy: the VirtualNode listener's `outlierDetection` and
 * `connectionPool` (controller CRD v1beta2, shared/crds/appmesh: outlierDetection needs all of
 * maxServerErrors, interval, baseEjectionDuration, maxEjectionPercent; the pool is the listener
 * protocol's, pool.ts: tcp and http have maxConnections, http also maxPendingRequests, http2 and
 * grpc maxRequests). Outlier detection on
 * a listener is enforced by the callers' Envoys; a listener's connection pool limits what the
 * node's own Envoy opens to its local application (AWS user guide, virtual nodes).
 */
import type { CapabilityCell } from '../../core/capabilities.js';
import type { BackendFeatureId } from '../../core/features/index.js';
import { cellBuilders } from '../kit/cells.js';

const API = 'https://docs.aws.amazon.com/app-mesh/latest/APIReference';
const NODES = 'https://docs.aws.amazon.com/app-mesh/latest/userguide/virtual_nodes.html';
const OUTLIER = `${API}/API_OutlierDetection.html`;
const POOL = `${API}/API_VirtualNodeHttpConnectionPool.html`;
const HEALTH = `${API}/API_HealthCheckPolicy.html`;
/** capabilities.ts's MIN_CONTROLLER (not imported: that module spreads these cells, a cycle). */
const MIN_CONTROLLER = '1.13.3';
const { full, none } = cellBuilders({ minVersion: MIN_CONTROLLER });

const NO_LB =
  "App Mesh exposes no load-balancing setting: its Envoys balance every virtual node's endpoints round robin";
const LB_WORKAROUND = 'leave loadBalancer out on App Mesh (it balances round robin)';
const POOL_DIFFERS =
  "App Mesh applies a listener's connection pool in the node's own Envoy, to its local application: the limit holds per instance for all callers together, not per caller";

const pool = (native: string): CapabilityCell => ({
  support: 'partial',
  reason: "VirtualNode listener connectionPool, in the pool of the listener's protocol",
  differs: POOL_DIFFERS,
  native,
  minVersion: MIN_CONTROLLER,
  docs: POOL,
});
/**
 * A limit the pool of a listener protocol lacks (pool.ts). A BackendPolicy's protocol is its
 * service's TrafficPolicy spec.protocol (policyProtocols), which is the listener's.
 */
const notOnListener = (field: string, protocol: string, holds: string) =>
  none(
    `an App Mesh ${protocol} listener takes only the ${protocol} connection pool, which has ${holds} and no ${field} (API_VirtualNodeConnectionPool: the pool's protocol is the listener's)`,
    `leave ${field} out for App Mesh, or limit ${holds} instead`,
    POOL,
  );
const H2 = 'maxRequests';
const HTTP = 'maxConnections and maxPendingRequests';
const TCP = 'maxConnections';

export const appmeshBackendCells = {
  'backend.port': full('the VirtualNode listener of that port', `${API}/API_Listener.html`),
  'backend.outlierDetection': full(
    'VirtualNode listeners[].outlierDetection.{maxServerErrors, interval, baseEjectionDuration, maxEjectionPercent} (unset fields get Envoy defaults, since App Mesh requires all four)',
    OUTLIER,
  ),
  'backend.outlierDetection.gatewayErrors': none(
    'App Mesh outlier detection counts consecutive server errors (maxServerErrors) only',
    'leave consecutiveGatewayErrors out: gateway errors are server errors and count among consecutiveErrors',
    OUTLIER,
  ),
  'backend.connectionLimits.maxConnections': {
    ...pool(
      'VirtualNode listeners[].connectionPool.http.maxConnections (tcp listeners: .tcp.maxConnections)',
    ),
    byProtocol: {
      http2: notOnListener('maxConnections', 'http2', H2),
      grpc: notOnListener('maxConnections', 'grpc', H2),
    },
  },
  'backend.connectionLimits.maxPendingRequests': {
    ...pool(
      "VirtualNode listeners[].connectionPool.http.maxPendingRequests (needs maxConnections, which then gets Envoy's default 1024)",
    ),
    byProtocol: {
      tcp: notOnListener('maxPendingRequests', 'tcp', TCP),
      http2: notOnListener('maxPendingRequests', 'http2', H2),
      grpc: notOnListener('maxPendingRequests', 'grpc', H2),
    },
  },
  'backend.connectionLimits.maxRequests': {
    ...notOnListener('maxRequests', 'http', HTTP),
    byProtocol: {
      tcp: notOnListener('maxRequests', 'tcp', TCP),
      http2: pool('VirtualNode listeners[].connectionPool.http2.maxRequests'),
      grpc: pool('VirtualNode listeners[].connectionPool.grpc.maxRequests'),
    },
  },
  'backend.connectionLimits.maxRequestsPerConnection': none(
    'App Mesh connection pools have no per-connection request limit',
    'leave it out',
    NODES,
  ),
  'backend.connectionLimits.connectTimeout': none(
    'App Mesh has no connect timeout setting on virtual nodes or their backends (listener timeouts are per request and idle)',
    'leave it out (Envoy defaults to 5s)',
    NODES,
  ),
  'backend.loadBalancer.roundRobin': full(
    'none (the default of every App Mesh Envoy cluster)',
    NODES,
    'App Mesh balances round robin and has no other policy',
  ),
  'backend.loadBalancer.leastRequest': none(NO_LB, LB_WORKAROUND, NODES),
  'backend.loadBalancer.random': none(NO_LB, LB_WORKAROUND, NODES),
  'backend.loadBalancer.consistentHash.header': none(NO_LB, 'keep session state out of the instances', NODES),
  'backend.loadBalancer.consistentHash.cookie': none(NO_LB, 'keep session state out of the instances', NODES),
  'backend.loadBalancer.consistentHash.sourceIP': none(
    NO_LB,
    'keep session state out of the instances',
    NODES,
  ),
  'backend.rateLimit': none(
    'App Mesh has no rate limiting: its Envoy filters are not exposed',
    'rate limit in the application, or in an ingress in front of the mesh',
    NODES,
  ),
  'backend.rateLimit.burst': none(
    'App Mesh has no rate limiting: its Envoy filters are not exposed',
    'rate limit in the application, or in an ingress in front of the mesh',
    NODES,
  ),
  // The callers' Envoys run the probes (aws/aws-app-mesh-roadmap#105: "When configured
  // downstream (client) Envoys will perform active health checking using the timing and
  // thresholds provided").
  'backend.healthCheck': {
    support: 'partial',
    reason: "VirtualNode listener healthCheck, probed by the callers' Envoys",
    differs:
      'App Mesh takes interval 5s to 300s, timeout 2s to 60s, thresholds 2 to 10, and only the listener port as port; other values are refused (AM4471)',
    native:
      'VirtualNode listeners[].healthCheck.{protocol, path, port, intervalMillis, timeoutMillis, healthyThreshold, unhealthyThreshold}',
    minVersion: MIN_CONTROLLER,
    docs: HEALTH,
  },
} as const satisfies Record<BackendFeatureId, CapabilityCell>;
