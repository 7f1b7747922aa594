/**
 * Consul's cells for protocols, redirects and rewrites (issue 16), for Consul 1.16 (the last MPL
 * release, the one the behaviour tier runs). Facts from Consul's config-entry reference (linked):
 * service-router and service-splitter entries apply only to services whose protocol is HTTP-based
 * (http, http2, grpc) in service-defaults or proxy-defaults; a router's match is HTTP (path,
 * header, query, method), and a gRPC call is an HTTP/2 POST to /<service>/<method>, so gRPC
 * services and methods are path matches; a route destination has `prefixRewrite` (replaces the
 * matched path prefix) and no host rewrite and no redirect. The ServiceRouter CRD in
 * shared/crds/consul lists the destination fields (idleTimeout, prefixRewrite, requestTimeout, ...).
 * The multi-port TCPRoute of Consul's v2 catalog (mesh.consul.hashicorp.com/v2beta1, 1.17-1.18,
 * experimental) is not in 1.16 and was removed later.
 */
import type { CapabilityCell } from '../../core/capabilities.js';
import type { FeatureId } from '../../core/features/index.js';
import { cellBuilders } from '../kit/cells.js';

type ProtocolFeatureId = Extract<FeatureId, `protocol.${string}` | `route.${string}`>;

const DOCS = 'https://developer.hashicorp.com/consul/docs/connect/config-entries';
const ROUTER = `${DOCS}/service-router`;
const DEFAULTS = `${DOCS}/service-defaults`;
const SPLITTER = `${DOCS}/service-splitter`;
const { full, none } = cellBuilders({ minVersion: '1.16' });

const L4_ONLY =
  'Consul routes TCP services at L4 only: service-router and service-splitter entries need an HTTP-based protocol (http, http2, grpc), so a tcp service can be neither split by weight nor given route settings';
const TCP_WORKAROUND =
  'give the service protocol http2 or grpc if its traffic is HTTP, or pin a tcp service to one version with a ServiceResolver defaultSubset written by hand';

export const consulProtocolCells: Record<ProtocolFeatureId, CapabilityCell> = {
  'protocol.http2': full(
    'ServiceDefaults protocol: http2 (instead of http); ServiceRouter and ServiceSplitter as for http',
    DEFAULTS,
    "native field; routers and splitters accept http2 services, and the service's sidecar speaks HTTP/2 to it (hashicorp/consul agent/xds/clusters.go: the local app cluster gets HTTP/2 protocol options for http2 and grpc)",
  ),
  'protocol.grpc': full(
    'ServiceDefaults protocol: grpc (instead of http)',
    DEFAULTS,
    'native field; routers and splitters accept grpc services',
  ),
  'protocol.grpc.service': full(
    'ServiceRouter routes[].match.http.pathPrefix: /<service>/',
    ROUTER,
    'a gRPC call is a POST to /<service>/<method>, so the service is a path prefix',
  ),
  'protocol.grpc.method': full(
    'ServiceRouter routes[].match.http.pathExact: /<service>/<method> (pathRegex /[^/]+/<method> without a service)',
    ROUTER,
    'a gRPC call is a POST to /<service>/<method>, so service and method are the exact path',
  ),
  'protocol.tcp': none(L4_ONLY, TCP_WORKAROUND, SPLITTER),
  'protocol.tcp.weighted': none(L4_ONLY, TCP_WORKAROUND, SPLITTER),
  'protocol.tcp.idleTimeout': none(
    'a ServiceRouter idleTimeout is an HTTP route setting, and a tcp service has no router',
    'leave the idle timeout to the application, or compile for a mesh with TCP idle timeouts (Istio sidecar, App Mesh)',
    ROUTER,
  ),
  'route.redirect': none(
    'a service-router route forwards to a destination; Consul has no redirect action',
    'answer the redirect in the application, or at an ingress or API gateway',
    ROUTER,
  ),
  'route.redirect.path.full': none(
    'Consul has no redirect action',
    'answer the redirect in the application, or at an ingress or API gateway',
    ROUTER,
  ),
  'route.redirect.path.prefix': none(
    'Consul has no redirect action',
    'answer the redirect in the application, or at an ingress or API gateway',
    ROUTER,
  ),
  'route.rewrite.host': none(
    'a service-router destination rewrites the path prefix only (prefixRewrite); there is no host rewrite',
    "have the service accept the callers' host, or rewrite at an ingress or API gateway",
    ROUTER,
  ),
  'route.rewrite.path.full': none(
    'a service-router destination replaces only the matched path prefix (prefixRewrite), never the whole path of a prefix match',
    'match the path prefix and use rewrite.path.replacePrefixMatch',
    ROUTER,
  ),
  'route.rewrite.path.prefix': full('ServiceRouter routes[].destination.prefixRewrite', ROUTER),
};
