/**
 * BackendPolicy: how callers treat the instances of one service: ejecting failing instances
 * (outlier detection, "circuit breaking"), connection and request limits, the load-balancing
 * policy, and a local rate limit on the service's inbound side. Field names are the contract of
 * issue 16; defaults are Envoy's, which every mesh anymesh targets runs (or, for Linkerd, says so).
 */
import { type Static, Type } from '@sinclair/typebox';
import { Doc, Duration, OnUnsupported, Port, Selector, StringEnum, strict } from './common.js';

const Count = (description: string) => Type.Integer({ minimum: 1, description });

const OutlierDetection = Type.Object(
  {
    consecutiveErrors: Type.Optional(
      Count(
        'Eject an instance after this many consecutive errors (5xx answers or connection failures). Default: 5 (Envoy).',
      ),
    ),
    consecutiveGatewayErrors: Type.Optional(
      Count(
        'Also eject after this many consecutive gateway errors (502, 503, 504, connection failures). Default: unset (gateway errors count only as errors).',
      ),
    ),
    interval: Type.Optional(Duration('How often instances are checked for ejection. Default: 10s (Envoy).')),
    baseEjectionTime: Type.Optional(
      Duration(
        'How long an instance stays ejected the first time; each further ejection multiplies it. Default: 30s (Envoy).',
      ),
    ),
    maxEjectionPercent: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100,
        description: 'The most instances ejected at once, in percent of all. Default: 10 (Envoy).',
      }),
    ),
  },
  {
    ...strict,
    description:
      'Eject failing instances from load balancing for a while ("circuit breaking"). Default: none (no ejection).',
  },
);

const ConnectionLimits = Type.Object(
  {
    maxConnections: Type.Optional(
      Count(
        'The most connections to the service at once, per caller proxy. Default: the mesh default (1024 in Envoy, unlimited in Istio).',
      ),
    ),
    maxPendingRequests: Type.Optional(
      Count(
        'The most requests waiting for a connection, per caller proxy. Default: the mesh default (1024 in Envoy, unlimited in Istio).',
      ),
    ),
    maxRequests: Type.Optional(
      Count(
        'The most concurrent requests to the service, per caller proxy. Default: the mesh default (1024 in Envoy, unlimited in Istio).',
      ),
    ),
    maxRequestsPerConnection: Type.Optional(
      Count('Close a connection after this many requests. Default: unlimited.'),
    ),
    connectTimeout: Type.Optional(
      Duration(
        'The timeout for opening a connection. Default: the mesh default (10s in Istio, 5s in Consul).',
      ),
    ),
  },
  {
    ...strict,
    minProperties: 1,
    description: 'Limits on connections and requests to the service. Default: the mesh defaults.',
  },
);

const ConsistentHash = Type.Object(
  {
    header: Type.Optional(
      Type.String({
        description:
          'Hash on this request header. Default: unset; give exactly one of header, cookie, sourceIP.',
      }),
    ),
    cookie: Type.Optional(
      Type.Object(
        {
          name: Type.String({ description: 'The cookie name. Required.' }),
          ttl: Type.Optional(
            Duration(
              'The lifetime of the cookie the proxy sets when it is missing. Default: a session cookie.',
            ),
          ),
          path: Type.Optional(Type.String({ description: 'The path of the cookie. Default: none.' })),
        },
        {
          ...strict,
          description:
            'Hash on this cookie (set by the proxy when missing). Default: unset; give exactly one of header, cookie, sourceIP.',
        },
      ),
    ),
    sourceIP: Type.Optional(
      Type.Boolean({
        description:
          "Hash on the caller's IP address; must be true. Default: unset; give exactly one of header, cookie, sourceIP.",
      }),
    ),
  },
  {
    ...strict,
    description:
      'What a consistent hash is computed from: exactly one of header, cookie, sourceIP. Default: none; required with policy consistentHash.',
  },
);

const LoadBalancer = Type.Object(
  {
    policy: StringEnum(
      ['roundRobin', 'leastRequest', 'random', 'consistentHash'],
      'How a caller picks an instance: roundRobin, leastRequest, random or consistentHash (session affinity). Required.',
    ),
    consistentHash: Type.Optional(ConsistentHash),
  },
  { ...strict, description: 'The load-balancing policy. Default: the mesh default (roundRobin in Envoy).' },
);

const RateLimit = Type.Object(
  {
    requestsPerSecond: Count('The sustained rate each instance accepts, in requests per second. Required.'),
    burst: Type.Optional(
      Count(
        'The most requests accepted at once (the token bucket size); at least requestsPerSecond. Default: requestsPerSecond.',
      ),
    ),
  },
  {
    ...strict,
    description:
      "A local rate limit, per instance, on the service's inbound side; requests above it get 429. Default: none.",
  },
);

/**
 * Active health checking (issue 14, for App Mesh's listener healthCheck): the callers' proxies
 * probe every instance and stop sending to one that fails. App Mesh requires protocol, interval,
 * timeout and both thresholds (HealthCheckPolicy, API reference), so the model does too rather
 * than invent defaults; the other meshes follow Kubernetes readiness instead (their cells say so).
 */
const HealthCheck = Type.Object(
  {
    protocol: StringEnum(
      ['http', 'http2', 'grpc', 'tcp'],
      "How an instance is probed: an HTTP/1.1 or HTTP/2 request to path (healthy on status 200, Envoy's default), a call of the gRPC Health Checking Protocol, or a TCP connection. Required.",
    ),
    path: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'The path requested, for protocol http or http2, e.g. /healthz. Default: unset.',
      }),
    ),
    port: Type.Optional(Port('The port probed. Default: the port calls go to.')),
    interval: Duration('The time between two probes of an instance. Required.'),
    timeout: Duration('How long a probe may take before it counts as failed. Required.'),
    healthyThreshold: Count('Consecutive successful probes that make an instance healthy again. Required.'),
    unhealthyThreshold: Count('Consecutive failed probes that make an instance unhealthy. Required.'),
  },
  {
    ...strict,
    description:
      "Active health checking: the callers' proxies probe every instance and send nothing to one that fails. Default: none (instances leave the Service when their pods are not ready).",
  },
);

export const BackendPolicySpec = Type.Object(
  {
    service: Type.String({ description: 'The destination Service, in metadata.namespace. Required.' }),
    port: Type.Optional(Port('Apply only to calls to this port of the service. Default: every port.')),
    selector: Type.Optional(Selector),
    outlierDetection: Type.Optional(OutlierDetection),
    connectionLimits: Type.Optional(ConnectionLimits),
    loadBalancer: Type.Optional(LoadBalancer),
    rateLimit: Type.Optional(RateLimit),
    healthCheck: Type.Optional(HealthCheck),
    onUnsupported: Type.Optional(OnUnsupported),
  },
  { ...strict, description: 'How callers treat the instances of one service. Required.' },
);

export const BackendPolicySchema = Doc(
  'BackendPolicy',
  BackendPolicySpec,
  'Circuit breaking, connection limits, load balancing and rate limits for one service.',
);

export type BackendPolicy = Static<typeof BackendPolicySchema>;

/**
 * The outlier detection defaults the descriptions state (Envoy's, envoy.config.cluster.v3
 * OutlierDetection: consecutive_5xx 5, interval 10s, base_ejection_time 30s,
 * max_ejection_percent 10). Adapters write them out, so every mesh ejects alike.
 */
export const OUTLIER_DEFAULTS = {
  consecutiveErrors: 5,
  interval: '10s',
  baseEjectionTime: '30s',
  maxEjectionPercent: 10,
} as const;

export type OutlierDetectionT = NonNullable<BackendPolicy['spec']['outlierDetection']>;

/** The outlier detection of a policy with every default filled in. */
export function outlierDetection(
  od: OutlierDetectionT,
): Required<Omit<OutlierDetectionT, 'consecutiveGatewayErrors'>> &
  Pick<OutlierDetectionT, 'consecutiveGatewayErrors'> {
  return { ...OUTLIER_DEFAULTS, ...od };
}
