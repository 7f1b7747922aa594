/**
 * The Istio importer's reading and reporting: which objects are Istio's, and how a field that has
 * no neutral form (AM4115) or changes meaning (AM4116) is reported, bound to one field ledger.
 */
import type { FieldLedger, ImportContext, NativeKind, NativeObject } from '../../core/import.js';
import { namespaceKind, nativeKinds, SERVICE_KIND } from '../kit/import-kit.js';
import { NativeReader } from '../kit/native-reader.js';
import { ISTIO_MESSAGES } from './messages.js';

export type { Obj } from '../kit/native-reader.js';
export const NETWORKING = 'networking.istio.io/';
export const SECURITY = 'security.istio.io/';
/** Gateway API: ambient's routes and waypoints, and Gateway API ingress. */
export const GATEWAY_API = 'gateway.networking.k8s.io/';

/** The Istio kinds this importer reads, by API group. */
export const IMPORTED: Record<string, string> = {
  VirtualService: NETWORKING,
  DestinationRule: NETWORKING,
  AuthorizationPolicy: SECURITY,
  PeerAuthentication: SECURITY,
};

/** The same kinds as data, for `anymesh import --from-cluster`. */
export const IMPORT_KINDS: readonly NativeKind[] = [
  ...Object.entries(IMPORTED).flatMap(([kind, group]) => nativeKinds(group, [kind])),
  // Gateway API routes (ambient, GAMMA and ingress), and the Gateways whose listeners they name.
  ...nativeKinds(GATEWAY_API, ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'Gateway']),
  // Services, for the protocol their ports declare (import-services.ts) and as versions' leaves.
  SERVICE_KIND,
  // Namespaces enrolled in ambient make the migration's source column ambient (import.ts).
  namespaceKind("the namespaces' ambient labels (istio.io/dataplane-mode, istio.io/use-waypoint)"),
];

export function isKind(o: NativeObject, kind: string): boolean {
  return o.object.kind === kind && o.object.apiVersion.startsWith(IMPORTED[kind] ?? '\0');
}

/** The importer's reporting, with Istio's diagnostics (AM4115, AM4116, AM4122). */
export class IstioReader extends NativeReader {
  constructor(ledger: FieldLedger, ctx: ImportContext) {
    super(ledger, ctx, ISTIO_MESSAGES);
  }
}
