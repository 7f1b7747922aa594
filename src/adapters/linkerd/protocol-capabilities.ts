/**
 * Linkerd's cells for protocols, redirects and rewrites (issue 16). Facts from the policy
 * controller's source, linkerd/linkerd2 main at b24cd4059 (2026-08-21, the edge-26.8 line):
 * - `k8s/index/src/outbound/index/grpc.rs` and `k8s/index/src/routes/grpc.rs`: a
 *   gateway.networking.k8s.io GRPCRoute with a Service parent is read for method matches (type
 *   Exact only: "unsupported GRPCRoute method match type" for RegularExpression), header matches,
 *   header filters and backendRefs; its timeouts and retries come from the route's annotations
 *   (`parse_timeouts`, `parse_grpc_retry`), as for HTTPRoute.
 * - `k8s/index/src/outbound/index/tcp.rs`: a TCPRoute must have exactly one rule ("TCPRoute needs to
 *   have one rule"), whose weighted backendRefs become the route's backends; nothing else is read
 *   (no timeout). TCPRoute support arrived with linkerd2#13156 (October 2024, Linkerd 2.17).
 * - `k8s/index/src/outbound/index/http.rs` `convert_gateway_filter` and `routes/http.rs`
 *   `req_redirect`: RequestRedirect is honoured (scheme, hostname, path modifier, port, status
 *   code); "URLRewrite filter is not supported".
 */
import type { CapabilityCell } from '../../core/capabilities.js';
import type { FeatureId } from '../../core/features/index.js';
import { cellBuilders } from '../kit/cells.js';

type ProtocolFeatureId = Extract<FeatureId, `protocol.${string}` | `route.${string}`>;

const GRPCROUTE = 'https://linkerd.io/2/reference/grpcroute/';
const HTTPROUTE = 'https://linkerd.io/2/reference/httproute/';
const TCPROUTE = 'https://gateway-api.sigs.k8s.io/reference/spec/#tcproute';
const { full, none } = cellBuilders({ minVersion: '2.16' });

const NO_REWRITE =
  'Linkerd\'s policy controller rejects the URLRewrite filter on an outbound HTTPRoute ("URLRewrite filter is not supported", outbound/index/http.rs)';
const REWRITE_WORKAROUND =
  'have the service accept both paths or hosts, or rewrite at an ingress controller in front of it';

/**
 * The policy controller watches TCPRoute through the gateway-api crate 0.21 (Cargo.lock), whose
 * TCPRoute is the v1alpha2 one that Linkerd's bundled Gateway API v1.1.1 CRDs serve; the v1.6.1
 * standard channel anymesh validates Linkerd output against serves TCPRoute as v1 only.
 */
const TCP_VERSION =
  'Linkerd (2.17+) reads TCPRoute as gateway.networking.k8s.io/v1alpha2, the version its bundled Gateway API v1.1.1 CRDs serve, while the Gateway API v1.6.1 standard channel serves TCPRoute only as v1; which one a cluster serves decides whether Linkerd sees the route at all, so anymesh does not emit TCPRoutes for Linkerd yet';
const TCP_WORKAROUND =
  "write a gateway.networking.k8s.io/v1alpha2 TCPRoute (one rule, weighted backendRefs to leaf Services) by hand on a cluster with Linkerd's bundled Gateway API CRDs";

export const linkerdProtocolCells: Record<ProtocolFeatureId, CapabilityCell> = {
  'protocol.http2': {
    support: 'partial',
    reason:
      'Linkerd routes HTTP/2 with HTTPRoutes as HTTP/1.1 and detects the protocol of each connection; a Service port declares HTTP/2 only with appProtocol: kubernetes.io/h2c (policy-controller/core/src/outbound.rs AppProtocol, since 2.18: linkerd/linkerd2#13721)',
    differs:
      "the backend sees the caller's HTTP version: HTTP/1.1 callers stay HTTP/1.1 (appProtocol http: \"the destination workload will still see HTTP/1\", Linkerd's protocol-detection docs); anymesh declares kubernetes.io/h2c on the leaf Services of versions only, not on the user's Service",
    native:
      'HTTPRoute with a Service parentRef (as for http); leaf Services ports[].appProtocol: kubernetes.io/h2c',
    docs: 'https://linkerd.io/2-edge/features/protocol-detection/',
    minVersion: '2.16',
  },
  'protocol.grpc': full(
    'GRPCRoute (gateway.networking.k8s.io/v1) with a Service parentRef',
    GRPCROUTE,
    'native route kind; Linkerd detects HTTP/2 itself, so no port setting is needed',
  ),
  'protocol.grpc.service': full('GRPCRoute rules[].matches[].method {type: Exact, service}', GRPCROUTE),
  'protocol.grpc.method': full(
    'GRPCRoute rules[].matches[].method {type: Exact, service, method}',
    GRPCROUTE,
  ),
  'protocol.tcp': none(TCP_VERSION, TCP_WORKAROUND, TCPROUTE),
  'protocol.tcp.weighted': none(TCP_VERSION, TCP_WORKAROUND, TCPROUTE),
  'protocol.tcp.idleTimeout': none(
    'a TCPRoute has no timeout, and Linkerd reads no idle-timeout annotation for TCP routes (outbound/index/tcp.rs reads backends only)',
    'leave the idle timeout to the application, or compile for a mesh with TCP idle timeouts (Istio sidecar, App Mesh)',
    TCPROUTE,
  ),
  'route.redirect': full(
    'HTTPRoute rules[].filters[] RequestRedirect {scheme, hostname, port, statusCode}',
    HTTPROUTE,
  ),
  'route.redirect.path.full': full('HTTPRoute RequestRedirect path {type: ReplaceFullPath}', HTTPROUTE),
  'route.redirect.path.prefix': full('HTTPRoute RequestRedirect path {type: ReplacePrefixMatch}', HTTPROUTE),
  'route.rewrite.host': none(NO_REWRITE, REWRITE_WORKAROUND, HTTPROUTE),
  'route.rewrite.path.full': none(NO_REWRITE, REWRITE_WORKAROUND, HTTPROUTE),
  'route.rewrite.path.prefix': none(NO_REWRITE, REWRITE_WORKAROUND, HTTPROUTE),
};
