/**
 * Istio -> neutral (`anymesh import --from istio`): VirtualService + DestinationRule subsets ->
 * TrafficPolicy, Gateway API HTTPRoute / GRPCRoute / TCPRoute + leaf Services -> TrafficPolicy
 * (import-gateway-routes.ts: ambient, GAMMA and Gateway API ingress), DestinationRule traffic
 * policies -> BackendPolicy, AuthorizationPolicy -> AccessPolicy, PeerAuthentication -> MTLSPolicy.
 *
 * Field meanings are Istio's reference (istio.io/latest/docs/reference/config/networking/
 * virtual-service/, destination-rule/, security/authorization-policy/, peer_authentication/):
 * short hosts resolve in the object's namespace; `match[]` entries are ORed, fields inside one
 * are ANDed; a single destination takes all traffic; `gateways` defaults to `mesh`; ALLOW is the
 * default action. What anymesh produced is split back into its source policies by the route names
 * (`<policy>.<rule>`) and the `anymesh.dev/source-policies` annotation.
 */
import {
  FieldLedger,
  type ImportContext,
  type ImportedPolicy,
  type ImportResult,
  type NativeObject,
  sortImported,
} from '../../core/import.js';
import { ServiceIndex } from '../kit/import-leaves.js';
import { importBackendPolicies } from './import-backend.js';
import { importGatewayRoutes, isGatewayRoute } from './import-gateway-routes.js';
import { GATEWAY_API, IMPORTED, IstioReader, isKind, NETWORKING, SECURITY } from './import-reader.js';
import { importRouting } from './import-routing.js';
import { importSecurity, isWaypointGateway, waypointGateways } from './import-security.js';
import { ServicePorts } from './import-services.js';
import { readDestinationRules, reportUnusedH2Upgrades } from './import-subsets.js';

export function importIstio(objects: readonly NativeObject[], ctx: ImportContext): ImportResult {
  const ledger = new FieldLedger(ctx.strict);
  const r = new IstioReader(ledger, ctx);
  const ports = new ServicePorts(objects);
  const services = new ServiceIndex(objects);
  const waypoints = waypointGateways(objects);
  // One reading of the DestinationRules for both kinds of routes (their subsets and upgrades).
  const subsets = readDestinationRules(objects, r);
  const virtualServices = importRouting(objects, r, ports, subsets);
  const gatewayRoutes = importGatewayRoutes(objects, services, r, waypoints, subsets);
  reportUnusedH2Upgrades(subsets, r);
  const policies: ImportedPolicy[] = [
    ...virtualServices,
    ...gatewayRoutes.policies,
    ...importBackendPolicies(
      objects.filter((o) => !gatewayRoutes.leafCopies.has(o)),
      r,
    ),
    ...importSecurity(
      objects.filter((o) => isKind(o, 'AuthorizationPolicy') || isKind(o, 'PeerAuthentication')),
      r,
      waypoints,
    ),
  ];
  const routed = new Set([...services.leaves, ...services.parents]);
  return ledger.finish(
    objects,
    { policies: sortImported(policies), ...ambientColumn(objects, waypoints) },
    (o) =>
      Object.keys(IMPORTED).some((k) => isKind(o, k)) || isGatewayRoute(o) || routed.has(o)
        ? undefined
        : o.object.apiVersion === 'v1' && o.object.kind === 'Service'
          ? serviceReason(ports.read.get(o))
          : o.object.apiVersion.startsWith(NETWORKING) || o.object.apiVersion.startsWith(SECURITY)
            ? `Istio ${o.object.kind} has no neutral form (gateways, service entries, sidecars and the like describe the mesh, not calls to a service)`
            : (gatewayApiReason(o) ??
              `${o.object.apiVersion} ${o.object.kind} is not an Istio policy object`),
  );
}

/**
 * Why a Gateway API object Istio reads (TLS routes, waypoints, ingress Gateways) is listed: what
 * it is to Istio, rather than "not Istio's".
 */
function gatewayApiReason(o: NativeObject): string | undefined {
  if (!o.object.apiVersion.startsWith(GATEWAY_API)) return undefined;
  if (o.object.kind === 'TLSRoute')
    return 'a TLSRoute routes TLS connections by SNI host name, which a neutral policy (calls to one service) cannot say; its fields are not imported';
  if (o.object.kind === 'Gateway')
    return isWaypointGateway(o)
      ? "a waypoint: where its namespace's policies are enforced in ambient, not a policy itself (compiling the imported policies for ambient writes one again)"
      : 'a Gateway API Gateway describes the gateway, not calls to a service; policies bound to it name it in spec.gateway';
  return undefined;
}

/** Why a Service is listed: it is not mesh policy; what the import read from it, if anything. */
function serviceReason(read: ReadonlySet<number> | undefined): string {
  return read
    ? `a Service is not mesh policy; the import read the protocol its port${read.size > 1 ? 's' : ''} ${[...read].sort((a, b) => a - b).join(', ')} declare${read.size > 1 ? '' : 's'} (name or appProtocol) for the policies routing calls to ${read.size > 1 ? 'them' : 'it'}`
    : 'a Service is not mesh policy (the import reads a Service only for the protocol of a port a VirtualService route governs)';
}

/**
 * The ambient column, when the objects are ambient's: a waypoint, a Service or Namespace bound to
 * one or enrolled in ambient (istio.io/use-waypoint, istio.io/dataplane-mode: ambient), or mesh
 * routes of Gateway API (a Service parent) and no VirtualService, which sidecars would use.
 */
function ambientColumn(
  objects: readonly NativeObject[],
  waypoints: ReadonlySet<string>,
): { columnOptions?: Record<string, string> } {
  const labelled = objects.some((o) => {
    const labels = o.object.metadata.labels ?? {};
    return labels['istio.io/use-waypoint'] !== undefined || labels['istio.io/dataplane-mode'] === 'ambient';
  });
  const meshRoutes = objects.some(
    (o) =>
      isGatewayRoute(o) &&
      ((o.object.spec as { parentRefs?: { kind?: string }[] } | undefined)?.parentRefs ?? []).some(
        (p) => p.kind === 'Service',
      ),
  );
  const ambient =
    waypoints.size > 0 || labelled || (meshRoutes && !objects.some((o) => isKind(o, 'VirtualService')));
  return ambient ? { columnOptions: { 'istio.dataplane': 'ambient' } } : {};
}
