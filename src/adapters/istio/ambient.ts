/**
 * The ambient data plane's output (`istio.dataplane=ambient`): Gateway API HTTPRoutes and leaf
 * Services (ambient-routing.ts), the waypoints and the Services' bindings to them (waypoint.ts),
 * AuthorizationPolicies placed at ztunnel or at the waypoint (ambient-security.ts), DestinationRules
 * for BackendPolicies, which the waypoint applies (ambient-backend.ts), and the same
 * PeerAuthentications as the sidecar output (ztunnel honours STRICT and PERMISSIVE alike).
 */
import type { AdapterResult, CompileContext } from '../../core/adapter.js';
import type { PoliciesByKind } from '../kit/policies.js';
import { mergeResults } from '../kit/results.js';
import { backendsWithSettings, compileAmbientBackend } from './ambient-backend.js';
import { compileAmbientRouting } from './ambient-routing.js';
import { compileAmbientAccess } from './ambient-security.js';
import { compileMtls } from './security.js';
import { compileWaypoints, waypointServices } from './waypoint.js';

export function compileAmbient(
  { traffic, access, mtls, backend }: PoliciesByKind,
  ctx: CompileContext,
): AdapterResult {
  const waypointed = waypointServices(traffic, access, backendsWithSettings(backend));
  const routing = compileAmbientRouting(traffic, ctx);
  return mergeResults(
    routing,
    compileAmbientBackend(backend, traffic, routing.resources, ctx),
    compileWaypoints(waypointed, ctx),
    compileMtls(mtls, ctx),
    compileAmbientAccess(access, waypointed, ctx, traffic),
  );
}
