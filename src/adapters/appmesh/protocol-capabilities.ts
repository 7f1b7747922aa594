/**
 * App Mesh's cells for protocols, redirects and rewrites (issue 16). Facts from the controller
 * v1.13.3 CRDs (shared/crds/appmesh: VirtualRouter routes[].grpcRoute {match: serviceName,
 * methodName, metadata, port; action; retryPolicy; timeout: perRequest, idle}, routes[].tcpRoute
 * {match: port; action.weightedTargets; timeout.idle}, listeners[].portMapping.protocol grpc | http |
 * http2 | tcp) and the AWS API reference linked per cell (GrpcRouteMatch: "If you specify a
 * methodName, you must also specify a serviceName"). Route actions are weighted targets only: no
 * redirect, and rewrites exist only on GatewayRoutes (ingress through a virtual gateway), not on the
 * routes between services.
 */
import type { CapabilityCell } from '../../core/capabilities.js';
import type { FeatureId } from '../../core/features/index.js';
import { cellBuilders } from '../kit/cells.js';

type ProtocolFeatureId = Extract<FeatureId, `protocol.${string}` | `route.${string}`>;

const API = 'https://docs.aws.amazon.com/app-mesh/latest/APIReference';
const GRPC_MATCH = `${API}/API_GrpcRouteMatch.html`;
const TCP_ROUTE = `${API}/API_TcpRoute.html`;
const ROUTES = 'https://docs.aws.amazon.com/app-mesh/latest/userguide/routes.html';
const GATEWAY_ROUTES = 'https://docs.aws.amazon.com/app-mesh/latest/userguide/gateway-routes.html';
/** capabilities.ts's MIN_CONTROLLER (not imported: that module spreads these cells, a cycle). */
const MIN_CONTROLLER = '1.13.3';
const { full, none } = cellBuilders({ minVersion: MIN_CONTROLLER });

const NO_REDIRECT = 'an App Mesh route action is weighted targets only; no route answers with a redirect';
const NO_REWRITE =
  'App Mesh rewrites hosts and paths only on GatewayRoutes (traffic entering through a virtual gateway), not on the routes between services';
const REWRITE_WORKAROUND =
  'rewrite at the virtual gateway (GatewayRoute httpRoute.action.rewrite) by hand, or have the service accept the original path and host';

export const appmeshProtocolCells: Record<ProtocolFeatureId, CapabilityCell> = {
  'protocol.http2': full(
    'VirtualRouter and VirtualNode listeners portMapping.protocol: http2, routes[].http2Route (the shape of httpRoute)',
    `${API}/API_RouteSpec.html`,
  ),
  'protocol.grpc': full(
    'VirtualRouter and VirtualNode listeners portMapping.protocol: grpc, routes[].grpcRoute',
    `${API}/API_GrpcRoute.html`,
  ),
  'protocol.grpc.service': full('VirtualRouter routes[].grpcRoute.match.serviceName', GRPC_MATCH),
  'protocol.grpc.method': {
    support: 'partial',
    reason: 'App Mesh matches a gRPC method only together with its service',
    differs:
      'grpcRoute.match.methodName needs serviceName (GrpcRouteMatch): a match naming a method without its service is refused (AM4440)',
    native: 'VirtualRouter routes[].grpcRoute.match.{serviceName, methodName}',
    docs: GRPC_MATCH,
    minVersion: MIN_CONTROLLER,
  },
  'protocol.tcp': full(
    'VirtualRouter and VirtualNode listeners portMapping.protocol: tcp, routes[].tcpRoute',
    TCP_ROUTE,
  ),
  'protocol.tcp.weighted': full('VirtualRouter routes[].tcpRoute.action.weightedTargets[].weight', TCP_ROUTE),
  'protocol.tcp.idleTimeout': full(
    'VirtualRouter routes[].tcpRoute.timeout.idle',
    `${API}/API_TcpTimeout.html`,
  ),
  'route.redirect': none(NO_REDIRECT, 'answer the redirect in the application', ROUTES),
  'route.redirect.path.full': none(NO_REDIRECT, 'answer the redirect in the application', ROUTES),
  'route.redirect.path.prefix': none(NO_REDIRECT, 'answer the redirect in the application', ROUTES),
  'route.rewrite.host': none(NO_REWRITE, REWRITE_WORKAROUND, GATEWAY_ROUTES),
  'route.rewrite.path.full': none(NO_REWRITE, REWRITE_WORKAROUND, GATEWAY_ROUTES),
  'route.rewrite.path.prefix': none(NO_REWRITE, REWRITE_WORKAROUND, GATEWAY_ROUTES),
};
