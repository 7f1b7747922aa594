/**
 * App Mesh's column of the capability matrix. Facts from the App Mesh controller v1.13.3 CRDs
 * (shared/crds/appmesh, appmesh.k8s.aws/v1beta2) and the AWS App Mesh API reference and user
 * guide, linked per cell. Every cell says what `compile` in this folder really does.
 */
import type { CapabilityCell, CapabilityColumn } from '../../core/capabilities.js';
import { appmeshBackendCells } from './backend-capabilities.js';
import { appmeshProtocolCells } from './protocol-capabilities.js';

const API = 'https://docs.aws.amazon.com/app-mesh/latest/APIReference';
const GUIDE = 'https://docs.aws.amazon.com/app-mesh/latest/userguide';
const ROUTES = `${GUIDE}/routes.html`;
const MATCH = `${API}/API_HttpRouteMatch.html`;
const HEADER = `${API}/API_HttpRouteHeader.html`;
const RETRY = `${API}/API_HttpRetryPolicy.html`;
const MTLS = `${GUIDE}/mutual-tls.html`;
const TLS = `${GUIDE}/tls.html`;

/** The controller version the adapter is written and tested for (CRDs v1beta2 only). */
export const MIN_CONTROLLER = '1.13.3';

const full = (native: string, docs: string, reason = 'native field'): CapabilityCell => ({
  support: 'full',
  reason,
  native,
  docs,
  minVersion: MIN_CONTROLLER,
});

const none = (reason: string, workaround: string, docs: string): CapabilityCell => ({
  support: 'none',
  reason,
  workaround,
  docs,
});

const NO_FILTERS =
  'App Mesh routes have match, action (weighted targets), timeout and retry policy only; the Envoy filters behind this feature are not exposed';

export const appmeshCapabilities: CapabilityColumn = {
  'match.path.exact': full('VirtualRouter routes[].httpRoute.match.path.exact', MATCH),
  'match.path.prefix': full('VirtualRouter routes[].httpRoute.match.prefix', MATCH),
  'match.path.regex': full(
    'VirtualRouter routes[].httpRoute.match.path.regex (Envoy safe regex, RE2)',
    MATCH,
  ),
  'match.method': full('VirtualRouter routes[].httpRoute.match.method', MATCH),
  'match.headers.exact': full('VirtualRouter routes[].httpRoute.match.headers[].match.exact', HEADER),
  'match.headers.prefix': full('VirtualRouter routes[].httpRoute.match.headers[].match.prefix', HEADER),
  'match.headers.regex': full('VirtualRouter routes[].httpRoute.match.headers[].match.regex', HEADER),
  'match.headers.present': full(
    "VirtualRouter routes[].httpRoute.match.headers[].match.regex: '.*'",
    HEADER,
    'App Mesh has no presence matcher, but a regex accepting any value matches exactly when the header is present (Envoy fails a value match on a missing header)',
  ),
  'match.queryParams.exact': full(
    'VirtualRouter routes[].httpRoute.match.queryParameters[].match.exact',
    `${API}/API_HttpQueryParameter.html`,
  ),
  'match.queryParams.regex': none(
    'App Mesh matches query parameters by exact value only (QueryParameterMatch has one field, exact)',
    'list the accepted values as exact matches, one match entry each',
    `${API}/API_QueryParameterMatch.html`,
  ),
  'match.queryParams.present': none(
    'App Mesh matches query parameters by exact value only; it has no presence or regex match to emulate one',
    'match the values you expect exactly, or carry the condition in a header (headers support presence)',
    `${API}/API_QueryParameterMatch.html`,
  ),
  'match.port': full(
    'VirtualRouter and VirtualNode spec.listeners[].portMapping.port',
    `${GUIDE}/virtual_routers.html`,
    'the virtual router and the virtual nodes listen on spec.port, which App Mesh needs (AM4401 when it is missing)',
  ),
  'backends.version': full(
    'a VirtualNode per version (podSelector = selector + version labels) as routes[].httpRoute.action.weightedTargets[].virtualNodeRef',
    `${GUIDE}/virtual_nodes.html`,
    'native: each version is a virtual node; its DNS name must resolve to that version only (a Service <service>-<version>, see appmesh.versionHostname)',
  ),
  'backends.weighted': full(
    'VirtualRouter routes[].httpRoute.action.weightedTargets[].weight',
    `${API}/API_WeightedTarget.html`,
    'native; a route takes 1 to 10 weighted targets, more are refused (AM4402)',
  ),
  'backends.service': {
    support: 'partial',
    reason: 'App Mesh routes target virtual nodes, not virtual services',
    differs:
      "the route targets the other service's VirtualNode (named after the service, in its namespace) directly: that service's own routing rules, versions and retries are bypassed, the node must exist (anymesh generates it only from a TrafficPolicy without versions), and a service with versions is refused (AM4411)",
    native: 'routes[].httpRoute.action.weightedTargets[].virtualNodeRef {name, namespace}, port',
    docs: `${API}/API_WeightedTarget.html`,
    minVersion: MIN_CONTROLLER,
  },
  'routing.sources.namespace': none(
    'App Mesh routes have no caller condition: one virtual router serves every client of a virtual service, and a client can only choose whether to call it (its backends), not get its own routes',
    'give the callers their own service name (a second Service and TrafficPolicy) and have them call that, or drop sources and route everyone the same way',
    MATCH,
  ),
  'routing.sources.serviceAccount': none(
    'App Mesh routes have no caller condition: one virtual router serves every client of a virtual service',
    'give the callers their own service name (a second Service and TrafficPolicy) and have them call that; to restrict who may call, use an AccessPolicy',
    MATCH,
  ),
  'routing.sources.labels': none(
    'App Mesh routes have no caller condition: one virtual router serves every client of a virtual service',
    'give the callers their own service name (a second Service and TrafficPolicy) and have them call that',
    MATCH,
  ),
  'timeout.request': full(
    'VirtualRouter routes[].httpRoute.timeout.perRequest (and the target VirtualNodes listeners[].timeout.http.perRequest above 15s)',
    `${API}/API_HttpTimeout.html`,
    'native (Envoy route timeout, retries included); App Mesh defaults to 15s and needs higher values on the target virtual node too, which anymesh sets (AM4421)',
  ),
  'retries.attempts': full(
    'VirtualRouter routes[].httpRoute.retryPolicy.maxRetries',
    RETRY,
    'native; App Mesh also requires perRetryTimeout and a retry event: when the policy gives none anymesh sets documented defaults and says so (AM4403, AM4404)',
  ),
  'retries.perTryTimeout': full('VirtualRouter routes[].httpRoute.retryPolicy.perRetryTimeout', RETRY),
  'retries.on.http': {
    support: 'partial',
    reason: 'App Mesh retries on classes of HTTP status (httpRetryEvents), not on single codes',
    differs:
      '5xx maps to server-error (500-508, 510, 511), gateway-error to gateway-error (502, 503, 504), retriable-4xx to client-error (409); both server-error and gateway-error also retry on connection resets; a single status code such as 503 is refused (AM4405)',
    native: 'VirtualRouter routes[].httpRoute.retryPolicy.httpRetryEvents',
    docs: RETRY,
    minVersion: MIN_CONTROLLER,
  },
  'retries.on.connection': {
    support: 'partial',
    reason: 'App Mesh has connection-error (tcpRetryEvents) and stream-error, but no event for resets alone',
    differs:
      'connect-failure maps to tcpRetryEvents connection-error and refused-stream to httpRetryEvents stream-error; reset alone is refused (AM4405): App Mesh retries resets only together with 5xx (server-error) or 502-504 (gateway-error)',
    native:
      'VirtualRouter routes[].httpRoute.retryPolicy.tcpRetryEvents: [connection-error], httpRetryEvents: [stream-error]',
    docs: RETRY,
    minVersion: MIN_CONTROLLER,
  },
  // The grpcRoute retryPolicy of the VirtualRouter CRD (shared/crds/appmesh) has grpcRetryEvents
  // with the enum cancelled, deadline-exceeded, internal, resource-exhausted, unavailable (the
  // model's five); httpRoute's retryPolicy has no such field.
  'retries.on.grpc': {
    ...full(
      'VirtualRouter routes[].grpcRoute.retryPolicy.grpcRetryEvents',
      `${API}/API_GrpcRetryPolicy.html`,
      'a protocol grpc policy becomes grpcRoutes, whose retry policy takes the gRPC statuses as grpcRetryEvents (cancelled, deadline-exceeded, internal, resource-exhausted, unavailable)',
    ),
    // The http entry holds for http2 too (cellForProtocol): http2Route's retry policy is
    // httpRoute's HttpRetryPolicy (API_Http2Route).
    byProtocol: {
      http: none(
        'gRPC retry events (grpcRetryEvents) exist only on grpcRoute; a protocol http or http2 policy becomes httpRoutes or http2Routes, whose retry policy has HTTP and TCP events only',
        'give the policy protocol: grpc (it then compiles to grpcRoutes with grpcRetryEvents), or retry on the HTTP-level conditions (5xx, gateway-error, connect-failure)',
        `${API}/API_GrpcRetryPolicy.html`,
      ),
    },
  },
  'retries.backoff': none(
    'App Mesh retry policies have no backoff setting (Envoy uses its default of 25ms base)',
    'leave backoff out; Envoy backs off from 25ms exponentially by default',
    RETRY,
  ),
  'retries.backoff.max': none('App Mesh retry policies have no backoff setting', 'leave backoff out', RETRY),
  'fault.delay': none(
    `App Mesh has no fault injection (no fault fields in any App Mesh CRD); ${NO_FILTERS}`,
    'add a weighted target to a virtual node of a small service that sleeps before proxying (the percentage becomes its weight)',
    ROUTES,
  ),
  'fault.abort.http': none(
    'App Mesh has no fault injection (no fault fields in any App Mesh CRD)',
    'add a weighted target to a virtual node of a small service that answers the status (the percentage becomes its weight)',
    ROUTES,
  ),
  'fault.abort.grpc': none(
    'App Mesh has no fault injection (no fault fields in any App Mesh CRD)',
    'add a weighted target to a virtual node of a small service that answers the gRPC status',
    ROUTES,
  ),
  mirror: none(
    `App Mesh has no traffic mirroring; ${NO_FILTERS}`,
    'mirror in the application or at an ingress that supports it',
    ROUTES,
  ),
  'mirror.percentage': none(
    'App Mesh has no traffic mirroring',
    'mirror in the application or at an ingress',
    ROUTES,
  ),
  'headers.request.set': none(
    `App Mesh mesh routes cannot change headers (only gateway routes rewrite host and path); ${NO_FILTERS}`,
    'set the header in the calling application',
    ROUTES,
  ),
  'headers.request.add': none(
    'App Mesh mesh routes cannot change headers',
    'add the header in the calling application',
    ROUTES,
  ),
  'headers.request.remove': none(
    'App Mesh mesh routes cannot change headers',
    'remove the header in the calling application',
    ROUTES,
  ),
  'headers.response.set': none(
    'App Mesh mesh routes cannot change headers',
    'set the header in the serving application',
    ROUTES,
  ),
  'headers.response.add': none(
    'App Mesh mesh routes cannot change headers',
    'add the header in the serving application',
    ROUTES,
  ),
  'headers.response.remove': none(
    'App Mesh mesh routes cannot change headers',
    'remove the header in the serving application',
    ROUTES,
  ),
  cors: none(
    `App Mesh has no CORS policy; ${NO_FILTERS}`,
    'answer CORS in the application or at the ingress',
    ROUTES,
  ),
  'cors.allowOrigins.prefix': none(
    'App Mesh has no CORS policy',
    'answer CORS in the application or at the ingress',
    ROUTES,
  ),
  'cors.allowOrigins.regex': none(
    'App Mesh has no CORS policy',
    'answer CORS in the application or at the ingress',
    ROUTES,
  ),
  'mtls.strict': {
    support: 'partial',
    reason: 'App Mesh has listener TLS mode STRICT, opt-in per virtual node, with certificates you supply',
    differs:
      'needs a certificate source (appmesh.tls.certificate=file|sds|acm, else AM4414) and VirtualNodes generated from TrafficPolicies in the same compile (AM4415); callers must originate TLS themselves: anymesh sets client TLS only on the VirtualNodes it generates (AM4419), other callers are refused; with ACM certificates TLS is one-way, callers are not authenticated (AM4416)',
    native:
      'VirtualNode spec.listeners[].tls {mode: STRICT, certificate, validation.trust}; clients backends[].virtualService.clientPolicy.tls',
    docs: MTLS,
    minVersion: MIN_CONTROLLER,
  },
  'mtls.permissive': {
    support: 'partial',
    reason:
      'App Mesh has listener TLS mode PERMISSIVE, opt-in per virtual node, with certificates you supply',
    differs:
      'needs a certificate source (appmesh.tls.certificate=file|sds|acm, else AM4414) and VirtualNodes generated from TrafficPolicies in the same compile (AM4415); TLS is used only by callers configured to originate it (anymesh configures the VirtualNodes it generates, AM4419); with ACM certificates callers are not authenticated (AM4416)',
    native: 'VirtualNode spec.listeners[].tls {mode: PERMISSIVE, certificate, validation.trust}',
    docs: TLS,
    minVersion: MIN_CONTROLLER,
  },
  'mtls.scope.mesh': {
    support: 'emulated',
    reason: 'App Mesh has no mesh-wide TLS setting; TLS is set per virtual node listener',
    differs:
      'applied to every VirtualNode anymesh generates in this compile (refused when there is none, AM4415); virtual nodes created otherwise keep their own TLS, so the mesh is not covered as a whole',
    native: 'VirtualNode spec.listeners[].tls on each generated node',
    docs: TLS,
    minVersion: MIN_CONTROLLER,
  },
  'mtls.scope.namespace': {
    support: 'emulated',
    reason: 'App Mesh has no namespace-wide TLS setting; TLS is set per virtual node listener',
    differs:
      'applied to every VirtualNode anymesh generates in the namespace in this compile (refused when there is none, AM4415); virtual nodes created otherwise keep their own TLS',
    native: 'VirtualNode spec.listeners[].tls on each generated node of the namespace',
    docs: TLS,
    minVersion: MIN_CONTROLLER,
  },
  'mtls.scope.service': full(
    "VirtualNode spec.listeners[].tls on the service's virtual nodes",
    TLS,
    "native per virtual node; the service's VirtualNodes come from its TrafficPolicy in the same compile (AM4415 otherwise)",
  ),
  'access.allow': {
    support: 'emulated',
    reason:
      "App Mesh has no authorization policy; the server's Envoy can accept only client certificates with listed subject alternative names",
    differs:
      "enforced as STRICT mutual TLS on the service's VirtualNodes with tls.validation.subjectAlternativeNames (the callers' SPIFFE IDs, appmesh.spiffeId): a refused caller fails the TLS handshake (no HTTP 403), callers need client certificates (file or SDS/SPIRE; ACM is refused, AM4418), and the service's VirtualNodes must come from a TrafficPolicy in the same compile (AM4415)",
    native:
      'VirtualNode spec.listeners[].tls.validation.subjectAlternativeNames.match.exact, tls.mode: STRICT',
    docs: MTLS,
    minVersion: MIN_CONTROLLER,
  },
  'access.deny': none(
    'App Mesh can only allow-list certificate names (exact subject alternative names); it cannot refuse some callers and accept the rest',
    'write an allow policy that lists every caller except the denied ones',
    MTLS,
  ),
  'access.from.namespace': {
    support: 'none',
    reason:
      'callers are matched by exact certificate subject alternative names (SPIFFE IDs carry namespace and service account); every workload of a namespace would need a prefix match, which App Mesh lacks',
    workaround: 'list the callers by namespace and serviceAccount',
    native: 'listeners[].tls.validation.subjectAlternativeNames.match.exact (exact only)',
    docs: MTLS,
  },
  'access.from.serviceAccount': {
    support: 'emulated',
    reason: 'a service account is identified by the SPIFFE ID in its certificate',
    differs:
      "the caller must present a certificate whose SAN is its SPIFFE ID (appmesh.spiffeId, default spiffe://<trust domain>/ns/<ns>/sa/<sa>): your SPIRE registrations must issue exactly these IDs; the service's VirtualNodes must come from a TrafficPolicy in the same compile (AM4415)",
    native: 'listeners[].tls.validation.subjectAlternativeNames.match.exact',
    docs: MTLS,
    minVersion: MIN_CONTROLLER,
  },
  'access.from.authenticated': none(
    'App Mesh matches callers by exact certificate subject alternative names only; "any certificate of the mesh" would need a prefix or wildcard match, which listener validation lacks',
    'list the callers by namespace and serviceAccount',
    MTLS,
  ),
  'access.to.methods': none(
    'App Mesh checks callers at the TLS handshake, before any HTTP request is seen: it has no L7 authorization',
    'check methods in the application, or allow the caller for everything',
    MTLS,
  ),
  'access.to.paths': none(
    'App Mesh checks callers at the TLS handshake, before any HTTP request is seen: it has no L7 authorization',
    'check paths in the application, or allow the caller for everything',
    MTLS,
  ),
  'access.to.headers': none(
    'App Mesh checks callers at the TLS handshake, before any HTTP request is seen: it has no L7 authorization',
    'check headers in the application, or allow the caller for everything',
    MTLS,
  ),
  'access.to.headers.regex': none(
    'App Mesh checks callers at the TLS handshake, before any HTTP request is seen: it has no L7 authorization',
    'check headers in the application, or allow the caller for everything',
    MTLS,
  ),
  'access.to.ports': {
    support: 'partial',
    reason:
      "App Mesh checks callers per listener, and anymesh gives each VirtualNode one listener on the service's spec.port",
    differs:
      "the allow-list covers the whole listener on spec.port; ports must include that port (other ports are refused, AM4425), and the service's other ports get no listener from anymesh; the VirtualNodes come from the service's TrafficPolicy in the same compile (AM4415)",
    native: 'VirtualNode spec.listeners[] {portMapping.port, tls.validation.subjectAlternativeNames}',
    docs: MTLS,
    minVersion: MIN_CONTROLLER,
  },
  'access.from.ipBlock': none(
    'App Mesh checks callers only by the subject alternative names of their client certificates, at the TLS handshake; it has no check of the client address',
    'name the callers by namespace and serviceAccount, or restrict the network with a Kubernetes NetworkPolicy or security groups',
    MTLS,
  ),
  'gateway.route': none(
    'AWS App Mesh reached end of support on 2026-09-30: anymesh imports GatewayRoutes (anymesh import --from appmesh) to move them to another mesh, but writes none for App Mesh',
    "move the ingress to the target mesh's gateway (compile this policy for Istio), or keep the existing GatewayRoutes until the cut-over",
    `${GUIDE}/gateway-routes.html`,
  ),
  'gateway.hostnames': none(
    'anymesh writes no GatewayRoutes for App Mesh, which has reached end of support (gateway.route)',
    "match host names at the target mesh's gateway",
    `${GUIDE}/gateway-routes.html`,
  ),
  'gateway.port': none(
    'anymesh writes no GatewayRoutes for App Mesh, which has reached end of support (gateway.route)',
    "bind the route to the listener at the target mesh's gateway",
    `${GUIDE}/gateway-routes.html`,
  ),
  ...appmeshBackendCells,
  ...appmeshProtocolCells,
};
