/**
 * Istio -> neutral (`anymesh import --from istio`): VirtualService + DestinationRule subsets ->
 * TrafficPolicy, DestinationRule traffic policies -> BackendPolicy, AuthorizationPolicy ->
 * AccessPolicy, PeerAuthentication -> MTLSPolicy.
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
import { importBackendPolicies } from './import-backend.js';
import { IMPORTED, IstioReader, isKind, NETWORKING, SECURITY } from './import-reader.js';
import { importRouting } from './import-routing.js';
import { importSecurity, isWaypointGateway, waypointGateways } from './import-security.js';
import { ServicePorts } from './import-services.js';

export function importIstio(objects: readonly NativeObject[], ctx: ImportContext): ImportResult {
  const ledger = new FieldLedger(ctx.strict);
  const r = new IstioReader(ledger, ctx);
  const ports = new ServicePorts(objects);
  const policies: ImportedPolicy[] = [
    ...importRouting(objects, r, ports),
    ...importBackendPolicies(objects, r),
    ...importSecurity(
      objects.filter((o) => isKind(o, 'AuthorizationPolicy') || isKind(o, 'PeerAuthentication')),
      r,
      waypointGateways(objects),
    ),
  ];
  return ledger.finish(objects, { policies: sortImported(policies) }, (o) =>
    Object.keys(IMPORTED).some((k) => isKind(o, k))
      ? undefined
      : o.object.apiVersion === 'v1' && o.object.kind === 'Service'
        ? serviceReason(ports.read.get(o))
        : o.object.apiVersion.startsWith(NETWORKING) || o.object.apiVersion.startsWith(SECURITY)
          ? `Istio ${o.object.kind} has no neutral form (gateways, service entries, sidecars and the like describe the mesh, not calls to a service)`
          : (gatewayApiReason(o) ?? `${o.object.apiVersion} ${o.object.kind} is not an Istio policy object`),
  );
}

const GATEWAY_API = 'gateway.networking.k8s.io/';
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'];

/**
 * Why a Gateway API object Istio reads (ambient's routes and waypoints, ingress Gateways) is
 * listed: what it is to Istio, and that this importer does not read it yet, rather than "not
 * Istio's".
 */
function gatewayApiReason(o: NativeObject): string | undefined {
  if (!o.object.apiVersion.startsWith(GATEWAY_API)) return undefined;
  if (ROUTE_KINDS.includes(o.object.kind))
    return `Gateway API ${o.object.kind}s are Istio's routes in ambient and at Gateway API gateways, which --from istio does not read yet (it reads VirtualServices); its fields are not imported`;
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
