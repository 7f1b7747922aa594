/**
 * Istio's cells for protocols, redirects and rewrites (issue 16), sidecar and ambient.
 *
 * Sidecar: facts from the VirtualService CRD of Istio 1.30.3 (shared/crds/istio): `tcp[]` routes
 * (match: port, sourceLabels, sourceNamespace; route[].destination + weight, no timeout),
 * `http[].redirect` (uri, authority, scheme, port | derivePort, redirectCode: no prefix form),
 * `http[].rewrite` (uri: the matched prefix or the whole path, authority, uriRegexRewrite), and the
 * DestinationRule's `connectionPool.tcp.idleTimeout`. gRPC is HTTP/2 to `/<service>/<method>`,
 * which is how Istio's own GRPCRoute conversion matches it (pilot/pkg/config/kube/gateway/
 * conversion.go `convertGRPCRoute` -> `createGRPCURIMatch`, istio/istio 86c9f01 of 2026-08-22).
 *
 * Ambient: the same conversion.go turns waypoint GRPCRoutes into HTTP routes, TCPRoutes into TCP
 * routes (`convertTCPRoute`), RequestRedirect into `createRedirectFilter` (scheme, host, port,
 * statusCode, ReplaceFullPath as uri, ReplacePrefixMatch as Istio's internal prefix rewrite) and
 * URLRewrite into `createRewriteFilter` (ReplacePrefixMatch as uri, ReplaceFullPath as
 * uriRegexRewrite `/.*`); route_collections.go `GRPCRouteCollection` and `TCPRouteCollection`
 * build routes for mesh (Service) parents as for HTTPRoutes.
 */
import type { CapabilityCell } from '../../core/capabilities.js';
import type { FeatureId } from '../../core/features/index.js';
import { cellBuilders } from '../kit/cells.js';

type ProtocolFeatureId = Extract<FeatureId, `protocol.${string}` | `route.${string}`>;

const VS = 'https://istio.io/latest/docs/reference/config/networking/virtual-service/';
const DR = 'https://istio.io/latest/docs/reference/config/networking/destination-rule/';
const SELECTION = 'https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/';
const GRPCROUTE = 'https://gateway-api.sigs.k8s.io/reference/spec/#grpcroute';
const TCPROUTE = 'https://gateway-api.sigs.k8s.io/reference/spec/#tcproute';
const HTTPROUTE = 'https://gateway-api.sigs.k8s.io/reference/spec/#httproute';
const { full, none } = cellBuilders({ minVersion: '1.22' });

/** Istio picks a port's protocol from the Service, never from a route: say so in every gRPC cell. */
const SELECTED =
  "Istio treats the port as gRPC only when the Service port says so (name grpc or grpc-*, or appProtocol: grpc; Istio's protocol selection), which anymesh cannot set from a policy";

export const istioProtocolCells: Record<ProtocolFeatureId, CapabilityCell> = {
  // Partial, as Istio's own code shows (test/behaviour/istio/protocols.test.ts, http2-api): the
  // upgrade is of the hop between the sidecars only. istiod sets a cluster's protocol from the Service
  // port first (pilot/pkg/networking/core/cluster_builder.go setUpstreamProtocol: HTTP/2 for an http2
  // port, use_downstream_protocol for an unnamed one) and only then applies the DestinationRule,
  // whose setH2Options leaves protocol options already set alone (cluster_traffic_policy.go
  // applyH2Upgrade, outbound clusters only); the inbound cluster to the pod gets no upgrade at all.
  'protocol.http2': {
    support: 'partial',
    reason:
      "the DestinationRule upgrade is of the hop between the sidecars; the server's sidecar speaks to the pod in the protocol the user's Service port declares",
    differs:
      "a backend receives HTTP/2 from a caller that sends HTTP/1.1 only when its Service port says http2 (name http2 or http2-*, or appProtocol http2 / kubernetes.io/h2c); with a port declaring HTTP (name http or http-*) the sidecars speak HTTP/2 to each other but the pod receives HTTP/1.1, and with an unnamed port (protocol sniffing) the caller's own protocol is kept throughout",
    native:
      'DestinationRule trafficPolicy.connectionPool.http.h2UpgradePolicy: UPGRADE (in portLevelSettings[] for spec.port); VirtualService http[] routes as for http',
    docs: `${DR}#ConnectionPoolSettings-HTTPSettings`,
    minVersion: '1.22',
  },
  'protocol.grpc': full('VirtualService http[] routes (gRPC is HTTP/2)', SELECTION, `native: ${SELECTED}`),
  'protocol.grpc.service': full(
    'VirtualService http[].match[].uri.prefix: /<service>/',
    `${VS}#HTTPMatchRequest`,
    'a gRPC call is a POST to /<service>/<method>, so the service is a path prefix, as Istio matches GRPCRoute',
  ),
  'protocol.grpc.method': full(
    'VirtualService http[].match[].uri.exact: /<service>/<method> (uri.regex /[^/]+/<method> without a service)',
    `${VS}#HTTPMatchRequest`,
    'a gRPC call is a POST to /<service>/<method>, so service and method are the exact path, as Istio matches GRPCRoute',
  ),
  'protocol.tcp': full(
    'VirtualService tcp[] routes (match port, sourceNamespace, sourceLabels)',
    `${VS}#TCPRoute`,
  ),
  'protocol.tcp.weighted': full('VirtualService tcp[].route[].weight', `${VS}#RouteDestination`),
  'protocol.tcp.idleTimeout': {
    support: 'partial',
    reason:
      'a VirtualService tcp route has no timeout; the idle timeout is a DestinationRule connection-pool setting',
    differs:
      "DestinationRule trafficPolicy.connectionPool.tcp.idleTimeout holds for every caller's connections to the service, on every port, not only the callers spec.sources names and spec.port (istiod gives the tcp_proxy only the top-level connection pool's idle timeout, not portLevelSettings: pilot/pkg/networking/core/networkfilter.go)",
    native: 'DestinationRule trafficPolicy.connectionPool.tcp.idleTimeout',
    docs: `${DR}#ConnectionPoolSettings-TCPSettings`,
    minVersion: '1.22',
  },
  'route.redirect': full(
    'VirtualService http[].redirect.{scheme, authority, port | derivePort, redirectCode}',
    `${VS}#HTTPRedirect`,
  ),
  'route.redirect.path.full': full('VirtualService http[].redirect.uri', `${VS}#HTTPRedirect`),
  'route.redirect.path.prefix': none(
    "a VirtualService redirect replaces the whole path (redirect.uri); the prefix form Istio's Gateway API conversion uses is internal, not a field of the VirtualService CRD",
    'redirect each path with replaceFullPath under an exact path match, or compile with istio.dataplane=ambient (HTTPRoute RequestRedirect replacePrefixMatch)',
    `${VS}#HTTPRedirect`,
  ),
  'route.rewrite.host': full('VirtualService http[].rewrite.authority', `${VS}#HTTPRewrite`),
  'route.rewrite.path.full': full(
    'VirtualService http[].rewrite.uriRegexRewrite {match: "/.*", rewrite: <path>}',
    `${VS}#RegexRewrite`,
    'native field, written as Istio writes Gateway API ReplaceFullPath (createRewriteFilter)',
  ),
  'route.rewrite.path.prefix': full(
    'VirtualService http[].rewrite.uri (replaces the matched uri.prefix)',
    `${VS}#HTTPRewrite`,
  ),
};

const AMBIENT = '1.24';
const ambientFull = (native: string, docs: string, reason: string): CapabilityCell => ({
  support: 'full',
  reason: `ambient: ${reason}`,
  native,
  docs,
  minVersion: AMBIENT,
});

export const istioAmbientProtocolCells: Record<ProtocolFeatureId, CapabilityCell> = {
  'protocol.http2': {
    support: 'partial',
    reason:
      "ambient: the waypoint upgrades to HTTP/2 on the service's DestinationRule h2UpgradePolicy: UPGRADE (cluster_waypoint.go buildWaypointInboundVIPCluster calls applyH2Upgrade) and picks a leaf Service's protocol from its port (appProtocol kubernetes.io/h2c is HTTP2: pkg/config/kube/conversion.go ConvertProtocol); HTTPRoute rules are those of http",
    differs:
      "the service itself and its versions are reached over HTTP/2 (the service's DestinationRule upgrades, the leaf Services declare appProtocol: kubernetes.io/h2c); a backend that is another Service is spoken to in the protocol its port declares, HTTP/1.1 unless that Service says http2 (name http2-* or appProtocol http2 / kubernetes.io/h2c)",
    native:
      'HTTPRoute with a Service parentRef; DestinationRule trafficPolicy.connectionPool.http.h2UpgradePolicy: UPGRADE (in portLevelSettings[] for spec.port); leaf Services ports[].appProtocol: kubernetes.io/h2c',
    docs: SELECTION,
    minVersion: AMBIENT,
  },
  'protocol.grpc': ambientFull(
    'GRPCRoute with a Service parentRef (HTTPRoute when a rule needs timeouts, retries or CORS)',
    GRPCROUTE,
    `the waypoint converts GRPCRoute to HTTP/2 routes (convertGRPCRoute); ${SELECTED}`,
  ),
  'protocol.grpc.service': ambientFull(
    'GRPCRoute rules[].matches[].method {type: Exact, service}',
    GRPCROUTE,
    'native Gateway API gRPC match, enforced by the waypoint',
  ),
  'protocol.grpc.method': ambientFull(
    'GRPCRoute rules[].matches[].method {type: Exact, service, method}',
    GRPCROUTE,
    'native Gateway API gRPC match, enforced by the waypoint',
  ),
  'protocol.tcp': ambientFull(
    'TCPRoute with a Service parentRef (and port)',
    TCPROUTE,
    'the waypoint converts TCPRoute to TCP routes (convertTCPRoute, TCPRouteCollection)',
  ),
  'protocol.tcp.weighted': ambientFull(
    'TCPRoute rules[].backendRefs[].weight (versions as leaf Services)',
    TCPROUTE,
    'native backendRef weights',
  ),
  'protocol.tcp.idleTimeout': {
    support: 'none',
    reason:
      'ambient: a TCPRoute has no timeout, and whether the waypoint applies a DestinationRule connection pool is not verified (see the backend cells)',
    workaround: 'compile with istio.dataplane=sidecar, or set the idle timeout in a DestinationRule by hand',
    docs: TCPROUTE,
  },
  'route.redirect': ambientFull(
    'HTTPRoute rules[].filters[] RequestRedirect {scheme, hostname, port, statusCode}',
    HTTPROUTE,
    'native Gateway API filter (createRedirectFilter)',
  ),
  'route.redirect.path.full': ambientFull(
    'HTTPRoute RequestRedirect path {type: ReplaceFullPath}',
    HTTPROUTE,
    'native Gateway API filter (createRedirectFilter)',
  ),
  'route.redirect.path.prefix': ambientFull(
    'HTTPRoute RequestRedirect path {type: ReplacePrefixMatch}',
    HTTPROUTE,
    'native Gateway API filter (createRedirectFilter)',
  ),
  'route.rewrite.host': ambientFull(
    'HTTPRoute rules[].filters[] URLRewrite hostname',
    HTTPROUTE,
    'native Gateway API filter (createRewriteFilter)',
  ),
  'route.rewrite.path.full': ambientFull(
    'HTTPRoute URLRewrite path {type: ReplaceFullPath}',
    HTTPROUTE,
    'native Gateway API filter (createRewriteFilter)',
  ),
  'route.rewrite.path.prefix': ambientFull(
    'HTTPRoute URLRewrite path {type: ReplacePrefixMatch}',
    HTTPROUTE,
    'native Gateway API filter (createRewriteFilter)',
  ),
};
