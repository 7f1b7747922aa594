/**
 * Istio's column of the capability matrix. Facts from Istio 1.30's CRDs (shared/crds/istio) and the
 * reference docs linked per cell.
 */
import type { CapabilityCell, CapabilityColumn } from '../../core/capabilities.js';
import { istioBackendCells } from './backend-capabilities.js';
import { istioProtocolCells } from './protocol-capabilities.js';

const VS = 'https://istio.io/latest/docs/reference/config/networking/virtual-service/';
const DR = 'https://istio.io/latest/docs/reference/config/networking/destination-rule/';
const PA = 'https://istio.io/latest/docs/reference/config/security/peer_authentication/';
const AP = 'https://istio.io/latest/docs/reference/config/security/authorization-policy/';

const full = (
  native: string,
  docs: string,
  reason = 'native field',
  minVersion = '1.22',
): CapabilityCell => ({
  support: 'full',
  reason,
  native,
  docs,
  minVersion,
});

export const istioCapabilities: CapabilityColumn = {
  'match.path.exact': full('VirtualService http[].match[].uri.exact', `${VS}#HTTPMatchRequest`),
  'match.path.prefix': full('VirtualService http[].match[].uri.prefix', `${VS}#HTTPMatchRequest`),
  'match.path.regex': full('VirtualService http[].match[].uri.regex (RE2)', `${VS}#StringMatch`),
  'match.method': full('VirtualService http[].match[].method.exact', `${VS}#HTTPMatchRequest`),
  'match.headers.exact': full('VirtualService http[].match[].headers.<name>.exact', `${VS}#HTTPMatchRequest`),
  'match.headers.prefix': full(
    'VirtualService http[].match[].headers.<name>.prefix',
    `${VS}#HTTPMatchRequest`,
  ),
  'match.headers.regex': full('VirtualService http[].match[].headers.<name>.regex', `${VS}#HTTPMatchRequest`),
  'match.headers.present': full(
    'VirtualService http[].match[].headers.<name>: {} (an empty match checks presence)',
    `${VS}#HTTPMatchRequest`,
  ),
  'match.queryParams.exact': full(
    'VirtualService http[].match[].queryParams.<name>.exact',
    `${VS}#HTTPMatchRequest`,
  ),
  'match.queryParams.regex': full(
    'VirtualService http[].match[].queryParams.<name>.regex',
    `${VS}#HTTPMatchRequest`,
  ),
  'match.queryParams.present': full(
    'VirtualService http[].match[].queryParams.<name>.regex: ".*" (any value, empty included)',
    `${VS}#HTTPMatchRequest`,
  ),
  'match.port': full('VirtualService http[].match[].port', `${VS}#HTTPMatchRequest`),
  'backends.version': full('DestinationRule subsets[] + route[].destination.subset', `${DR}#Subset`),
  'backends.weighted': full('VirtualService http[].route[].weight', `${VS}#HTTPRouteDestination`),
  'backends.service': full('VirtualService http[].route[].destination.host (FQDN)', `${VS}#Destination`),
  'routing.sources.namespace': full(
    'VirtualService http[].match[].sourceNamespace',
    `${VS}#HTTPMatchRequest`,
  ),
  'routing.sources.serviceAccount': {
    support: 'none',
    reason:
      'a VirtualService matches callers by namespace and pod labels (sourceNamespace, sourceLabels), not by service account',
    workaround:
      'select the callers by pod labels (sources[].labels), or restrict who may call with an AccessPolicy',
    docs: `${VS}#HTTPMatchRequest`,
  },
  'routing.sources.labels': full('VirtualService http[].match[].sourceLabels', `${VS}#HTTPMatchRequest`),
  'timeout.request': full('VirtualService http[].timeout', `${VS}#HTTPRoute`),
  'retries.attempts': full('VirtualService http[].retries.attempts', `${VS}#HTTPRetry`),
  'retries.perTryTimeout': full('VirtualService http[].retries.perTryTimeout', `${VS}#HTTPRetry`),
  'retries.on.http': full(
    'VirtualService http[].retries.retryOn (5xx, gateway-error, retriable-4xx, status codes)',
    `${VS}#HTTPRetry`,
  ),
  'retries.on.connection': full(
    'VirtualService http[].retries.retryOn (connect-failure, reset, refused-stream)',
    `${VS}#HTTPRetry`,
  ),
  'retries.on.grpc': full(
    'VirtualService http[].retries.retryOn (cancelled, deadline-exceeded, ...)',
    `${VS}#HTTPRetry`,
  ),
  'retries.backoff': full(
    'VirtualService http[].retries.backoff',
    `${VS}#HTTPRetry`,
    'native field since Istio 1.26 (absent from the 1.25 CRD)',
    '1.26',
  ),
  'retries.backoff.max': {
    support: 'none',
    reason: 'Istio sets only the base backoff interval; Envoy then caps the interval at 10 times the base',
    workaround:
      'leave max out (it is 10 times base), or choose base so that 10 times base is the maximum you want',
    docs: `${VS}#HTTPRetry`,
  },
  'fault.delay': full(
    'VirtualService http[].fault.delay.{fixedDelay, percentage.value}',
    `${VS}#HTTPFaultInjection-Delay`,
  ),
  'fault.abort.http': full(
    'VirtualService http[].fault.abort.{httpStatus, percentage.value}',
    `${VS}#HTTPFaultInjection-Abort`,
  ),
  'fault.abort.grpc': full(
    'VirtualService http[].fault.abort.{grpcStatus, percentage.value}',
    `${VS}#HTTPFaultInjection-Abort`,
  ),
  mirror: full('VirtualService http[].mirrors[].destination', `${VS}#HTTPMirrorPolicy`),
  'mirror.percentage': full('VirtualService http[].mirrors[].percentage.value', `${VS}#HTTPMirrorPolicy`),
  'headers.request.set': full('VirtualService http[].headers.request.set', `${VS}#Headers`),
  'headers.request.add': full('VirtualService http[].headers.request.add', `${VS}#Headers`),
  'headers.request.remove': full('VirtualService http[].headers.request.remove', `${VS}#Headers`),
  'headers.response.set': full('VirtualService http[].headers.response.set', `${VS}#Headers`),
  'headers.response.add': full('VirtualService http[].headers.response.add', `${VS}#Headers`),
  'headers.response.remove': full('VirtualService http[].headers.response.remove', `${VS}#Headers`),
  cors: full('VirtualService http[].corsPolicy', `${VS}#CorsPolicy`),
  'cors.allowOrigins.prefix': full(
    'VirtualService http[].corsPolicy.allowOrigins[].prefix',
    `${VS}#CorsPolicy`,
  ),
  'cors.allowOrigins.regex': full(
    'VirtualService http[].corsPolicy.allowOrigins[].regex',
    `${VS}#CorsPolicy`,
  ),
  'mtls.strict': full('PeerAuthentication mtls.mode: STRICT', PA),
  'mtls.permissive': full('PeerAuthentication mtls.mode: PERMISSIVE', PA),
  'mtls.scope.mesh': full(
    'PeerAuthentication in the root namespace (istio-system by default), no selector',
    PA,
  ),
  'mtls.scope.namespace': full('PeerAuthentication in the namespace, no selector', PA),
  'mtls.scope.service': full("PeerAuthentication with selector.matchLabels of the service's pods", PA),
  'access.allow': full('AuthorizationPolicy action: ALLOW', AP),
  'access.deny': full('AuthorizationPolicy action: DENY', AP),
  'access.from.namespace': full('AuthorizationPolicy rules[].from[].source.namespaces', `${AP}#Source`),
  'access.from.serviceAccount': full(
    'AuthorizationPolicy rules[].from[].source.principals (<trust domain>/ns/<ns>/sa/<sa>)',
    `${AP}#Source`,
  ),
  'access.from.authenticated': full(
    'AuthorizationPolicy rules[].from[].source.principals: ["*"]',
    `${AP}#Source`,
    'native: the principal "*" is any authenticated caller (a peer with an mTLS identity), never a plaintext one',
  ),
  'access.to.methods': full('AuthorizationPolicy rules[].to[].operation.methods', `${AP}#Operation`),
  'access.to.paths': full('AuthorizationPolicy rules[].to[].operation.paths', `${AP}#Operation`),
  'access.to.ports': full('AuthorizationPolicy rules[].to[].operation.ports', `${AP}#Operation`),
  'access.to.headers': full(
    'AuthorizationPolicy rules[].when[] {key: request.headers[<name>], values: [<value> | <prefix>* | *]} (one rule per operation with headers)',
    `${AP}#Condition`,
    'native condition; Istio reads a * at either end of a value as a wildcard, so an exact value or prefix that begins or ends with * is refused (AM4121)',
  ),
  'access.to.headers.regex': {
    support: 'none',
    reason:
      'AuthorizationPolicy conditions match a header exactly, by prefix or suffix (a * at one end), or by presence: they have no regular expression',
    workaround:
      'write the condition as exact values, a prefix or presence, or check the header in the application',
    docs: `${AP}#Condition`,
  },
  'access.from.ipBlock': full(
    'AuthorizationPolicy rules[].from[].source.ipBlocks (the cidr) and notIpBlocks (except)',
    `${AP}#Source`,
    'ipBlocks match the source address of the connection the sidecar receives (not X-Forwarded-For, which is remoteIpBlocks: istio/api#1687); a caller given by network alone needs no mTLS identity, but PeerAuthentication STRICT still refuses plaintext callers before authorization',
  ),
  'gateway.route': full(
    'a VirtualService of its own, <policy>.gateway, with gateways: [<namespace>/<name>] (a networking.istio.io Gateway) and the rules as http[] routes to the service FQDN',
    `${VS}#VirtualService`,
    'native: a VirtualService bound to a gateway applies at that gateway only; the rules have the same fields there as in the mesh',
  ),
  'gateway.hostnames': full('VirtualService hosts (default *)', `${VS}#VirtualService`),
  'gateway.port': full(
    'VirtualService http[].match[].port / tcp[].match[].port (the gateway listener port the route applies at)',
    `${VS}#HTTPMatchRequest`,
  ),
  ...istioBackendCells,
  ...istioProtocolCells,
};
