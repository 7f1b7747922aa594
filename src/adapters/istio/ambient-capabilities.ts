/**
 * Istio's column under `istio.dataplane=ambient`: ztunnel enforces L4 (mTLS, AuthorizationPolicy
 * by selector with identities and ports), waypoint proxies enforce L7 (Gateway API HTTPRoutes and
 * AuthorizationPolicies attached by targetRefs). Every cell here differs from the sidecar column
 * because the mode does, and says how.
 *
 * Facts from Istio 1.30.3's source (github.com/istio/istio, the release the shared CRDs are from):
 * - pilot/pkg/config/kube/gateway/conversion.go `convertHTTPRoute`: a waypoint (mesh) HTTPRoute is
 *   turned into VirtualService routes. Filters honoured: RequestHeaderModifier,
 *   ResponseHeaderModifier, RequestRedirect, RequestMirror (percent or fraction, `createMirrorFilter`),
 *   URLRewrite, CORS (`createCorsFilter`, since 1.26); any other filter is an error. `rules[].retry`
 *   (Gateway API experimental channel) becomes VirtualService retries: attempts (default 2), backoff,
 *   retryOn = connect-failure,refused-stream,unavailable,cancelled plus the listed status codes;
 *   `timeouts.request` is the route timeout and `timeouts.backendRequest` the per-try timeout when a
 *   retry is set. No annotation sets retries or faults on an HTTPRoute (none is read there); there
 *   is no fault filter. A rule without backendRefs answers 404.
 * - pilot/pkg/config/kube/gateway/route_collections.go: mesh routes become one VirtualService per
 *   namespace and parent port (`augmentPortMatch`), rules sorted by Gateway API precedence
 *   (`sortHTTPRoutes`, conversion.go: Exact > PathPrefix > RegularExpression, then length, method,
 *   headers, query parameters), each match of a rule on its own.
 * - pilot/pkg/networking/core/route/route.go: under gateway semantics a prefix is a path-separated
 *   prefix (whole segments, trailing / ignored).
 * - pilot/pkg/serviceregistry/ambient/policies.go: PeerAuthentication is converted for ztunnel
 *   (STRICT, PERMISSIVE, with or without selector); PILOT_AUTO_ALLOW_WAYPOINT_POLICY (off by default,
 *   pilot/pkg/features/ambient.go) is what an explicit waypoint-only guard replaces.
 * - Gateway API v1.6.1 CRDs (shared/crds/gateway-api): CORS is in the standard channel; `retry`
 *   only in the experimental channel; mirror `percent` is an integer, `fraction` a ratio.
 */
import type { CapabilityCell, CapabilityColumn } from '../../core/capabilities.js';
import { istioAmbientBackendCells } from './backend-capabilities.js';
import { istioAmbientProtocolCells } from './protocol-capabilities.js';

const L7 = 'https://istio.io/latest/docs/ambient/usage/l7-features/';
const L4 = 'https://istio.io/latest/docs/ambient/usage/l4-policy/';
const WAYPOINT = 'https://istio.io/latest/docs/ambient/usage/waypoint/';
const HTTPROUTE = 'https://gateway-api.sigs.k8s.io/reference/spec/#httproute';
const RETRY = 'https://gateway-api.sigs.k8s.io/geps/gep-1731/';
const PA = 'https://istio.io/latest/docs/reference/config/security/peer_authentication/';
const AP = 'https://istio.io/latest/docs/reference/config/security/authorization-policy/';

/** Ambient reached GA in Istio 1.24; the waypoint translation of HTTPRoute is the same since. */
const AMBIENT = '1.24';

const full = (native: string, docs: string, reason: string, minVersion = AMBIENT): CapabilityCell => ({
  support: 'full',
  reason: `ambient: ${reason}`,
  native,
  docs,
  minVersion,
});

const differing = (
  support: 'partial' | 'emulated',
  native: string,
  docs: string,
  reason: string,
  differs: string,
  minVersion = AMBIENT,
): CapabilityCell => ({ support, reason: `ambient: ${reason}`, differs, native, docs, minVersion });

const none = (reason: string, workaround: string, docs: string): CapabilityCell => ({
  support: 'none',
  reason: `ambient: ${reason}`,
  workaround,
  docs,
});

const MATCH = 'native Gateway API match, enforced by the waypoint';
const NO_SOURCES =
  'a waypoint HTTPRoute has no caller match (Gateway API matches only request attributes) and waypoints apply only producer routes, the ones in the service namespace, to every caller alike';
const NO_SOURCES_WORKAROUND =
  'have the callers mark their requests (a header) and match on it, or compile with istio.dataplane=sidecar';
const NO_FAULT =
  'an HTTPRoute has no fault injection filter (Istio rejects unknown filters), and the only waypoint form is a VirtualService, Alpha in ambient; mixing a VirtualService and an HTTPRoute for one host is undefined behaviour (Istio ambient L7 features page), so anymesh never emits both';
const NO_FAULT_WORKAROUND =
  'compile the fault policies with istio.dataplane=sidecar on a sidecar namespace, or for a service anymesh emits no HTTPRoute for, write a VirtualService for its waypoint by hand (Alpha)';
const RETRY_FIELD =
  'HTTPRoute rules[].retry is in the Gateway API experimental channel only (GEP-1731): install the experimental-channel HTTPRoute CRD, or the API server drops or refuses the field';

export const istioAmbientCapabilities: CapabilityColumn = {
  'match.path.exact': full('HTTPRoute rules[].matches[].path {type: Exact}', HTTPROUTE, MATCH),
  'match.path.prefix': differing(
    'partial',
    'HTTPRoute rules[].matches[].path {type: PathPrefix}',
    HTTPROUTE,
    'Gateway API has only an element-wise PathPrefix match; Istio programs it as an Envoy path-separated prefix',
    'the prefix matches whole path segments: /api matches /api and /api/v1 but not /apiv2 (a sidecar VirtualService prefix would), and a trailing / is ignored',
  ),
  'match.path.regex': full(
    'HTTPRoute rules[].matches[].path {type: RegularExpression, value: ^(?:<regex>)$}',
    HTTPROUTE,
    'RegularExpression path match (Envoy RE2), anchored by anymesh',
  ),
  'match.method': full('HTTPRoute rules[].matches[].method', HTTPROUTE, MATCH),
  'match.headers.exact': full('HTTPRoute rules[].matches[].headers[] {type: Exact}', HTTPROUTE, MATCH),
  'match.headers.prefix': differing(
    'emulated',
    'HTTPRoute rules[].matches[].headers[] {type: RegularExpression, value: ^<prefix>.*$}',
    HTTPROUTE,
    'Gateway API header matches are Exact or RegularExpression only',
    'written as an anchored regular expression ^<escaped prefix>.* (the same requests match)',
  ),
  'match.headers.regex': full(
    'HTTPRoute rules[].matches[].headers[] {type: RegularExpression, value: ^(?:<regex>)$}',
    HTTPROUTE,
    'RegularExpression header match (Envoy RE2), anchored by anymesh',
  ),
  'match.headers.present': differing(
    'emulated',
    'HTTPRoute rules[].matches[].headers[] {type: RegularExpression, value: .*}',
    HTTPROUTE,
    'Gateway API has no presence match',
    'written as a RegularExpression match .* on the header, which holds for any value of a header that is present',
  ),
  'match.queryParams.exact': full(
    'HTTPRoute rules[].matches[].queryParams[] {type: Exact}',
    HTTPROUTE,
    MATCH,
  ),
  'match.queryParams.regex': full(
    'HTTPRoute rules[].matches[].queryParams[] {type: RegularExpression, value: ^(?:<regex>)$}',
    HTTPROUTE,
    'RegularExpression query parameter match (Envoy RE2), anchored by anymesh',
  ),
  'match.queryParams.present': differing(
    'emulated',
    'HTTPRoute rules[].matches[].queryParams[] {type: RegularExpression, value: .*}',
    HTTPROUTE,
    'Gateway API has no presence match',
    'written as a RegularExpression match .* on the parameter, which holds for any value of a parameter that is present',
  ),
  'match.port': full(
    'HTTPRoute spec.parentRefs[].port (the Service port)',
    HTTPROUTE,
    'a Service parentRef with a port applies only to calls to that port (Istio adds the port to every match)',
  ),
  'backends.version': differing(
    'emulated',
    'v1 Service <service>-<version> + HTTPRoute rules[].backendRefs[] {name: <service>-<version>, port}',
    L7,
    'HTTPRoute has no subsets: it routes to Services',
    'each version becomes a Service <service>-<version> (created by anymesh) that selects the service pods (spec.selector, default app: <service>) plus the version labels, on spec.port with targetPort equal to it; clients calling <service>-<version> directly bypass the route, and spec.port is required',
  ),
  'backends.weighted': full('HTTPRoute rules[].backendRefs[].weight', HTTPROUTE, 'native weights'),
  'backends.service': full(
    'HTTPRoute rules[].backendRefs[] {name, namespace, port}',
    HTTPROUTE,
    'a Service backendRef; Gateway API requires its port (backends[].port, else spec.port), and one in another namespace needs a ReferenceGrant there only for gateway routes, not for waypoints (Istio enforces ReferenceGrant only for non-mesh parents)',
  ),
  'routing.sources.namespace': none(NO_SOURCES, NO_SOURCES_WORKAROUND, L7),
  'routing.sources.serviceAccount': none(NO_SOURCES, NO_SOURCES_WORKAROUND, L7),
  'routing.sources.labels': none(NO_SOURCES, NO_SOURCES_WORKAROUND, L7),
  'timeout.request': full(
    'HTTPRoute rules[].timeouts.request',
    HTTPROUTE,
    'Istio makes it the route timeout, retries included',
  ),
  'retries.attempts': differing(
    'partial',
    'HTTPRoute rules[].retry.attempts (experimental channel)',
    RETRY,
    'Istio honours rules[].retry on waypoints and always retries on connect-failure, refused-stream, unavailable and cancelled besides the listed status codes',
    `${RETRY_FIELD}; Istio also retries on connect-failure, refused-stream, unavailable and cancelled whatever retryOn lists`,
    '1.25',
  ),
  'retries.perTryTimeout': differing(
    'partial',
    'HTTPRoute rules[].timeouts.backendRequest (with rules[].retry)',
    HTTPROUTE,
    'with a retry stanza Istio makes timeouts.backendRequest the per-try timeout',
    `${RETRY_FIELD}; Gateway API requires backendRequest to be no more than timeouts.request`,
    '1.25',
  ),
  'retries.on.http': differing(
    'partial',
    'HTTPRoute rules[].retry.codes (experimental channel)',
    RETRY,
    'Gateway API retries on listed HTTP status codes only',
    `${RETRY_FIELD}; 5xx becomes the codes 500-508, 510 and 511 (Istio passes Envoy only the status codes Go's net/http names, so a 509 or 520-599 response is not retried) and gateway-error 502, 503 and 504 (Envoy's 5xx and gateway-error also retry connection failures, which Istio adds anyway), retriable-4xx becomes 409`,
    '1.25',
  ),
  'retries.on.connection': differing(
    'partial',
    'implied by HTTPRoute rules[].retry: Istio adds connect-failure and refused-stream',
    RETRY,
    'Gateway API has no retry conditions; Istio always retries connect-failure and refused-stream when a retry is set',
    `${RETRY_FIELD}; reset is not retried (Istio does not add it), and connect-failure and refused-stream are retried even when retryOn does not list them`,
    '1.25',
  ),
  'retries.on.grpc': differing(
    'partial',
    'implied by HTTPRoute rules[].retry: Istio adds unavailable and cancelled',
    RETRY,
    'Gateway API has no gRPC retry conditions; Istio always retries unavailable and cancelled when a retry is set',
    `${RETRY_FIELD}; deadline-exceeded, internal and resource-exhausted are not retried, and unavailable and cancelled are retried even when retryOn does not list them`,
    '1.25',
  ),
  'retries.backoff': differing(
    'partial',
    'HTTPRoute rules[].retry.backoff (experimental channel)',
    RETRY,
    'Istio makes it the VirtualService retry backoff (the base interval)',
    RETRY_FIELD,
    '1.25',
  ),
  'retries.backoff.max': none(
    'Gateway API and Istio set only the base backoff interval; Envoy caps the interval at 10 times the base',
    'leave max out (it is 10 times base), or choose base so that 10 times base is the maximum you want',
    RETRY,
  ),
  'fault.delay': none(NO_FAULT, NO_FAULT_WORKAROUND, L7),
  'fault.abort.http': none(NO_FAULT, NO_FAULT_WORKAROUND, L7),
  'fault.abort.grpc': none(NO_FAULT, NO_FAULT_WORKAROUND, L7),
  mirror: full(
    'HTTPRoute rules[].filters[] RequestMirror.backendRef {name, port}',
    HTTPROUTE,
    'native RequestMirror filter; a version is mirrored to its leaf Service, and a Service backendRef needs a port',
  ),
  'mirror.percentage': full(
    'HTTPRoute rules[].filters[] RequestMirror.percent (whole numbers) or .fraction (decimals)',
    HTTPROUTE,
    'Istio turns percent or fraction into the mirror percentage',
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
    'native filter',
  ),
  'headers.response.add': full(
    'HTTPRoute rules[].filters[] ResponseHeaderModifier.add',
    HTTPROUTE,
    'native filter',
  ),
  'headers.response.remove': full(
    'HTTPRoute rules[].filters[] ResponseHeaderModifier.remove',
    HTTPROUTE,
    'native filter',
  ),
  cors: differing(
    'partial',
    'HTTPRoute rules[].filters[] {type: CORS, cors: {allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials}}',
    HTTPROUTE,
    'the CORS filter of the Gateway API standard channel (v1.6.1), which Istio honours since 1.26',
    'origins must be scheme://host[:port] (Gateway API pattern; others are refused at compile time), maxAge is whole seconds and defaults to 5 s when not set (the sidecar form sends no max-age), and preflight requests from origins that are not allowed are answered by the waypoint instead of being forwarded to the service (Istio sets unmatchedPreflights: IGNORE; the sidecar form forwards them)',
    '1.26',
  ),
  'cors.allowOrigins.prefix': none(
    'Gateway API CORS origins are scheme://host[:port] with at most a leading *. wildcard label; there is no prefix form',
    'list the origins exactly, or compile with istio.dataplane=sidecar',
    HTTPROUTE,
  ),
  'cors.allowOrigins.regex': none(
    'Gateway API CORS origins are scheme://host[:port] with at most a leading *. wildcard label; there is no regular expression form',
    'list the origins exactly, or compile with istio.dataplane=sidecar',
    HTTPROUTE,
  ),
  'mtls.strict': full(
    'PeerAuthentication mtls.mode: STRICT',
    PA,
    'ztunnel refuses plaintext to the workload (between ambient workloads traffic is always HBONE mTLS; STRICT closes the plaintext path from outside the mesh)',
  ),
  'mtls.permissive': full(
    'PeerAuthentication mtls.mode: PERMISSIVE',
    PA,
    'ztunnel accepts plaintext from clients outside the mesh and HBONE mTLS from ambient workloads, the ambient default; ambient workloads still talk mTLS among themselves (DISABLE is not supported in ambient, and anymesh never emits it)',
  ),
  'mtls.scope.mesh': full(
    'PeerAuthentication in the root namespace (istio-system by default), no selector',
    PA,
    'ztunnel reads mesh-wide PeerAuthentication',
  ),
  'mtls.scope.namespace': full(
    'PeerAuthentication in the namespace, no selector',
    PA,
    'ztunnel reads namespace PeerAuthentication',
  ),
  'mtls.scope.service': full(
    "PeerAuthentication with selector.matchLabels of the service's pods",
    PA,
    'ztunnel honours workload-selector PeerAuthentication (Istio converts it to a ztunnel policy)',
  ),
  'access.allow': full(
    'AuthorizationPolicy action: ALLOW: by selector (ztunnel) for identities and ports; by targetRefs to the Service (waypoint) when the service has a waypoint, plus a ztunnel guard letting only the waypoint reach the pods',
    L4,
    'enforced where the caller identity is known: ztunnel without a waypoint, the waypoint with one (ztunnel then sees the waypoint as the caller)',
  ),
  'access.deny': full(
    'AuthorizationPolicy action: DENY, placed as for ALLOW',
    L4,
    'enforced by ztunnel, or by the waypoint with the guard that stops callers going around it',
  ),
  'access.from.namespace': full(
    'AuthorizationPolicy rules[].from[].source.namespaces',
    `${AP}#Source`,
    'L4 attribute',
  ),
  'access.from.serviceAccount': full(
    'AuthorizationPolicy rules[].from[].source.principals (<trust domain>/ns/<ns>/sa/<sa>)',
    `${AP}#Source`,
    'L4 attribute, the workload identity ztunnel and waypoints see',
  ),
  'access.from.authenticated': full(
    'AuthorizationPolicy rules[].from[].source.principals: ["*"]',
    `${AP}#Source`,
    'L4 attribute: any peer with a workload identity (HBONE mTLS), never a plaintext one',
  ),
  'access.to.methods': full(
    'AuthorizationPolicy targetRefs: [Service] rules[].to[].operation.methods + a waypoint-only guard by selector',
    WAYPOINT,
    'an L7 attribute: enforced by the waypoint (never by selector, where ztunnel cannot enforce it, istio/istio#61126), with a ztunnel guard allowing only the waypoint identity so callers cannot go around it (istio/istio.io#17520)',
  ),
  'access.to.paths': full(
    'AuthorizationPolicy targetRefs: [Service] rules[].to[].operation.paths + a waypoint-only guard by selector',
    WAYPOINT,
    'an L7 attribute: enforced by the waypoint, with the same ztunnel guard',
  ),
  'access.to.headers': full(
    'AuthorizationPolicy targetRefs: [Service] rules[].when[] {key: request.headers[<name>]} + a waypoint-only guard by selector',
    WAYPOINT,
    'an L7 attribute: enforced by the waypoint, with the same ztunnel guard; an exact value or prefix that begins or ends with * is refused (AM4121), Istio reads it as a wildcard',
  ),
  'access.to.headers.regex': none(
    'AuthorizationPolicy conditions match a header exactly, by prefix or suffix, or by presence: they have no regular expression',
    'write the condition as exact values, a prefix or presence, or check the header in the application',
    WAYPOINT,
  ),
  'access.to.ports': full(
    'AuthorizationPolicy rules[].to[].operation.ports',
    `${AP}#Operation`,
    'L4 attribute',
  ),
  'access.from.ipBlock': none(
    "ztunnel could check source.ipBlocks on a policy by selector (the L4 policy page lists only requestPrincipals and remoteIpBlocks as unsupported), but anymesh puts a service's policies on its waypoint as soon as the service has routing or L7 rules, and a waypoint sees an internal address instead of the caller's (istio/istio#46982), so anymesh emits no network callers for ambient",
    'name the callers by identity (namespace, serviceAccount), or compile with istio.dataplane=sidecar',
    L4,
  ),
  'gateway.route': full(
    'HTTPRoute (GRPCRoute) parentRefs[] {group: gateway.networking.k8s.io, kind: Gateway, name, namespace}',
    HTTPROUTE,
    "native Gateway API ingress: istiod converts a route with a Gateway parent as it converts the waypoint's, for the gateway's Envoy; the service needs no waypoint for it",
  ),
  'gateway.hostnames': full('HTTPRoute spec.hostnames', HTTPROUTE, 'native Gateway API field'),
  'gateway.port': full(
    'HTTPRoute / TCPRoute parentRefs[].port (the Gateway listener port)',
    HTTPROUTE,
    'native Gateway API field: the route attaches to the listeners of that port',
  ),
  ...istioAmbientBackendCells,
  ...istioAmbientProtocolCells,
};
