/**
 * Linkerd's column of the capability matrix. Facts from the CRDs in shared/crds/linkerd (edge-26.8.3,
 * identical to version-2.20), the Gateway API v1.6.1 standard CRDs, Linkerd's docs linked per cell, and
 * the policy controller's source (linkerd/linkerd2, `policy-controller/`), which decides what Linkerd
 * actually reads:
 * - `k8s/index/src/outbound/index/http.rs`: a `gateway.networking.k8s.io` HTTPRoute's rules are read for
 *   matches, backendRefs and filters; RequestMirror, URLRewrite and ExtensionRef filters are rejected;
 *   retries come from the route's `retry.linkerd.io/*` annotations (`parse_http_retry`), so they hold
 *   for every rule of the route; timeouts from `timeout.linkerd.io/*` (`parse_timeouts`) and, since
 *   linkerd2#14750 (version-2.20; not in 2.19; re-verified in linkerd2 main at b24cd4059, 2026-08-21, the edge-26.8 line), from
 *   `rules[].timeouts.request` when the annotation is absent (`convert_gateway_rule`; versions.ts).
 * - `grpc/src/outbound/http.rs`: a rule without backendRefs goes to the parent Service; retries back off
 *   exponentially from 25 ms to 250 ms, fixed; request bodies over 64 KiB are not retried.
 * - `k8s/index/src/outbound/index.rs`: a route in the Service's namespace (producer route) applies to
 *   every client; a route in another namespace (consumer route) only to clients in that namespace.
 */
import type { CapabilityCell, CapabilityColumn } from '../../core/capabilities.js';
import { linkerdBackendCells } from './backend-capabilities.js';
import { linkerdProtocolCells } from './protocol-capabilities.js';

const HTTPROUTE = 'https://linkerd.io/2/reference/httproute/';
const ROUTING = 'https://linkerd.io/2/features/request-routing/';
const RETRIES = 'https://linkerd.io/2/reference/retries/';
const TIMEOUTS = 'https://linkerd.io/2/reference/timeouts/';
const AUTHZ = 'https://linkerd.io/2/reference/authorization-policy/';
const FAULT = 'https://linkerd.io/2/tasks/fault-injection/';
const GAMMA = 'https://gateway-api.sigs.k8s.io/mesh/';

/** Gateway API HTTPRoute (`gateway.networking.k8s.io`) with a Service parent is read since Linkerd 2.14. */
const ROUTE_VERSION = '2.14';
/** The retry and timeout annotations arrived in Linkerd 2.16. */
const ANNOTATION_VERSION = '2.16';

const full = (native: string, docs: string, reason: string, minVersion = ROUTE_VERSION): CapabilityCell => ({
  support: 'full',
  reason,
  native,
  docs,
  minVersion,
});

const none = (reason: string, workaround: string, docs: string): CapabilityCell => ({
  support: 'none',
  reason,
  workaround,
  docs,
});

const FILTER_REJECTED =
  "Linkerd's policy controller accepts only the RequestHeaderModifier, ResponseHeaderModifier and RequestRedirect filters on an outbound HTTPRoute";

export const linkerdCapabilities: CapabilityColumn = {
  'match.path.exact': full(
    'HTTPRoute rules[].matches[].path {type: Exact}',
    HTTPROUTE,
    'native Gateway API match',
  ),
  'match.path.prefix': {
    support: 'partial',
    reason: 'Gateway API has only an element-wise PathPrefix match',
    differs:
      'the prefix matches whole path segments: prefix /api matches /api and /api/v1 but not /apiv2 (a plain string prefix would), and a trailing / in the prefix is ignored, so /api/ also matches /api',
    native: 'HTTPRoute rules[].matches[].path {type: PathPrefix}',
    docs: HTTPROUTE,
    minVersion: ROUTE_VERSION,
  },
  'match.path.regex': full(
    'HTTPRoute rules[].matches[].path {type: RegularExpression, value: ^(?:<regex>)$}',
    HTTPROUTE,
    "Linkerd compiles RegularExpression path matches with Rust's regex crate (RE2 syntax); anymesh anchors the expression so it must match the whole path",
  ),
  'match.method': full('HTTPRoute rules[].matches[].method', HTTPROUTE, 'native Gateway API match'),
  'match.headers.exact': full(
    'HTTPRoute rules[].matches[].headers[] {type: Exact}',
    HTTPROUTE,
    'native Gateway API match',
  ),
  'match.headers.prefix': {
    support: 'emulated',
    reason: 'Gateway API header matches are Exact or RegularExpression only',
    differs:
      'written as an anchored regular expression ^<escaped prefix>.* (same requests match); in Linkerd the rule then ranks as a header match like any other, no change in precedence',
    native: 'HTTPRoute rules[].matches[].headers[] {type: RegularExpression, value: ^<prefix>.*$}',
    docs: HTTPROUTE,
    minVersion: ROUTE_VERSION,
  },
  'match.headers.regex': full(
    'HTTPRoute rules[].matches[].headers[] {type: RegularExpression, value: ^(?:<regex>)$}',
    HTTPROUTE,
    'native RegularExpression header match (Rust regex, RE2 syntax), anchored by anymesh to match the whole value',
  ),
  'match.headers.present': {
    support: 'emulated',
    reason: 'Gateway API has no presence match',
    differs:
      'written as a RegularExpression match .* on the header, which holds for any value of a header that is present',
    native: 'HTTPRoute rules[].matches[].headers[] {type: RegularExpression, value: .*}',
    docs: HTTPROUTE,
    minVersion: ROUTE_VERSION,
  },
  'match.queryParams.exact': full(
    'HTTPRoute rules[].matches[].queryParams[] {type: Exact}',
    HTTPROUTE,
    'native Gateway API match',
  ),
  'match.queryParams.regex': full(
    'HTTPRoute rules[].matches[].queryParams[] {type: RegularExpression, value: ^(?:<regex>)$}',
    HTTPROUTE,
    'native RegularExpression query parameter match (Rust regex, RE2 syntax), anchored by anymesh',
  ),
  'match.queryParams.present': {
    support: 'emulated',
    reason: 'Gateway API has no presence match',
    differs:
      'written as a RegularExpression match .* on the parameter, which holds for any value of a parameter that is present',
    native: 'HTTPRoute rules[].matches[].queryParams[] {type: RegularExpression, value: .*}',
    docs: HTTPROUTE,
    minVersion: ROUTE_VERSION,
  },
  'match.port': full(
    'HTTPRoute spec.parentRefs[].port (the Service port)',
    GAMMA,
    'a route whose Service parentRef names a port applies only to calls to that port',
  ),
  'backends.version': {
    support: 'emulated',
    reason: 'Linkerd has no subsets: it routes to Services',
    differs:
      'each version becomes a Service <service>-<version> (created by anymesh) that selects the service pods (spec.selector, default app: <service>) plus the version labels, on spec.port with targetPort equal to it; the route sends traffic to those Services. Clients calling <service>-<version> directly bypass the route, and spec.port is required',
    native:
      'v1 Service <service>-<version> + HTTPRoute rules[].backendRefs[] {name: <service>-<version>, port}',
    docs: ROUTING,
    minVersion: ROUTE_VERSION,
  },
  'backends.weighted': full(
    'HTTPRoute rules[].backendRefs[].weight',
    ROUTING,
    'weighted backendRefs (outbound HTTPRoute traffic splitting since Linkerd 2.13; this group since 2.14)',
  ),
  'backends.service': full(
    'HTTPRoute rules[].backendRefs[] {name, namespace, port}',
    ROUTING,
    'backendRefs to any Service; Linkerd needs the port, and does not require a ReferenceGrant for another namespace',
  ),
  'routing.sources.namespace': {
    support: 'partial',
    reason:
      "a route in a client's namespace (consumer route) applies only to clients in that namespace, so anymesh writes the HTTPRoute there",
    differs:
      "exact for callers in another namespace than the service's; a route in the service's own namespace applies to every caller, so sources.namespace equal to the policy's namespace is refused (AM4215). Callers in that namespace also see the routes of unscoped policies, merged by Gateway API precedence rather than scoped rules first (AM4205)",
    native:
      'HTTPRoute in the source namespace with parentRefs[] {kind: Service, namespace: <service namespace>}',
    docs: GAMMA,
    minVersion: ROUTE_VERSION,
  },
  'routing.sources.serviceAccount': none(
    'Linkerd selects outbound routes by the Service called and the caller namespace only; a route cannot be limited to callers with a given service account',
    'restrict who may call the service with an AccessPolicy, or put those callers in their own namespace and use sources[].namespace',
    GAMMA,
  ),
  'routing.sources.labels': none(
    'Linkerd selects outbound routes by the Service called and the caller namespace only; a route cannot be limited to callers whose pods carry given labels',
    'put those callers in their own namespace and use sources[].namespace',
    GAMMA,
  ),
  'timeout.request': full(
    'HTTPRoute annotation timeout.linkerd.io/request (also rules[].timeouts.request)',
    TIMEOUTS,
    "Linkerd reads the request timeout of a gateway.networking.k8s.io HTTPRoute from the route's timeout.linkerd.io/request annotation, which holds for the whole route, so anymesh gives rules with other timeouts their own HTTPRoute; from 2.20 (edge-25.12) Linkerd also reads rules[].timeouts.request (linkerd2#14750), and compiled with --mesh-version 2.20 or later the timeout stays on its rule with no annotation and no route split",
    ANNOTATION_VERSION,
  ),
  'retries.attempts': full(
    'HTTPRoute annotation retry.linkerd.io/limit',
    RETRIES,
    'retry limit per route (rules with other retry settings get their own HTTPRoute); as with Envoy, requests whose body exceeds a buffer (64 KiB in Linkerd) are not retried',
    ANNOTATION_VERSION,
  ),
  'retries.perTryTimeout': full(
    'HTTPRoute annotation retry.linkerd.io/timeout',
    RETRIES,
    'native per-attempt timeout',
    ANNOTATION_VERSION,
  ),
  'retries.on.http': {
    support: 'partial',
    reason: 'retry.linkerd.io/http takes status conditions: 5xx, gateway-error, NNN and NNN-MMM ranges',
    differs:
      "conditions are response status ranges only: 5xx is 500-599 and gateway-error 502-504 (Envoy's also retry resets and connect failures); retriable-4xx becomes 409, Envoy's meaning",
    native: 'HTTPRoute annotation retry.linkerd.io/http',
    docs: RETRIES,
    minVersion: ANNOTATION_VERSION,
  },
  'retries.on.connection': none(
    'Linkerd retry conditions are HTTP status ranges (retry.linkerd.io/http) and gRPC statuses (retry.linkerd.io/grpc); there is no condition for connect-failure, reset or refused-stream',
    'retry on gateway-error (502-504), the statuses a proxy answers with when it cannot reach the backend, or retry in the client',
    RETRIES,
  ),
  // policy-controller k8s/index/src/outbound/index/grpc.rs parse_grpc_retry reads
  // retry.linkerd.io/grpc on a GRPCRoute: cancelled, deadline-exceeded, internal, resource-exhausted
  // and unavailable, the model's five; http.rs parse_http_retry reads only retry.linkerd.io/http.
  'retries.on.grpc': {
    ...full(
      'GRPCRoute annotation retry.linkerd.io/grpc',
      RETRIES,
      'a protocol grpc policy becomes a GRPCRoute, whose retry.linkerd.io/grpc takes the gRPC statuses cancelled, deadline-exceeded, internal, resource-exhausted and unavailable',
      ANNOTATION_VERSION,
    ),
    // The http entry holds for http2 too (cellForProtocol): both compile to HTTPRoutes.
    byProtocol: {
      http: none(
        'Linkerd reads retry.linkerd.io/grpc only on GRPCRoute (and Service) resources; a protocol http or http2 policy becomes an HTTPRoute, whose retry.linkerd.io/http takes HTTP statuses only',
        'give the policy protocol: grpc (it then compiles to a GRPCRoute with retry.linkerd.io/grpc), or retry on HTTP statuses',
        RETRIES,
      ),
    },
  },
  'retries.backoff': none(
    'Linkerd has no backoff setting: its proxy backs off between retries from 25 ms to 250 ms with full jitter, fixed',
    'leave backoff out (--allow-degraded drops it); bound retries with retries.attempts and perTryTimeout instead',
    RETRIES,
  ),
  'retries.backoff.max': none(
    'Linkerd has no backoff setting: its proxy backs off between retries from 25 ms to 250 ms with full jitter, fixed',
    'leave backoff out (--allow-degraded drops it)',
    RETRIES,
  ),
  'fault.delay': none(
    'Linkerd has no fault injection',
    "Linkerd's documented emulation sends a weighted share of the traffic (backendRefs weight) to a fault-injector backend that answers with errors or sleeps; anymesh does not deploy such a backend, so set it up by hand following the fault-injection task",
    FAULT,
  ),
  'fault.abort.http': none(
    'Linkerd has no fault injection',
    "Linkerd's documented emulation sends a weighted share of the traffic (backendRefs weight) to a fault-injector backend that answers with the error status; anymesh does not deploy such a backend, so set it up by hand following the fault-injection task",
    FAULT,
  ),
  'fault.abort.grpc': none(
    'Linkerd has no fault injection',
    "Linkerd's documented emulation sends a weighted share of the traffic to a fault-injector backend; for gRPC it must answer with the gRPC status; anymesh does not deploy such a backend",
    FAULT,
  ),
  mirror: none(
    `Linkerd has no traffic mirroring: ${FILTER_REJECTED}, and rejects RequestMirror ("RequestMirror filter is not supported"); feature requests linkerd/linkerd2#4385 and #11027`,
    'mirror at an ingress or gateway that supports RequestMirror, or in the application',
    'https://github.com/linkerd/linkerd2/issues/4385',
  ),
  'mirror.percentage': none(
    `Linkerd has no traffic mirroring: ${FILTER_REJECTED}; feature requests linkerd/linkerd2#4385 and #11027`,
    'mirror at an ingress or gateway that supports RequestMirror',
    'https://github.com/linkerd/linkerd2/issues/11027',
  ),
  'headers.request.set': full(
    'HTTPRoute rules[].filters[] RequestHeaderModifier.set',
    HTTPROUTE,
    'native filter',
  ),
  'headers.request.add': full(
    'HTTPRoute rules[].filters[] RequestHeaderModifier.add',
    HTTPROUTE,
    'native filter',
  ),
  'headers.request.remove': full(
    'HTTPRoute rules[].filters[] RequestHeaderModifier.remove',
    HTTPROUTE,
    'native filter',
  ),
  'headers.response.set': full(
    'HTTPRoute rules[].filters[] ResponseHeaderModifier.set',
    HTTPROUTE,
    'native filter on the gateway.networking.k8s.io HTTPRoute (the policy.linkerd.io HTTPRoute allows it only per backend)',
  ),
  'headers.response.add': full(
    'HTTPRoute rules[].filters[] ResponseHeaderModifier.add',
    HTTPROUTE,
    'native filter on the gateway.networking.k8s.io HTTPRoute',
  ),
  'headers.response.remove': full(
    'HTTPRoute rules[].filters[] ResponseHeaderModifier.remove',
    HTTPROUTE,
    'native filter on the gateway.networking.k8s.io HTTPRoute',
  ),
  cors: none(
    `Linkerd does not implement CORS: ${FILTER_REJECTED}; the Gateway API CORS filter (standard in v1.6.1) is an unknown filter to it, and its bundled Gateway API CRDs (v1.1.1) do not have it`,
    'answer CORS in the application or at the ingress',
    HTTPROUTE,
  ),
  'cors.allowOrigins.prefix': none(
    `Linkerd does not implement CORS: ${FILTER_REJECTED}`,
    'answer CORS in the application or at the ingress',
    HTTPROUTE,
  ),
  'cors.allowOrigins.regex': none(
    `Linkerd does not implement CORS: ${FILTER_REJECTED}`,
    'answer CORS in the application or at the ingress',
    HTTPROUTE,
  ),
  'mtls.strict': {
    support: 'partial',
    reason:
      'Linkerd always uses mTLS between meshed pods and has no mode switch; refusing plaintext is an inbound policy: a Server with accessPolicy all-authenticated',
    differs:
      'a Server covers one pod port and MTLSPolicy names none, so strict applies to the container ports given with --option linkerd.serverPorts=<port,...> (refused without it, AM4207); other ports keep the default policy and accept plaintext. Unlike Istio STRICT, Linkerd also authorizes requests per Server, and meshed clients from other clusters (multicluster) are accepted',
    native: 'Server {podSelector, port, accessPolicy: all-authenticated} (policy.linkerd.io/v1beta3)',
    docs: AUTHZ,
    minVersion: '2.12',
  },
  'mtls.permissive': {
    support: 'partial',
    reason: "permissive is Linkerd's default inbound policy all-unauthenticated: anymesh emits nothing",
    differs:
      'nothing is emitted, so permissive holds only if the installation kept proxy.defaultInboundPolicy at all-unauthenticated and no config.linkerd.io/default-inbound-policy annotation or Server says otherwise; traffic between meshed pods is mTLS either way, as in Istio',
    native: 'none (the default inbound policy all-unauthenticated)',
    docs: AUTHZ,
    minVersion: '2.12',
  },
  'mtls.scope.mesh': none(
    'the mesh-wide default inbound policy is the install-time Helm value proxy.defaultInboundPolicy, not a resource anymesh can write',
    'install Linkerd with proxy.defaultInboundPolicy: all-authenticated (MeshInstallation spec.values), or use scope namespace per namespace',
    AUTHZ,
  ),
  'mtls.scope.namespace': full(
    'Server per port selecting every pod of the namespace (podSelector {}, or matchExpressions NotIn for services with their own Server)',
    AUTHZ,
    'a Server with an empty podSelector covers every pod of its namespace; pods of services that have their own Server on the port are left out by label (one-label selectors only, AM4208), since Linkerd allows one Server per pod port. The config.linkerd.io/default-inbound-policy namespace annotation is not used: emitting it would make anymesh own (and on delete or prune, remove) the Namespace object',
    '2.12',
  ),
  'mtls.scope.service': full(
    "Server per port with podSelector.matchLabels = the service's pod labels",
    AUTHZ,
    "a Server selects the service's pods by their labels",
    '2.12',
  ),
  'access.allow': full(
    'Server (accessPolicy: deny) per port + AuthorizationPolicy + MeshTLSAuthentication',
    AUTHZ,
    'a Server denies every caller on its port that no AuthorizationPolicy allows; Linkerd authorizes per pod port, so the policy must list the ports in to[].ports (AM4206 otherwise)',
    '2.12',
  ),
  'access.deny': none(
    'Linkerd authorization is allow-only: AuthorizationPolicy has no action, and a Server denies whatever no policy allows',
    'write an AccessPolicy with action: allow that lists every caller that may call (from[]) on the ports the service serves (to[].ports); everyone else is then denied',
    AUTHZ,
  ),
  'access.from.namespace': full(
    'MeshTLSAuthentication spec.identityRefs[] {kind: Namespace, name}',
    AUTHZ,
    'identityRefs of kind Namespace match every service account of that namespace',
    '2.12',
  ),
  'access.from.serviceAccount': full(
    'MeshTLSAuthentication spec.identityRefs[] {kind: ServiceAccount, name, namespace}',
    AUTHZ,
    "the caller's mTLS identity is its service account",
    '2.12',
  ),
  'access.from.authenticated': full(
    'MeshTLSAuthentication spec.identities: ["*"]',
    AUTHZ,
    'the identity "*" is every authenticated client (the MeshTLSAuthentication CRD); it stands alone, covering the callers by identity of the same policy',
    '2.12',
  ),
  'access.to.methods': full(
    'inbound HTTPRoute (policy.linkerd.io/v1beta3) parentRefs Server, rules[].matches[].method; AuthorizationPolicy targetRef the route',
    AUTHZ,
    'per-route authorization on an inbound HTTPRoute',
    ROUTE_VERSION,
  ),
  'access.to.paths': full(
    'inbound HTTPRoute rules[].matches[].path (Exact, or an anchored RegularExpression for /prefix/* and *suffix)',
    AUTHZ,
    'per-route authorization on an inbound HTTPRoute',
    ROUTE_VERSION,
  ),
  'access.to.headers': full(
    'inbound HTTPRoute rules[].matches[].headers (Exact, or an anchored RegularExpression for a prefix and for presence); AuthorizationPolicy targetRef the route',
    AUTHZ,
    'per-route authorization on an inbound HTTPRoute',
    ROUTE_VERSION,
  ),
  'access.to.headers.regex': full(
    'inbound HTTPRoute rules[].matches[].headers {type: RegularExpression} (anchored by anymesh to match the whole value)',
    AUTHZ,
    'per-route authorization on an inbound HTTPRoute',
    ROUTE_VERSION,
  ),
  'access.to.ports': full(
    'Server spec.port (one Server per container port)',
    AUTHZ,
    'a Server selects one pod port',
    '2.12',
  ),
  'access.from.ipBlock': full(
    'NetworkAuthentication spec.networks[] {cidr, except} required by an AuthorizationPolicy (with the MeshTLSAuthentication when the caller also has an identity)',
    AUTHZ,
    'an AuthorizationPolicy requires all of its authentications (reference/authorization-policy), so callers by network alone get their own AuthorizationPolicy; a caller given by network alone is admitted without a mesh identity (unauthenticated), as Linkerd does',
    '2.12',
  ),
  'gateway.route': none(
    "Linkerd has no ingress gateway of its own: it meshes the ingress controller, whose own routes (an HTTPRoute with a Gateway parent is served by the Gateway's implementation, not by Linkerd) decide where requests entering the cluster go",
    "write the ingress routes for your ingress controller (its Gateway API HTTPRoutes or Ingress) and mesh it (linkerd.io/inject: enabled); the TrafficPolicy without spec.gateway then governs the controller's calls to the service",
    'https://linkerd.io/2/tasks/using-ingress/',
  ),
  'gateway.hostnames': none(
    'Linkerd has no ingress gateway of its own (gateway.route)',
    "match host names in the ingress controller's routes",
    'https://linkerd.io/2/tasks/using-ingress/',
  ),
  'gateway.port': none(
    'Linkerd has no ingress gateway of its own (gateway.route)',
    "bind the route to the listener in the ingress controller's own routes",
    'https://linkerd.io/2/tasks/using-ingress/',
  ),
  ...linkerdBackendCells,
  ...linkerdProtocolCells,
};
