/**
 * BackendPolicy: how callers treat the instances of one service. Every setting is left out on its
 * own (a policy without its circuit breaker still balances as asked), except the port: without it
 * the policy would cover every port, so a mesh that cannot scope by port leaves the policy out.
 */
import { backend as fixture } from './fixtures.js';
import { defineFamily } from './types.js';

const B = 'BackendPolicy.spec';
const OD = `${B}.outlierDetection`;
const CL = `${B}.connectionLimits`;
const LB = `${B}.loadBalancer`;

const limit = (field: string) => [{ field: `${CL}.${field}`, scope: 'field' }] as const;
// A load-balancing policy left out is the mesh default, never half a policy: drop loadBalancer.
const policy = (value: string) =>
  [{ field: `${LB}.policy`, scope: 'field', drop: LB, when: (v: unknown) => v === value }] as const;
const hash = (key: string) => [{ field: `${LB}.consistentHash.${key}`, scope: 'field', drop: LB }] as const;

export const backend = defineFamily({
  name: 'backend',
  features: [
    {
      id: 'backend.port',
      description: 'Apply backend settings to one port of the service only.',
      uses: [{ field: `${B}.port`, scope: 'policy' }],
      fixture: fixture('  port: 8080\n  loadBalancer: {policy: leastRequest}', [
        'backend.loadBalancer.leastRequest',
      ]),
    },
    {
      id: 'backend.outlierDetection',
      description:
        'Eject instances after consecutive errors (5xx or connection failures) for a while: passive health checking, "circuit breaking".',
      uses: [{ field: OD, scope: 'field' }],
      fixture: fixture(
        '  outlierDetection: {consecutiveErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}',
      ),
    },
    {
      id: 'backend.outlierDetection.gatewayErrors',
      description: 'Eject instances after consecutive gateway errors (502, 503, 504) counted on their own.',
      uses: [{ field: `${OD}.consecutiveGatewayErrors`, scope: 'field' }],
      fixture: fixture('  outlierDetection: {consecutiveErrors: 5, consecutiveGatewayErrors: 3}', [
        'backend.outlierDetection',
      ]),
    },
    {
      id: 'backend.connectionLimits.maxConnections',
      description: 'Limit the connections a caller opens to the service.',
      uses: limit('maxConnections'),
      fixture: fixture('  connectionLimits: {maxConnections: 100}'),
    },
    {
      id: 'backend.connectionLimits.maxPendingRequests',
      description: 'Limit the requests waiting for a connection to the service.',
      uses: limit('maxPendingRequests'),
      fixture: fixture('  connectionLimits: {maxPendingRequests: 50}'),
    },
    {
      id: 'backend.connectionLimits.maxRequests',
      description: 'Limit the concurrent requests to the service.',
      uses: limit('maxRequests'),
      fixture: fixture('  connectionLimits: {maxRequests: 200}'),
    },
    {
      id: 'backend.connectionLimits.maxRequestsPerConnection',
      description: 'Close connections to the service after a number of requests.',
      uses: limit('maxRequestsPerConnection'),
      fixture: fixture('  connectionLimits: {maxRequestsPerConnection: 10}'),
    },
    {
      id: 'backend.connectionLimits.connectTimeout',
      description: 'The timeout for opening a connection to the service.',
      uses: limit('connectTimeout'),
      fixture: fixture('  connectionLimits: {connectTimeout: 1s}'),
    },
    {
      id: 'backend.loadBalancer.roundRobin',
      description: 'Pick instances in turn.',
      uses: policy('roundRobin'),
      fixture: fixture('  loadBalancer: {policy: roundRobin}'),
    },
    {
      id: 'backend.loadBalancer.leastRequest',
      description: 'Pick the instance with the fewest active requests (of two picked at random, in Envoy).',
      uses: policy('leastRequest'),
      fixture: fixture('  loadBalancer: {policy: leastRequest}'),
    },
    {
      id: 'backend.loadBalancer.random',
      description: 'Pick instances at random.',
      uses: policy('random'),
      fixture: fixture('  loadBalancer: {policy: random}'),
    },
    {
      id: 'backend.loadBalancer.consistentHash.header',
      description: 'Session affinity: requests with the same value of a header go to the same instance.',
      uses: hash('header'),
      fixture: fixture('  loadBalancer: {policy: consistentHash, consistentHash: {header: x-user}}'),
    },
    {
      id: 'backend.loadBalancer.consistentHash.cookie',
      description: 'Session affinity by a cookie, which the proxy sets when it is missing.',
      uses: hash('cookie'),
      fixture: fixture(
        '  loadBalancer: {policy: consistentHash, consistentHash: {cookie: {name: session, ttl: 1h}}}',
      ),
    },
    {
      id: 'backend.loadBalancer.consistentHash.sourceIP',
      description: "Session affinity by the caller's IP address.",
      uses: hash('sourceIP'),
      fixture: fixture('  loadBalancer: {policy: consistentHash, consistentHash: {sourceIP: true}}'),
    },
    {
      id: 'backend.rateLimit',
      description: 'A local rate limit per instance on the inbound side; requests above it get 429.',
      uses: [{ field: `${B}.rateLimit`, scope: 'field' }],
      fixture: fixture('  port: 8080\n  rateLimit: {requestsPerSecond: 100}', ['backend.port']),
    },
    {
      id: 'backend.rateLimit.burst',
      description: 'Accept bursts above the rate limit, up to a token bucket size.',
      uses: [{ field: `${B}.rateLimit.burst`, scope: 'field' }],
      fixture: fixture('  port: 8080\n  rateLimit: {requestsPerSecond: 100, burst: 200}', [
        'backend.port',
        'backend.rateLimit',
      ]),
    },
    {
      id: 'backend.healthCheck',
      description:
        "Active health checking: the callers' proxies probe every instance (HTTP path, gRPC health, TCP) and stop sending to one that fails.",
      uses: [{ field: `${B}.healthCheck`, scope: 'field' }],
      fixture: fixture(
        '  healthCheck: {protocol: http, path: /healthz, interval: 5s, timeout: 2s, healthyThreshold: 2, unhealthyThreshold: 3}',
      ),
    },
  ],
  explain: [
    { field: 'BackendPolicy', features: 'backend' },
    { field: 'BackendPolicy.spec.outlierDetection', features: 'backend.outlierDetection', whole: true },
    { field: 'BackendPolicy.spec.connectionLimits', features: 'backend.connectionLimits' },
    { field: 'BackendPolicy.spec.loadBalancer', features: 'backend.loadBalancer', whole: true },
    { field: 'BackendPolicy.spec.rateLimit', features: 'backend.rateLimit' },
    { field: 'BackendPolicy.spec.healthCheck', features: 'backend.healthCheck', whole: true },
  ],
});
